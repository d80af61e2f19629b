// The connection manager: TCP connections to peers on Boost.Asio, framed with
// FrameDecoder, handed to a MessageHandler one complete message at a time.
//
// Threads: one io_context on `io_threads` threads; every connection has its
// own strand, so the handler hears of one connection's events in order and
// never concurrently. ConnMan's public methods may be called from any thread
// (the validation executor sends from there) and never call the handler
// inline. The handler must not block the calling strand for long: minibitd's
// PeerManager only queues the message for the validation executor.
//
// Limits: a peer that sends faster than the node processes stops being read
// once `max_receive_buffer` bytes await processing (MessageProcessed releases
// them); a peer that does not read what we send is disconnected once its queue
// exceeds the hard cap. Framing errors follow Bitcoin Core: wrong magic or an
// oversized length disconnect; a bad checksum or an unparsable command drops
// that one message and keeps the connection.
#pragma once

#include <net/netaddress.h>
#include <net/protocol.h>
#include <util/expected.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace util {
class Logger;
}

namespace net {

/// A connection's id, unique for the life of the process (never reused).
using NodeId = int64_t;

/// Why a connection exists (Bitcoin Core's connection types).
enum class ConnectionType : uint8_t
{
    INBOUND,
    OUTBOUND_FULL_RELAY,
    MANUAL,      //!< -connect, -addnode, addnode RPC
    FEELER,      //!< short-lived, tests an address from the new table
    BLOCK_RELAY, //!< outbound, blocks only (no tx or addr relay)
    ADDR_FETCH,  //!< -seednode: get addresses, then leave
};
/// Core's names: "inbound", "outbound-full-relay", "manual", "feeler",
/// "block-relay-only", "addr-fetch".
std::string_view ConnectionTypeName(ConnectionType type);

/// Fixed facts about a connection, given to the handler when it opens.
struct ConnectionInfo
{
    NodeId id{0};
    ConnectionType type{ConnectionType::INBOUND};
    Service remote;            //!< the peer's address and port
    Service local;             //!< our end of the socket
    int64_t connected_time{0}; //!< unix seconds
};

/// What the eviction logic knows about an inbound peer; the peer manager keeps
/// the protocol-level fields current with UpdateEvictionInfo.
struct EvictionInfo
{
    int64_t min_ping_usec{INT64_MAX}; //!< best round trip seen
    int64_t last_block_time{0};       //!< last novel block from this peer (unix s)
    int64_t last_tx_time{0};          //!< last novel transaction accepted from it
    bool relevant_services{false};    //!< NETWORK|WITNESS (or LIMITED) offered
    bool relay_txs{false};            //!< asked for transactions (version relay flag)
    bool prefer_evict{false};         //!< discouraged address
    bool handshake_complete{false};
};

/// A snapshot of one connection for getpeerinfo and getnettotals.
struct ConnectionStats
{
    ConnectionInfo info;
    int64_t last_send{0}; //!< unix seconds of the last bytes written, 0 if none
    int64_t last_recv{0}; //!< unix seconds of the last bytes read
    uint64_t bytes_sent{0};
    uint64_t bytes_recv{0};
    std::map<std::string, uint64_t> bytes_sent_per_msg; //!< by command, header included
    std::map<std::string, uint64_t> bytes_recv_per_msg; //!< "*other*" for unknown commands
    bool recv_paused{false};                            //!< not reading: receive buffer full
    size_t send_queue_bytes{0};
};

/// Receives a connection's life, on that connection's strand.
class MessageHandler
{
public:
    virtual ~MessageHandler() = default;
    /// A connection opened (inbound accepted or outbound connected), before any message.
    virtual void OnConnected(const ConnectionInfo& info) = 0;
    /// A complete message with a valid checksum and command. Its payload size
    /// counts against the receive buffer until MessageProcessed(id, size).
    virtual void OnMessage(NodeId id, Message message) = 0;
    /// The connection closed (either side, error or Disconnect); called exactly
    /// once after OnConnected, and nothing follows it for this id.
    virtual void OnDisconnected(NodeId id) = 0;
};

/// Settings (from -listen, -bind, -port, -maxconnections, -maxsendbuffer,
/// -maxreceivebuffer, -timeout, -peertimeout).
struct ConnManOptions
{
    Magic magic{};
    bool listen{true};
    /// Listening endpoints; empty with `listen`: 0.0.0.0:port and [::]:port
    /// (either may fail if the other succeeds, as in Core).
    std::vector<Service> bind{};
    uint16_t port{0}; //!< for the default bind
    /// Most inbound connections; a new one beyond evicts per SelectNodeToEvict or is refused.
    int max_inbound{125 - 11};
    size_t max_send_buffer{1'000'000};    //!< IsSendBufferFull threshold (-maxsendbuffer)
    size_t max_receive_buffer{5'000'000}; //!< reading pauses above this (-maxreceivebuffer)
    std::chrono::milliseconds connect_timeout{5000};  //!< -timeout
    std::chrono::seconds handshake_timeout{60};       //!< until SetHandshakeComplete
    std::chrono::seconds inactivity_timeout{20 * 60}; //!< no bytes in or no bytes out
    int io_threads{1};
    /// Asked for each inbound connection before it is accepted; false refuses
    /// it (banned address). Any thread; must not block. Default: accept.
    std::function<bool(const Service& remote)> accept_inbound{};
    util::Logger* logger{nullptr}; //!< may be null
    /// Wall clock (unix seconds) for stats; default: system clock.
    std::function<int64_t()> clock{};
};

/// Byte totals since start (getnettotals).
struct NetTotals
{
    uint64_t bytes_recv{0};
    uint64_t bytes_sent{0};
};

/// The connections and the sockets under them.
class ConnMan
{
public:
    ConnMan(ConnManOptions options, MessageHandler& handler);
    /// Stop().
    ~ConnMan();
    ConnMan(const ConnMan&) = delete;
    ConnMan& operator=(const ConnMan&) = delete;

