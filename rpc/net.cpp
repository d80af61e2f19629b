// network: getpeerinfo, getnetworkinfo, getconnectioncount, getnettotals, addnode,
// disconnectnode, getaddednodeinfo, getnodeaddresses, setban, listbanned, clearbanned, ping,
// setnetworkactive; getblockfrompeer (blockchain) and addpeeraddress (hidden). Everything is
// reached through interfaces::Net; names, results and errors follow Bitcoin Core v28.
#include <rpc/dispatch.h>
#include <rpc/register.h>
#include <rpc/services.h>
#include <rpc/util.h>

#include <interfaces/chain.h>
#include <interfaces/mempool.h>
#include <interfaces/net.h>

#include <chrono>
#include <cstdio>
#include <limits>
#include <string>
#include <vector>

namespace rpc {

namespace {

// Core's default -minrelaytxfee and -incrementalrelayfee (sat/kvB), used when the chain does
// not report its pool's policy.
constexpr consensus::Amount DEFAULT_MIN_RELAY_FEE{1000};
constexpr consensus::Amount DEFAULT_INCREMENTAL_RELAY_FEE{1000};
// Core's -maxuploadtarget measuring window; minibit has no upload target.
constexpr int64_t UPLOAD_TIMEFRAME_SECONDS{60 * 60 * 24};

const char* const NETWORK_NAMES[]{"ipv4", "ipv6", "onion", "i2p", "cjdns"};

interfaces::Net& EnsureNet(const Services& services)
{
    if (!services.net) {
        ThrowRpc(RPC_CLIENT_P2P_DISABLED, "Error: Peer-to-peer functionality missing or disabled");
    }
    return *services.net;
}

[[noreturn]] void ThrowNetFailure(const interfaces::NetFailure& failure)
{
    using interfaces::NetError;
    int code = RPC_MISC_ERROR;
    std::string fallback;
    switch (failure.error) {
    case NetError::NODE_ALREADY_ADDED:
        code = RPC_CLIENT_NODE_ALREADY_ADDED;
        fallback = "Error: Node already added";
        break;
    case NetError::NODE_NOT_ADDED:
        code = RPC_CLIENT_NODE_NOT_ADDED;
        fallback = "Error: Node could not be removed. It has not been added previously.";
        break;
    case NetError::NODE_NOT_CONNECTED:
        code = RPC_CLIENT_NODE_NOT_CONNECTED;
        fallback = "Node not found in connected nodes";
        break;
    case NetError::INVALID_SUBNET:
        code = RPC_CLIENT_INVALID_IP_OR_SUBNET;
        fallback = "Error: Invalid IP/Subnet";
        break;
    case NetError::ALREADY_BANNED:
        code = RPC_CLIENT_NODE_ALREADY_ADDED;
        fallback = "Error: IP/Subnet already banned";
        break;
    case NetError::UNBAN_FAILED:
        code = RPC_CLIENT_INVALID_IP_OR_SUBNET;
        fallback = "Error: Unban failed. Requested address/subnet was not previously manually "
                   "banned.";
        break;
    case NetError::INVALID_ADDRESS:
        code = RPC_INVALID_PARAMETER;
        fallback = "Error: Invalid address";
        break;
    case NetError::PEER_NOT_FOUND:
        fallback = "Peer does not exist";
        break;
    case NetError::BLOCK_HEADER_MISSING:
        fallback = "Block header missing";
        break;
    case NetError::BLOCK_ALREADY_HAVE:
        fallback = "Block already downloaded";
        break;
    case NetError::PEER_CANNOT_SERVE:
        fallback = "Peer cannot serve this block";
        break;
    case NetError::ABSOLUTE_TIME_IN_PAST:
        code = RPC_INVALID_PARAMETER;
        fallback = "Error: Absolute timestamp is in the past";
        break;
    case NetError::P2P_DISABLED:
        code = RPC_CLIENT_P2P_DISABLED;
        fallback = "Error: Peer-to-peer functionality missing or disabled";
        break;
    }
    ThrowRpc(code, failure.message.empty() ? fallback : failure.message);
}

// "%016x" as Core prints service bits.
std::string ServicesHex(uint64_t services)
{
    char text[17];
    std::snprintf(text, sizeof(text), "%016llx", static_cast<unsigned long long>(services));
    return text;
}

int64_t NowSeconds()
{
    return std::chrono::duration_cast<std::chrono::seconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

// Core's GetServicesNames: known bits by name, others as UNKNOWN[2^n], lowest bit first.
Json ServicesNames(uint64_t services)
{
    Json names = Json::array();
    for (int bit = 0; bit < 64; ++bit) {
        const uint64_t flag = uint64_t{1} << bit;
        if (!(services & flag)) continue;
        switch (bit) {
        case 0:
            names.push_back("NETWORK");
            break;
        case 2:
            names.push_back("BLOOM");
            break;
        case 3:
            names.push_back("WITNESS");
            break;
        case 6:
            names.push_back("COMPACT_FILTERS");
            break;
        case 10:
            names.push_back("NETWORK_LIMITED");
            break;
        case 11:
            names.push_back("P2P_V2");
            break;
        default:
            names.push_back("UNKNOWN[2^" + std::to_string(bit) + "]");
        }
    }
    return names;
}

// One getpeerinfo entry, fields in Core's order, then minibit's own.
Json PeerInfoToJson(const interfaces::PeerInfo& peer)
{
    Json obj{{"id", peer.id}, {"addr", peer.addr}};
    if (!peer.addr_bind.empty()) obj["addrbind"] = peer.addr_bind;
    if (!peer.addr_local.empty()) obj["addrlocal"] = peer.addr_local;
    obj["network"] = peer.network;
    obj["services"] = ServicesHex(peer.services);
    obj["servicesnames"] = ServicesNames(peer.services);
    obj["relaytxes"] = peer.relay_txs;
    obj["lastsend"] = peer.last_send;
    obj["lastrecv"] = peer.last_recv;
    obj["last_transaction"] = peer.last_transaction;
    obj["last_block"] = peer.last_block;
    obj["bytessent"] = peer.bytes_sent;
    obj["bytesrecv"] = peer.bytes_recv;
    obj["conntime"] = peer.conn_time;
    obj["timeoffset"] = peer.time_offset;
    if (peer.ping_time) obj["pingtime"] = *peer.ping_time;
    if (peer.min_ping) obj["minping"] = *peer.min_ping;
    if (peer.ping_wait) obj["pingwait"] = *peer.ping_wait;
    obj["version"] = peer.version;
    obj["subver"] = peer.subver;
    obj["inbound"] = peer.inbound;
    obj["bip152_hb_to"] = peer.bip152_hb_to;
    obj["bip152_hb_from"] = peer.bip152_hb_from;
    obj["startingheight"] = peer.starting_height;
    obj["presynced_headers"] = peer.presynced_headers;
    obj["synced_headers"] = peer.synced_headers;
    obj["synced_blocks"] = peer.synced_blocks;
    obj["inflight"] = peer.inflight;
    obj["addr_relay_enabled"] = peer.addr_relay_enabled;
    obj["addr_processed"] = peer.addr_processed;
    obj["addr_rate_limited"] = peer.addr_rate_limited;
    obj["permissions"] = peer.permissions;
    obj["minfeefilter"] = AmountToJson(peer.min_fee_filter);
    // Core lists only message types with bytes.
    Json sent = Json::object();
    for (const auto& [command, bytes] : peer.bytes_sent_per_msg) {
        if (bytes > 0) sent[command] = bytes;
    }
    Json recv = Json::object();
    for (const auto& [command, bytes] : peer.bytes_recv_per_msg) {
        if (bytes > 0) recv[command] = bytes;
    }
    obj["bytessent_per_msg"] = std::move(sent);
    obj["bytesrecv_per_msg"] = std::move(recv);
    obj["connection_type"] = peer.connection_type;
    obj["transport_protocol_type"] = peer.transport_protocol_type;
    obj["session_id"] = peer.session_id;
    obj["minibit_cmpct_reconstructed"] = peer.cmpct_reconstructed;
    obj["minibit_cmpct_fetched_missing"] = peer.cmpct_fetched_missing;
    return obj;
}

std::string ConnectionTypeDoc()
{
    return "Type of connection: \n"
           "outbound-full-relay (default automatic connections),\n"
           "block-relay-only (does not relay transactions or addresses),\n"
           "inbound (initiated by the peer),\n"
           "manual (added via addnode RPC or -addnode/-connect configuration options),\n"
           "addr-fetch (short-lived automatic connection for soliciting addresses),\n"
           "feeler (short-lived automatic connection for testing addresses).\n"
           "The names may change in later releases.";
}

Method GetConnectionCount(const Services& services)
{
    return Method{
        "getconnectioncount",
        "network",
        "How many peers the node is connected to, inbound and outbound together.",
        {},
        {ResultDoc{ResultType::NUM, "", "The connection count"}},
        HelpExampleCli("getconnectioncount", "") + HelpExampleRpc("getconnectioncount", ""),
        [&services](const Request&) -> Result {
            return Json(EnsureNet(services).GetConnectionCount());
        },
    };
}

Method Ping(const Services& services)
{
    return Method{
        "ping",
        "network",
        "Sends a ping to every peer. The round trips show up in getpeerinfo's pingtime and "
        "pingwait fields, in decimal seconds. The pong is handled in order with the peer's "
        "other messages, so the time includes any processing backlog.",
        {},
        {ResultDoc{ResultType::NONE, "", ""}},
        HelpExampleCli("ping", "") + HelpExampleRpc("ping", ""),
        [&services](const Request&) -> Result {
            EnsureNet(services).Ping();
            return Json(nullptr);
        },
    };
}

Method GetPeerInfo(const Services& services)
{
    return Method{
        "getpeerinfo",
        "network",
        "One object per connected peer.\n"
        "minibit adds two fields of its own, not in Bitcoin Core: "
        "minibit_cmpct_reconstructed (compact blocks from this peer rebuilt from our mempool "
        "alone) and minibit_cmpct_fetched_missing (those that needed a getblocktxn round trip).",
        {},
        {ResultDoc{
            ResultType::ARR,
            "",
            "",
            {ResultDoc{
                ResultType::OBJ,
                "",
                "",
                {
                    ResultDoc{ResultType::NUM, "id", "Peer index"},
                    ResultDoc{ResultType::STR, "addr", "(host:port) The peer's address and port"},
                    ResultDoc{ResultType::STR, "addrbind", true,
                              "(ip:port) Our end of the connection"},
                    ResultDoc{ResultType::STR, "addrlocal", true,
                              "(ip:port) Our address as the peer reported it"},
                    ResultDoc{ResultType::STR, "network",
                              "Network (ipv4, ipv6, onion, i2p, cjdns, not_publicly_routable)"},
                    ResultDoc{ResultType::NUM, "mapped_as", true,
                              "The AS of the peer (only with -asmap, which minibit lacks)"},
                    ResultDoc{ResultType::STR_HEX, "services", "The services offered"},
                    ResultDoc{
                        ResultType::ARR,
                        "servicesnames",
                        "The services offered, by name",
                        {ResultDoc{ResultType::STR, "SERVICE_NAME", "a service name, when known"}}},
                    ResultDoc{ResultType::BOOL, "relaytxes",
                              "Whether we relay transactions to this peer"},
                    ResultDoc{ResultType::NUM_TIME, "lastsend",
                              "The UNIX epoch time of the last send"},
                    ResultDoc{ResultType::NUM_TIME, "lastrecv",
                              "The UNIX epoch time of the last receive"},
                    ResultDoc{ResultType::NUM_TIME, "last_transaction",
                              "The UNIX epoch time of the last valid transaction from this peer"},
                    ResultDoc{ResultType::NUM_TIME, "last_block",
                              "The UNIX epoch time of the last block from this peer"},
                    ResultDoc{ResultType::NUM, "bytessent", "Bytes sent in all"},
                    ResultDoc{ResultType::NUM, "bytesrecv", "Bytes received in all"},
                    ResultDoc{ResultType::NUM_TIME, "conntime",
                              "The UNIX epoch time of the connection"},
                    ResultDoc{ResultType::NUM, "timeoffset", "The peer's clock offset in seconds"},
                    ResultDoc{ResultType::NUM, "pingtime", true,
                              "The last round trip in seconds, if any"},
                    ResultDoc{ResultType::NUM, "minping", true,
                              "The smallest round trip seen, in seconds, if any"},
                    ResultDoc{ResultType::NUM, "pingwait", true,
                              "Seconds an unanswered ping has been waiting, if any"},
                    ResultDoc{ResultType::NUM, "version", "The peer's protocol version"},
                    ResultDoc{ResultType::STR, "subver", "The peer's user agent"},
                    ResultDoc{ResultType::BOOL, "inbound", "Inbound (true) or outbound (false)"},
                    ResultDoc{ResultType::BOOL, "bip152_hb_to",
                              "Whether we picked the peer as a high-bandwidth compact block peer"},
                    ResultDoc{ResultType::BOOL, "bip152_hb_from",
                              "Whether the peer picked us as one"},
                    ResultDoc{ResultType::NUM, "startingheight",
                              "The height the peer announced when it connected"},
                    ResultDoc{ResultType::NUM, "presynced_headers",
                              "Height of the low-work header presync with this peer, -1 if none"},
                    ResultDoc{ResultType::NUM, "synced_headers",
                              "The last header we share with this peer"},
                    ResultDoc{ResultType::NUM, "synced_blocks",
                              "The last block we share with this peer"},
                    ResultDoc{ResultType::ARR,
                              "inflight",
                              "",
                              {ResultDoc{ResultType::NUM, "n",
                                         "Heights of blocks we are downloading from this peer"}}},
                    ResultDoc{ResultType::BOOL, "addr_relay_enabled",
                              "Whether we exchange addresses with this peer"},
                    ResultDoc{ResultType::NUM, "addr_processed",
                              "Addresses processed, not counting rate-limited ones"},
                    ResultDoc{ResultType::NUM, "addr_rate_limited",
                              "Addresses dropped by the rate limit"},
                    ResultDoc{ResultType::ARR,
                              "permissions",
                              "Special permissions of this peer",
                              {ResultDoc{ResultType::STR, "permission_type", "a permission"}}},
                    ResultDoc{ResultType::NUM, "minfeefilter", "The peer's fee filter in BTC/kvB"},
                    ResultDoc{ResultType::OBJ_DYN,
                              "bytessent_per_msg",
                              "",
                              {ResultDoc{ResultType::NUM, "msg",
                                         "Bytes sent by message type (types not listed: 0)"}}},
                    ResultDoc{ResultType::OBJ_DYN,
                              "bytesrecv_per_msg",
                              "",
                              {ResultDoc{ResultType::NUM, "msg",
                                         "Bytes received by message type (types not listed: 0; "
                                         "unknown types under '*other*')"}}},
                    ResultDoc{ResultType::STR, "connection_type", ConnectionTypeDoc()},
                    ResultDoc{ResultType::STR, "transport_protocol_type",
                              "Transport: detecting, v1 (plaintext) or v2 (BIP324)"},
                    ResultDoc{ResultType::STR, "session_id",
                              "The BIP324 session id, or \"\" (v1 connections)"},
                    ResultDoc{ResultType::NUM, "minibit_cmpct_reconstructed",
                              "minibit only: compact blocks rebuilt from our mempool alone"},
                    ResultDoc{ResultType::NUM, "minibit_cmpct_fetched_missing",
                              "minibit only: compact blocks that needed a getblocktxn"},
                }}}}},
        HelpExampleCli("getpeerinfo", "") + HelpExampleRpc("getpeerinfo", ""),
        [&services](const Request&) -> Result {
            Json peers = Json::array();
            for (const interfaces::PeerInfo& peer : EnsureNet(services).GetPeerInfo()) {
                peers.push_back(PeerInfoToJson(peer));
            }
            return peers;
        },
    };
}

Method AddNode(const Services& services)
{
    return Method{
        "addnode",
        "network",
        "Adds a node to the list of peers the node keeps connected to, removes one from it, or "
        "tries one connection to a node.\n"
        "Added nodes (and -connect ones) are never disconnected for misbehaviour and need not "
        "be full or segwit nodes (but blocks are not downloaded from such peers).\n"
        "At most 8 added nodes are connected at once; they do not count against "
        "-maxconnections.",
        {
            {"node", ArgType::STR, ArgOptional::NO, "The address of the peer to connect to"},
            {"command", ArgType::STR, ArgOptional::NO,
             "'add' to add a node to the list, 'remove' to remove a node from the list, "
             "'onetry' to try a connection to the node once"},
            {"v2transport", ArgType::BOOL, DefaultHint{"set by -v2transport"},
             "Connect with BIP324 v2 transport (minibit speaks v1 only; ignored for 'remove')"},
        },
        {ResultDoc{ResultType::NONE, "", ""}},
        HelpExampleCli("addnode", "\"192.168.0.6:8333\" \"onetry\" true") +
            HelpExampleRpc("addnode", "\"192.168.0.6:8333\", \"onetry\" true"),
        [&services](const Request& request) -> Result {
            const std::string command = request.Arg("command").get<std::string>();
            if (command != "onetry" && command != "add" && command != "remove") {
                ThrowRpc(RPC_MISC_ERROR, request.method.HelpText());
            }
            interfaces::Net& net = EnsureNet(services);
            // minibit never offers P2P_V2, so asking for it is refused as Core refuses it
            // without -v2transport.
            if (request.HasArg("v2transport") && request.Arg("v2transport").get<bool>()) {
                ThrowRpc(RPC_INVALID_PARAMETER,
                         "Error: v2transport requested but not enabled (see -v2transport)");
            }
            if (auto failure = net.AddNode(request.Arg("node").get<std::string>(), command)) {
                ThrowNetFailure(*failure);
            }
            return Json(nullptr);
        },
    };
}

Method DisconnectNode(const Services& services)
{
    return Method{
        "disconnectnode",
        "network",
        "Closes the connection to a peer now.\n"
        "Name the peer by exactly one of 'address' and 'nodeid'. To use the id, pass an empty "
        "address or call with the named 'nodeid' argument alone.",
        {
            {"address", ArgType::STR, DefaultHint{"fallback to nodeid"},
             "The IP address/port of the node"},
            {"nodeid", ArgType::NUM, DefaultHint{"fallback to address"},
             "The node ID (see getpeerinfo for node IDs)"},
        },
        {ResultDoc{ResultType::NONE, "", ""}},
        HelpExampleCli("disconnectnode", "\"192.168.0.6:8333\"") +
            HelpExampleCli("disconnectnode", "\"\" 1") +
            HelpExampleRpc("disconnectnode", "\"192.168.0.6:8333\"") +
            HelpExampleRpc("disconnectnode", "\"\", 1"),
        [&services](const Request& request) -> Result {
            interfaces::Net& net = EnsureNet(services);
            const Json& address = request.Param(0);
            const Json& id = request.Param(1);
            std::optional<interfaces::NetFailure> failure;
            if (!address.is_null() && id.is_null()) {
                failure = net.DisconnectNode(address.get<std::string>(), std::nullopt);
            } else if (!id.is_null() &&
                       (address.is_null() ||
                        (address.is_string() && address.get<std::string>().empty()))) {
                failure = net.DisconnectNode("", id.get<int64_t>());
            } else {
                ThrowRpc(RPC_INVALID_PARAMS, "Only one of address and nodeid should be provided.");
            }
            if (failure) ThrowNetFailure(*failure);
            return Json(nullptr);
        },
    };
}

Method GetAddedNodeInfo(const Services& services)
{
    return Method{
        "getaddednodeinfo",
        "network",
        "The nodes added with addnode (or one of them) and whether each is connected. Nodes "
        "tried with 'onetry' are not listed.",
        {
            {"node", ArgType::STR, DefaultHint{"all nodes"},
             "Only this node (as it was given to addnode); otherwise every added node"},
        },
        {ResultDoc{
            ResultType::ARR,
            "",
            "",
            {ResultDoc{ResultType::OBJ,
                       "",
                       "",
                       {
                           ResultDoc{ResultType::STR, "addednode", "The node as given to addnode"},
                           ResultDoc{ResultType::BOOL, "connected", "If connected"},
                           ResultDoc{ResultType::ARR,
                                     "addresses",
                                     "Only when connected = true",
                                     {ResultDoc{ResultType::OBJ,
                                                "",
                                                "",
                                                {
                                                    ResultDoc{ResultType::STR, "address",
                                                              "The IP and port of the connection"},
                                                    ResultDoc{ResultType::STR, "connected",
                                                              "connection, inbound or outbound"},
                                                }}}},
                       }}}}},
        HelpExampleCli("getaddednodeinfo", "\"192.168.0.201\"") +
            HelpExampleRpc("getaddednodeinfo", "\"192.168.0.201\""),
        [&services](const Request& request) -> Result {
            interfaces::Net& net = EnsureNet(services);
            std::optional<std::string> node;
            if (request.HasArg("node")) node = request.Arg("node").get<std::string>();
            const auto added = net.GetAddedNodeInfo(node);
            if (node && added.empty()) {
                ThrowRpc(RPC_CLIENT_NODE_NOT_ADDED, "Error: Node has not been added.");
            }
            Json result = Json::array();
            for (const interfaces::AddedNodeInfo& info : added) {
                Json addresses = Json::array();
                if (info.connected) {
                    for (const auto& [address, direction] : info.addresses) {
                        addresses.push_back(Json{{"address", address}, {"connected", direction}});
                    }
                }
                result.push_back(Json{{"addednode", info.added_node},
                                      {"connected", info.connected},
                                      {"addresses", std::move(addresses)}});
            }
            return result;
        },
    };
}

Method GetNetTotals(const Services& services)
{
    return Method{
        "getnettotals",
        "network",
        "Bytes received and sent since the node started, and the current time.",
        {},
        {ResultDoc{
            ResultType::OBJ,
            "",
            "",
            {
                ResultDoc{ResultType::NUM, "totalbytesrecv", "Total bytes received"},
                ResultDoc{ResultType::NUM, "totalbytessent", "Total bytes sent"},
                ResultDoc{ResultType::NUM_TIME, "timemillis",
                          "Current system UNIX epoch time in milliseconds"},
                ResultDoc{
                    ResultType::OBJ,
                    "uploadtarget",
                    "",
                    {
                        ResultDoc{ResultType::NUM, "timeframe",
                                  "Length of the measuring window in seconds"},
                        ResultDoc{ResultType::NUM, "target",
                                  "Target in bytes (0: none; minibit has no -maxuploadtarget)"},
                        ResultDoc{ResultType::BOOL, "target_reached",
                                  "True if the target is reached"},
                        ResultDoc{ResultType::BOOL, "serve_historical_blocks",
                                  "True if old blocks are still served"},
                        ResultDoc{ResultType::NUM, "bytes_left_in_cycle",
                                  "Bytes left in this window"},
                        ResultDoc{ResultType::NUM, "time_left_in_cycle",
                                  "Seconds left in this window"},
                    }},
            }}},
        HelpExampleCli("getnettotals", "") + HelpExampleRpc("getnettotals", ""),
        [&services](const Request&) -> Result {
            const interfaces::NetTotals totals = EnsureNet(services).GetNetTotals();
            Json upload{{"timeframe", UPLOAD_TIMEFRAME_SECONDS},
                        {"target", 0},
                        {"target_reached", false},
                        {"serve_historical_blocks", true},
                        {"bytes_left_in_cycle", 0},
                        {"time_left_in_cycle", 0}};
            return Json{{"totalbytesrecv", totals.total_bytes_recv},
                        {"totalbytessent", totals.total_bytes_sent},
                        {"timemillis", totals.time_millis},
                        {"uploadtarget", std::move(upload)}};
        },
    };
}

Method GetNetworkInfo(const Services& services)
{
    return Method{
        "getnetworkinfo",
        "network",
        "The state of the node's P2P networking.",
        {},
        {ResultDoc{
            ResultType::OBJ,
            "",
            "",
            {
                ResultDoc{ResultType::NUM, "version", "the server version"},
                ResultDoc{ResultType::STR, "subversion", "the server's user agent (BIP14)"},
                ResultDoc{ResultType::NUM, "protocolversion", "the protocol version"},
                ResultDoc{ResultType::STR_HEX, "localservices", "the services we offer"},
                ResultDoc{ResultType::ARR,
                          "localservicesnames",
                          "the services we offer, by name",
                          {ResultDoc{ResultType::STR, "SERVICE_NAME", "the service name"}}},
                ResultDoc{ResultType::BOOL, "localrelay",
                          "true if we ask peers to relay transactions to us"},
                ResultDoc{ResultType::NUM, "timeoffset", "the time offset"},
                ResultDoc{ResultType::NUM, "connections", "the total number of connections"},
                ResultDoc{ResultType::NUM, "connections_in", "the number of inbound connections"},
                ResultDoc{ResultType::NUM, "connections_out", "the number of outbound connections"},
                ResultDoc{ResultType::BOOL, "networkactive", "whether p2p networking is on"},
                ResultDoc{
                    ResultType::ARR,
                    "networks",
                    "one entry per network",
                    {ResultDoc{
                        ResultType::OBJ,
                        "",
                        "",
                        {
                            ResultDoc{ResultType::STR, "name",
                                      "network (ipv4, ipv6, onion, i2p, cjdns)"},
                            ResultDoc{ResultType::BOOL, "limited",
                                      "is the network limited using -onlynet?"},
                            ResultDoc{ResultType::BOOL, "reachable", "is the network reachable?"},
                            ResultDoc{ResultType::STR, "proxy",
                                      "(\"host:port\") the proxy used for this network, or "
                                      "empty if none"},
                            ResultDoc{ResultType::BOOL, "proxy_randomize_credentials",
                                      "Whether randomized credentials are used"},
                        }}}},
                ResultDoc{ResultType::NUM, "relayfee",
                          "minimum relay fee rate for transactions in BTC/kvB"},
                ResultDoc{ResultType::NUM, "incrementalfee",
                          "minimum fee rate increment for mempool limiting or replacement in "
                          "BTC/kvB"},
                ResultDoc{ResultType::ARR,
                          "localaddresses",
                          "list of local addresses",
                          {ResultDoc{ResultType::OBJ,
                                     "",
                                     "",
                                     {
                                         ResultDoc{ResultType::STR, "address", "network address"},
                                         ResultDoc{ResultType::NUM, "port", "network port"},
                                         ResultDoc{ResultType::NUM, "score", "relative score"},
                                     }}}},
                ResultDoc{ResultType::ARR,
                          "warnings",
                          "any network and blockchain warnings",
                          {ResultDoc{ResultType::STR, "", "warning"}}},
            }}},
        HelpExampleCli("getnetworkinfo", "") + HelpExampleRpc("getnetworkinfo", ""),
        [&services](const Request&) -> Result {
            const interfaces::NetworkInfo info = EnsureNet(services).GetNetworkInfo();
            consensus::Amount relay_fee = DEFAULT_MIN_RELAY_FEE;
            consensus::Amount incremental_fee = DEFAULT_INCREMENTAL_RELAY_FEE;
            if (services.chain) {
                const interfaces::MempoolInfo pool = services.chain->GetMempoolInfo();
                if (pool.min_relay_fee_per_kvb > 0) relay_fee = pool.min_relay_fee_per_kvb;
                if (pool.incremental_relay_fee_per_kvb > 0) {
                    incremental_fee = pool.incremental_relay_fee_per_kvb;
                }
            }
            Json networks = Json::array();
            for (const char* name : NETWORK_NAMES) {
                bool reachable = false;
                for (const std::string& reach : info.reachable_networks) {
                    if (reach == name) reachable = true;
                }
                networks.push_back(Json{{"name", name},
                                        {"limited", !reachable},
                                        {"reachable", reachable},
                                        {"proxy", ""},
                                        {"proxy_randomize_credentials", false}});
            }
            Json local = Json::array();
            for (const interfaces::LocalAddress& address : info.local_addresses) {
                local.push_back(Json{{"address", address.address},
                                     {"port", address.port},
                                     {"score", address.score}});
            }
            return Json{
                {"version", info.version},
                {"subversion", info.subversion},
                {"protocolversion", info.protocol_version},
                {"localservices", ServicesHex(info.local_services)},
                {"localservicesnames", ServicesNames(info.local_services)},
                {"localrelay", info.local_relay},
                {"timeoffset", info.time_offset},
                {"connections", info.connections_in + info.connections_out},
                {"connections_in", info.connections_in},
                {"connections_out", info.connections_out},
                {"networkactive", info.network_active},
                {"networks", std::move(networks)},
                {"relayfee", AmountToJson(relay_fee)},
                {"incrementalfee", AmountToJson(incremental_fee)},
                {"localaddresses", std::move(local)},
                {"warnings", Json::array()},
            };
        },
    };
}

Method SetBan(const Services& services)
{
    return Method{
        "setban",
        "network",
        "Adds an IP/Subnet to the ban list, or removes one from it.",
        {
            {"subnet", ArgType::STR, ArgOptional::NO,
             "The IP/Subnet (see getpeerinfo for nodes IP) with an optional netmask (default "
             "is /32 = single IP)"},
            {"command", ArgType::STR, ArgOptional::NO,
             "'add' to add an IP/Subnet to the list, 'remove' to remove an IP/Subnet from the "
             "list"},
            {"bantime", ArgType::NUM, Json(0),
             "Seconds the ban lasts (or, with absolute, the UNIX time it ends); 0 means the "
             "default of 24 hours"},
            {"absolute", ArgType::BOOL, Json(false),
             "If set, the bantime must be an absolute timestamp expressed in UNIX epoch time"},
        },
        {ResultDoc{ResultType::NONE, "", ""}},
        HelpExampleCli("setban", "\"192.168.0.6\" \"add\" 86400") +
            HelpExampleCli("setban", "\"192.168.0.0/24\" \"add\"") +
            HelpExampleRpc("setban", "\"192.168.0.6\", \"add\", 86400"),
        [&services](const Request& request) -> Result {
            const std::string command = request.Arg("command").get<std::string>();
            if (command != "add" && command != "remove") {
                ThrowRpc(RPC_MISC_ERROR, request.method.HelpText());
            }
            interfaces::Net& net = EnsureNet(services);
            // The node checks in Core's order: the subnet, "already banned", then an
            // absolute time in the past.
            if (auto failure = net.SetBan(request.Arg("subnet").get<std::string>(), command,
                                          request.Arg("bantime").get<int64_t>(),
                                          request.Arg("absolute").get<bool>())) {
                ThrowNetFailure(*failure);
            }
            return Json(nullptr);
        },
    };
}

Method ListBanned(const Services& services)
{
    return Method{
        "listbanned",
        "network",
        "The IPs/Subnets banned with setban.",
        {},
        {ResultDoc{ResultType::ARR,
                   "",
                   "",
                   {ResultDoc{ResultType::OBJ,
                              "",
                              "",
                              {
                                  ResultDoc{ResultType::STR, "address", "The banned IP/Subnet"},
                                  ResultDoc{ResultType::NUM_TIME, "ban_created",
                                            "The UNIX epoch time the ban was created"},
                                  ResultDoc{ResultType::NUM_TIME, "banned_until",
                                            "The UNIX epoch time the ban expires"},
                                  ResultDoc{ResultType::NUM_TIME, "ban_duration",
                                            "The ban duration, in seconds"},
                                  ResultDoc{ResultType::NUM_TIME, "time_remaining",
                                            "Seconds until the ban expires"},
                              }}}}},
        HelpExampleCli("listbanned", "") + HelpExampleRpc("listbanned", ""),
        [&services](const Request&) -> Result {
            interfaces::Net& net = EnsureNet(services);
            const int64_t now = NowSeconds();
            Json result = Json::array();
            for (const interfaces::BannedSubnet& ban : net.ListBanned()) {
                result.push_back(Json{{"address", ban.address},
                                      {"ban_created", ban.ban_created},
                                      {"banned_until", ban.banned_until},
                                      {"ban_duration", ban.banned_until - ban.ban_created},
                                      {"time_remaining", ban.banned_until - now}});
            }
            return result;
        },
    };
}

Method ClearBanned(const Services& services)
{
    return Method{
        "clearbanned",
        "network",
        "Lifts every ban.",
        {},
        {ResultDoc{ResultType::NONE, "", ""}},
        HelpExampleCli("clearbanned", "") + HelpExampleRpc("clearbanned", ""),
        [&services](const Request&) -> Result {
            EnsureNet(services).ClearBanned();
            return Json(nullptr);
        },
    };
}

Method SetNetworkActive(const Services& services)
{
    return Method{
        "setnetworkactive",
        "network",
        "Turns all P2P network activity off or back on.",
        {
            {"state", ArgType::BOOL, ArgOptional::NO,
             "true to enable networking, false to disable"},
        },
        {ResultDoc{ResultType::BOOL, "", "The value that was passed in"}},
        "",
        [&services](const Request& request) -> Result {
            return Json(EnsureNet(services).SetNetworkActive(request.Arg("state").get<bool>()));
        },
    };
}

Method GetNodeAddresses(const Services& services)
{
    return Method{
        "getnodeaddresses",
        "network",
        "Addresses the node knows, after filtering out poor and stale ones; candidates for new "
        "peers. The node may know more than it returns.",
        {
            {"count", ArgType::NUM, Json(1),
             "The maximum number of addresses to return. Specify 0 to return all known "
             "addresses."},
            {"network", ArgType::STR, DefaultHint{"all networks"},
             "Return only addresses of the specified network. Can be one of: ipv4, ipv6, onion, "
             "i2p, cjdns."},
        },
        {ResultDoc{
            ResultType::ARR,
            "",
            "",
            {ResultDoc{ResultType::OBJ,
                       "",
                       "",
                       {
                           ResultDoc{ResultType::NUM_TIME, "time",
                                     "The UNIX epoch time the node was last seen"},
                           ResultDoc{ResultType::NUM, "services", "The services offered"},
                           ResultDoc{ResultType::STR, "address", "The address of the node"},
                           ResultDoc{ResultType::NUM, "port", "The port of the node"},
                           ResultDoc{ResultType::STR, "network",
                                     "The network (ipv4, ipv6, onion, i2p, cjdns) of the address"},
                       }}}}},
        HelpExampleCli("getnodeaddresses", "8") + HelpExampleCli("getnodeaddresses", "4 \"i2p\"") +
            HelpExampleCliNamed("getnodeaddresses", {{"network", "onion"}, {"count", 12}}) +
            HelpExampleRpc("getnodeaddresses", "8") +
            HelpExampleRpc("getnodeaddresses", "4, \"i2p\""),
        [&services](const Request& request) -> Result {
            interfaces::Net& net = EnsureNet(services);
            const int64_t count = request.Arg("count").get<int64_t>();
            if (count < 0) ThrowRpc(RPC_INVALID_PARAMETER, "Address count out of range");
            const bool filtered = request.HasArg("network");
            const std::string network =
                filtered ? request.Arg("network").get<std::string>() : std::string{};
            if (filtered) {
                bool known = false;
                for (const char* name : NETWORK_NAMES) {
                    if (network == name) known = true;
                }
                if (!known) ThrowRpc(RPC_INVALID_PARAMETER, "Network not recognized: " + network);
            }
            const auto addresses =
                net.GetNodeAddresses(static_cast<size_t>(count),
                                     filtered ? std::optional<std::string>{network} : std::nullopt);
            Json result = Json::array();
            for (const interfaces::NodeAddress& address : addresses) {
                result.push_back(Json{{"time", address.time},
                                      {"services", address.services},
                                      {"address", address.address},
                                      {"port", address.port},
                                      {"network", address.network}});
            }
            return result;
        },
    };
}

Method GetBlockFromPeer(const Services& services)
{
    return Method{
        "getblockfrompeer",
        "blockchain",
        "Asks one peer for a block whose header we have (e.g. from submitheader).\n"
        "The block is stored without undo data. Asking again for the same block may make the "
        "node ignore the first peer's answer. Peers usually ignore requests for stale blocks "
        "they never validated and for blocks older than a month; a peer that does not answer "
        "is disconnected.\n"
        "Returns an empty JSON object once the request is scheduled.",
        {
            {"blockhash", ArgType::STR_HEX, ArgOptional::NO, "The block hash to try to fetch"},
            {"peer_id", ArgType::NUM, ArgOptional::NO,
             "The peer to fetch it from (see getpeerinfo for peer IDs)"},
        },
        {ResultDoc{ResultType::OBJ, "", std::string{}}},
        HelpExampleCli("getblockfrompeer",
                       "\"00000000c937983704a73af28acdec37b049d214adbda81d7e2a3dd146f6ed09\" 0") +
            HelpExampleRpc(
                "getblockfrompeer",
                "\"00000000c937983704a73af28acdec37b049d214adbda81d7e2a3dd146f6ed09\" 0"),
        [&services](const Request& request) -> Result {
            interfaces::Net& net = EnsureNet(services);
            const int64_t peer_id = request.Arg("peer_id").get<int64_t>();
            const consensus::Uint256 hash = ParseHashParam(request.Arg("blockhash"), "blockhash");
            if (auto failure = net.GetBlockFromPeer(hash, peer_id)) ThrowNetFailure(*failure);
            return Json::object();
        },
    };
}

Method AddPeerAddress(const Services& services)
{
    return Method{
        "addpeeraddress",
        "hidden",
        "Puts a potential peer's address in the address manager. For tests only.",
        {
            {"address", ArgType::STR, ArgOptional::NO, "The IP address of the peer"},
            {"port", ArgType::NUM, ArgOptional::NO, "The port of the peer"},
            {"tried", ArgType::BOOL, Json(false),
             "If true, also try to move the address to the tried table"},
        },
        {ResultDoc{ResultType::OBJ,
                   "",
                   "",
                   {
                       ResultDoc{ResultType::BOOL, "success",
                                 "whether the address was added to the address manager"},
                       ResultDoc{ResultType::STR, "error", true,
                                 "failed-adding-to-new or failed-adding-to-tried"},
                   }}},
        HelpExampleCli("addpeeraddress", "\"1.2.3.4\" 8333 true") +
            HelpExampleRpc("addpeeraddress", "\"1.2.3.4\", 8333, true"),
        [&services](const Request& request) -> Result {
            if (!services.net) {
                ThrowRpc(RPC_CLIENT_P2P_DISABLED,
                         "Error: Address manager functionality missing or disabled");
            }
            const int64_t port = request.Arg("port").get<int64_t>();
            if (port < 0 || port > std::numeric_limits<uint16_t>::max()) {
                ThrowRpc(RPC_MISC_ERROR, "JSON integer out of range");
            }
            const interfaces::AddPeerAddressResult added = services.net->AddPeerAddress(
                request.Arg("address").get<std::string>(), static_cast<uint16_t>(port),
                request.Arg("tried").get<bool>());
            Json result{{"success", added.success}};
            if (!added.error.empty()) result["error"] = added.error;
            return result;
        },
    };
}

} // namespace

void RegisterNetMethods(MethodTable& table, const Services& services)
{
    table.Register(GetConnectionCount(services));
    table.Register(Ping(services));
    table.Register(GetPeerInfo(services));
    table.Register(AddNode(services));
    table.Register(DisconnectNode(services));
    table.Register(GetAddedNodeInfo(services));
    table.Register(GetNetTotals(services));
    table.Register(GetNetworkInfo(services));
    table.Register(SetBan(services));
    table.Register(ListBanned(services));
    table.Register(ClearBanned(services));
    table.Register(SetNetworkActive(services));
    table.Register(GetNodeAddresses(services));
    table.Register(GetBlockFromPeer(services));
    table.Register(AddPeerAddress(services));
}

} // namespace rpc
