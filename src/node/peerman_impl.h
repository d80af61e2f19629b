// Private state of the PeerManager, shared by its source files (peerman.cpp:
// lifecycle, dispatch, handshake, pings, punishment; peerman_sync.cpp: headers,
// block download and serving, announcements; peerman_cmpct.cpp: BIP152).
//
// Thread safety: everything here lives on the validation executor, except the
// ticker flag and the connman pointer (set once in Start).
#pragma once

#include <node/addrrelay.h>
#include <node/headers_presync.h>
#include <node/peerman.h>
#include <node/txrelay.h>

#include <consensus/block.h>
#include <consensus/validation_state.h>
#include <kernel/chain.h>
#include <kernel/notifications.h>
#include <net/blockmessages.h>
#include <net/messages.h>
#include <util/logging.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <list>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

namespace kernel {
class ChainstateManager;
class TxMemPool;
} // namespace kernel

namespace node {

/// Blocks requested from one peer at a time (Core's MAX_BLOCKS_IN_TRANSIT_PER_PEER).
inline constexpr size_t MAX_BLOCKS_IN_TRANSIT_PER_PEER = 16;
/// How far past the last block both we and the peer have we download (Core's window).
inline constexpr int BLOCK_DOWNLOAD_WINDOW = 1024;
/// A peer holding the window this long is a staller (Core's default, seconds).
inline constexpr int64_t BLOCK_STALLING_TIMEOUT_MS = 2'000;
/// Interval between pings, and how long a pong may take (seconds).
inline constexpr int64_t PING_INTERVAL = 2 * 60;
inline constexpr int64_t TIMEOUT_INTERVAL = 20 * 60;
/// At most this many new tips are announced one by one after a reorg.
inline constexpr size_t MAX_BLOCKS_TO_ANNOUNCE = 8;
/// getblocktxn is served for blocks at most this deep, else the whole block.
inline constexpr int MAX_BLOCKTXN_DEPTH = 10;
/// getdata(MSG_CMPCT_BLOCK) is answered with a compact block this close to the tip.
inline constexpr int MAX_CMPCTBLOCK_DEPTH = 5;
/// Peers we ask to push compact blocks unasked (BIP152 high bandwidth).
inline constexpr size_t MAX_HB_PEERS = 3;
/// A getheaders we sent is considered answered after this long (Core's HEADERS_RESPONSE_TIME).
inline constexpr int64_t HEADERS_RESPONSE_TIME = 2 * 60;
/// How long the initial headers sync from one peer may take (Core: 15 minutes
/// plus 1 ms per expected header).
inline constexpr int64_t HEADERS_DOWNLOAD_TIMEOUT_BASE = 15 * 60;
/// Most inv entries a getblocks answer carries.
inline constexpr int MAX_GETBLOCKS_RESULTS = 500;

/// A block we asked one peer for.
struct QueuedBlock
{
    consensus::Uint256 hash;
    int height{0};
    bool from_compact{false};
};

/// A compact block waiting for its missing transactions (blocktxn).
struct PartialBlock
{
    net::NodeId peer{0};
    consensus::BlockHeader header;
    std::vector<consensus::TransactionRef> txs; //!< null where missing
    std::vector<uint16_t> missing;              //!< indexes requested
    size_t prefilled{0};
    size_t from_mempool{0};
};

/// What the manager knows of one connection.
struct Peer
{
    net::ConnectionInfo info;
    bool inbound{false};
    bool manual{false};
    bool block_relay_only{false};
    // Handshake.
    uint64_t our_nonce{0};
    bool version_sent{false};
    bool version_received{false};
    bool handshake_complete{false};
    bool disconnecting{false};
    int version{0};
    uint64_t services{0};
    std::string user_agent;
    int starting_height{-1};
    bool relay{false};
    int64_t time_offset{0};
    bool wtxid_relay{false};
    bool prefer_headers{false};
    bool provides_cmpct{false}; //!< sent sendcmpct version 2
    bool hb_from{false};        //!< asked us to push compact blocks
    bool hb_to{false};          //!< we asked it to push compact blocks
    // Headers and blocks.
    const kernel::BlockIndex* best_known{nullptr};
    std::optional<consensus::Uint256> last_unknown_block;
    const kernel::BlockIndex* last_common{nullptr};
    const kernel::BlockIndex* best_header_sent{nullptr};
    bool sync_started{false};
    int64_t headers_sync_timeout{0}; //!< unix seconds; 0: none (caught up once)
    int64_t last_getheaders_time{0};
    /// A low-work header chain being counted before anything of it is stored.
    std::unique_ptr<HeadersPresync> presync;
    int presync_fork_height{0};
    std::vector<consensus::Uint256> blocks_to_announce;
    std::list<QueuedBlock> in_flight;
    int64_t downloading_since_ms{0};
    int64_t stalling_since_ms{0};
    std::deque<net::Inv> getdata_queue;
    // Pings.
    uint64_t ping_nonce{0}; //!< outstanding ping, 0 none
    int64_t ping_start_us{0};
    int64_t ping_start_time{0};
    int64_t last_ping_time{0};
    bool ping_queued{false};
    std::optional<int64_t> ping_usec;
    std::optional<int64_t> min_ping_usec;
    int64_t last_block_time{0};
    uint64_t cmpct_reconstructed{0};
    uint64_t cmpct_fetched_missing{0};
};

struct PeerManager::Impl
{
    /// Forwards chainstate events to the manager while it exists.
    class Events final : public kernel::ValidationEvents
    {
    public:
        explicit Events(Impl* impl) : m_impl{impl} {}
        void BlockConnected(const consensus::Block& block,
                            const kernel::BlockIndex& index) override;
        void UpdatedBlockTip(const kernel::BlockIndex& new_tip, const kernel::BlockIndex* fork,
                             bool initial_download) override;
        void BlockChecked(const consensus::Block& block,
                          const consensus::BlockValidationState& state) override;
        std::atomic<Impl*> m_impl;
    };

