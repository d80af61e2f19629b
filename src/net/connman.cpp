// ConnMan on Boost.Asio. Each connection is a Conn: a socket, its strand, its
// timers and a FrameDecoder, touched only on the strand; the few fields other
// threads read or write (send queue, counters, flags) sit behind Conn::mutex.
// Closing is two-step: CloseConn marks the connection closing (any thread) and
// posts Finalize to its strand, which closes the socket, forgets the id and
// tells the handler. Completions that arrive after Finalize see `finalized`
// and do nothing, so OnDisconnected is the last callback of every id.
#include <net/connman.h>

#include <consensus/hash.h>
#include <util/logging.h>

#include <boost/asio/bind_executor.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ip/v6_only.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/write.hpp>

#include <algorithm>
#include <atomic>
#include <deque>
#include <mutex>
#include <random>
#include <thread>

namespace net {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using SteadyClock = std::chrono::steady_clock;
using Strand = asio::strand<asio::io_context::executor_type>;

std::string_view ConnectionTypeName(ConnectionType type)
{
    switch (type) {
    case ConnectionType::INBOUND:
        return "inbound";
    case ConnectionType::OUTBOUND_FULL_RELAY:
        return "outbound-full-relay";
    case ConnectionType::MANUAL:
        return "manual";
    case ConnectionType::FEELER:
        return "feeler";
    case ConnectionType::BLOCK_RELAY:
        return "block-relay-only";
    case ConnectionType::ADDR_FETCH:
        return "addr-fetch";
    }
    return "unknown";
}

namespace {

/// Bytes asked of the socket per read: bounds what one read can add beyond
/// the receive-buffer limit.
constexpr size_t RECV_CHUNK = 64 * 1024;
/// Frames are coalesced into one write up to about this many bytes.
constexpr size_t SEND_CHUNK = 256 * 1024;
/// Core's name for bytes that did not belong to a valid message.
constexpr const char* OTHER_MSG = "*other*";

Service FromEndpoint(const tcp::endpoint& ep)
{
    Service out;
    out.port = ep.port();
    asio::ip::address a = ep.address();
    if (a.is_v6() && a.to_v6().is_v4_mapped()) {
        a = asio::ip::make_address_v4(asio::ip::v4_mapped, a.to_v6());
    }
    if (a.is_v4()) {
        const auto b = a.to_v4().to_bytes();
        out.addr.net = Network::IPV4;
        out.addr.bytes.assign(b.begin(), b.end());
    } else {
        const auto b = a.to_v6().to_bytes();
        out.addr.net = Network::IPV6;
        out.addr.bytes.assign(b.begin(), b.end());
    }
    return out;
}

/// Only IPv4 and IPv6 are reachable directly (no proxy support).
std::optional<tcp::endpoint> ToEndpoint(const Service& s)
{
    if (s.addr.net == Network::IPV4 && s.addr.bytes.size() == 4) {
        asio::ip::address_v4::bytes_type b;
        std::copy(s.addr.bytes.begin(), s.addr.bytes.end(), b.begin());
        return tcp::endpoint{asio::ip::address_v4{b}, s.port};
    }
    if (s.addr.net == Network::IPV6 && s.addr.bytes.size() == 16) {
        asio::ip::address_v6::bytes_type b;
        std::copy(s.addr.bytes.begin(), s.addr.bytes.end(), b.begin());
        return tcp::endpoint{asio::ip::address_v6{b}, s.port};
    }
    return std::nullopt;
}

/// "1.2.3.4:8333" / "[::1]:8333" for logs and errors, without depending on
/// the text helpers of netaddress.h for what Asio already prints.
std::string EndpointString(const Service& s)
{
    const auto ep = ToEndpoint(s);
    if (!ep) return "[" + std::string(NetworkName(s.addr.net)) + "]:" + std::to_string(s.port);
    const auto a = ep->address();
    if (a.is_v6()) return "[" + a.to_string() + "]:" + std::to_string(s.port);
    return a.to_string() + ":" + std::to_string(s.port);
}

int64_t SystemUnixSeconds()
{
    return std::chrono::duration_cast<std::chrono::seconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

struct Conn
{
    Conn(asio::io_context& io, tcp::socket sock, const Magic& magic)
        : strand{asio::make_strand(io)}, socket{std::move(sock)}, handshake_timer{strand},
          inactivity_timer{strand}, decoder{magic}, read_buf(RECV_CHUNK)
    {}

    ConnectionInfo info;
    Strand strand;

    // Strand only.
    tcp::socket socket;
    asio::steady_timer handshake_timer;
    asio::steady_timer inactivity_timer;
    FrameDecoder decoder;
    std::vector<uint8_t> read_buf;
    size_t read_pos{0}; //!< read_buf[read_pos, read_end) is read but not yet decoded
    size_t read_end{0};
    std::vector<uint8_t> write_buf; //!< bytes being written (already out of send_queue)
    size_t write_pos{0};
    bool write_in_flight{false};
    bool reading{false};
    bool finalized{false};
    SteadyClock::time_point last_recv_steady{};
    SteadyClock::time_point last_send_steady{};
    bool any_recv{false};
    bool any_sent{false};
    std::function<void(std::optional<NodeId>)> done;

    mutable std::mutex mutex;
    // Guarded by mutex.
    bool closing{false};
    std::string close_reason;
    std::deque<std::vector<uint8_t>> send_queue;
    size_t send_queue_bytes{0}; //!< queued plus the unwritten part of write_buf
    bool writing{false};
    size_t recv_pending{0};
    bool recv_paused{false};
    bool handshake_complete{false};
    EvictionInfo eviction;
    int64_t last_send{0};
    int64_t last_recv{0};
    uint64_t bytes_sent{0};
    uint64_t bytes_recv{0};
    std::map<std::string, uint64_t> sent_per_msg;
    std::map<std::string, uint64_t> recv_per_msg;
};

/// An outbound attempt before it becomes a Conn.
struct PendingConnect
{
    PendingConnect(asio::io_context& io, uint64_t id_in)
        : id{id_in}, strand{asio::make_strand(io)}, socket{strand}, timer{strand}
    {}
    uint64_t id;
    Strand strand;
    tcp::socket socket; // strand only
    asio::steady_timer timer;
    bool timed_out{false};
    bool cancelled{false};
};

struct Listener
{
    explicit Listener(asio::io_context& io)
        : strand{asio::make_strand(io)}, acceptor{strand}, retry_timer{strand}
    {}
    Strand strand;
    tcp::acceptor acceptor; // strand only
    asio::steady_timer retry_timer;
    Service local;
};

} // namespace

struct ConnMan::Impl : std::enable_shared_from_this<ConnMan::Impl>
{
    Impl(ConnManOptions opts, MessageHandler& h)
        : options{std::move(opts)}, handler{h}, work{asio::make_work_guard(io)}
    {
        std::random_device rd;
        netgroup_k0 = (uint64_t{rd()} << 32) | rd();
        netgroup_k1 = (uint64_t{rd()} << 32) | rd();
    }

