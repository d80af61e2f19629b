#include <kernel/coinstats.h>

#include <consensus/crypto/muhash.h>
#include <consensus/hash.h>
#include <consensus/serialize.h>

#include <map>
#include <optional>
#include <utility>
#include <vector>

namespace kernel {

namespace {

// Core's database-independent size measure: txid, index, height/coinbase,
// amount, a two-byte script length and the script itself.
uint64_t BogoSize(const consensus::Script& script)
{
    return 32 + 4 + 4 + 8 + 2 + script.size();
}

// Feeds one transaction's coins in output-index order, as Core does whatever
// order the database yields them in. `muhash` is null when nobody asked for it.
util::Expected<void> ApplyTx(consensus::Sha256& hasher, consensus::MuHash3072* muhash,
                             CoinsStats& stats, const consensus::Uint256& txid,
                             const std::map<uint32_t, consensus::Coin>& outputs)
{
    std::vector<uint8_t> buffer;
    ++stats.transactions;
    for (const auto& [n, coin] : outputs) {
        buffer.clear();
        consensus::Writer w{buffer};
        w(consensus::OutPoint{txid, n},
          static_cast<uint32_t>((coin.height << 1) | (coin.coinbase ? 1U : 0U)), coin.out);
        hasher.Write(buffer);
        if (muhash != nullptr) muhash->Insert(buffer);

        ++stats.txouts;
        stats.bogosize += BogoSize(coin.out.script_pubkey);
        if (__builtin_add_overflow(stats.total_amount, coin.out.value, &stats.total_amount)) {
            return util::Unexpected(
                "UTXO set total amount overflows; the coins database is corrupt");
        }
    }
    return {};
}

} // namespace

util::Expected<CoinsStats> ComputeCoinsStats(const storage::CoinsDB& db, bool with_muhash)
{
    CoinsStats stats;
    auto best = db.GetBestBlock();
    if (!best) return best.error();
    stats.best_block = *best;

    consensus::Sha256 hasher;
    std::optional<consensus::MuHash3072> muhash;
    if (with_muhash) muhash.emplace();
    consensus::MuHash3072* const muhash_ptr = muhash ? &*muhash : nullptr;
    std::unique_ptr<storage::CoinsCursor> cursor = db.Cursor();
    consensus::Uint256 current_txid;
    std::map<uint32_t, consensus::Coin> outputs;
    for (; cursor->Valid(); cursor->Next()) {
        auto record = cursor->Get();
        if (!record) return record.error();
        auto& [outpoint, coin] = *record;
        if (!outputs.empty() && outpoint.hash != current_txid) {
            if (auto applied = ApplyTx(hasher, muhash_ptr, stats, current_txid, outputs);
                !applied) {
                return applied.error();
            }
            outputs.clear();
        }
        current_txid = outpoint.hash;
        outputs.insert_or_assign(outpoint.n, std::move(coin));
    }
    if (auto status = cursor->Status(); !status) return status.error();
    if (!outputs.empty()) {
        if (auto applied = ApplyTx(hasher, muhash_ptr, stats, current_txid, outputs); !applied) {
            return applied.error();
        }
    }

    // hash_serialized_3 is the double SHA-256 of the whole serialization.
    const consensus::Uint256 single = hasher.Finalize();
    stats.hash_serialized = consensus::Sha256Hash(single.span());
    if (muhash) stats.muhash = muhash->Finalize();
    stats.disk_size = db.EstimateSize();
    return stats;
}

} // namespace kernel
