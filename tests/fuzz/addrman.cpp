// net::AddrMan under random operation sequences, and peers.dat loading of
// arbitrary bytes. The first byte picks the mode:
//   0: the rest is a whole peers.dat (magic included) given to Load;
//   1: the rest is a peers.dat body: the regtest-free default magic is put in
//      front and a correct checksum after it, so the parser's success path is
//      reachable without the fuzzer forging SHA-256d;
//   otherwise: an operation sequence on a fresh manager (add with source, good,
//      attempt, connected, set services, select, getaddr, collisions, clock,
//      save and reload).
// Invariants: nothing crashes or throws; the public views agree with one
// another (table and network sizes add up, everything Select/GetAddr return is
// known to Find, GetAddr honours its limits without duplicates); a manager
// that loads saves to a file that loads back to the same bytes; a saved
// manager reloads with the same contents.
#include <consensus/hash.h>
#include <net/addrman.h>
#include <net/messages.h>
#include <net/netaddress.h>

#include "fuzz_util.h"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <system_error>
#include <tuple>
#include <unistd.h>
#include <vector>

namespace {

using Bytes = fuzz::Reader;
using fuzz::Check;

/// One scratch directory per process (tmpfs when there is one, so Save's fsync is cheap).
std::filesystem::path MakeScratchDir()
{
    std::error_code ec;
    std::filesystem::path base = "/dev/shm";
    if (!std::filesystem::is_directory(base, ec)) base = std::filesystem::temp_directory_path();
    auto path = base / ("minibit-fuzz-addrman-" + std::to_string(::getpid()));
    std::filesystem::create_directories(path);
    return path;
}

const std::filesystem::path& ScratchDir()
{
    static const std::filesystem::path dir = MakeScratchDir();
    // Registered after `dir` exists, so it runs before `dir` is destroyed.
    static const bool cleanup = std::atexit([] {
                                    std::error_code ignored;
                                    std::filesystem::remove_all(ScratchDir(), ignored);
                                }) == 0;
    (void)cleanup;
    return dir;
}

std::vector<uint8_t> ReadAll(const std::filesystem::path& file)
{
    std::ifstream in{file, std::ios::binary};
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void WriteAll(const std::filesystem::path& file, std::span<const uint8_t> bytes)
{
    std::ofstream out{file, std::ios::binary | std::ios::trunc};
    out.write(reinterpret_cast<const char*>(bytes.data()),
              static_cast<std::streamsize>(bytes.size()));
    Check(static_cast<bool>(out));
}

constexpr net::Network NETWORKS[] = {net::Network::IPV4, net::Network::IPV6, net::Network::TORV3,
                                     net::Network::I2P, net::Network::CJDNS};

/// Views that must agree with each other whatever happened before.
void CheckViews(const net::AddrMan& man)
{
    const size_t total = man.Size();
    Check(man.Size(std::nullopt, true) + man.Size(std::nullopt, false) == total);
    size_t by_net = 0;
    for (net::Network n : NETWORKS)
        by_net += man.Size(n);
    Check(by_net == total);
    Check(man.Size(std::nullopt, false) <= 256 * 64);
    Check(total <= (1024 + 256) * 64);
}

/// The addresses GetAddr hands out (everything not terrible), sorted, with table membership.
std::vector<std::tuple<net::Service, bool, uint64_t>> Contents(const net::AddrMan& man)
{
    std::vector<std::tuple<net::Service, bool, uint64_t>> out;
    for (const auto& e : man.GetAddr(0, 0)) {
        const auto info = man.Find(net::ToService(e));
        Check(info.has_value());
        out.emplace_back(net::ToService(e), info->in_tried, info->entry.services);
    }
    std::sort(out.begin(), out.end());
    return out;
}

/// What peers.dat keeps of one address (the last try is not persisted, as in Core).
bool SamePersisted(const std::optional<net::AddrInfo>& a, const std::optional<net::AddrInfo>& b)
{
    if (a.has_value() != b.has_value()) return false;
    if (!a) return true;
    return a->entry == b->entry && a->in_tried == b->in_tried &&
           a->last_success == b->last_success && a->attempts == b->attempts &&
           a->source == b->source;
}

/// Save, load back, save again: every address we touched is remembered the
/// same way, the sizes agree, and a second round trip changes no byte.
void CheckPersistence(const net::AddrMan& man, const net::AddrManOptions& options,
                      const std::vector<net::Service>& known)
{
    const auto file = ScratchDir() / "peers.dat";
    Check(static_cast<bool>(man.Save(file)));
    const auto saved = ReadAll(file);
    auto loaded = net::AddrMan::Load(file, options);
    Check(loaded.has_value());
    CheckViews(**loaded);
    Check((*loaded)->Size() == man.Size());
    Check((*loaded)->Size(std::nullopt, false) == man.Size(std::nullopt, false));
    for (const auto& service : known)
        Check(SamePersisted(man.Find(service), (*loaded)->Find(service)));
    Check(static_cast<bool>((*loaded)->Save(file)));
    Check(ReadAll(file) == saved);
}

/// Arbitrary bytes as peers.dat: an error or a manager whose views agree and
/// whose own file is a fixed point.
void FuzzLoad(std::span<const uint8_t> bytes, bool add_framing, const net::AddrManOptions& options)
{
    std::vector<uint8_t> file_bytes;
    if (add_framing) {
        file_bytes.assign(options.magic.begin(), options.magic.end());
        file_bytes.insert(file_bytes.end(), bytes.begin(), bytes.end());
        const auto sum = consensus::Hash256(file_bytes);
        file_bytes.insert(file_bytes.end(), sum.begin(), sum.end());
    } else {
        file_bytes.assign(bytes.begin(), bytes.end());
    }
    const auto file = ScratchDir() / "input.dat";
    std::error_code ec;
    std::filesystem::remove(file.string() + ".bak", ec);
    WriteAll(file, file_bytes);
    auto loaded = net::AddrMan::Load(file, options);
    if (!loaded) {
        Check(!loaded.error().message.empty());
        return;
    }
    CheckViews(**loaded);
    const auto first = ScratchDir() / "first.dat";
    Check(static_cast<bool>((*loaded)->Save(first)));
    auto again = net::AddrMan::Load(first, options);
    Check(again.has_value());
    CheckViews(**again);
    Check((*again)->Size() == (*loaded)->Size());
    Check(Contents(**again) == Contents(**loaded));
    const auto second = ScratchDir() / "second.dat";
    Check(static_cast<bool>((*again)->Save(second)));
    Check(ReadAll(first) == ReadAll(second));
}

/// An address: mostly from a few routable prefixes so groups and buckets
/// collide; sometimes raw bytes of any length on any network id.
net::AddrEntry MakeEntry(Bytes& in, int64_t now)
{
    net::AddrEntry e;
    const uint8_t kind = in.U8();
    const uint8_t sel = kind % 16;
    if (sel < 8) {
        static constexpr uint8_t PREFIXES[] = {1, 8, 23, 250, 127, 10};
        e.net = net::Network::IPV4;
        e.addr = {PREFIXES[(kind >> 4) % 6], static_cast<uint8_t>(in.U8() % 4), in.U8(), in.U8()};
    } else if (sel < 10) {
        e.net = net::Network::IPV6;
        e.addr = {0x2a, 0x00, static_cast<uint8_t>(in.U8() % 4), 0x01};
        const auto rest = in.TakeExactly(12);
        e.addr.insert(e.addr.end(), rest.begin(), rest.end());
    } else if (sel < 12) {
        e.net = sel == 10 ? net::Network::TORV3 : net::Network::I2P;
        e.addr = std::vector<uint8_t>(32, in.U8());
        e.addr[0] = in.U8();
    } else if (sel < 13) {
        e.net = net::Network::CJDNS;
        e.addr = {0xfc};
        const auto rest = in.TakeExactly(15);
        e.addr.insert(e.addr.end(), rest.begin(), rest.end());
    } else {
        e.net = static_cast<net::Network>(in.U8() % 8);
        const size_t addr_len = in.U8() % 40;
        e.addr = in.TakeExactly(addr_len);
    }
    e.port = in.Bool() ? 8333 : static_cast<uint16_t>(in.Le(2));
    e.services = in.Le(1) | (in.Bool() ? net::NODE_NETWORK | net::NODE_WITNESS : 0);
    const int64_t age = static_cast<int64_t>(in.Le(3)) - 3600;
    e.time = static_cast<uint32_t>(std::max<int64_t>(0, now - age));
    return e;
}

/// Who told us: always a well-formed address, as the node's callers pass (the
/// peer's own address); Add takes the source on trust.
net::NetAddr MakeSource(Bytes& in, int64_t now)
{
    net::NetAddr source = net::ToService(MakeEntry(in, now)).addr;
    const size_t want = net::AddressLength(source.net);
    if (want == 0 || source.bytes.size() != want) return net::MakeIPv4(1, 1, 1, 1);
    return source;
}

void FuzzOperations(Bytes& in)
{
    int64_t now = 1'700'000'000 + static_cast<int64_t>(in.Le(2));
    net::AddrManOptions options;
    options.key = std::array<uint8_t, 32>{1, 2, 3, 4, 5, 6, 7, 8};
    options.clock = [&now] { return now; };
    options.rng_seed = in.Le(2) + 1;
    options.accept_unroutable = in.Bool();
    net::AddrMan man{options};

    std::vector<net::Service> known;
    auto pick = [&](Bytes& b) -> net::Service {
        const uint8_t i = b.U8();
        if (known.empty() || i == 0xff) return net::ToService(MakeEntry(b, now));
        return known[i % known.size()];
    };
    auto network = [](Bytes& b) -> std::optional<net::Network> {
        const uint8_t n = b.U8();
        if (n < 200) return std::nullopt;
        return NETWORKS[n % 5];
    };

    for (int op = 0; op < 256 && !in.Empty(); ++op) {
        switch (in.U8() % 13) {
        case 0:
        case 1: { // add a batch from one source
            std::vector<net::AddrEntry> batch;
            const size_t n = 1 + in.U8() % 8;
            for (size_t i = 0; i < n; ++i) {
                batch.push_back(MakeEntry(in, now));
                if (known.size() < 64) known.push_back(net::ToService(batch.back()));
            }
            const net::NetAddr source = MakeSource(in, now);
            const int64_t penalty = static_cast<int64_t>(in.Le(2));
            const size_t before = man.Size();
            const size_t added = man.Add(batch, source, penalty);
            Check(added <= batch.size());
            Check(man.Size() <= before + added);
            break;
        }
        case 2: {
            const auto service = pick(in);
            const bool had = man.Find(service).has_value();
            man.Good(service);
            const auto info = man.Find(service);
            Check(info.has_value() == had);
            if (info) Check(info->last_success == now && info->attempts == 0);
            break;
        }
        case 3: {
            const auto service = pick(in);
            const bool count_failure = in.Bool();
            man.Attempt(service, count_failure);
            if (const auto info = man.Find(service)) Check(info->last_try == now);
            break;
        }
        case 4:
            man.Connected(pick(in));
            break;
        case 5: {
            const auto service = pick(in);
            const uint64_t services = in.Le(2);
            man.SetServices(service, services);
            if (const auto info = man.Find(service)) Check(info->entry.services == services);
            break;
        }
        case 6: {
            const bool new_only = in.Bool();
            const auto net = network(in);
            if (const auto chosen = man.Select(new_only, net)) {
                const auto info = man.Find(net::ToService(chosen->entry));
                Check(info.has_value());
                Check(info->in_tried == chosen->in_tried);
                if (new_only) Check(!chosen->in_tried);
                if (net) Check(chosen->entry.net == *net);
            } else if (!new_only && !net) {
                Check(man.Size() == 0);
            }
            break;
        }
        case 7: {
            const size_t max = in.U8() % 64;
            const size_t pct = in.U8() % 101;
            const auto net = network(in);
            const auto got = man.GetAddr(max, pct, net);
            if (max != 0) Check(got.size() <= max);
            Check(got.size() <= man.Size(net));
            std::set<net::Service> seen;
            for (const auto& e : got) {
                const auto service = net::ToService(e);
                Check(seen.insert(service).second);
                Check(man.Find(service).has_value());
                if (net) Check(e.net == *net);
            }
            break;
        }
        case 8:
            man.ResolveCollisions();
            break;
        case 9:
            if (const auto occupant = man.SelectTriedCollision()) {
                const auto info = man.Find(net::ToService(occupant->entry));
                Check(info.has_value() && info->in_tried);
            }
            break;
        case 10: // minutes to weeks pass
            now += static_cast<int64_t>(in.Le(1)) * (in.Bool() ? 60 : 3600 * 24);
            break;
        case 11:
            CheckPersistence(man, options, known);
            break;
        case 12: // a peer reports the same address again, maybe fresher
            if (!known.empty()) {
                const auto service = known[in.U8() % known.size()];
                auto entry = net::ToAddrEntry(service, net::NODE_NETWORK,
                                              static_cast<uint32_t>(now - in.U8()));
                man.Add(std::span(&entry, 1), MakeSource(in, now), 0);
            }
            break;
        }
        CheckViews(man);
    }
    CheckPersistence(man, options, known);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    if (size == 0 || size > 64 * 1024) return 0;
    const std::span<const uint8_t> input{data, size};
    net::AddrManOptions load_options;
    load_options.clock = [] { return int64_t{1'700'000'000}; };
    load_options.rng_seed = 1;
    switch (data[0]) {
    case 0:
        FuzzLoad(input.subspan(1), /*add_framing=*/false, load_options);
        break;
    case 1:
        FuzzLoad(input.subspan(1), /*add_framing=*/true, load_options);
        break;
    default: {
        Bytes in{input.subspan(1)};
        FuzzOperations(in);
    }
    }
    return 0;
}