    ConnManOptions options;
    MessageHandler& handler;
    asio::io_context io;
    asio::executor_work_guard<asio::io_context::executor_type> work;
    uint64_t netgroup_k0{0};
    uint64_t netgroup_k1{0};

    mutable std::mutex mutex;
    // Guarded by mutex.
    std::map<NodeId, std::shared_ptr<Conn>> conns;
    std::map<uint64_t, std::shared_ptr<PendingConnect>> pending;
    std::vector<std::shared_ptr<Listener>> listeners;
    std::vector<std::thread> threads;
    bool started{false};
    bool stopping{false};
    bool stopped{false};

    std::mutex accept_mutex; //!< makes "count inbound, maybe evict, register" atomic
    std::atomic<NodeId> next_id{0};
    std::atomic<uint64_t> next_pending{0};
    std::atomic<bool> network_active{true};
    std::atomic<uint64_t> total_recv{0};
    std::atomic<uint64_t> total_sent{0};

    int64_t Now() const { return options.clock ? options.clock() : SystemUnixSeconds(); }

    void Log(const std::string& msg) const
    {
        if (options.logger) options.logger->Debug(util::LogCategory::NET, msg);
    }

    std::shared_ptr<Conn> Get(NodeId id) const
    {
        std::lock_guard lock{mutex};
        const auto it = conns.find(id);
        return it == conns.end() ? nullptr : it->second;
    }

    std::vector<std::shared_ptr<Conn>> All() const
    {
        std::lock_guard lock{mutex};
        std::vector<std::shared_ptr<Conn>> out;
        out.reserve(conns.size());
        for (const auto& [id, c] : conns)
            out.push_back(c);
        return out;
    }

    /// Any thread. Marks the connection closing and schedules Finalize; false
    /// if it was already closing.
    bool CloseConn(const std::shared_ptr<Conn>& conn, std::string_view reason)
    {
        {
            std::lock_guard lock{conn->mutex};
            if (conn->closing) return false;
            conn->closing = true;
            conn->close_reason = std::string(reason);
        }
        Log("disconnecting peer=" + std::to_string(conn->info.id) + " (" +
            EndpointString(conn->info.remote) + "): " + std::string(reason));
        asio::post(conn->strand, [self = shared_from_this(), conn] { self->Finalize(conn); });
        return true;
    }