    Impl(PeerManager& owner, kernel::ChainstateManager& chainman, kernel::TxMemPool* mempool,
         const kernel::PolicyOptions& policy, net::AddrMan& addrman, net::BanMan& banman,
         util::SerialExecutor& validation, PeerManOptions options);

    PeerManager& m_owner;
    kernel::ChainstateManager& m_chainman;
    kernel::TxMemPool* m_mempool;
    net::AddrMan& m_addrman;
    net::BanMan& m_banman;
    util::SerialExecutor& m_validation;
    PeerManOptions m_options;
    util::Logger* m_log{nullptr};
    std::atomic<net::ConnMan*> m_connman{nullptr};
    std::mt19937_64 m_rng;
    std::unique_ptr<TxRelay> m_txrelay;
    std::unique_ptr<AddrRelay> m_addrrelay;
    std::shared_ptr<Events> m_events;

    // Ticker.
    std::atomic<bool> m_tick_pending{false};
    std::mutex m_ticker_mutex;
    std::condition_variable m_ticker_cv;
    bool m_ticker_stop{false}; // guarded by m_ticker_mutex
    std::thread m_ticker;

    // Received messages not handled yet, per peer. While a peer's queue is non-empty
    // exactly one task for it is queued or running on the executor, and it handles one
    // message before queueing itself again: peers take turns, as in Core's message
    // handler, so a flooding peer cannot delay another peer's ping or RPC calls by its
    // whole -maxreceivebuffer backlog. Filled on ConnMan's strands.
    std::mutex m_inbox_mutex;
    std::unordered_map<net::NodeId, std::deque<net::Message>> m_inbox; // guarded by m_inbox_mutex

    // Executor state.
    std::map<net::NodeId, Peer> m_peers;
    std::map<consensus::Uint256, net::NodeId> m_blocks_in_flight;
    /// Who sent a block being validated, and whether as a compact block.
    std::map<consensus::Uint256, std::pair<net::NodeId, bool>> m_block_source;
    std::map<consensus::Uint256, PartialBlock> m_partial_blocks;
    std::deque<net::NodeId> m_hb_peers;
    int m_sync_started{0};
    std::shared_ptr<const consensus::Block> m_recent_block;

    // ---- peerman.cpp ----
    int64_t Now() const;
    static int64_t SteadyMs();
    static int64_t SteadyUs();
    void LogNet(const std::string& message) const;
    void LogAt(util::LogCategory category, const std::string& message) const;
    Peer* GetPeer(net::NodeId id);
    bool SendMsg(net::NodeId id, std::string_view command, std::vector<uint8_t> payload);
    void Disconnect(Peer& peer, const std::string& reason);
    void Misbehaving(net::NodeId id, std::string_view reason);
    void StartTicker();
    void StopTicker();
    void HandleConnected(const net::ConnectionInfo& info);
    void HandleDisconnected(net::NodeId id);
    void HandleMessage(net::NodeId id, const net::Message& message);
    /// Executor: handles the oldest queued message of `id`, then queues itself again if
    /// more wait.
    void HandleNextMessage(net::NodeId id);
    /// Posts HandleNextMessage(id); once the executor stopped, drops the peer's queue.
    void ScheduleNextMessage(net::NodeId id);
    void Dispatch(Peer& peer, const net::Message& message);
    void SendVersion(Peer& peer);
    void OnVersion(Peer& peer, const net::Message& message);
    void OnVerack(Peer& peer);
    void OnPing(Peer& peer, const net::Message& message);
    void OnPong(Peer& peer, const net::Message& message);
    void OnInvLike(Peer& peer, const net::Message& message);
    void OnAddrMessage(Peer& peer, const net::Message& message);
    void OnFeeFilter(Peer& peer, const net::Message& message);
    void LogDecodeFailure(const net::Message& message, const util::Error& error) const;
    void UpdateEviction(const Peer& peer);
    void Tick();
    void MaybeSendPing(Peer& peer, int64_t now);
    PeerStats StatsOf(const Peer& peer) const;

