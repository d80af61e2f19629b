// The node's chain as RPC (and later the wallet) sees it: plain values copied
// out of the block index and the UTXO set, never pointers into them.
//
// The implementation (src/node/chain_interface.cpp) answers snapshot reads
// from an atomically published tip and posts everything else to the
// validation executor, the only thread that touches the chainstate
// (DESIGN.md §2). Every method may be called from any thread, except that
// none may be called from inside a Subscribe callback.
#pragma once

#include <consensus/amount.h>
#include <consensus/block.h>
#include <consensus/coins.h>
#include <consensus/transaction.h>
#include <consensus/uint256.h>
#include <consensus/validation_state.h>
#include <interfaces/mempool.h>
#include <util/expected.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

namespace common {
class ChainParams;
}

namespace interfaces {

/// The active tip as last published; cheap to read from any thread.
struct TipSnapshot
{
    consensus::Uint256 hash{};
    int height{-1};
    int64_t time{0};                 //!< header timestamp of the tip
    int64_t median_time_past{0};     //!< of the tip
    uint32_t bits{0};                //!< of the tip
    consensus::Uint256 chain_work{}; //!< total work up to the tip (as a 256-bit number)
    uint64_t chain_tx_count{0};      //!< transactions up to and including the tip
    int headers{-1};                 //!< height of the best valid header known
    consensus::Uint256 best_header_hash{};
    bool initial_block_download{true};
    double verification_progress{0}; //!< Core's estimate in [0, 1]
};

/// Where a block stands, as getchaintips names it.
enum class BlockState
{
    ACTIVE,        //!< on the active chain
    VALID_FORK,    //!< fully validated, not on the active chain
    VALID_HEADERS, //!< all data present, not fully validated
    HEADERS_ONLY,  //!< header valid, data missing
    INVALID,       //!< the block or an ancestor failed validation
};

/// One block-index entry, copied.
struct BlockInfo
{
    consensus::Uint256 hash{};
    int height{0};
    consensus::BlockHeader header{};
    consensus::Uint256 chain_work{}; //!< total work of the chain ending here
    int64_t median_time_past{0};
    uint32_t tx_count{0};       //!< 0 while the block's data was never seen
    uint64_t chain_tx_count{0}; //!< 0 if unknown (some ancestor's data missing)
    bool have_data{false};      //!< block stored in a blk file
    bool have_undo{false};      //!< undo data stored (the block was connected once)
    bool in_active_chain{false};
    std::optional<consensus::Uint256> next_hash{}; //!< successor on the active chain
    BlockState state{BlockState::HEADERS_ONLY};
};

/// One tip of the block tree (getchaintips).
struct ChainTipInfo
{
    consensus::Uint256 hash{};
    int height{0};
    int branch_length{0}; //!< blocks from the fork point with the active chain (0 if active)
    BlockState state{BlockState::HEADERS_ONLY};
};

/// An unspent output, or the output a block input spent (undo data): out, height, coinbase.
using Coin = consensus::Coin;

/// Height reported for coins created by mempool transactions (Core's MEMPOOL_HEIGHT).
inline constexpr uint32_t MEMPOOL_COIN_HEIGHT{0x7FFFFFFF};

/// What each input of a block spent: one vector per transaction after the
/// coinbase, one Coin per input, in block order.
using BlockUndo = std::vector<std::vector<Coin>>;

/// gettxoutsetinfo's numbers (hash_serialized_3 digest, MuHash on request).
struct UtxoSetStats
{
    int height{0};
    consensus::Uint256 best_block{};
    uint64_t transactions{0}; //!< transactions with at least one unspent output
    uint64_t txouts{0};
    uint64_t bogosize{0};
    consensus::Uint256 hash_serialized{};
    consensus::Uint256 muhash{}; //!< null unless GetUtxoSetStats was asked for it
    consensus::Amount total_amount{0};
    uint64_t disk_size{0};
};

/// Where the UTXO scan stopped and what it saw.
struct UtxoScanResult
{
    int height{0};
    consensus::Uint256 best_block{};
    uint64_t coins_seen{0};
    bool aborted{false};
};

/// A transaction found by FindTransaction.
struct TxLookup
{
    consensus::TransactionRef tx{};
    std::optional<consensus::Uint256> block_hash{}; //!< unset for a mempool transaction
};

/// State of one optional index (getindexinfo).
struct IndexInfo
{
    std::string name; //!< "txindex"
    bool synced{false};
    int best_block_height{-1};
};

/// The outcome of handing a block to validation (submitblock, generate*).
struct SubmitBlockResult
{
    bool new_block{false}; //!< the block was not stored before
    bool accepted{false};  //!< stored and not known invalid
    /// The result of full validation when it ran (BlockChecked fired for this block).
    std::optional<consensus::BlockValidationState> checked{};
};

/// Why a transaction left the mempool, as a chain client is told.
enum class MempoolRemoval
{
    EXPIRY,    //!< older than -mempoolexpiry
    SIZELIMIT, //!< evicted by -maxmempool
    REORG,     //!< no longer final or spendable after a reorg
    BLOCK,     //!< included in a connected block
    CONFLICT,  //!< a block spent one of its inputs
    REPLACED,  //!< replaced by fee (BIP125)
};

/// A connected or disconnected block as notifications carry it.
struct BlockNotification
{
    std::shared_ptr<const consensus::Block> block{};
    consensus::Uint256 hash{};
    int height{0};
    int64_t time{0}; //!< header timestamp
};

/// Chain events for a client such as the wallet. Handlers run one at a time, in the order the
/// events happened, on the node's notification thread (never the validation executor), so they
/// may call any Chain method except WaitForNotifications. Defaults do nothing.
class ChainNotifications
{
public:
    virtual ~ChainNotifications() = default;
    /// A transaction entered the mempool.
    virtual void TransactionAddedToMempool(const consensus::TransactionRef& /*tx*/) {}
    /// A transaction left the mempool (BLOCK removals come before that BlockConnected).
    virtual void TransactionRemovedFromMempool(const consensus::TransactionRef& /*tx*/,
                                               MempoolRemoval /*reason*/)
    {}
    /// A block joined the active chain.
    virtual void BlockConnected(const BlockNotification& /*block*/) {}
    /// A block left the active chain (reorg or invalidateblock), tip first.
    virtual void BlockDisconnected(const BlockNotification& /*block*/) {}
};

/// A subscription; destroying it unsubscribes and waits for a handler in progress to finish.
class NotificationHandle
{
public:
    virtual ~NotificationHandle() = default;
};

/// Read and control access to the node's chain.
class Chain
{
public:
    virtual ~Chain() = default;

