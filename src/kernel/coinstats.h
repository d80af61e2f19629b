// Statistics over the whole UTXO set as gettxoutsetinfo reports them, with
// the digest Bitcoin Core calls hash_serialized_3 and, on request, its MuHash.
//
// Thread safety: reads the database through a snapshot-less cursor; call on
// the validation executor (or while no flush runs).
#pragma once

#include <consensus/amount.h>
#include <consensus/uint256.h>
#include <storage/coins_db.h>
#include <util/expected.h>

#include <cstdint>

namespace kernel {

/// gettxoutsetinfo's numbers for one UTXO set.
struct CoinsStats
{
    consensus::Uint256 best_block{};      //!< the block the set corresponds to
    uint64_t transactions{0};             //!< transactions with at least one unspent output
    uint64_t txouts{0};                   //!< unspent outputs
    uint64_t bogosize{0};                 //!< Core's size estimate (50 + script size per coin)
    consensus::Uint256 hash_serialized{}; //!< Core's hash_serialized_3
    consensus::Uint256 muhash{};          //!< MuHash3072 of the coins; null unless requested
    consensus::Amount total_amount{0};    //!< sum of all unspent values
    uint64_t disk_size{0};                //!< estimated bytes of chainstate/
};

/// Walks every coin in key order, feeding the digest with each coin as Core
/// does: outpoint, uint32 (height * 2 + coinbase), txout, all in one SHA256d.
/// With `with_muhash`, each coin's same bytes also join a MuHash3072 as one
/// element (several microseconds per coin, so only when asked).
util::Expected<CoinsStats> ComputeCoinsStats(const storage::CoinsDB& db, bool with_muhash = false);

} // namespace kernel