    /// Strand. Last step of every connection.
    void Finalize(const std::shared_ptr<Conn>& conn)
    {
        if (conn->finalized) return;
        conn->finalized = true;
        boost::system::error_code ec;
        conn->handshake_timer.cancel();
        conn->inactivity_timer.cancel();
        conn->socket.shutdown(tcp::socket::shutdown_both, ec);
        conn->socket.close(ec);
        {
            std::lock_guard lock{mutex};
            conns.erase(conn->info.id);
        }
        {
            std::lock_guard lock{conn->mutex};
            conn->send_queue.clear();
            conn->send_queue_bytes = 0;
        }
        conn->write_buf.clear();
        conn->write_buf.shrink_to_fit();
        handler.OnDisconnected(conn->info.id);
    }

    bool IsClosing(const Conn& conn) const
    {
        std::lock_guard lock{conn.mutex};
        return conn.closing;
    }

    /// Any thread. Turns a connected socket into a live connection; the
    /// handler hears OnConnected on its strand before anything else.
    void Register(tcp::socket socket, ConnectionType type, const Service& remote,
                  std::function<void(std::optional<NodeId>)> done)
    {
        boost::system::error_code ec;
        socket.set_option(tcp::no_delay{true}, ec);
        const auto local_ep = socket.local_endpoint(ec);
        auto conn = std::make_shared<Conn>(io, std::move(socket), options.magic);
        conn->info.id = ++next_id;
        conn->info.type = type;
        conn->info.remote = remote;
        if (!ec) conn->info.local = FromEndpoint(local_ep);
        conn->info.connected_time = Now();
        conn->done = std::move(done);
        {
            std::lock_guard lock{mutex};
            // Checked under the lock that CloseAll lists connections with, so a
            // connection racing SetNetworkActive(false) is either refused here
            // or closed there.
            if (stopping || !network_active) {
                conn->socket.close(ec);
                if (conn->done) asio::post(io, [d = std::move(conn->done)] { d(std::nullopt); });
                return;
            }
            conns.emplace(conn->info.id, conn);
            // Posted under the lock: whoever finds the id in `conns` can only
            // post Finalize behind this.
            asio::post(conn->strand, [self = shared_from_this(), conn] { self->Begin(conn); });
        }
        Log(std::string(type == ConnectionType::INBOUND ? "accepted" : "connected to") + " " +
            EndpointString(remote) + " peer=" + std::to_string(conn->info.id) + " (" +
            std::string(ConnectionTypeName(type)) + ")");
    }

    /// Strand.
    void Begin(const std::shared_ptr<Conn>& conn)
    {
        handler.OnConnected(conn->info);
        if (conn->done) {
            auto done = std::move(conn->done);
            conn->done = nullptr;
            done(conn->info.id);
        }
        if (conn->finalized) return;
        const auto now = SteadyClock::now();
        conn->last_recv_steady = now;
        conn->last_send_steady = now;
        // A zero or negative timeout turns that check off.
        if (options.handshake_timeout.count() > 0) ArmHandshake(conn);
        if (options.inactivity_timeout.count() > 0) ArmInactivity(conn, options.inactivity_timeout);
        StartRead(conn);
    }

    /// Strand.
    void ArmHandshake(const std::shared_ptr<Conn>& conn)
    {
        conn->handshake_timer.expires_after(options.handshake_timeout);
        conn->handshake_timer.async_wait(asio::bind_executor(
            conn->strand, [self = shared_from_this(), conn](const boost::system::error_code& ec) {
                if (ec || conn->finalized) return;
                bool complete;
                {
                    std::lock_guard lock{conn->mutex};
                    complete = conn->handshake_complete;
                }
                if (!complete) self->CloseConn(conn, "version handshake timeout");
            }));
    }

    /// Strand.
    void ArmInactivity(const std::shared_ptr<Conn>& conn, SteadyClock::duration after)
    {
        conn->inactivity_timer.expires_after(after);
        conn->inactivity_timer.async_wait(asio::bind_executor(
            conn->strand, [self = shared_from_this(), conn](const boost::system::error_code& ec) {
                if (!ec && !conn->finalized) self->CheckInactivity(conn);
            }));
    }