    // ---- peerman_sync.cpp ----
    std::vector<consensus::Uint256> LocatorFor(const kernel::BlockIndex* index) const;
    bool MaybeSendGetHeaders(Peer& peer, const kernel::BlockIndex* from,
                             const consensus::Uint256& stop = {});
    void MaybeStartSync(Peer& peer);
    void CheckHeadersSyncTimeout(Peer& peer, int64_t now);
    void UpdateBlockAvailability(Peer& peer, const consensus::Uint256& hash);
    void ProcessBlockAvailability(Peer& peer);
    bool PeerHasHeader(const Peer& peer, const kernel::BlockIndex* index) const;
    void OnHeaders(Peer& peer, const net::Message& message);
    void ProcessHeaders(Peer& peer, const std::vector<consensus::BlockHeader>& headers);
    /// Core's RejectIncomingTxs: a block-relay-only connection, or -blocksonly.
    bool RejectsIncomingTxs(const Peer& peer) const
    {
        return peer.block_relay_only || m_options.ignore_incoming_txs;
    }
    /// Work a new header chain must reach to be stored: -minimumchainwork, or our tip's
    /// work less 144 blocks' worth, whichever is more (Core's anti-DoS threshold).
    consensus::ArithUint256 AntiDoSWorkThreshold() const;
    /// Feeds a headers message to the peer's presync; false if it took it.
    bool HandlePresync(Peer& peer, const std::vector<consensus::BlockHeader>& headers);
    /// getheaders for the headers after `hash`, which we do not store, then our locator.
    void SendGetHeadersAfter(Peer& peer, const consensus::Uint256& hash,
                             const kernel::BlockIndex* fork);
    void OnGetHeaders(Peer& peer, const net::Message& message, bool blocks);
    void OnBlockInv(Peer& peer, const std::vector<net::Inv>& items);
    void ProcessGetData(Peer& peer);
    bool ServeBlock(Peer& peer, const net::Inv& item);
    void OnBlock(Peer& peer, const net::Message& message);
    void ProcessBlock(Peer& peer, const std::shared_ptr<const consensus::Block>& block,
                      bool from_compact);
    bool BlockRequestAllowed(const kernel::BlockIndex& index) const;
    void MaybePunishForBlock(net::NodeId id, const consensus::BlockValidationState& state,
                             bool via_compact, const std::string& message);
    bool IsRequested(const consensus::Uint256& hash) const;
    bool RequestBlock(Peer& peer, const kernel::BlockIndex& index, bool from_compact = false);
    bool RemoveBlockRequest(const consensus::Uint256& hash, std::optional<net::NodeId> from);
    void FindNextBlocksToDownload(Peer& peer, size_t count,
                                  std::vector<const kernel::BlockIndex*>& blocks,
                                  std::optional<net::NodeId>& staller);
    void ScheduleDownloads();
    void CheckTimeouts();
    void SendAnnouncements(Peer& peer);
    void OnBlockConnected(const consensus::Block& block);
    void OnUpdatedBlockTip(const kernel::BlockIndex& new_tip, const kernel::BlockIndex* fork,
                           bool ibd);
    void OnBlockChecked(const consensus::Block& block,
                        const consensus::BlockValidationState& state);

    // ---- peerman_cmpct.cpp ----
    void OnSendCmpct(Peer& peer, const net::Message& message);
    void OnCmpctBlock(Peer& peer, const net::Message& message);
    void OnGetBlockTxn(Peer& peer, const net::Message& message);
    void OnBlockTxn(Peer& peer, const net::Message& message);
    void FinishCompactBlock(Peer& peer, PartialBlock partial, bool fetched);
    void MaybeSetHighBandwidth(net::NodeId id);
    bool SendCompactBlock(Peer& peer, const consensus::Block& block);
};

/// The leading CompactSize of a payload at `offset`, if complete (to tell an
/// oversized count from other decode failures).
std::optional<uint64_t> LeadingCount(std::span<const uint8_t> payload, size_t offset = 0);

} // namespace node
