// The peer manager: Bitcoin's P2P protocol on top of the ConnMan. It runs the
// version handshake, headers-first sync with block download from several peers,
// serves headers and blocks, announces new blocks (headers or BIP152 compact
// blocks), and hands transactions and addresses to TxRelay and AddrRelay.
//
// Threads: ConnMan calls the MessageHandler methods on net strands; each only
// queues work for the validation executor, where all of the manager's state
// lives and every other method runs (unless a comment says otherwise).
#pragma once

#include <net/addrman.h>
#include <net/banman.h>
#include <net/connman.h>
#include <node/peer_sender.h>

#include <consensus/uint256.h>
#include <util/expected.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace kernel {
class ChainstateManager;
class TxMemPool;
class ValidationEvents;
struct PolicyOptions;
} // namespace kernel
namespace util {
class Logger;
class SerialExecutor;
} // namespace util

namespace node {

/// Protocol version we speak (Core's 70016: wtxidrelay).
inline constexpr int PROTOCOL_VERSION = 70016;
/// Oldest peer version we keep (Core's MIN_PEER_PROTO_VERSION).
inline constexpr int MIN_PEER_PROTO_VERSION = 31800;

/// Settings (from -blocksonly, -maxorphantx, -peerbloomfilters-free defaults...).
struct PeerManOptions
{
    uint64_t local_services{0};      //!< advertised in version (NETWORK|WITNESS)
    std::string user_agent{};        //!< BIP14, e.g. "/minibit:0.1.0/"
    bool ignore_incoming_txs{false}; //!< -blocksonly
    size_t max_orphan_txs{100};      //!< -maxorphantx
    /// BIP152: announce and accept compact blocks (-cmpctblocks, a minibit
    /// switch so benchmarks can measure propagation without them).
    bool compact_blocks{true};
    /// Our own addresses to advertise (-externalip), passed on to AddrRelay.
    std::vector<net::Service> local_addresses{};
    /// Wall clock (unix seconds, mockable); default: system clock.
    std::function<int64_t()> clock{};
    util::Logger* logger{nullptr};
    uint64_t rng_seed{0}; //!< 0: from the OS
};

/// Protocol-level facts about a peer, for getpeerinfo (ConnMan has the socket ones).
struct PeerStats
{
    net::NodeId id{0};
    int version{0}; //!< 0 until its version arrived
    uint64_t services{0};
    std::string user_agent{};
    int starting_height{-1};
    int presynced_headers{-1};   //!< height its low-work headers presync reached, -1 none
    int synced_headers{-1};      //!< last header we share with it, -1 unknown
    int synced_blocks{-1};       //!< last block we share with it
    std::vector<int> inflight{}; //!< heights of blocks requested from it
    bool relay_txs{false};
    bool bip152_hb_to{false};           //!< we asked it to send us compact blocks unasked
    bool bip152_hb_from{false};         //!< it asked us to
    std::optional<int64_t> ping_usec{}; //!< last round trip
    std::optional<int64_t> min_ping_usec{};
    std::optional<int64_t> ping_wait_usec{}; //!< outstanding ping's age
    int64_t time_offset{0};                  //!< its version's time minus ours (seconds)
    int64_t last_block_time{0};              //!< unix seconds of its last novel block, 0 never
    int64_t last_tx_time{0};
    bool addr_relay_enabled{false};
    uint64_t addr_processed{0};
    uint64_t addr_rate_limited{0};
    int64_t min_fee_filter{0}; //!< its feefilter, sat/kvB
    bool wtxid_relay{false};
    bool handshake_complete{false};
    uint64_t compact_blocks_reconstructed{0};   //!< rebuilt from our mempool without getblocktxn
    uint64_t compact_blocks_fetched_missing{0}; //!< needed a getblocktxn round trip
};

/// The protocol engine.
class PeerManager final : public net::MessageHandler, public PeerSender
{
public:
    /// Everything given must outlive the manager. `mempool` may be null
    /// (then transactions are neither requested nor relayed).
    PeerManager(kernel::ChainstateManager& chainman, kernel::TxMemPool* mempool,
                const kernel::PolicyOptions& policy, net::AddrMan& addrman, net::BanMan& banman,
                util::SerialExecutor& validation, PeerManOptions options);
    ~PeerManager() override;

    /// Connects the manager to the transport (before ConnMan::Start) and starts
    /// its maintenance timer (pings every 2 minutes, stalls, trickled
    /// announcements). Any thread.
    void Start(net::ConnMan& connman);
    /// Stops the timer; call after ConnMan::Stop, before the executor stops. Any thread.
    void Stop();

    /// Subscriber to register with the chainstate's signals (announces new tips,
    /// punishes senders of invalid blocks, keeps relay state in step).
    std::shared_ptr<kernel::ValidationEvents> Events() const;

    // net::MessageHandler (net strands: they queue work for the executor).
    void OnConnected(const net::ConnectionInfo& info) override;
    void OnMessage(net::NodeId id, net::Message message) override;
    void OnDisconnected(net::NodeId id) override;

    // PeerSender
    bool Send(net::NodeId id, std::string_view command, std::vector<uint8_t> payload) override;
    void Misbehaving(net::NodeId id, std::string_view reason) override;

    /// Stats of every peer that completed OnConnected.
    std::vector<PeerStats> GetPeerStats() const;
    /// Sends a ping to every peer now (the `ping` RPC).
    void SendPings();
    /// Announces a transaction that entered the mempool from RPC or the wallet.
    void RelayTransaction(const consensus::Uint256& txid, const consensus::Uint256& wtxid);
    /// getblockfrompeer: asks `id` for a block whose header we have. Errors carry
    /// Core's messages ("Peer does not exist", "Block header missing", "Block
    /// already downloaded", "In prune mode..." is not applicable).
    util::Expected<void> FetchBlock(net::NodeId id, const consensus::Uint256& hash);
    /// Headers-presync/IBD summary for getblockchaininfo-like callers: true
    /// while the best header is far ahead of the tip.
    bool IsSyncing() const;

private:
    struct Impl;
    std::unique_ptr<Impl> m_impl;
};

} // namespace node