    /// Strand.
    void CheckInactivity(const std::shared_ptr<Conn>& conn)
    {
        const auto now = SteadyClock::now();
        const auto timeout =
            std::chrono::duration_cast<SteadyClock::duration>(options.inactivity_timeout);
        {
            std::lock_guard lock{conn->mutex};
            if (conn->closing) return;
            // A peer we stopped reading is not idle; we are.
            if (conn->recv_paused) conn->last_recv_steady = now;
        }
        const std::string secs = std::to_string(options.inactivity_timeout.count());
        if (!conn->any_recv && !conn->any_sent && now - conn->last_recv_steady >= timeout) {
            CloseConn(conn, "socket no message in first " + secs + " seconds");
            return;
        }
        if (now - conn->last_send_steady >= timeout) {
            CloseConn(conn, "socket sending timeout: " + secs + "s");
            return;
        }
        if (now - conn->last_recv_steady >= timeout) {
            CloseConn(conn, "socket receive timeout: " + secs + "s");
            return;
        }
        const auto oldest = std::min(conn->last_send_steady, conn->last_recv_steady);
        ArmInactivity(conn, oldest + timeout - now);
    }

    /// Strand.
    void StartRead(const std::shared_ptr<Conn>& conn)
    {
        if (conn->finalized || conn->reading) return;
        {
            std::lock_guard lock{conn->mutex};
            if (conn->closing || conn->recv_paused) return;
        }
        conn->reading = true;
        conn->socket.async_read_some(
            asio::buffer(conn->read_buf),
            asio::bind_executor(conn->strand, [self = shared_from_this(),
                                               conn](const boost::system::error_code& ec,
                                                     size_t n) { self->OnRead(conn, ec, n); }));
    }

    /// Strand.
    void OnRead(const std::shared_ptr<Conn>& conn, const boost::system::error_code& ec, size_t n)
    {
        conn->reading = false;
        if (conn->finalized) return;
        if (ec) {
            if (ec == asio::error::eof) {
                CloseConn(conn, "socket closed");
            } else if (ec != asio::error::operation_aborted) {
                CloseConn(conn, "socket recv error: " + ec.message());
            }
            return;
        }
        conn->last_recv_steady = SteadyClock::now();
        conn->any_recv = true;
        total_recv += n;
        {
            std::lock_guard lock{conn->mutex};
            conn->bytes_recv += n;
            conn->last_recv = Now();
        }
        conn->read_pos = 0;
        conn->read_end = n;
        ProcessReceived(conn);
    }

    /// Strand. Decodes what was read and hands messages over until the bytes
    /// run out (then reads again) or the receive buffer is full (then waits,
    /// keeping the unparsed rest, for MessageProcessed).
    void ProcessReceived(const std::shared_ptr<Conn>& conn)
    {
        if (conn->finalized) return;
        FrameDecoder& dec = conn->decoder;
        while (conn->read_pos < conn->read_end) {
            const size_t used = dec.Read(std::span<const uint8_t>{
                conn->read_buf.data() + conn->read_pos, conn->read_end - conn->read_pos});
            conn->read_pos += used;
            if (dec.Error()) {
                CloseConn(conn, "Header error: " + std::string(FrameErrorString(*dec.Error())));
                return;
            }
            if (dec.Complete()) {
                Message msg = dec.TakeMessage();
                bool pause;
                {
                    std::lock_guard lock{conn->mutex};
                    if (conn->closing) return;
                    conn->recv_per_msg[msg.command] += MESSAGE_HEADER_SIZE + msg.payload.size();
                    conn->recv_pending += msg.payload.size();
                    // Decided before the handler runs, so a MessageProcessed
                    // from inside OnMessage already finds us paused and resumes.
                    pause = conn->recv_pending > options.max_receive_buffer;
                    if (pause) conn->recv_paused = true;
                }
                handler.OnMessage(conn->info.id, std::move(msg));
                if (pause) return;
                continue;
            }
            if (auto rej = dec.TakeRejected()) {
                {
                    std::lock_guard lock{conn->mutex};
                    conn->recv_per_msg[OTHER_MSG] += rej->raw_size;
                }
                Log("Header error: " + std::string(FrameErrorString(rej->error)) + " (" +
                    rej->command + ", " + std::to_string(rej->raw_size - MESSAGE_HEADER_SIZE) +
                    " bytes), peer=" + std::to_string(conn->info.id));
                continue;
            }
            if (used == 0) break; // cannot happen: the decoder consumes unless complete
        }
        conn->read_pos = conn->read_end = 0;
        StartRead(conn);
    }

    /// Any thread.
    bool Send(NodeId id, std::string_view command, std::vector<uint8_t> payload)
    {
        auto frame = EncodeMessage(options.magic, command, payload);
        if (!frame) return false;
        auto conn = Get(id);
        if (!conn) return false;
        const size_t hard_cap = options.max_send_buffer + 2 * size_t{MAX_PROTOCOL_MESSAGE_LENGTH};
        bool start = false;
        bool overflow = false;
        {
            std::lock_guard lock{conn->mutex};
            if (conn->closing) return false;
            if (conn->send_queue_bytes + frame->size() > hard_cap) {
                overflow = true;
            } else {
                conn->sent_per_msg[std::string(command)] += frame->size();
                conn->send_queue_bytes += frame->size();
                conn->send_queue.push_back(std::move(*frame));
                if (!conn->writing) {
                    conn->writing = true;
                    start = true;
                }
            }
        }
        if (overflow) {
            CloseConn(conn, "send buffer overflow");
            return false;
        }
        if (start) {
            asio::post(conn->strand, [self = shared_from_this(), conn] { self->DoWrite(conn); });
        }
        return true;
    }