    /// The parameters of the network the node runs on.
    virtual const common::ChainParams& Params() const = 0;

    /// The published tip (no executor round trip).
    virtual TipSnapshot Tip() const = 0;

    /// Waits until `done(tip)` holds, `timeout` passes or the node shuts down; returns the
    /// tip at that moment. A zero timeout waits without limit.
    virtual TipSnapshot WaitForTip(const std::function<bool(const TipSnapshot&)>& done,
                                   std::chrono::milliseconds timeout) const = 0;

    /// The index entry of `hash`, nullopt if unknown.
    virtual std::optional<BlockInfo> GetBlockInfo(const consensus::Uint256& hash) const = 0;

    /// The active chain's block at `height`, nullopt if out of range.
    virtual std::optional<BlockInfo> GetBlockInfoAtHeight(int height) const = 0;

    /// The ancestor at `height` of block `hash` (itself if equal); nullopt if unknown or
    /// out of range.
    virtual std::optional<BlockInfo> GetAncestor(const consensus::Uint256& hash,
                                                 int height) const = 0;

    /// Every tip of the block tree, the active one included.
    virtual std::vector<ChainTipInfo> GetChainTips() const = 0;

    /// The stored block; an error saying why when it is unknown or its data is not on disk
    /// ("Block not found", "Block not available (not fully downloaded)", "Block not found on
    /// disk").
    virtual util::Expected<std::shared_ptr<const consensus::Block>>
    ReadBlock(const consensus::Uint256& hash) const = 0;

    /// The undo data of a connected block (what its inputs spent); an error when missing.
    virtual util::Expected<BlockUndo> ReadBlockUndo(const consensus::Uint256& hash) const = 0;

    /// The unspent output `outpoint` in the tip's UTXO set (cache included).
    virtual std::optional<Coin> GetCoin(const consensus::OutPoint& outpoint) const = 0;

    /// The same with the mempool layered on top: outputs of pool transactions count (at
    /// height MEMPOOL_COIN_HEIGHT) and outputs a pool transaction spends do not.
    virtual std::optional<Coin> GetCoinWithMempool(const consensus::OutPoint& outpoint) const = 0;

    /// Flushes and computes the UTXO set statistics at the tip; the MuHash too (a slower
    /// walk) when `with_muhash`.
    virtual util::Expected<UtxoSetStats> GetUtxoSetStats(bool with_muhash = false) const = 0;

    /// Flushes, then walks every unspent output of the tip's set (off the validation
    /// executor, on a database snapshot) calling `visit`; stops early when `abort` turns
    /// true. `progress` (if given) receives per-mille progress.
    virtual util::Expected<UtxoScanResult>
    ScanUtxoSet(const std::function<void(const consensus::OutPoint&, const Coin&)>& visit,
                const std::atomic<bool>& abort, std::atomic<int>* progress) const = 0;

    /// Finds a transaction in the block `block_hash` if given, else in the mempool or
    /// (with -txindex) the transaction index. nullopt if not found.
    virtual std::optional<TxLookup>
    FindTransaction(const consensus::Uint256& txid,
                    const std::optional<consensus::Uint256>& block_hash) const = 0;

    /// True when -txindex is on.
    virtual bool HaveTxIndex() const = 0;

    /// The optional indexes that are on (empty if none).
    virtual std::vector<IndexInfo> GetIndexInfo() const = 0;

    /// Bytes of blk and rev files on disk.
    virtual uint64_t BlockFilesSize() const = 0;

