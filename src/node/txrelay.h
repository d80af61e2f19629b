// Transaction relay (BIP339 wtxid relay, BIP133 feefilter): which peers hear
// of which transactions and when (randomised trickling), what we request and
// from whom, acceptance into the mempool, orphans kept until their parents
// arrive, and punishment for consensus-invalid transactions only.
//
// Thread safety: validation executor only; `sender` is called inline.
#pragma once

#include <node/peer_sender.h>

#include <consensus/amount.h>
#include <consensus/transaction.h>
#include <consensus/uint256.h>
#include <net/connman.h>
#include <net/messages.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>

namespace kernel {
class ChainstateManager;
class TxMemPool;
struct PolicyOptions;
} // namespace kernel
namespace util {
class Logger;
}

namespace node {

/// Settings.
struct TxRelayOptions
{
    bool ignore_incoming_txs{false}; //!< -blocksonly: never request, drop unasked txs
    size_t max_orphan_txs{100};
    std::function<int64_t()> clock{}; //!< unix seconds, mockable; default: system clock
    util::Logger* logger{nullptr};
    uint64_t rng_seed{0}; //!< 0: from the OS
    /// Called after a transaction from a peer entered the mempool (for eviction
    /// info and stats). May be empty.
    std::function<void(net::NodeId, const consensus::TransactionRef&)> on_accepted{};
};

/// Per-peer relay facts for getpeerinfo.
struct TxRelayPeerStats
{
    bool relay_txs{false};
    bool wtxid_relay{false};
    int64_t min_fee_filter{0}; //!< sat/kvB
    int64_t last_tx_time{0};
};

/// The relay engine.
class TxRelay
{
public:
    /// All references must outlive this object.
    TxRelay(kernel::ChainstateManager& chainman, kernel::TxMemPool& mempool,
            const kernel::PolicyOptions& policy, PeerSender& sender, TxRelayOptions options);
    ~TxRelay();

    /// A peer finished its handshake. `relay_txs`: its version asked for
    /// transactions and the connection is not block-relay-only.
    void PeerAdded(net::NodeId id, bool inbound, bool relay_txs, bool wtxid_relay);
    /// Forget everything about a peer (its orphans included).
    void PeerRemoved(net::NodeId id);
    /// feefilter received (the handler checked the amount is in range).
    void SetFeeFilter(net::NodeId id, consensus::Amount fee_per_kvb);

    /// inv items of type MSG_TX / MSG_WTX (others are not passed in).
    void OnInv(net::NodeId id, std::span<const net::Inv> items);
    /// getdata for one MSG_TX/MSG_WTX (witness or not): sends the transaction
    /// if we announced it or it is in the mempool and was announced long enough
    /// ago; false if not served (the caller adds it to notfound).
    bool OnGetData(net::NodeId id, const net::Inv& item);
    /// A tx message.
    void OnTx(net::NodeId id, const consensus::TransactionRef& tx);
    /// notfound items of transaction types.
    void OnNotFound(net::NodeId id, std::span<const net::Inv> items);

    /// Announce a transaction that entered the mempool outside P2P (RPC, wallet).
    void RelayTransaction(const consensus::Uint256& txid, const consensus::Uint256& wtxid);
    /// Block connected: drop orphans it confirms or conflicts with, reset the recent-reject filter.
    void BlockConnected(const consensus::Block& block);

    /// Periodic work (called about every 100 ms): trickled invs, feefilter
    /// updates, requests of announced transactions, request timeouts.
    void Tick();

    /// Stats of one peer (default values if unknown).
    TxRelayPeerStats GetStats(net::NodeId id) const;
    /// Number of orphans held (tests, getorphantxs-like checks).
    size_t OrphanCount() const;

private:
    struct Impl;
    std::unique_ptr<Impl> m_impl;
};

} // namespace node