    /// Binds the listeners and starts the io threads. A bind failure is an
    /// error like Core's: "Unable to bind to 127.0.0.1:18444 on this computer.
    /// minibit is probably already running."
    util::Expected<void> Start();
    /// Closes every connection (each gets OnDisconnected), joins the threads. Idempotent.
    void Stop();

    /// Opens an outbound connection. `done` (optional) runs on a net thread
    /// with the new id after OnConnected, or nullopt if it failed or timed out.
    void Connect(const Service& remote, ConnectionType type,
                 std::function<void(std::optional<NodeId>)> done = {});
    /// Frames and queues a message. False if the connection is gone or closing,
    /// or the command/payload cannot be framed; a peer whose queue passes the
    /// hard cap (max_send_buffer + 2 * MAX_PROTOCOL_MESSAGE_LENGTH) is disconnected.
    bool Send(NodeId id, std::string_view command, std::vector<uint8_t> payload);
    /// True while the send queue holds more than max_send_buffer (stop serving blocks).
    bool IsSendBufferFull(NodeId id) const;
    /// Releases `bytes` of the receive buffer (after the handler processed a message).
    void MessageProcessed(NodeId id, size_t bytes);
    /// Closes a connection after flushing nothing more; `reason` goes to the log.
    /// False if unknown.
    bool Disconnect(NodeId id, std::string_view reason);
    /// Disconnects every connection to `addr` (any port); returns how many.
    size_t DisconnectAddress(const NetAddr& addr, std::string_view reason);
    /// Cancels the handshake timeout (version/verack done).
    void SetHandshakeComplete(NodeId id);
    /// Keeps the protocol-level eviction facts of a connection current.
    void UpdateEvictionInfo(NodeId id, const EvictionInfo& info);

    /// Turns all P2P activity off (disconnects everyone, refuses new) or back on.
    void SetNetworkActive(bool active);
    bool NetworkActive() const;

    /// Live connections' stats.
    std::vector<ConnectionStats> GetStats() const;
    /// One connection's stats.
    std::optional<ConnectionStats> GetStats(NodeId id) const;
    /// Number of live connections, optionally of one type.
    size_t Count(std::optional<ConnectionType> type = std::nullopt) const;
    /// The live connection to exactly this address and port, if any.
    std::optional<NodeId> Find(const Service& remote) const;
    /// Byte totals since Start.
    NetTotals Totals() const;
    /// Endpoints actually listening (after Start).
    std::vector<Service> ListeningOn() const;

private:
    struct Impl;
    std::shared_ptr<Impl> m_impl;
};

/// One inbound peer as the eviction rule sees it.
struct EvictionCandidate
{
    NodeId id{0};
    int64_t connected_time{0};
    EvictionInfo info;
    std::vector<uint8_t> net_group; //!< NetGroup of the address
    bool is_local{false};           //!< loopback
    Network network{Network::IPV4};
};

/// Bitcoin Core's inbound eviction: protect peers by netgroup, ping, recent
/// transactions and blocks, longest uptime and network diversity, then pick
/// from the largest remaining netgroup the youngest connection (discouraged
/// ones first). Nullopt when every candidate is protected.
std::optional<NodeId> SelectNodeToEvict(std::vector<EvictionCandidate> candidates);

} // namespace net