    /// Strand. Writes what is queued, one coalesced buffer at a time.
    void DoWrite(const std::shared_ptr<Conn>& conn)
    {
        if (conn->finalized || conn->write_in_flight) return;
        if (conn->write_pos >= conn->write_buf.size()) {
            conn->write_buf.clear();
            conn->write_pos = 0;
            std::lock_guard lock{conn->mutex};
            if (conn->closing || conn->send_queue.empty()) {
                conn->writing = false;
                return;
            }
            conn->writing = true;
            conn->write_buf = std::move(conn->send_queue.front());
            conn->send_queue.pop_front();
            while (!conn->send_queue.empty() &&
                   conn->write_buf.size() + conn->send_queue.front().size() <= SEND_CHUNK) {
                const auto& f = conn->send_queue.front();
                conn->write_buf.insert(conn->write_buf.end(), f.begin(), f.end());
                conn->send_queue.pop_front();
            }
        }
        conn->write_in_flight = true;
        conn->socket.async_write_some(
            asio::buffer(conn->write_buf.data() + conn->write_pos,
                         conn->write_buf.size() - conn->write_pos),
            asio::bind_executor(conn->strand, [self = shared_from_this(),
                                               conn](const boost::system::error_code& ec,
                                                     size_t n) { self->OnWrite(conn, ec, n); }));
    }

    /// Strand.
    void OnWrite(const std::shared_ptr<Conn>& conn, const boost::system::error_code& ec, size_t n)
    {
        conn->write_in_flight = false;
        if (conn->finalized) return;
        if (ec) {
            if (ec != asio::error::operation_aborted)
                CloseConn(conn, "socket send error: " + ec.message());
            return;
        }
        conn->write_pos += n;
        conn->last_send_steady = SteadyClock::now();
        conn->any_sent = true;
        total_sent += n;
        {
            std::lock_guard lock{conn->mutex};
            conn->bytes_sent += n;
            conn->send_queue_bytes -= std::min(n, conn->send_queue_bytes);
            conn->last_send = Now();
        }
        DoWrite(conn);
    }

    void MessageProcessed(NodeId id, size_t bytes)
    {
        auto conn = Get(id);
        if (!conn) return;
        bool resume = false;
        {
            std::lock_guard lock{conn->mutex};
            conn->recv_pending -= std::min(bytes, conn->recv_pending);
            if (conn->recv_paused && !conn->closing &&
                conn->recv_pending <= options.max_receive_buffer) {
                conn->recv_paused = false;
                resume = true;
            }
        }
        if (resume) {
            asio::post(conn->strand,
                       [self = shared_from_this(), conn] { self->ProcessReceived(conn); });
        }
    }

    std::vector<uint8_t> KeyedNetGroup(const NetAddr& addr) const
    {
        const auto group = NetGroup(addr);
        const uint64_t h = consensus::SipHasher(netgroup_k0, netgroup_k1).Write(group).Finalize();
        std::vector<uint8_t> out(8);
        for (size_t i = 0; i < 8; ++i)
            out[i] = static_cast<uint8_t>(h >> (56 - 8 * i));
        return out;
    }

    /// Listener strand. Admission of one inbound socket.
    void HandleInbound(tcp::socket socket)
    {
        boost::system::error_code ec;
        const auto remote_ep = socket.remote_endpoint(ec);
        if (ec) {
            socket.close(ec);
            return;
        }
        const Service remote = FromEndpoint(remote_ep);
        const std::string who = EndpointString(remote);
        if (!network_active) {
            Log("connection from " + who + " dropped: not accepting new connections");
            socket.close(ec);
            return;
        }
        if (options.accept_inbound && !options.accept_inbound(remote)) {
            Log("connection from " + who + " dropped (banned)");
            socket.close(ec);
            return;
        }
        std::lock_guard admit{accept_mutex};
        std::vector<EvictionCandidate> candidates;
        std::map<NodeId, std::shared_ptr<Conn>> by_id;
        for (const auto& conn : All()) {
            if (conn->info.type != ConnectionType::INBOUND) continue;
            std::lock_guard lock{conn->mutex};
            if (conn->closing) continue;
            EvictionCandidate c;
            c.id = conn->info.id;
            c.connected_time = conn->info.connected_time;
            c.info = conn->eviction;
            c.info.handshake_complete = conn->handshake_complete;
            c.is_local = IsLocal(conn->info.remote.addr);
            c.network = conn->info.remote.addr.net;
            candidates.push_back(std::move(c));
            by_id.emplace(conn->info.id, conn);
        }
        if (candidates.size() >= static_cast<size_t>(std::max(options.max_inbound, 0))) {
            // Hashing needs no lock; done outside the loop above.
            for (auto& c : candidates)
                c.net_group = KeyedNetGroup(by_id.at(c.id)->info.remote.addr);
            const auto victim = SelectNodeToEvict(std::move(candidates));
            if (!victim) {
                Log("failed to find an eviction candidate - connection dropped (full)");
                socket.close(ec);
                return;
            }
            CloseConn(by_id.at(*victim), "evicted to make room for an inbound connection");
        }
        Register(std::move(socket), ConnectionType::INBOUND, remote, {});
    }

