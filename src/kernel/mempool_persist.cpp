// mempool.dat in Bitcoin Core v28's format:
//   u64 version (1, or 2 followed by a CompactSize-prefixed XOR key)
//   then, XORed with key[file offset % key size] when a key is present:
//   u64 count, count * (transaction with witness, i64 time, i64 fee delta),
//   map<txid, i64> other deltas, set<txid> unbroadcast.
#include <kernel/mempool.h>

#include <util/fs.h>

#include <consensus/serialize.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <iterator>
#include <random>
#include <system_error>

namespace kernel {

namespace {

constexpr uint64_t MEMPOOL_DUMP_VERSION_NO_XOR_KEY{1};
constexpr uint64_t MEMPOOL_DUMP_VERSION{2};
constexpr size_t XOR_KEY_SIZE{8};

void ApplyXor(std::vector<uint8_t>& data, size_t from, const std::vector<uint8_t>& key)
{
    if (key.empty()) return;
    for (size_t i = from; i < data.size(); ++i)
        data[i] ^= key[i % key.size()];
}

std::string ErrnoText()
{
    return std::strerror(errno);
}

} // namespace

util::Expected<void> TxMemPool::Dump(const std::filesystem::path& file) const
{
    std::vector<uint8_t> out;
    consensus::Writer w{out};
    consensus::WriteLE<uint64_t>(w, MEMPOOL_DUMP_VERSION);

    // The key only keeps tools from recognising transactions in the file; any
    // unpredictable source will do.
    std::vector<uint8_t> key(XOR_KEY_SIZE);
    std::random_device rd;
    for (auto& b : key)
        b = static_cast<uint8_t>(rd());
    w.Put(key);
    const size_t obfuscated_from = out.size();

    std::map<consensus::Uint256, consensus::Amount> deltas = m_deltas;
    const std::vector<const MempoolEntry*> entries = EntriesInDependencyOrder();
    consensus::WriteLE<uint64_t>(w, entries.size());
    for (const MempoolEntry* e : entries) {
        e->GetTx().Serialize(w);
        consensus::WriteLE<int64_t>(w, e->GetTime());
        consensus::WriteLE<int64_t>(w, e->m_fee_delta);
        deltas.erase(e->GetTx().GetHash());
    }
    consensus::WriteCompactSize(w, deltas.size());
    for (const auto& [txid, delta] : deltas) {
        w.Put(txid);
        consensus::WriteLE<int64_t>(w, delta);
    }
    consensus::WriteCompactSize(w, m_unbroadcast.size());
    for (const auto& txid : m_unbroadcast)
        w.Put(txid);
    ApplyXor(out, obfuscated_from, key);

    if (auto written = util::WriteFileAtomically(file, out); !written)
        return util::Unexpected("Failed to dump mempool: " + written.error().message);
    return {};
}

util::Expected<size_t>
TxMemPool::Load(const std::filesystem::path& file,
                const std::function<bool(const consensus::TransactionRef&, int64_t)>& accept)
{
    std::vector<uint8_t> data;
    {
        std::ifstream in{file, std::ios::binary};
        if (!in) {
            return util::Unexpected("Failed to open mempool file " + file.string() + ": " +
                                    ErrnoText());
        }
        data.assign(std::istreambuf_iterator<char>{in}, std::istreambuf_iterator<char>{});
        if (in.bad()) {
            return util::Unexpected("Failed to read mempool file " + file.string() + ": " +
                                    ErrnoText());
        }
    }

    const int64_t cutoff = Now() - m_options.expiry.count();
    size_t accepted = 0;
    try {
        consensus::Reader r{data};
        const auto version = consensus::ReadLE<uint64_t>(r);
        std::vector<uint8_t> key;
        if (version == MEMPOOL_DUMP_VERSION) {
            r.Get(key);
        } else if (version != MEMPOOL_DUMP_VERSION_NO_XOR_KEY) {
            return util::Unexpected("Failed to deserialize mempool data on disk: unknown version " +
                                    std::to_string(version));
        }
        // The reader's span sees the buffer, so undoing the XOR in place is enough.
        ApplyXor(data, r.Position(), key);

        auto count = consensus::ReadLE<uint64_t>(r);
        while (count > 0) {
            --count;
            consensus::TransactionRef tx;
            consensus::UnserializeTransactionRef(r, tx);
            const auto time = consensus::ReadLE<int64_t>(r);
            const auto delta = consensus::ReadLE<int64_t>(r);
            if (delta != 0) PrioritiseTransaction(tx->GetHash(), delta);
            // Expired ones are skipped, as Core; their deltas stay.
            if (time > cutoff && accept(tx, time)) ++accepted;
        }

        std::map<consensus::Uint256, consensus::Amount> deltas;
        const size_t delta_count =
            consensus::ReadCount(r, consensus::Uint256::SIZE + sizeof(int64_t));
        for (size_t i = 0; i < delta_count; ++i) {
            consensus::Uint256 txid;
            r.Get(txid);
            const auto delta = consensus::ReadLE<int64_t>(r);
            deltas.emplace(txid, delta);
        }
        for (const auto& [txid, delta] : deltas)
            PrioritiseTransaction(txid, delta);

        const size_t unbroadcast_count = consensus::ReadCount(r, consensus::Uint256::SIZE);
        for (size_t i = 0; i < unbroadcast_count; ++i) {
            consensus::Uint256 txid;
            r.Get(txid);
            AddUnbroadcast(txid);
        }
    } catch (const std::exception& e) {
        return util::Unexpected(std::string{"Failed to deserialize mempool data on disk: "} +
                                e.what());
    }
    return accepted;
}

} // namespace kernel
