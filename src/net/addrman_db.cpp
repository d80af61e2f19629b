// peers.dat: Bitcoin Core's on-disk AddrMan (format 4, "multiport"), framed as
// Core's SerializeFileDB frames it: network magic, the serialised tables, then
// SHA-256d of everything before it. The layout is spelled out in README.md.
#include <net/addrman.h>

#include <net/addrman_impl.h>

#include <util/fs.h>

#include <consensus/hash.h>
#include <consensus/serialize.h>

#include <fstream>
#include <iterator>
#include <stdexcept>
#include <system_error>

namespace net {
namespace {

// Core's AddrMan file formats; we write the newest and read 0..4.
constexpr uint8_t FORMAT_V1_DETERMINISTIC = 1;
constexpr uint8_t FORMAT_V2_ASMAP = 2;
constexpr uint8_t FORMAT_V3_BIP155 = 3;
constexpr uint8_t FORMAT_V4_MULTIPORT = 4;
constexpr uint8_t FILE_FORMAT = FORMAT_V4_MULTIPORT;
// The second byte is INCOMPATIBILITY_BASE + the oldest format that can read the file.
constexpr uint8_t INCOMPATIBILITY_BASE = 32;
constexpr uint8_t LOWEST_COMPATIBLE = FORMAT_V4_MULTIPORT;

// CAddress's disk version field: a client version in the low 19 bits (ignored)
// plus a flag saying the address uses the BIP155 encoding.
constexpr int32_t DISK_VERSION_INIT = 220000;
constexpr int32_t DISK_VERSION_IGNORE_MASK = (1 << 19) - 1;
constexpr int32_t DISK_VERSION_ADDRV2 = 1 << 29;

using consensus::DecodeError;
using consensus::Reader;
using consensus::Writer;

const std::array<uint8_t, 12> IPV4_MAPPED{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

// An address the file names but we cannot use; bucket restoration skips it.
NetAddr Unusable()
{
    return NetAddr{Network::IPV6, std::vector<uint8_t>(16, 0)};
}

void WriteNetAddrV2(Writer& w, const NetAddr& a)
{
    consensus::WriteLE<uint8_t>(w, static_cast<uint8_t>(a.net));
    consensus::WriteCompactSize(w, a.bytes.size());
    w.WriteBytes(a.bytes);
}

NetAddr ReadNetAddrV2(Reader& r)
{
    const uint8_t net_id = consensus::ReadLE<uint8_t>(r);
    const uint64_t len = consensus::ReadCompactSize(r, false);
    if (len > MAX_ADDRV2_SIZE)
        throw DecodeError("Address too long: " + std::to_string(len) + " > 512");
    const auto bytes = r.ReadBytes(static_cast<size_t>(len));
    const auto net = static_cast<Network>(net_id);
    const size_t want = AddressLength(net);
    if (want == 0) return Unusable(); // unknown network: skipped, as Core does
    if (len != want)
        throw DecodeError("BIP155 network " + std::to_string(net_id) + " address with length " +
                          std::to_string(len) + " (should be " + std::to_string(want) + ")");
    NetAddr a{net, std::vector<uint8_t>(bytes.begin(), bytes.end())};
    // IPv4 must use its own network id in BIP155; an embedded form is refused.
    if (net == Network::IPV6 && std::equal(IPV4_MAPPED.begin(), IPV4_MAPPED.end(), a.bytes.begin()))
        return Unusable();
    return a;
}

NetAddr ReadNetAddrV1(Reader& r)
{
    const auto b = r.ReadBytes(16);
    if (std::equal(IPV4_MAPPED.begin(), IPV4_MAPPED.end(), b.begin()))
        return NetAddr{Network::IPV4, std::vector<uint8_t>(b.begin() + 12, b.end())};
    return NetAddr{Network::IPV6, std::vector<uint8_t>(b.begin(), b.end())};
}

void WriteRecord(Writer& w, const AddrRecord& rec)
{
    const AddrInfo& i = rec.info;
    consensus::WriteLE<int32_t>(w, DISK_VERSION_INIT | DISK_VERSION_ADDRV2);
    consensus::WriteLE<uint32_t>(w, i.entry.time);
    consensus::WriteCompactSize(w, i.entry.services);
    WriteNetAddrV2(w, rec.service.addr);
    consensus::WriteLE<uint8_t>(w, static_cast<uint8_t>(rec.service.port >> 8));
    consensus::WriteLE<uint8_t>(w, static_cast<uint8_t>(rec.service.port & 0xff));
    WriteNetAddrV2(w, i.source);
    consensus::WriteLE<int64_t>(w, i.last_success);
    consensus::WriteLE<int32_t>(w, i.attempts);
}

AddrRecord ReadRecord(Reader& r, bool v2)
{
    AddrRecord rec;
    int32_t version = consensus::ReadLE<int32_t>(r) & ~DISK_VERSION_IGNORE_MASK;
    bool addr_v2 = false;
    if (version == DISK_VERSION_ADDRV2)
        addr_v2 = true;
    else if (version != 0)
        throw DecodeError("Unsupported CAddress disk format version " + std::to_string(version));
    if (addr_v2 != v2 && v2) throw DecodeError("address encoding does not match the file format");
    rec.info.entry.time = consensus::ReadLE<uint32_t>(r);
    if (addr_v2)
        rec.info.entry.services = consensus::ReadCompactSize(r, false);
    else
        rec.info.entry.services = consensus::ReadLE<uint64_t>(r);
    NetAddr addr = addr_v2 ? ReadNetAddrV2(r) : ReadNetAddrV1(r);
    const auto port_bytes = r.ReadBytes(2);
    const uint16_t port = static_cast<uint16_t>((port_bytes[0] << 8) | port_bytes[1]);
    rec.info.source = addr_v2 ? ReadNetAddrV2(r) : ReadNetAddrV1(r);
    rec.info.last_success = consensus::ReadLE<int64_t>(r);
    rec.info.attempts = consensus::ReadLE<int32_t>(r);
    rec.service = Service{addr, port};
    rec.info.entry.net = addr.net;
    rec.info.entry.addr = addr.bytes;
    rec.info.entry.port = port;
    return rec;
}

bool Usable(const Service& s)
{
    if (s.addr.bytes.size() != AddressLength(s.addr.net)) return false;
    const auto& b = s.addr.bytes;
    if (s.addr.net == Network::IPV6 &&
        std::all_of(b.begin(), b.end(), [](uint8_t x) { return x == 0; }))
        return false;
    return true;
}

std::string CorruptFileError(const std::filesystem::path& file, const std::string& why)
{
    return "Invalid or corrupt peers.dat (" + why +
           "). As a workaround, you can move the file (\"" + file.string() +
           "\") out of the way (rename, move, or delete) to have a new one created on the next "
           "start.";
}

} // namespace

std::vector<uint8_t> AddrMan::Impl::Serialize() const
{
    std::vector<uint8_t> out;
    Writer w{out};
    consensus::WriteLE<uint8_t>(w, FILE_FORMAT);
    consensus::WriteLE<uint8_t>(w, INCOMPATIBILITY_BASE + LOWEST_COMPATIBLE);
    w.WriteBytes(key);
    int new_refs = 0, tried = 0;
    for (const auto& [id, r] : map_info) {
        if (r.ref_count > 0) ++new_refs;
        if (r.info.in_tried) ++tried;
    }
    consensus::WriteLE<int32_t>(w, new_refs);
    consensus::WriteLE<int32_t>(w, tried);
    consensus::WriteLE<int32_t>(w, ADDRMAN_NEW_BUCKET_COUNT ^ (1 << 30));
    std::map<int, int32_t> file_index; // id -> position among the new entries written
    for (const auto& [id, r] : map_info) {
        if (r.ref_count == 0) continue;
        file_index[id] = static_cast<int32_t>(file_index.size());
        WriteRecord(w, r);
    }
    for (const auto& [id, r] : map_info)
        if (r.info.in_tried) WriteRecord(w, r);
    for (int bucket = 0; bucket < ADDRMAN_NEW_BUCKET_COUNT; ++bucket) {
        std::vector<int32_t> ids;
        for (int pos = 0; pos < ADDRMAN_BUCKET_SIZE; ++pos) {
            const int id = new_table[bucket * ADDRMAN_BUCKET_SIZE + pos];
            if (id != -1) ids.push_back(file_index.at(id));
        }
        consensus::WriteLE<int32_t>(w, static_cast<int32_t>(ids.size()));
        for (int32_t i : ids)
            consensus::WriteLE<int32_t>(w, i);
    }
    // The asmap checksum: all zero, since we use no asmap.
    w.WriteBytes(std::array<uint8_t, 32>{});
    return out;
}

void AddrMan::Impl::Unserialize(Reader& r)
{
    const uint8_t format = consensus::ReadLE<uint8_t>(r);
    const uint8_t compat = consensus::ReadLE<uint8_t>(r);
    if (compat < INCOMPATIBILITY_BASE)
        throw DecodeError("Corrupted addrman database: The compat value (" +
                          std::to_string(compat) + ") is lower than the expected minimum value " +
                          std::to_string(INCOMPATIBILITY_BASE) + ".");
    const uint8_t lowest = compat - INCOMPATIBILITY_BASE;
    if (lowest > FILE_FORMAT)
        throw IncompatibleAddrManFormat(
            "Unsupported format of addrman database: " + std::to_string(format) +
            ". It is compatible with formats >=" + std::to_string(lowest) +
            ", but the maximum supported by this version of minibit is " +
            std::to_string(FILE_FORMAT) + ".");
    const bool v2 = format >= FORMAT_V3_BIP155;
    const auto key_bytes = r.ReadBytes(32);
    std::copy(key_bytes.begin(), key_bytes.end(), key.begin());
    // Core's consistency check refuses a null key (its code -16).
    if (std::all_of(key.begin(), key.end(), [](uint8_t b) { return b == 0; }))
        throw DecodeError("Corrupt data. Consistency check failed with code -16");
    int32_t nnew = consensus::ReadLE<int32_t>(r);
    int32_t ntried = consensus::ReadLE<int32_t>(r);
    int32_t nbuckets = consensus::ReadLE<int32_t>(r);
    if (format >= FORMAT_V1_DETERMINISTIC) nbuckets ^= (1 << 30);
    if (nnew < 0 || nnew > ADDRMAN_NEW_BUCKET_COUNT * ADDRMAN_BUCKET_SIZE)
        throw DecodeError("Corrupt AddrMan serialization: nNew=" + std::to_string(nnew) +
                          ", should be in [0, " +
                          std::to_string(ADDRMAN_NEW_BUCKET_COUNT * ADDRMAN_BUCKET_SIZE) + "]");
    if (ntried < 0 || ntried > ADDRMAN_TRIED_BUCKET_COUNT * ADDRMAN_BUCKET_SIZE)
        throw DecodeError("Corrupt AddrMan serialization: nTried=" + std::to_string(ntried) +
                          ", should be in [0, " +
                          std::to_string(ADDRMAN_TRIED_BUCKET_COUNT * ADDRMAN_BUCKET_SIZE) + "]");
    if (nbuckets < 0) throw DecodeError("Corrupt AddrMan serialization: bucket count");

    // New entries get ids 0..nnew-1 in file order; a duplicate address keeps the first.
    for (int32_t n = 0; n < nnew; ++n) {
        AddrRecord rec = ReadRecord(r, v2);
        rec.random_pos = random.size();
        if (map_addr.count(rec.service)) rec.service = Service{Unusable(), 0};
        map_addr.emplace(rec.service, n);
        random.push_back(n);
        map_info.emplace(n, std::move(rec));
    }
    id_count = nnew;
    n_new = nnew;
    for (int32_t n = 0; n < ntried; ++n) {
        AddrRecord rec = ReadRecord(r, v2);
        const int bucket = TriedBucket(rec);
        const int pos = BucketPosition(rec, false, bucket);
        if (!Usable(rec.service) || TriedSlot(bucket, pos) != -1 || map_addr.count(rec.service))
            continue;
        const int id = id_count++;
        rec.info.in_tried = true;
        rec.random_pos = random.size();
        random.push_back(id);
        map_addr[rec.service] = id;
        TriedSlot(bucket, pos) = id;
        map_info.emplace(id, std::move(rec));
        ++n_tried;
    }
    std::vector<std::pair<int, int>> bucket_entries;
    for (int32_t bucket = 0; bucket < nbuckets; ++bucket) {
        const int32_t count = consensus::ReadLE<int32_t>(r);
        if (count < 0 || static_cast<size_t>(count) > r.Remaining() / 4)
            throw DecodeError("Corrupt AddrMan serialization: bucket size");
        for (int32_t i = 0; i < count; ++i) {
            const int32_t index = consensus::ReadLE<int32_t>(r);
            if (index >= 0 && index < nnew) bucket_entries.emplace_back(bucket, index);
        }
    }
    std::array<uint8_t, 32> asmap_checksum{};
    if (format >= FORMAT_V2_ASMAP) {
        const auto c = r.ReadBytes(32);
        std::copy(c.begin(), c.end(), asmap_checksum.begin());
    }
    const bool restore =
        nbuckets == ADDRMAN_NEW_BUCKET_COUNT &&
        std::all_of(asmap_checksum.begin(), asmap_checksum.end(), [](uint8_t b) { return b == 0; });
    for (auto [bucket, index] : bucket_entries) {
        AddrRecord& rec = map_info.at(index);
        if (!Usable(rec.service)) continue;
        if (rec.ref_count >= ADDRMAN_NEW_BUCKETS_PER_ADDRESS) continue;
        int pos = BucketPosition(rec, true, bucket);
        if (restore && bucket < ADDRMAN_NEW_BUCKET_COUNT && NewSlot(bucket, pos) == -1) {
            NewSlot(bucket, pos) = index;
            ++rec.ref_count;
        } else {
            // The old positions do not fit our geometry: place it by its own source.
            bucket = NewBucket(rec, rec.info.source);
            pos = BucketPosition(rec, true, bucket);
            if (NewSlot(bucket, pos) == -1) {
                NewSlot(bucket, pos) = index;
                ++rec.ref_count;
            }
        }
    }
    // New entries that found no slot (collisions, unusable addresses) are dropped.
    std::vector<int> orphans;
    for (const auto& [id, rec] : map_info)
        if (!rec.info.in_tried && rec.ref_count == 0) orphans.push_back(id);
    for (int id : orphans) {
        AddrRecord& rec = map_info.at(id);
        SwapRandom(rec.random_pos, random.size() - 1);
        random.pop_back();
        const auto it = map_addr.find(rec.service);
        if (it != map_addr.end() && it->second == id) map_addr.erase(it);
        map_info.erase(id);
        --n_new;
    }
}

util::Expected<std::unique_ptr<AddrMan>> AddrMan::Load(const std::filesystem::path& file,
                                                       AddrManOptions options)
{
    const Magic magic = options.magic;
    AddrManOptions options_copy = options;
    auto man = std::make_unique<AddrMan>(std::move(options));
    std::error_code ec;
    if (!std::filesystem::exists(file, ec)) return man;
    std::ifstream in{file, std::ios::binary};
    if (!in) return util::Unexpected("Unable to open " + file.string() + " for reading");
    const std::vector<uint8_t> bytes{std::istreambuf_iterator<char>(in),
                                     std::istreambuf_iterator<char>()};
    if (in.bad()) return util::Unexpected("Unable to read " + file.string());
    // Read in Core's order: magic, tables, then the checksum of what was read.
    if (bytes.size() < magic.size())
        return util::Unexpected(CorruptFileError(file, "AutoFile::read: end of file"));
    if (!std::equal(magic.begin(), magic.end(), bytes.begin()))
        return util::Unexpected(CorruptFileError(file, "Invalid network magic number"));
    const std::span<const uint8_t> all{bytes};
    Reader r{all.subspan(magic.size())};
    try {
        std::lock_guard lock{man->m_impl->mutex};
        man->m_impl->Unserialize(r);
    } catch (const IncompatibleAddrManFormat&) {
        // As Core: keep the newer file as peers.dat.bak and start with an empty table.
        std::error_code rename_ec;
        std::filesystem::rename(file, file.string() + ".bak", rename_ec);
        if (rename_ec)
            return util::Unexpected("Failed to rename " + file.string() + " to " + file.string() +
                                    ".bak: " + rename_ec.message());
        return std::make_unique<AddrMan>(std::move(options_copy));
    } catch (const std::exception& e) {
        const std::string what = e.what();
        return util::Unexpected(CorruptFileError(
            file, what == "unexpected end of data" ? "AutoFile::read: end of file" : what));
    }
    const size_t body_len = magic.size() + r.Position();
    if (bytes.size() < body_len + 32)
        return util::Unexpected(CorruptFileError(file, "AutoFile::read: end of file"));
    const consensus::Uint256 sum = consensus::Hash256(all.first(body_len));
    if (!std::equal(sum.begin(), sum.end(), all.subspan(body_len, 32).begin()))
        return util::Unexpected(CorruptFileError(file, "Checksum mismatch, data corrupted"));
    return man;
}

util::Expected<void> AddrMan::Save(const std::filesystem::path& file) const
{
    std::vector<uint8_t> out{m_impl->options.magic.begin(), m_impl->options.magic.end()};
    {
        std::lock_guard lock{m_impl->mutex};
        const std::vector<uint8_t> tables = m_impl->Serialize();
        out.insert(out.end(), tables.begin(), tables.end());
    }
    const consensus::Uint256 sum = consensus::Hash256(out);
    out.insert(out.end(), sum.begin(), sum.end());
    return util::WriteFileAtomically(file, out, 0600);
}

} // namespace net