    /// Listener strand.
    void AcceptNext(const std::shared_ptr<Listener>& l)
    {
        if (!l->acceptor.is_open()) return;
        l->acceptor.async_accept(asio::bind_executor(
            l->strand, [self = shared_from_this(), l](const boost::system::error_code& ec,
                                                      tcp::socket socket) {
                if (ec == asio::error::operation_aborted || !l->acceptor.is_open()) return;
                if (ec) {
                    // Out of descriptors and the like: try again shortly rather than spin.
                    self->Log("socket error accepting new connection: " + ec.message());
                    l->retry_timer.expires_after(std::chrono::milliseconds{100});
                    l->retry_timer.async_wait(asio::bind_executor(
                        l->strand, [self, l](const boost::system::error_code& e) {
                            if (!e) self->AcceptNext(l);
                        }));
                    return;
                }
                self->HandleInbound(std::move(socket));
                self->AcceptNext(l);
            }));
    }

    std::optional<std::string> Bind(const Service& where)
    {
        const auto ep = ToEndpoint(where);
        const std::string text = EndpointString(where);
        if (!ep) return "Unable to bind to " + text + " on this computer (unsupported network)";
        auto l = std::make_shared<Listener>(io);
        boost::system::error_code ec;
        l->acceptor.open(ep->protocol(), ec);
        if (!ec) l->acceptor.set_option(asio::socket_base::reuse_address(true), ec);
        if (!ec && ep->protocol() == tcp::v6()) l->acceptor.set_option(asio::ip::v6_only(true), ec);
        if (!ec) l->acceptor.bind(*ep, ec);
        if (!ec) l->acceptor.listen(asio::socket_base::max_listen_connections, ec);
        if (ec) {
            boost::system::error_code ignored;
            l->acceptor.close(ignored);
            if (ec == asio::error::address_in_use) {
                return "Unable to bind to " + text +
                       " on this computer. minibit is probably already running.";
            }
            return "Unable to bind to " + text + " on this computer (bind returned error " +
                   ec.message() + ")";
        }
        l->local = FromEndpoint(l->acceptor.local_endpoint(ec));
        std::lock_guard lock{mutex};
        listeners.push_back(std::move(l));
        return std::nullopt;
    }

    util::Expected<void> Start()
    {
        {
            std::lock_guard lock{mutex};
            if (started || stopping) return {};
        }
        if (options.listen) {
            std::vector<Service> binds = options.bind;
            const bool defaults = binds.empty();
            if (defaults) {
                binds.push_back(
                    Service{NetAddr{Network::IPV4, std::vector<uint8_t>(4, 0)}, options.port});
                binds.push_back(
                    Service{NetAddr{Network::IPV6, std::vector<uint8_t>(16, 0)}, options.port});
            }
            // As Core: every explicit bind must succeed; of the defaults only 0.0.0.0
            // must, since the host may lack IPv6 and nobody asked for it.
            for (const auto& b : binds) {
                auto err = Bind(b);
                if (!err) continue;
                if (!defaults || b.addr.net == Network::IPV4) return util::Unexpected(*err);
                if (options.logger) options.logger->Info(*err);
            }
        }
        std::lock_guard lock{mutex};
        started = true;
        for (const auto& l : listeners) {
            asio::post(l->strand, [self = shared_from_this(), l] { self->AcceptNext(l); });
        }
        const int n = std::max(1, options.io_threads);
        for (int i = 0; i < n; ++i) {
            threads.emplace_back([self = shared_from_this()] { self->Run(); });
        }
        return {};
    }

    void Run()
    {
        while (true) {
            try {
                io.run();
                return;
            } catch (const std::exception& e) {
                // A handler callback threw; the connection it served may be
                // stuck, but the node keeps running.
                if (options.logger) options.logger->Error(std::string("net thread: ") + e.what());
            } catch (...) {
                if (options.logger) options.logger->Error("net thread: unknown exception");
            }
        }
    }

