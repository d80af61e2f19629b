// PeerManager lifecycle, message dispatch, the version handshake, pings,
// punishment and stats. Headers/blocks live in peerman_sync.cpp, BIP152 in
// peerman_cmpct.cpp.
#include <node/peerman.h>
#include <node/peerman_impl.h>

#include <consensus/amount.h>
#include <kernel/chainstate.h>
#include <kernel/mempool.h>
#include <kernel/policy.h>
#include <net/netaddress.h>
#include <util/executor.h>
#include <util/logging.h>

#include <algorithm>
#include <chrono>
#include <cstdio>

namespace node {

namespace {

/// Service bits a full-relay outbound peer must offer while we are in IBD.
constexpr uint64_t DESIRED_SERVICES = net::NODE_NETWORK | net::NODE_WITNESS;
/// Enough once we are near the tip (Core's GetDesirableServiceFlags).
constexpr uint64_t DESIRED_SERVICES_LIMITED = net::NODE_NETWORK_LIMITED | net::NODE_WITNESS;

std::string Hex8(uint64_t value)
{
    char buf[32];
    std::snprintf(buf, sizeof(buf), "%08llx", static_cast<unsigned long long>(value));
    return buf;
}

/// The 16-byte IPv6 form of an address for the version message (IPv4 mapped).
net::VersionAddress ToVersionAddress(const net::Service& service, uint64_t services)
{
    net::VersionAddress out;
    out.services = services;
    out.port = service.port;
    if (service.addr.net == net::Network::IPV4 && service.addr.bytes.size() == 4) {
        out.ip[10] = 0xff;
        out.ip[11] = 0xff;
        std::copy(service.addr.bytes.begin(), service.addr.bytes.end(), out.ip.begin() + 12);
    } else if (service.addr.net == net::Network::IPV6 && service.addr.bytes.size() == 16) {
        std::copy(service.addr.bytes.begin(), service.addr.bytes.end(), out.ip.begin());
    }
    return out;
}

} // namespace

std::optional<uint64_t> LeadingCount(std::span<const uint8_t> payload, size_t offset)
{
    if (payload.size() <= offset) return std::nullopt;
    const uint8_t first = payload[offset];
    size_t len = 0;
    if (first < 0xfd) return first;
    if (first == 0xfd) len = 2;
    if (first == 0xfe) len = 4;
    if (first == 0xff) len = 8;
    if (payload.size() < offset + 1 + len) return std::nullopt;
    uint64_t value = 0;
    for (size_t i = 0; i < len; ++i) {
        value |= static_cast<uint64_t>(payload[offset + 1 + i]) << (8 * i);
    }
    return value;
}

// ---- Events ----------------------------------------------------------------------------

void PeerManager::Impl::Events::BlockConnected(const consensus::Block& block,
                                               const kernel::BlockIndex& /*index*/)
{
    if (Impl* impl = m_impl.load()) impl->OnBlockConnected(block);
}

void PeerManager::Impl::Events::UpdatedBlockTip(const kernel::BlockIndex& new_tip,
                                                const kernel::BlockIndex* fork,
                                                bool initial_download)
{
    if (Impl* impl = m_impl.load()) impl->OnUpdatedBlockTip(new_tip, fork, initial_download);
}

void PeerManager::Impl::Events::BlockChecked(const consensus::Block& block,
                                             const consensus::BlockValidationState& state)
{
    if (Impl* impl = m_impl.load()) impl->OnBlockChecked(block, state);
}

// ---- Impl basics -----------------------------------------------------------------------

PeerManager::Impl::Impl(PeerManager& owner, kernel::ChainstateManager& chainman,
                        kernel::TxMemPool* mempool, const kernel::PolicyOptions& policy,
                        net::AddrMan& addrman, net::BanMan& banman,
                        util::SerialExecutor& validation, PeerManOptions options)
    : m_owner{owner},
      m_chainman{chainman}, m_mempool{mempool}, m_addrman{addrman}, m_banman{banman},
      m_validation{validation}, m_options{std::move(options)}, m_log{m_options.logger}
{
    const uint64_t seed = m_options.rng_seed != 0
                              ? m_options.rng_seed
                              : (uint64_t{std::random_device{}()} << 32) ^ std::random_device{}();
    m_rng.seed(seed);
    if (m_mempool) {
        TxRelayOptions tx_options;
        tx_options.ignore_incoming_txs = m_options.ignore_incoming_txs;
        tx_options.max_orphan_txs = m_options.max_orphan_txs;
        tx_options.clock = m_options.clock;
        tx_options.logger = m_log;
        tx_options.rng_seed = m_options.rng_seed == 0 ? 0 : m_options.rng_seed + 1;
        tx_options.on_accepted = [this](net::NodeId id, const consensus::TransactionRef&) {
            if (Peer* peer = GetPeer(id)) UpdateEviction(*peer);
        };
        m_txrelay =
            std::make_unique<TxRelay>(chainman, *m_mempool, policy, owner, std::move(tx_options));
    }
    AddrRelayOptions addr_options;
    addr_options.clock = m_options.clock;
    addr_options.logger = m_log;
    addr_options.rng_seed = m_options.rng_seed == 0 ? 0 : m_options.rng_seed + 2;
    addr_options.local_services = m_options.local_services;
    if (!m_options.local_addresses.empty()) {
        // -externalip: the first address is the one we advertise.
        addr_options.local_address = [address = m_options.local_addresses.front()] {
            return std::optional<net::Service>{address};
        };
    }
    m_addrrelay = std::make_unique<AddrRelay>(addrman, owner, std::move(addr_options));
    m_events = std::make_shared<Events>(this);
}

int64_t PeerManager::Impl::Now() const
{
    if (m_options.clock) return m_options.clock();
    return std::chrono::duration_cast<std::chrono::seconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

int64_t PeerManager::Impl::SteadyMs()
{
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

int64_t PeerManager::Impl::SteadyUs()
{
    return std::chrono::duration_cast<std::chrono::microseconds>(
               std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

void PeerManager::Impl::LogNet(const std::string& message) const
{
    LogAt(util::LogCategory::NET, message);
}

void PeerManager::Impl::LogAt(util::LogCategory category, const std::string& message) const
{
    if (m_log) m_log->Debug(category, message);
}

Peer* PeerManager::Impl::GetPeer(net::NodeId id)
{
    auto it = m_peers.find(id);
    return it == m_peers.end() ? nullptr : &it->second;
}

bool PeerManager::Impl::SendMsg(net::NodeId id, std::string_view command,
                                std::vector<uint8_t> payload)
{
    net::ConnMan* connman = m_connman.load();
    if (!connman) return false;
    return connman->Send(id, command, std::move(payload));
}

void PeerManager::Impl::Disconnect(Peer& peer, const std::string& reason)
{
    peer.disconnecting = true;
    if (net::ConnMan* connman = m_connman.load()) connman->Disconnect(peer.info.id, reason);
}

void PeerManager::Impl::Misbehaving(net::NodeId id, std::string_view reason)
{
    Peer* peer = GetPeer(id);
    const std::string suffix = reason.empty() ? "" : ": " + std::string{reason};
    LogNet("Misbehaving: peer=" + std::to_string(id) + suffix);
    if (!peer || peer->disconnecting) return;
    if (peer->manual) {
        LogNet("Warning: not punishing manually connected peer " + std::to_string(id) + "!");
        return;
    }
    const net::NetAddr addr = peer->info.remote.addr;
    if (net::IsLocal(addr)) {
        // Core: a local address may stand for many users (a proxy, a Tor daemon).
        LogNet("Warning: disconnecting but not discouraging local peer " + std::to_string(id) +
               "!");
        Disconnect(*peer, "misbehaving" + suffix);
        return;
    }
    LogNet("Disconnecting and discouraging peer " + std::to_string(id) + "!");
    m_banman.Discourage(addr);
    Disconnect(*peer, "misbehaving" + suffix);
    // Every connection from that address goes, as in Core.
    if (net::ConnMan* connman = m_connman.load())
        connman->DisconnectAddress(addr, "discouraged" + suffix);
}

void PeerManager::Impl::UpdateEviction(const Peer& peer)
{
    net::ConnMan* connman = m_connman.load();
    if (!connman) return;
    net::EvictionInfo info;
    if (peer.min_ping_usec) info.min_ping_usec = *peer.min_ping_usec;
    info.last_block_time = peer.last_block_time;
    if (m_txrelay) info.last_tx_time = m_txrelay->GetStats(peer.info.id).last_tx_time;
    info.relevant_services = (peer.services & DESIRED_SERVICES) == DESIRED_SERVICES ||
                             (peer.services & DESIRED_SERVICES_LIMITED) == DESIRED_SERVICES_LIMITED;
    info.relay_txs = peer.relay && !peer.block_relay_only;
    info.prefer_evict = m_banman.IsDiscouraged(peer.info.remote.addr);
    info.handshake_complete = peer.handshake_complete;
    connman->UpdateEvictionInfo(peer.info.id, info);
}

// ---- ticker ----------------------------------------------------------------------------

void PeerManager::Impl::StartTicker()
{
    {
        std::lock_guard lock{m_ticker_mutex};
        if (m_ticker.joinable()) return;
        m_ticker_stop = false;
    }
    m_ticker = std::thread{[this] {
        std::unique_lock lock{m_ticker_mutex};
        while (!m_ticker_stop) {
            m_ticker_cv.wait_for(lock, std::chrono::milliseconds{100});
            if (m_ticker_stop) break;
            // One pending tick at most: a busy executor skips ticks instead of queueing them.
            if (!m_tick_pending.exchange(true)) {
                if (!m_validation.Post([this] {
                        m_tick_pending = false;
                        Tick();
                    })) {
                    m_tick_pending = false;
                }
            }
        }
    }};
}

void PeerManager::Impl::StopTicker()
{
    {
        std::lock_guard lock{m_ticker_mutex};
        m_ticker_stop = true;
    }
    m_ticker_cv.notify_all();
    if (m_ticker.joinable()) m_ticker.join();
}

void PeerManager::Impl::Tick()
{
    const int64_t now = Now();
    std::vector<net::NodeId> ids;
    for (const auto& [id, peer] : m_peers)
        ids.push_back(id);
    for (net::NodeId id : ids) {
        Peer* peer = GetPeer(id);
        if (!peer || peer->disconnecting || !peer->handshake_complete) continue;
        MaybeSendPing(*peer, now);
        if (peer->disconnecting) continue;
        if (!peer->getdata_queue.empty()) ProcessGetData(*peer);
        MaybeStartSync(*peer);
        CheckHeadersSyncTimeout(*peer, now);
        if (peer->disconnecting) continue;
        SendAnnouncements(*peer);
    }
    CheckTimeouts();
    ScheduleDownloads();
    if (m_txrelay) m_txrelay->Tick();
    m_addrrelay->Tick();
}

void PeerManager::Impl::MaybeSendPing(Peer& peer, int64_t now)
{
    if (peer.ping_nonce != 0) {
        if (now - peer.ping_start_time > TIMEOUT_INTERVAL) {
            LogNet("ping timeout: " + std::to_string(now - peer.ping_start_time) +
                   "s peer=" + std::to_string(peer.info.id));
            Disconnect(peer, "ping timeout");
        }
        return;
    }
    if (!peer.ping_queued && now - peer.last_ping_time < PING_INTERVAL) return;
    uint64_t nonce = 0;
    while (nonce == 0)
        nonce = m_rng();
    peer.ping_queued = false;
    peer.ping_nonce = nonce;
    peer.ping_start_us = SteadyUs();
    peer.ping_start_time = now;
    peer.last_ping_time = now;
    SendMsg(peer.info.id, net::msgtype::PING, net::Encode(net::PingMessage{nonce}));
}

// ---- connection events -----------------------------------------------------------------

void PeerManager::Impl::HandleConnected(const net::ConnectionInfo& info)
{
    Peer& peer = m_peers[info.id];
    peer.info = info;
    peer.inbound = info.type == net::ConnectionType::INBOUND;
    peer.manual = info.type == net::ConnectionType::MANUAL;
    peer.block_relay_only = info.type == net::ConnectionType::BLOCK_RELAY;
    do {
        peer.our_nonce = m_rng();
    } while (peer.our_nonce == 0);
    m_addrrelay->PeerAdded(info);
    if (!peer.inbound) SendVersion(peer);
}

void PeerManager::Impl::HandleDisconnected(net::NodeId id)
{
    auto it = m_peers.find(id);
    if (it == m_peers.end()) return;
    Peer& peer = it->second;
    if (peer.sync_started) --m_sync_started;
    for (const QueuedBlock& queued : peer.in_flight) {
        auto in = m_blocks_in_flight.find(queued.hash);
        if (in != m_blocks_in_flight.end() && in->second == id) m_blocks_in_flight.erase(in);
    }
    std::erase_if(m_partial_blocks, [id](const auto& entry) { return entry.second.peer == id; });
    // A gone peer cannot be punished; dropping its entries bounds the map.
    std::erase_if(m_block_source, [id](const auto& entry) { return entry.second.first == id; });
    std::erase(m_hb_peers, id);
    if (m_txrelay) m_txrelay->PeerRemoved(id);
    m_addrrelay->PeerRemoved(id);
    m_peers.erase(it);
    LogNet("Cleared nodestate for peer=" + std::to_string(id));
}

void PeerManager::Impl::HandleMessage(net::NodeId id, const net::Message& message)
{
    Peer* peer = GetPeer(id);
    if (peer && !peer->disconnecting) Dispatch(*peer, message);
    if (net::ConnMan* connman = m_connman.load()) {
        connman->MessageProcessed(id, message.payload.size());
    }
}

void PeerManager::Impl::HandleNextMessage(net::NodeId id)
{
    net::Message message;
    bool more;
    {
        std::lock_guard lock{m_inbox_mutex};
        auto it = m_inbox.find(id);
        if (it == m_inbox.end() || it->second.empty()) return;
        message = std::move(it->second.front());
        it->second.pop_front();
        more = !it->second.empty();
        // An empty entry means "no task queued": the next message posts one.
        if (!more) m_inbox.erase(it);
    }
    HandleMessage(id, message);
    if (more) ScheduleNextMessage(id);
}

void PeerManager::Impl::ScheduleNextMessage(net::NodeId id)
{
    if (m_validation.Post([this, id] { HandleNextMessage(id); })) return;
    std::deque<net::Message> dropped;
    {
        std::lock_guard lock{m_inbox_mutex};
        auto it = m_inbox.find(id);
        if (it == m_inbox.end()) return;
        dropped.swap(it->second);
        m_inbox.erase(it);
    }
    if (net::ConnMan* connman = m_connman.load()) {
        for (const auto& message : dropped)
            connman->MessageProcessed(id, message.payload.size());
    }
}

void PeerManager::Impl::LogDecodeFailure(const net::Message& message,
                                         const util::Error& error) const
{
    LogNet("ProcessMessages(" + message.command + ", " + std::to_string(message.payload.size()) +
           " bytes): Exception '" + error.message + "' caught");
}

void PeerManager::Impl::Dispatch(Peer& peer, const net::Message& message)
{
    const std::string& cmd = message.command;
    const std::string peer_str = "peer=" + std::to_string(peer.info.id);
    if (cmd == net::msgtype::VERSION) return OnVersion(peer, message);
    if (!peer.version_received) {
        LogNet("non-version message before version handshake. Message \"" + cmd + "\" from " +
               peer_str);
        return;
    }
    if (cmd == net::msgtype::VERACK) return OnVerack(peer);
    if (cmd == net::msgtype::WTXIDRELAY || cmd == net::msgtype::SENDADDRV2) {
        if (peer.handshake_complete) {
            LogNet(cmd + " received after verack from " + peer_str + "; disconnecting");
            Disconnect(peer, cmd + " after verack");
            return;
        }
        if (cmd == net::msgtype::WTXIDRELAY) {
            if (peer.version >= 70016) peer.wtxid_relay = true;
        } else {
            m_addrrelay->SetAddrV2(peer.info.id);
        }
        return;
    }
    if (!peer.handshake_complete) {
        LogNet("Unsupported message \"" + cmd + "\" prior to verack from " + peer_str);
        return;
    }
    if (cmd == net::msgtype::PING) return OnPing(peer, message);
    if (cmd == net::msgtype::PONG) return OnPong(peer, message);
    if (cmd == net::msgtype::SENDHEADERS) {
        peer.prefer_headers = true;
        return;
    }
    if (cmd == net::msgtype::SENDCMPCT) return OnSendCmpct(peer, message);
    if (cmd == net::msgtype::INV || cmd == net::msgtype::GETDATA || cmd == net::msgtype::NOTFOUND) {
        return OnInvLike(peer, message);
    }
    if (cmd == net::msgtype::GETHEADERS) return OnGetHeaders(peer, message, false);
    if (cmd == net::msgtype::GETBLOCKS) return OnGetHeaders(peer, message, true);
    if (cmd == net::msgtype::HEADERS) return OnHeaders(peer, message);
    if (cmd == net::msgtype::BLOCK) return OnBlock(peer, message);
    if (cmd == net::msgtype::CMPCTBLOCK) return OnCmpctBlock(peer, message);
    if (cmd == net::msgtype::GETBLOCKTXN) return OnGetBlockTxn(peer, message);
    if (cmd == net::msgtype::BLOCKTXN) return OnBlockTxn(peer, message);
    if (cmd == net::msgtype::ADDR || cmd == net::msgtype::ADDRV2) {
        return OnAddrMessage(peer, message);
    }
    if (cmd == net::msgtype::GETADDR) {
        m_addrrelay->OnGetAddr(peer.info.id);
        return;
    }
    if (cmd == net::msgtype::FEEFILTER) return OnFeeFilter(peer, message);
    if (cmd == net::msgtype::TX) {
        if (RejectsIncomingTxs(peer)) {
            LogNet("transaction sent in violation of protocol peer=" +
                   std::to_string(peer.info.id));
            Disconnect(peer, "tx in violation of protocol");
            return;
        }
        // During IBD we cannot validate transactions yet (Core drops them too).
        if (!m_txrelay || m_chainman.IsInitialBlockDownload()) return;
        auto tx = net::DecodeTx(message.payload);
        if (!tx) return LogDecodeFailure(message, tx.error());
        m_txrelay->OnTx(peer.info.id, *tx);
        return;
    }
    // Unknown commands are ignored, as Core does.
    LogNet("Unknown command \"" + cmd + "\" from " + peer_str);
}

// ---- handshake -------------------------------------------------------------------------

void PeerManager::Impl::SendVersion(Peer& peer)
{
    net::VersionMessage msg;
    msg.version = PROTOCOL_VERSION;
    msg.services = m_options.local_services;
    msg.timestamp = Now();
    msg.addr_recv = ToVersionAddress(peer.info.remote, 0);
    msg.addr_from = ToVersionAddress(net::Service{}, m_options.local_services);
    msg.addr_from.ip = {};
    msg.nonce = peer.our_nonce;
    msg.user_agent = m_options.user_agent;
    const kernel::BlockIndex* tip = m_chainman.Tip();
    msg.start_height = tip ? tip->height : 0;
    msg.relay = !m_options.ignore_incoming_txs && !peer.block_relay_only;
    peer.version_sent = true;
    SendMsg(peer.info.id, net::msgtype::VERSION, net::Encode(msg));
    LogNet("send version message: version " + std::to_string(PROTOCOL_VERSION) + ", blocks=" +
           std::to_string(msg.start_height) + ", peer=" + std::to_string(peer.info.id));
}

void PeerManager::Impl::OnVersion(Peer& peer, const net::Message& message)
{
    const std::string peer_str = "peer=" + std::to_string(peer.info.id);
    if (peer.version_received) {
        LogNet("redundant version message from " + peer_str);
        return;
    }
    auto decoded = net::DecodeVersion(message.payload);
    if (!decoded) return LogDecodeFailure(message, decoded.error());
    const net::VersionMessage& msg = *decoded;

    if (!peer.inbound) {
        const uint64_t desired =
            m_chainman.IsInitialBlockDownload() ? DESIRED_SERVICES : DESIRED_SERVICES_LIMITED;
        const bool ok = (msg.services & desired) == desired ||
                        (msg.services & DESIRED_SERVICES) == DESIRED_SERVICES;
        if (!ok && !peer.manual) {
            LogNet(peer_str + " does not offer the expected services (" + Hex8(msg.services) +
                   " offered, " + Hex8(desired) + " expected); disconnecting");
            Disconnect(peer, "missing services");
            return;
        }
    }
    if (msg.version < MIN_PEER_PROTO_VERSION) {
        LogNet(peer_str + " using obsolete version " + std::to_string(msg.version) +
               "; disconnecting");
        Disconnect(peer, "obsolete version");
        return;
    }
    if (peer.inbound) {
        for (const auto& [id, other] : m_peers) {
            if (!other.inbound && other.our_nonce == msg.nonce && msg.nonce != 0) {
                LogNet("connected to self at " + net::ToString(peer.info.remote) +
                       ", disconnecting");
                Disconnect(peer, "connected to self");
                return;
            }
        }
        SendVersion(peer);
    }

    peer.version_received = true;
    peer.version = std::min(msg.version, PROTOCOL_VERSION);
    peer.services = msg.services;
    peer.user_agent = msg.user_agent;
    peer.starting_height = msg.start_height;
    peer.relay = msg.relay;
    peer.time_offset = msg.timestamp - Now();

    if (peer.version >= 70016) SendMsg(peer.info.id, net::msgtype::WTXIDRELAY, {});
    SendMsg(peer.info.id, net::msgtype::SENDADDRV2, {});
    SendMsg(peer.info.id, net::msgtype::VERACK, {});

    LogNet("receive version message: " + msg.user_agent + ": version " +
           std::to_string(msg.version) + ", blocks=" + std::to_string(msg.start_height) +
           ", us=" + net::ToString(peer.info.local) + ", txrelay=" + (msg.relay ? "1" : "0") +
           ", " + peer_str);
    UpdateEviction(peer);
    if (peer.info.type == net::ConnectionType::FEELER) {
        // A feeler only tests that the address answers (Core).
        m_addrman.SetServices(peer.info.remote, peer.services);
        m_addrman.Good(peer.info.remote);
        LogNet("feeler connection completed " + peer_str + "; disconnecting");
        Disconnect(peer, "feeler connection completed");
    }
}

void PeerManager::Impl::OnVerack(Peer& peer)
{
    if (peer.handshake_complete) {
        LogNet("ignoring redundant verack message from peer=" + std::to_string(peer.info.id));
        return;
    }
    peer.handshake_complete = true;
    const net::NodeId id = peer.info.id;
    if (net::ConnMan* connman = m_connman.load()) connman->SetHandshakeComplete(id);
    if (!peer.inbound) {
        m_addrman.SetServices(peer.info.remote, peer.services);
        m_addrman.Good(peer.info.remote);
    }
    if (m_log) {
        m_log->Info("New " + std::string{net::ConnectionTypeName(peer.info.type)} +
                    " v1 peer connected: version: " + std::to_string(peer.version) + ", blocks=" +
                    std::to_string(peer.starting_height) + ", peer=" + std::to_string(id));
    }
    if (peer.version >= 70012) SendMsg(id, net::msgtype::SENDHEADERS, {});
    if (m_options.compact_blocks) {
        SendMsg(id, net::msgtype::SENDCMPCT,
                net::Encode(net::SendCmpctMessage{.high_bandwidth = false, .version = 2}));
    }
    if (m_txrelay) {
        m_txrelay->PeerAdded(id, peer.inbound, peer.relay && !peer.block_relay_only,
                             peer.wtxid_relay);
    }
    m_addrrelay->HandshakeDone(id, peer.services);
    UpdateEviction(peer);
    MaybeStartSync(peer);
}

// ---- small messages --------------------------------------------------------------------

void PeerManager::Impl::OnPing(Peer& peer, const net::Message& message)
{
    auto ping = net::DecodePing(message.payload);
    if (!ping) return LogDecodeFailure(message, ping.error());
    SendMsg(peer.info.id, net::msgtype::PONG, net::Encode(*ping));
}

void PeerManager::Impl::OnPong(Peer& peer, const net::Message& message)
{
    auto pong = net::DecodePing(message.payload);
    const std::string peer_str = "peer=" + std::to_string(peer.info.id);
    if (!pong) {
        LogNet("pong " + peer_str + ": Short payload");
        return;
    }
    if (peer.ping_nonce == 0) {
        LogNet("pong " + peer_str + ": Unsolicited pong without ping");
        return;
    }
    if (pong->nonce == 0) {
        LogNet("pong " + peer_str + ": Nonce zero");
        peer.ping_nonce = 0;
        return;
    }
    if (pong->nonce != peer.ping_nonce) {
        LogNet("pong " + peer_str + ": Nonce mismatch");
        return;
    }
    const int64_t rtt = std::max<int64_t>(SteadyUs() - peer.ping_start_us, 0);
    peer.ping_nonce = 0;
    peer.ping_usec = rtt;
    peer.min_ping_usec = peer.min_ping_usec ? std::min(*peer.min_ping_usec, rtt) : rtt;
    UpdateEviction(peer);
}

void PeerManager::Impl::OnFeeFilter(Peer& peer, const net::Message& message)
{
    auto filter = net::DecodeFeeFilter(message.payload);
    if (!filter) return LogDecodeFailure(message, filter.error());
    if (!consensus::MoneyRange(filter->fee_rate)) return;
    if (m_txrelay) m_txrelay->SetFeeFilter(peer.info.id, filter->fee_rate);
    LogNet("received: feefilter of " + std::to_string(filter->fee_rate) +
           " sat/kvB from peer=" + std::to_string(peer.info.id));
}

void PeerManager::Impl::OnAddrMessage(Peer& peer, const net::Message& message)
{
    const bool v2 = message.command == net::msgtype::ADDRV2;
    auto decoded = v2 ? net::DecodeAddrV2(message.payload) : net::DecodeAddr(message.payload);
    if (!decoded) {
        const auto count = LeadingCount(message.payload);
        if (count && *count > net::MAX_ADDR_TO_SEND) {
            Misbehaving(peer.info.id, "addr message size = " + std::to_string(*count));
            return;
        }
        return LogDecodeFailure(message, decoded.error());
    }
    if (decoded->entries.size() > net::MAX_ADDR_TO_SEND) {
        Misbehaving(peer.info.id, "addr message size = " + std::to_string(decoded->entries.size()));
        return;
    }
    m_addrrelay->OnAddr(peer.info.id, *decoded);
    if (peer.info.type == net::ConnectionType::ADDR_FETCH && decoded->entries.size() > 1) {
        LogNet("addrfetch connection completed peer=" + std::to_string(peer.info.id) +
               "; disconnecting");
        Disconnect(peer, "addrfetch connection completed");
    }
}

void PeerManager::Impl::OnInvLike(Peer& peer, const net::Message& message)
{
    auto decoded = net::DecodeInv(message.payload);
    const std::string& cmd = message.command;
    if (!decoded) {
        const auto count = LeadingCount(message.payload);
        if (count && *count > net::MAX_INV_SZ && cmd != net::msgtype::NOTFOUND) {
            Misbehaving(peer.info.id, cmd + " message size = " + std::to_string(*count));
            return;
        }
        return LogDecodeFailure(message, decoded.error());
    }
    std::vector<net::Inv>& items = decoded->entries;
    auto is_tx = [](const net::Inv& inv) {
        const uint32_t base = inv.type & ~net::MSG_WITNESS_FLAG;
        return base == net::MSG_TX || base == net::MSG_WTX;
    };
    std::vector<net::Inv> tx_items;
    std::vector<net::Inv> block_items;
    for (const net::Inv& inv : items) {
        (is_tx(inv) ? tx_items : block_items).push_back(inv);
    }
    if (cmd == net::msgtype::INV) {
        // Core v28: a peer told not to send transactions (block-relay-only, or -blocksonly)
        // that announces one anyway is dropped, without discouragement.
        if (!tx_items.empty() && RejectsIncomingTxs(peer)) {
            LogNet("transaction (" + tx_items.front().hash.GetHex() +
                   ") inv sent in violation of protocol, disconnecting peer=" +
                   std::to_string(peer.info.id));
            Disconnect(peer, "tx inv in violation of protocol");
            return;
        }
        OnBlockInv(peer, block_items);
        if (m_txrelay && !tx_items.empty() && !m_chainman.IsInitialBlockDownload()) {
            m_txrelay->OnInv(peer.info.id, tx_items);
        }
    } else if (cmd == net::msgtype::GETDATA) {
        // A peer that does not read its answers cannot make us queue without bound.
        if (peer.getdata_queue.size() > net::MAX_INV_SZ) {
            LogNet("getdata queue full, ignoring request from peer=" +
                   std::to_string(peer.info.id));
            return;
        }
        peer.getdata_queue.insert(peer.getdata_queue.end(), items.begin(), items.end());
        ProcessGetData(peer);
    } else if (m_txrelay && !tx_items.empty()) {
        m_txrelay->OnNotFound(peer.info.id, tx_items);
    }
}

PeerStats PeerManager::Impl::StatsOf(const Peer& peer) const
{
    PeerStats stats;
    stats.id = peer.info.id;
    stats.version = peer.version_received ? peer.version : 0;
    stats.services = peer.services;
    stats.user_agent = peer.user_agent;
    stats.starting_height = peer.starting_height;
    stats.synced_headers = peer.best_known ? peer.best_known->height : -1;
    if (peer.presync && peer.presync->GetPhase() == HeadersPresync::Phase::PRESYNC) {
        stats.presynced_headers =
            peer.presync_fork_height + static_cast<int>(peer.presync->PresyncedCount());
    }
    stats.synced_blocks = peer.last_common ? peer.last_common->height : -1;
    for (const QueuedBlock& queued : peer.in_flight)
        stats.inflight.push_back(queued.height);
    stats.relay_txs = peer.relay && !peer.block_relay_only;
    stats.bip152_hb_to = peer.hb_to;
    stats.bip152_hb_from = peer.hb_from;
    stats.ping_usec = peer.ping_usec;
    stats.min_ping_usec = peer.min_ping_usec;
    if (peer.ping_nonce != 0) stats.ping_wait_usec = SteadyUs() - peer.ping_start_us;
    stats.time_offset = peer.time_offset;
    stats.last_block_time = peer.last_block_time;
    stats.wtxid_relay = peer.wtxid_relay;
    stats.handshake_complete = peer.handshake_complete;
    stats.compact_blocks_reconstructed = peer.cmpct_reconstructed;
    stats.compact_blocks_fetched_missing = peer.cmpct_fetched_missing;
    if (m_txrelay) {
        const TxRelayPeerStats tx = m_txrelay->GetStats(peer.info.id);
        stats.relay_txs = tx.relay_txs;
        stats.last_tx_time = tx.last_tx_time;
        stats.min_fee_filter = tx.min_fee_filter;
    }
    const AddrRelayPeerStats addr = m_addrrelay->GetStats(peer.info.id);
    stats.addr_relay_enabled = addr.addr_relay_enabled;
    stats.addr_processed = addr.addr_processed;
    stats.addr_rate_limited = addr.addr_rate_limited;
    return stats;
}

// ---- PeerManager -----------------------------------------------------------------------

PeerManager::PeerManager(kernel::ChainstateManager& chainman, kernel::TxMemPool* mempool,
                         const kernel::PolicyOptions& policy, net::AddrMan& addrman,
                         net::BanMan& banman, util::SerialExecutor& validation,
                         PeerManOptions options)
    : m_impl{std::make_unique<Impl>(*this, chainman, mempool, policy, addrman, banman, validation,
                                    std::move(options))}
{}

PeerManager::~PeerManager()
{
    Stop();
    m_impl->m_events->m_impl = nullptr;
    // Let tasks already queued for us run before the state goes away.
    try {
        m_impl->m_validation.Run([] {});
    } catch (const util::ExecutorStopped&) {
    }
}

void PeerManager::Start(net::ConnMan& connman)
{
    m_impl->m_connman = &connman;
    m_impl->StartTicker();
}

void PeerManager::Stop()
{
    m_impl->StopTicker();
}

std::shared_ptr<kernel::ValidationEvents> PeerManager::Events() const
{
    return m_impl->m_events;
}

void PeerManager::OnConnected(const net::ConnectionInfo& info)
{
    Impl* impl = m_impl.get();
    impl->m_validation.Post([impl, info] { impl->HandleConnected(info); });
}

void PeerManager::OnMessage(net::NodeId id, net::Message message)
{
    Impl* impl = m_impl.get();
    {
        std::lock_guard lock{impl->m_inbox_mutex};
        auto& queue = impl->m_inbox[id];
        queue.push_back(std::move(message));
        // The peer's task is already queued; it will come back for this one.
        if (queue.size() > 1) return;
    }
    impl->ScheduleNextMessage(id);
}

void PeerManager::OnDisconnected(net::NodeId id)
{
    Impl* impl = m_impl.get();
    impl->m_validation.Post([impl, id] { impl->HandleDisconnected(id); });
}

bool PeerManager::Send(net::NodeId id, std::string_view command, std::vector<uint8_t> payload)
{
    return m_impl->SendMsg(id, command, std::move(payload));
}

void PeerManager::Misbehaving(net::NodeId id, std::string_view reason)
{
    m_impl->Misbehaving(id, reason);
}

std::vector<PeerStats> PeerManager::GetPeerStats() const
{
    auto collect = [this] {
        std::vector<PeerStats> out;
        for (const auto& [id, peer] : m_impl->m_peers)
            out.push_back(m_impl->StatsOf(peer));
        return out;
    };
    try {
        return m_impl->m_validation.Run(collect);
    } catch (const util::ExecutorStopped&) {
        return {};
    }
}

void PeerManager::SendPings()
{
    Impl* impl = m_impl.get();
    auto queue = [impl] {
        for (auto& [id, peer] : impl->m_peers)
            peer.ping_queued = true;
    };
    // Callers on other threads (RPC) must not touch executor state directly.
    if (impl->m_validation.OnExecutorThread()) {
        queue();
    } else {
        impl->m_validation.Post(queue);
    }
}

void PeerManager::RelayTransaction(const consensus::Uint256& txid, const consensus::Uint256& wtxid)
{
    Impl* impl = m_impl.get();
    if (!impl->m_txrelay) return;
    if (impl->m_validation.OnExecutorThread()) {
        impl->m_txrelay->RelayTransaction(txid, wtxid);
    } else {
        impl->m_validation.Post(
            [impl, txid, wtxid] { impl->m_txrelay->RelayTransaction(txid, wtxid); });
    }
}

util::Expected<void> PeerManager::FetchBlock(net::NodeId id, const consensus::Uint256& hash)
{
    if (!m_impl->m_validation.OnExecutorThread()) {
        try {
            return m_impl->m_validation.Run([&] { return FetchBlock(id, hash); });
        } catch (const util::ExecutorStopped&) {
            return util::Unexpected("Shutting down");
        }
    }
    Impl& impl = *m_impl;
    Peer* peer = impl.GetPeer(id);
    if (!peer || peer->disconnecting || !peer->handshake_complete) {
        return util::Unexpected("Peer does not exist");
    }
    if (!(peer->services & net::NODE_WITNESS)) return util::Unexpected("Pre-SegWit peer");
    const kernel::BlockIndex* index = impl.m_chainman.LookupBlockIndex(hash);
    if (!index) return util::Unexpected("Block header missing");
    if (index->HaveData()) return util::Unexpected("Block already downloaded");
    impl.RemoveBlockRequest(hash, std::nullopt);
    if (!impl.RequestBlock(*peer, *index)) {
        return util::Unexpected("Already requested from this peer");
    }
    net::InvMessage getdata;
    getdata.entries.push_back(net::Inv{net::MSG_BLOCK | net::MSG_WITNESS_FLAG, hash});
    if (!impl.SendMsg(id, net::msgtype::GETDATA, net::Encode(getdata))) {
        return util::Unexpected("Peer not fully connected");
    }
    impl.LogNet("Requesting block " + hash.GetHex() + " from peer=" + std::to_string(id));
    return {};
}

bool PeerManager::IsSyncing() const
{
    if (!m_impl->m_validation.OnExecutorThread()) {
        try {
            return m_impl->m_validation.Run([&] { return IsSyncing(); });
        } catch (const util::ExecutorStopped&) {
            return false;
        }
    }
    const kernel::BlockIndex* tip = m_impl->m_chainman.Tip();
    const kernel::BlockIndex* best = m_impl->m_chainman.BestHeader();
    if (!tip || !best) return false;
    return best->height > tip->height + 6 || m_impl->m_chainman.IsInitialBlockDownload();
}

} // namespace node