    /// invalidateblock on a known block. An error only on storage failure.
    virtual util::Expected<void> InvalidateBlock(const consensus::Uint256& hash) = 0;
    /// reconsiderblock on a known block.
    virtual util::Expected<void> ReconsiderBlock(const consensus::Uint256& hash) = 0;
    /// preciousblock on a known block.
    virtual util::Expected<void> PreciousBlock(const consensus::Uint256& hash) = 0;

    /// verifychain: checks the last `depth` blocks (0 = all) at `level`; false when a check
    /// failed.
    virtual util::Expected<bool> VerifyChain(int level, int depth) = 0;

    /// Validates and stores a block and moves to the best chain.
    virtual SubmitBlockResult SubmitBlock(std::shared_ptr<const consensus::Block> block) = 0;

    /// Validates and stores headers (submitheader); the state says why one was refused.
    virtual consensus::BlockValidationState
    SubmitHeaders(const std::vector<consensus::BlockHeader>& headers) = 0;

    /// A block on top of the current tip paying the subsidy to `payout`, with a BIP34 height,
    /// `txs` in order after the coinbase, the witness commitment, and the bits and minimum
    /// time the next block needs; its nonce is not yet ground. Fees of `txs` are not added
    /// (mempool selection, which knows them, comes with the mempool).
    virtual util::Expected<consensus::Block>
    CreateNewBlock(const consensus::Script& payout,
                   const std::vector<consensus::TransactionRef>& txs = {}) = 0;

    // ---- mempool, fees and templates (issue 6) ----

    /// getmempoolinfo's numbers (a snapshot; no executor round trip).
    virtual MempoolInfo GetMempoolInfo() const = 0;
    /// Every pool transaction, copied with its aggregates.
    virtual std::vector<MempoolEntryInfo> GetMempoolEntries() const = 0;
    /// One pool transaction, nullopt if not in the pool.
    virtual std::optional<MempoolEntryInfo>
    GetMempoolEntry(const consensus::Uint256& txid) const = 0;
    /// In-pool ancestors (or descendants) of a pool transaction; nullopt if not in the pool.
    virtual std::optional<std::vector<MempoolEntryInfo>>
    GetMempoolRelatives(const consensus::Uint256& txid, bool descendants) const = 0;
    /// The pool's sequence number now (getrawmempool mempool_sequence).
    virtual uint64_t GetMempoolSequence() const = 0;
    /// The pool transaction spending `outpoint` (gettxspendingprevout), if any.
    virtual std::optional<consensus::Uint256>
    GetMempoolSpender(const consensus::OutPoint& outpoint) const = 0;

    /// sendrawtransaction / testmempoolaccept of one transaction: full acceptance (or only
    /// the checks when `test_accept`). `max_fee_per_kvb` (0 = no limit) refuses higher fee
    /// rates with Core's "max-fee-exceeded".
    virtual TxAcceptResult AcceptTransaction(const consensus::TransactionRef& tx, bool test_accept,
                                             consensus::Amount max_fee_per_kvb) = 0;
    /// submitpackage / testmempoolaccept with several transactions.
    virtual PackageAcceptResult AcceptPackage(const std::vector<consensus::TransactionRef>& txs,
                                              bool test_accept,
                                              consensus::Amount max_fee_per_kvb) = 0;
    /// prioritisetransaction.
    virtual void PrioritiseTransaction(const consensus::Uint256& txid, consensus::Amount delta) = 0;
    /// getprioritisedtransactions: txid -> {delta, in mempool}.
    virtual std::vector<std::tuple<consensus::Uint256, consensus::Amount, bool>>
    GetPrioritisedTransactions() const = 0;
    /// savemempool: writes mempool.dat now; the path written.
    virtual util::Expected<std::string> SaveMempool() = 0;

    /// estimatesmartfee (mode: "conservative", "economical", "unset").
    virtual FeeEstimateInfo EstimateSmartFee(int conf_target, const std::string& mode) const = 0;

    /// A block template on the tip paying `payout`, filled from the pool.
    virtual util::Expected<BlockTemplateInfo>
    CreateBlockTemplate(const consensus::Script& payout) = 0;

    // ---- notifications for chain clients (issue 8, the wallet) ----

    /// Subscribes `client` to every later chain and mempool event. Any thread.
    virtual std::unique_ptr<NotificationHandle>
    HandleNotifications(std::shared_ptr<ChainNotifications> client) = 0;
    /// Returns once every event raised before the call was delivered to every client (Core's
    /// SyncWithValidationInterfaceQueue). Never call it from a handler.
    virtual void WaitForNotifications() const = 0;
};

/// The name getchaintips uses for a state ("active", "valid-fork", ...).
inline std::string BlockStateName(BlockState state)
{
    switch (state) {
    case BlockState::ACTIVE:
        return "active";
    case BlockState::VALID_FORK:
        return "valid-fork";
    case BlockState::VALID_HEADERS:
        return "valid-headers";
    case BlockState::HEADERS_ONLY:
        return "headers-only";
    case BlockState::INVALID:
        return "invalid";
    }
    return "unknown";
}

} // namespace interfaces