    void CloseAll(std::string_view reason)
    {
        for (const auto& conn : All())
            CloseConn(conn, reason);
        std::vector<std::shared_ptr<PendingConnect>> attempts;
        {
            std::lock_guard lock{mutex};
            for (const auto& [id, p] : pending)
                attempts.push_back(p);
        }
        for (const auto& p : attempts) {
            asio::post(p->strand, [p] {
                p->cancelled = true;
                boost::system::error_code ec;
                p->timer.cancel();
                p->socket.close(ec);
            });
        }
    }

    void Stop()
    {
        std::vector<std::thread> to_join;
        std::vector<std::shared_ptr<Listener>> ls;
        bool was_started;
        {
            std::lock_guard lock{mutex};
            if (stopping) return;
            stopping = true;
            ls = listeners;
            was_started = started;
        }
        for (const auto& l : ls) {
            asio::post(l->strand, [l] {
                boost::system::error_code ec;
                l->retry_timer.cancel();
                l->acceptor.close(ec);
            });
        }
        CloseAll("shutting down");
        work.reset();
        {
            std::lock_guard lock{mutex};
            to_join.swap(threads);
        }
        const auto me = std::this_thread::get_id();
        for (auto& t : to_join) {
            if (t.get_id() == me) {
                // Stop from inside a callback: this thread finishes the
                // remaining work when the callback returns.
                t.detach();
            } else {
                t.join();
            }
        }
        // Never started: run what was queued (Connect attempts, closes) here.
        if (!was_started) Run();
        std::lock_guard lock{mutex};
        listeners.clear();
        stopped = true;
    }

    void Connect(const Service& remote, ConnectionType type,
                 std::function<void(std::optional<NodeId>)> done)
    {
        const auto ep = ToEndpoint(remote);
        auto fail = [&](const std::string& why) {
            Log("cannot connect to " + EndpointString(remote) + ": " + why);
            if (!done) return;
            bool inline_call;
            {
                std::lock_guard lock{mutex};
                inline_call = stopped;
            }
            if (inline_call) {
                done(std::nullopt);
            } else {
                asio::post(io, [d = std::move(done)] { d(std::nullopt); });
            }
        };
        if (!ep) return fail("unsupported network");
        if (!network_active) return fail("network not active");
        auto p = std::make_shared<PendingConnect>(io, ++next_pending);
        bool accepted;
        {
            std::lock_guard lock{mutex};
            accepted = !stopping;
            if (accepted) pending.emplace(p->id, p);
        }
        if (!accepted) return fail("shutting down");
        asio::post(p->strand, [self = shared_from_this(), p, ep = *ep, remote, type,
                               done = std::move(done)]() mutable {
            if (p->cancelled) {
                self->FinishConnect(p, asio::error::operation_aborted, remote, type,
                                    std::move(done));
                return;
            }
            p->timer.expires_after(self->options.connect_timeout);
            p->timer.async_wait(
                asio::bind_executor(p->strand, [p](const boost::system::error_code& ec) {
                    if (ec) return;
                    p->timed_out = true;
                    boost::system::error_code ignored;
                    p->socket.close(ignored);
                }));
            p->socket.async_connect(
                ep,
                asio::bind_executor(p->strand, [self, p, remote, type, done = std::move(done)](
                                                   const boost::system::error_code& ec) mutable {
                    self->FinishConnect(p, ec, remote, type, std::move(done));
                }));
        });
    }

