#include <node/net_interface.h>

#include <net/netaddress.h>
#include <node/net_setup.h>
#include <util/executor.h>

#include <algorithm>
#include <chrono>
#include <map>

#ifndef MINIBIT_VERSION
#define MINIBIT_VERSION "0.0.0"
#endif

namespace node {

namespace {

// NODE_NETWORK | NODE_WITNESS, what Core assumes of an address added by addpeeraddress.
constexpr uint64_t ADDPEER_SERVICES{1 | 8};
// Core's LOCAL_MANUAL score for -externalip addresses.
constexpr int LOCAL_MANUAL_SCORE{4};
// Core's TimeOffsets: the median needs this many outbound samples, else it is 0.
constexpr size_t MIN_TIME_OFFSET_SAMPLES{5};

std::optional<double> UsecToSeconds(const std::optional<int64_t>& usec)
{
    if (!usec || *usec <= 0) return std::nullopt;
    return static_cast<double>(*usec) / 1e6;
}

interfaces::NetFailure Failure(interfaces::NetError error, std::string message)
{
    return interfaces::NetFailure{error, std::move(message)};
}

std::string NetworkOf(const net::NetAddr& addr)
{
    if (!net::IsRoutable(addr)) return "not_publicly_routable";
    return std::string{net::NetworkName(addr.net)};
}

} // namespace

int ClientVersionNumber(std::string_view version)
{
    int parts[3]{0, 0, 0};
    size_t index = 0;
    bool digit_seen = false;
    for (const char c : version) {
        if (c >= '0' && c <= '9') {
            parts[index] = parts[index] * 10 + (c - '0');
            if (parts[index] > 9999) return 0;
            digit_seen = true;
        } else if (c == '.' && digit_seen && index < 2) {
            ++index;
            digit_seen = false;
        } else {
            return 0;
        }
    }
    if (!digit_seen || index != 2) return 0;
    return 10000 * parts[0] + 100 * parts[1] + parts[2];
}

std::string SanitizeSubVersion(std::string_view text)
{
    static constexpr std::string_view SAFE{" .,;-_/:?@()"};
    std::string out;
    for (const char c : text) {
        const bool alnum =
            (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
        if (alnum || SAFE.find(c) != std::string_view::npos) out += c;
    }
    return out;
}

NetInterface::NetInterface(NetStack& stack, util::SerialExecutor& validation,
                           std::function<int64_t()> clock)
    : m_stack{stack}, m_validation{validation}, m_clock{std::move(clock)}
{}

int64_t NetInterface::Now() const
{
    if (m_clock) return m_clock();
    return std::chrono::duration_cast<std::chrono::seconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

std::vector<interfaces::PeerInfo> NetInterface::GetPeerInfo()
{
    const std::vector<net::ConnectionStats> connections = m_stack.Connections().GetStats();
    std::vector<PeerStats> peer_stats;
    try {
        peer_stats = m_validation.Run([this] { return m_stack.Peers().GetPeerStats(); });
    } catch (const util::ExecutorStopped&) {
        return {}; // shutting down: no peer is fully there any more
    }
    std::map<net::NodeId, const PeerStats*> by_id;
    for (const PeerStats& stats : peer_stats)
        by_id.emplace(stats.id, &stats);

    std::vector<interfaces::PeerInfo> result;
    for (const net::ConnectionStats& conn : connections) {
        const auto it = by_id.find(conn.info.id);
        // Like Core, a connection the peer manager does not know (yet, or any more) is left out.
        if (it == by_id.end()) continue;
        const PeerStats& peer = *it->second;
        interfaces::PeerInfo info;
        info.id = conn.info.id;
        info.addr = net::ToString(conn.info.remote);
        if (!conn.info.local.addr.bytes.empty()) info.addr_bind = net::ToString(conn.info.local);
        info.network = NetworkOf(conn.info.remote.addr);
        info.services = peer.services;
        info.relay_txs = peer.relay_txs;
        info.last_send = conn.last_send;
        info.last_recv = conn.last_recv;
        info.last_transaction = peer.last_tx_time;
        info.last_block = peer.last_block_time;
        info.bytes_sent = conn.bytes_sent;
        info.bytes_recv = conn.bytes_recv;
        info.conn_time = conn.info.connected_time;
        info.time_offset = peer.time_offset;
        info.ping_time = UsecToSeconds(peer.ping_usec);
        info.min_ping = UsecToSeconds(peer.min_ping_usec);
        info.ping_wait = UsecToSeconds(peer.ping_wait_usec);
        info.version = peer.version;
        info.subver = SanitizeSubVersion(peer.user_agent);
        info.inbound = conn.info.type == net::ConnectionType::INBOUND;
        info.bip152_hb_to = peer.bip152_hb_to;
        info.bip152_hb_from = peer.bip152_hb_from;
        info.starting_height = peer.starting_height;
        info.presynced_headers = peer.presynced_headers;
        info.synced_headers = peer.synced_headers;
        info.synced_blocks = peer.synced_blocks;
        info.inflight = peer.inflight;
        info.addr_relay_enabled = peer.addr_relay_enabled;
        info.addr_processed = peer.addr_processed;
        info.addr_rate_limited = peer.addr_rate_limited;
        info.min_fee_filter = peer.min_fee_filter;
        info.bytes_sent_per_msg = conn.bytes_sent_per_msg;
        info.bytes_recv_per_msg = conn.bytes_recv_per_msg;
        info.connection_type = std::string{net::ConnectionTypeName(conn.info.type)};
        info.transport_protocol_type = "v1";
        info.cmpct_reconstructed = peer.compact_blocks_reconstructed;
        info.cmpct_fetched_missing = peer.compact_blocks_fetched_missing;
        result.push_back(std::move(info));
    }
    return result;
}

int NetInterface::GetConnectionCount()
{
    return static_cast<int>(m_stack.Connections().Count());
}

interfaces::NetworkInfo NetInterface::GetNetworkInfo()
{
    const NetSetup& setup = m_stack.Setup();
    interfaces::NetworkInfo info;
    info.local_services = setup.peerman.local_services;
    info.local_relay = !setup.peerman.ignore_incoming_txs;
    const int total = static_cast<int>(m_stack.Connections().Count());
    info.connections_in =
        static_cast<int>(m_stack.Connections().Count(net::ConnectionType::INBOUND));
    info.connections_out = total - info.connections_in;
    info.network_active = m_stack.Connections().NetworkActive();
    // No proxies: the clearnet networks are the reachable ones.
    info.reachable_networks = {"ipv4", "ipv6"};
    for (const net::Service& external : setup.external_ips) {
        info.local_addresses.push_back(interfaces::LocalAddress{net::ToString(external.addr),
                                                                external.port, LOCAL_MANUAL_SCORE});
    }
    info.version = ClientVersionNumber(MINIBIT_VERSION);
    info.subversion = setup.peerman.user_agent;
    info.protocol_version = PROTOCOL_VERSION;

    // Core's timeoffset: the median offset of outbound peers, 0 with fewer than 5.
    std::vector<int64_t> offsets;
    try {
        const auto peers = m_validation.Run([this] { return m_stack.Peers().GetPeerStats(); });
        std::map<net::NodeId, int64_t> offset_by_id;
        for (const PeerStats& peer : peers) {
            if (peer.handshake_complete) offset_by_id[peer.id] = peer.time_offset;
        }
        for (const net::ConnectionStats& conn : m_stack.Connections().GetStats()) {
            if (conn.info.type == net::ConnectionType::INBOUND) continue;
            const auto it = offset_by_id.find(conn.info.id);
            if (it != offset_by_id.end()) offsets.push_back(it->second);
        }
    } catch (const util::ExecutorStopped&) {
        offsets.clear();
    }
    if (offsets.size() >= MIN_TIME_OFFSET_SAMPLES) {
        std::sort(offsets.begin(), offsets.end());
        info.time_offset = offsets[offsets.size() / 2];
    }
    return info;
}

interfaces::NetTotals NetInterface::GetNetTotals()
{
    const net::NetTotals totals = m_stack.Connections().Totals();
    interfaces::NetTotals result;
    result.total_bytes_recv = totals.bytes_recv;
    result.total_bytes_sent = totals.bytes_sent;
    result.time_millis = std::chrono::duration_cast<std::chrono::milliseconds>(
                             std::chrono::system_clock::now().time_since_epoch())
                             .count();
    return result;
}

std::optional<interfaces::NetFailure> NetInterface::AddNode(const std::string& node,
                                                            const std::string& command)
{
    AddNodeCommand cmd = AddNodeCommand::ONETRY;
    if (command == "add") {
        cmd = AddNodeCommand::ADD;
    } else if (command == "remove") {
        cmd = AddNodeCommand::REMOVE;
    } else if (command != "onetry") {
        return Failure(interfaces::NetError::INVALID_ADDRESS, "Error: unknown command " + command);
    }
    switch (m_stack.Opener().AddNode(node, cmd)) {
    case AddNodeResult::OK:
        return std::nullopt;
    case AddNodeResult::ALREADY_ADDED:
        return Failure(interfaces::NetError::NODE_ALREADY_ADDED, "Error: Node already added");
    case AddNodeResult::NOT_ADDED:
        return Failure(interfaces::NetError::NODE_NOT_ADDED,
                       "Error: Node could not be removed. It has not been added previously.");
    case AddNodeResult::INVALID:
        return Failure(interfaces::NetError::INVALID_ADDRESS, "Error: Invalid address: " + node);
    }
    return std::nullopt;
}

std::optional<interfaces::NetFailure> NetInterface::DisconnectNode(const std::string& address,
                                                                   std::optional<int64_t> id)
{
    const auto not_connected =
        Failure(interfaces::NetError::NODE_NOT_CONNECTED, "Node not found in connected nodes");
    net::ConnMan& connman = m_stack.Connections();
    if (id) {
        if (!connman.Disconnect(*id, "disconnectnode")) return not_connected;
        return std::nullopt;
    }
    const auto service = net::ParseService(address, m_stack.Setup().opener.default_port);
    if (!service) return not_connected;
    const auto found = connman.Find(*service);
    if (!found || !connman.Disconnect(*found, "disconnectnode")) return not_connected;
    return std::nullopt;
}

std::vector<interfaces::AddedNodeInfo>
NetInterface::GetAddedNodeInfo(const std::optional<std::string>& node)
{
    std::vector<interfaces::AddedNodeInfo> result;
    for (const AddedNodeStatus& status : m_stack.Opener().GetAddedNodeInfo(node)) {
        interfaces::AddedNodeInfo info;
        info.added_node = status.added_node;
        info.connected = status.connected;
        if (status.connected && status.resolved) {
            info.addresses.emplace_back(net::ToString(*status.resolved),
                                        status.inbound ? "inbound" : "outbound");
        }
        result.push_back(std::move(info));
    }
    return result;
}

std::vector<interfaces::NodeAddress>
NetInterface::GetNodeAddresses(size_t count, const std::optional<std::string>& network)
{
    std::optional<net::Network> filter;
    if (network) {
        filter = net::ParseNetworkName(*network);
        if (!filter) return {};
    }
    std::vector<interfaces::NodeAddress> result;
    for (const net::AddrEntry& entry : m_stack.Addresses().GetAddr(count, 0, filter)) {
        const net::Service service = net::ToService(entry);
        interfaces::NodeAddress address;
        address.time = entry.time;
        address.services = entry.services;
        address.address = net::ToString(service.addr);
        address.port = service.port;
        address.network = std::string{net::NetworkName(service.addr.net)};
        result.push_back(std::move(address));
    }
    return result;
}

std::optional<interfaces::NetFailure> NetInterface::SetBan(const std::string& subnet_text,
                                                           const std::string& command,
                                                           int64_t bantime, bool absolute)
{
    using interfaces::NetError;
    const auto subnet = net::ParseSubnet(subnet_text);
    if (!subnet) return Failure(NetError::INVALID_SUBNET, "Error: Invalid IP/Subnet");
    net::BanMan& banman = m_stack.Bans();
    if (command == "remove") {
        if (!banman.Unban(*subnet)) {
            return Failure(NetError::UNBAN_FAILED, "Error: Unban failed. Requested "
                                                   "address/subnet was not previously manually "
                                                   "banned.");
        }
        (void)banman.Save();
        return std::nullopt;
    }
    if (command != "add") return Failure(NetError::INVALID_SUBNET, "Error: unknown command");
    // Core asks about a single address whether any ban covers it, about a subnet
    // whether exactly that subnet is banned (Ban refuses that).
    const bool single_host = subnet_text.find('/') == std::string::npos;
    if (single_host && banman.IsBanned(subnet->addr)) {
        return Failure(NetError::ALREADY_BANNED, "Error: IP/Subnet already banned");
    }
    if (!single_host) {
        for (const net::BanEntry& ban : banman.GetBanned()) {
            if (ban.subnet == *subnet) {
                return Failure(NetError::ALREADY_BANNED, "Error: IP/Subnet already banned");
            }
        }
    }
    if (absolute && bantime < Now()) {
        return Failure(NetError::ABSOLUTE_TIME_IN_PAST, "Error: Absolute timestamp is in the past");
    }
    // 0 (or less) is the default 24 hours counted from now, as in Core.
    const bool use_default = bantime <= 0;
    if (!banman.Ban(*subnet, use_default ? net::DEFAULT_MISBEHAVING_BANTIME : bantime,
                    use_default ? false : absolute)) {
        return Failure(NetError::ALREADY_BANNED, "Error: IP/Subnet already banned");
    }
    (void)banman.Save();
    net::ConnMan& connman = m_stack.Connections();
    for (const net::ConnectionStats& conn : connman.GetStats()) {
        if (net::Match(*subnet, conn.info.remote.addr)) connman.Disconnect(conn.info.id, "banned");
    }
    return std::nullopt;
}

std::vector<interfaces::BannedSubnet> NetInterface::ListBanned()
{
    std::vector<interfaces::BannedSubnet> result;
    for (const net::BanEntry& ban : m_stack.Bans().GetBanned()) {
        result.push_back(
            interfaces::BannedSubnet{net::ToString(ban.subnet), ban.ban_created, ban.banned_until});
    }
    return result;
}

void NetInterface::ClearBanned()
{
    m_stack.Bans().ClearBanned();
    (void)m_stack.Bans().Save();
}

void NetInterface::Ping()
{
    try {
        m_validation.Run([this] { m_stack.Peers().SendPings(); });
    } catch (const util::ExecutorStopped&) {
        // Shutting down: nobody is left to ping.
    }
}

bool NetInterface::SetNetworkActive(bool active)
{
    m_stack.Connections().SetNetworkActive(active);
    return m_stack.Connections().NetworkActive();
}

std::optional<interfaces::NetFailure> NetInterface::GetBlockFromPeer(const consensus::Uint256& hash,
                                                                     int64_t peer_id)
{
    using interfaces::NetError;
    util::Expected<void> fetched = util::Unexpected("Shutting down");
    try {
        fetched = m_validation.Run([&] { return m_stack.Peers().FetchBlock(peer_id, hash); });
    } catch (const util::ExecutorStopped&) {
        return Failure(NetError::P2P_DISABLED,
                       "Error: Peer-to-peer functionality missing or disabled");
    }
    if (fetched) return std::nullopt;
    const std::string& message = fetched.error().message;
    if (message == "Peer does not exist") return Failure(NetError::PEER_NOT_FOUND, message);
    if (message == "Block header missing") return Failure(NetError::BLOCK_HEADER_MISSING, message);
    if (message == "Block already downloaded") {
        return Failure(NetError::BLOCK_ALREADY_HAVE, message);
    }
    return Failure(NetError::PEER_CANNOT_SERVE, message);
}

interfaces::AddPeerAddressResult NetInterface::AddPeerAddress(const std::string& address,
                                                              uint16_t port, bool tried)
{
    interfaces::AddPeerAddressResult result;
    const auto addr = net::ParseNetAddr(address);
    if (!addr) return result; // Core: success false, no error text
    const net::Service service{*addr, port};
    const net::AddrEntry entry =
        net::ToAddrEntry(service, ADDPEER_SERVICES, static_cast<uint32_t>(Now()));
    net::AddrMan& addrman = m_stack.Addresses();
    // The address is its own source, as if the peer had announced itself.
    if (addrman.Add(std::span<const net::AddrEntry>{&entry, 1}, *addr) == 0) {
        result.error = "failed-adding-to-new";
        return result;
    }
    result.success = true;
    if (tried) {
        addrman.Good(service);
        const auto found = addrman.Find(service);
        if (!found || !found->in_tried) {
            result.success = false;
            result.error = "failed-adding-to-tried";
        }
    }
    return result;
}

} // namespace node