    /// Pending connect's strand.
    void FinishConnect(const std::shared_ptr<PendingConnect>& p, boost::system::error_code ec,
                       const Service& remote, ConnectionType type,
                       std::function<void(std::optional<NodeId>)> done)
    {
        p->timer.cancel();
        {
            std::lock_guard lock{mutex};
            pending.erase(p->id);
        }
        std::string why;
        if (p->timed_out) {
            why = "connection timeout";
        } else if (p->cancelled) {
            why = "cancelled";
        } else if (ec) {
            why = ec.message();
        } else if (!network_active) {
            why = "network not active";
        }
        if (!why.empty()) {
            Log("connection to " + EndpointString(remote) + " failed: " + why);
            boost::system::error_code ignored;
            p->socket.close(ignored);
            if (done) done(std::nullopt);
            return;
        }
        Register(std::move(p->socket), type, remote, std::move(done));
    }
};

ConnMan::ConnMan(ConnManOptions options, MessageHandler& handler)
    : m_impl{std::make_shared<Impl>(std::move(options), handler)}
{}

ConnMan::~ConnMan()
{
    Stop();
}

util::Expected<void> ConnMan::Start()
{
    return m_impl->Start();
}

void ConnMan::Stop()
{
    m_impl->Stop();
}

void ConnMan::Connect(const Service& remote, ConnectionType type,
                      std::function<void(std::optional<NodeId>)> done)
{
    m_impl->Connect(remote, type, std::move(done));
}

bool ConnMan::Send(NodeId id, std::string_view command, std::vector<uint8_t> payload)
{
    return m_impl->Send(id, command, std::move(payload));
}

bool ConnMan::IsSendBufferFull(NodeId id) const
{
    auto conn = m_impl->Get(id);
    if (!conn) return false;
    std::lock_guard lock{conn->mutex};
    return conn->send_queue_bytes > m_impl->options.max_send_buffer;
}

void ConnMan::MessageProcessed(NodeId id, size_t bytes)
{
    m_impl->MessageProcessed(id, bytes);
}

bool ConnMan::Disconnect(NodeId id, std::string_view reason)
{
    auto conn = m_impl->Get(id);
    if (!conn) return false;
    m_impl->CloseConn(conn, reason);
    return true;
}

size_t ConnMan::DisconnectAddress(const NetAddr& addr, std::string_view reason)
{
    size_t n = 0;
    for (const auto& conn : m_impl->All()) {
        if (conn->info.remote.addr == addr && m_impl->CloseConn(conn, reason)) ++n;
    }
    return n;
}

void ConnMan::SetHandshakeComplete(NodeId id)
{
    auto conn = m_impl->Get(id);
    if (!conn) return;
    {
        std::lock_guard lock{conn->mutex};
        conn->handshake_complete = true;
        conn->eviction.handshake_complete = true;
    }
    asio::post(conn->strand, [conn] { conn->handshake_timer.cancel(); });
}

void ConnMan::UpdateEvictionInfo(NodeId id, const EvictionInfo& info)
{
    auto conn = m_impl->Get(id);
    if (!conn) return;
    std::lock_guard lock{conn->mutex};
    conn->eviction = info;
    conn->eviction.handshake_complete = info.handshake_complete || conn->handshake_complete;
}

void ConnMan::SetNetworkActive(bool active)
{
    const bool was = m_impl->network_active.exchange(active);
    if (m_impl->options.logger && was != active) {
        m_impl->options.logger->Info(std::string("SetNetworkActive: ") +
                                     (active ? "true" : "false"));
    }
    if (!active) m_impl->CloseAll("network not active");
}

bool ConnMan::NetworkActive() const
{
    return m_impl->network_active;
}

namespace {
std::optional<ConnectionStats> Snapshot(const Conn& conn)
{
    std::lock_guard lock{conn.mutex};
    if (conn.closing) return std::nullopt;
    ConnectionStats s;
    s.info = conn.info;
    s.last_send = conn.last_send;
    s.last_recv = conn.last_recv;
    s.bytes_sent = conn.bytes_sent;
    s.bytes_recv = conn.bytes_recv;
    s.bytes_sent_per_msg = conn.sent_per_msg;
    s.bytes_recv_per_msg = conn.recv_per_msg;
    s.recv_paused = conn.recv_paused;
    s.send_queue_bytes = conn.send_queue_bytes;
    return s;
}
} // namespace

std::vector<ConnectionStats> ConnMan::GetStats() const
{
    std::vector<ConnectionStats> out;
    for (const auto& conn : m_impl->All()) {
        if (auto s = Snapshot(*conn)) out.push_back(std::move(*s));
    }
    return out;
}

std::optional<ConnectionStats> ConnMan::GetStats(NodeId id) const
{
    auto conn = m_impl->Get(id);
    if (!conn) return std::nullopt;
    return Snapshot(*conn);
}

size_t ConnMan::Count(std::optional<ConnectionType> type) const
{
    size_t n = 0;
    for (const auto& conn : m_impl->All()) {
        if (type && conn->info.type != *type) continue;
        if (!m_impl->IsClosing(*conn)) ++n;
    }
    return n;
}

std::optional<NodeId> ConnMan::Find(const Service& remote) const
{
    for (const auto& conn : m_impl->All()) {
        if (conn->info.remote == remote && !m_impl->IsClosing(*conn)) return conn->info.id;
    }
    return std::nullopt;
}

NetTotals ConnMan::Totals() const
{
    return NetTotals{m_impl->total_recv.load(), m_impl->total_sent.load()};
}

std::vector<Service> ConnMan::ListeningOn() const
{
    std::lock_guard lock{m_impl->mutex};
    std::vector<Service> out;
    for (const auto& l : m_impl->listeners)
        out.push_back(l->local);
    return out;
}

} // namespace net
