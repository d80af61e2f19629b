// The network RPC methods against a fake interfaces::Net: JSON field names, order and values
// as Bitcoin Core v28 prints them, argument handling and Core's error codes and messages.
#include <rpc/dispatch.h>
#include <rpc/register.h>
#include <rpc/services.h>
#include <rpc/util.h>

#include <interfaces/net.h>

#include <gtest/gtest.h>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace {

using rpc::Json;

// Scripted answers plus a record of what the RPC layer asked for.
class FakeNet final : public interfaces::Net
{
public:
    std::vector<interfaces::PeerInfo> peers;
    interfaces::NetworkInfo network_info;
    interfaces::NetTotals totals;
    std::vector<interfaces::AddedNodeInfo> added;
    std::vector<interfaces::NodeAddress> addresses;
    std::vector<interfaces::BannedSubnet> banned;
    std::optional<interfaces::NetFailure> next_failure;
    interfaces::AddPeerAddressResult add_peer_result{true, ""};
    bool active{true};

    // Calls seen.
    std::vector<std::string> calls;
    std::string last_node, last_command, last_address;
    std::optional<int64_t> last_id;
    std::optional<std::string> last_filter;
    size_t last_count{999};
    int64_t last_bantime{-1};
    bool last_absolute{false};
    consensus::Uint256 last_hash;
    uint16_t last_port{0};
    bool last_tried{false};

    std::vector<interfaces::PeerInfo> GetPeerInfo() override { return peers; }
    int GetConnectionCount() override { return static_cast<int>(peers.size()); }
    interfaces::NetworkInfo GetNetworkInfo() override { return network_info; }
    interfaces::NetTotals GetNetTotals() override { return totals; }
    std::optional<interfaces::NetFailure> AddNode(const std::string& node,
                                                  const std::string& command) override
    {
        calls.push_back("addnode");
        last_node = node;
        last_command = command;
        return next_failure;
    }
    std::optional<interfaces::NetFailure> DisconnectNode(const std::string& address,
                                                         std::optional<int64_t> id) override
    {
        calls.push_back("disconnectnode");
        last_address = address;
        last_id = id;
        return next_failure;
    }
    std::vector<interfaces::AddedNodeInfo>
    GetAddedNodeInfo(const std::optional<std::string>& node) override
    {
        last_filter = node;
        if (!node) return added;
        std::vector<interfaces::AddedNodeInfo> one;
        for (const auto& info : added)
            if (info.added_node == *node) one.push_back(info);
        return one;
    }
    std::vector<interfaces::NodeAddress>
    GetNodeAddresses(size_t count, const std::optional<std::string>& network) override
    {
        last_count = count;
        last_filter = network;
        return addresses;
    }
    std::optional<interfaces::NetFailure> SetBan(const std::string& subnet,
                                                 const std::string& command, int64_t bantime,
                                                 bool absolute) override
    {
        calls.push_back("setban");
        last_address = subnet;
        last_command = command;
        last_bantime = bantime;
        last_absolute = absolute;
        return next_failure;
    }
    std::vector<interfaces::BannedSubnet> ListBanned() override { return banned; }
    void ClearBanned() override { calls.push_back("clearbanned"); }
    void Ping() override { calls.push_back("ping"); }
    bool SetNetworkActive(bool state) override
    {
        calls.push_back("setnetworkactive");
        active = state;
        return active;
    }
    std::optional<interfaces::NetFailure> GetBlockFromPeer(const consensus::Uint256& hash,
                                                           int64_t peer_id) override
    {
        calls.push_back("getblockfrompeer");
        last_hash = hash;
        last_id = peer_id;
        return next_failure;
    }
    interfaces::AddPeerAddressResult AddPeerAddress(const std::string& address, uint16_t port,
                                                    bool tried) override
    {
        calls.push_back("addpeeraddress");
        last_address = address;
        last_port = port;
        last_tried = tried;
        return add_peer_result;
    }
};

int64_t NowSeconds()
{
    return std::chrono::duration_cast<std::chrono::seconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

class NetRpcTest : public ::testing::Test
{
protected:
    NetRpcTest()
    {
        m_services.net = &m_net;
        m_table.RegisterBuiltins();
        rpc::RegisterNetMethods(m_table, m_services);
        m_table.FinishWarmup();
    }

    rpc::Result Call(const std::string& method, Json params = Json::array())
    {
        rpc::JsonRequest request;
        request.method = method;
        request.params = std::move(params);
        return m_table.Execute(request, m_context);
    }
    // The value as the wire shows it (amounts become numbers only when written).
    Json CallOk(const std::string& method, Json params = Json::array())
    {
        auto result = Call(method, std::move(params));
        EXPECT_TRUE(result) << method << ": " << (result ? "" : result.error().message);
        if (!result) return Json{};
        return Json::parse(rpc::WriteJson(result.value()));
    }
    std::string CallText(const std::string& method, Json params = Json::array())
    {
        auto result = Call(method, std::move(params));
        EXPECT_TRUE(result) << method;
        return result ? rpc::WriteJson(result.value()) : "";
    }
    rpc::RpcError CallFails(const std::string& method, Json params = Json::array())
    {
        auto result = Call(method, std::move(params));
        EXPECT_FALSE(result) << method << " unexpectedly succeeded";
        return result ? rpc::RpcError{} : result.error();
    }

    FakeNet m_net;
    rpc::Services m_services;
    rpc::MethodTable m_table;
    rpc::Context m_context;
};

interfaces::PeerInfo SamplePeer()
{
    interfaces::PeerInfo peer;
    peer.id = 7;
    peer.addr = "127.0.0.1:18444";
    peer.addr_bind = "127.0.0.1:50000";
    peer.network = "not_publicly_routable";
    peer.services = 0x409; // NETWORK | WITNESS | NETWORK_LIMITED
    peer.relay_txs = true;
    peer.last_send = 1700000001;
    peer.last_recv = 1700000002;
    peer.bytes_sent = 1234;
    peer.bytes_recv = 5678;
    peer.conn_time = 1700000000;
    peer.ping_time = 0.25;
    peer.version = 70016;
    peer.subver = "/Satoshi:28.0.0/";
    peer.starting_height = 101;
    peer.synced_headers = 100;
    peer.synced_blocks = 99;
    peer.inflight = {100, 101};
    peer.addr_relay_enabled = true;
    peer.addr_processed = 3;
    peer.min_fee_filter = 1000;
    peer.bytes_sent_per_msg = {{"ping", 32}, {"version", 0}, {"verack", 24}};
    peer.bytes_recv_per_msg = {{"*other*", 40}};
    peer.connection_type = "manual";
    peer.cmpct_reconstructed = 5;
    peer.cmpct_fetched_missing = 2;
    return peer;
}

TEST_F(NetRpcTest, GetPeerInfoHasCoreFieldsInOrder)
{
    m_net.peers = {SamplePeer()};
    const Json peers = CallOk("getpeerinfo");
    ASSERT_TRUE(peers.is_array());
    ASSERT_EQ(peers.size(), 1u);
    const Json& p = peers[0];
    std::vector<std::string> keys;
    for (const auto& item : p.items())
        keys.push_back(item.key());
    // Core v28's order; addrlocal, pingwait and minping are absent because unknown.
    const std::vector<std::string> expected{"id",
                                            "addr",
                                            "addrbind",
                                            "network",
                                            "services",
                                            "servicesnames",
                                            "relaytxes",
                                            "lastsend",
                                            "lastrecv",
                                            "last_transaction",
                                            "last_block",
                                            "bytessent",
                                            "bytesrecv",
                                            "conntime",
                                            "timeoffset",
                                            "pingtime",
                                            "version",
                                            "subver",
                                            "inbound",
                                            "bip152_hb_to",
                                            "bip152_hb_from",
                                            "startingheight",
                                            "presynced_headers",
                                            "synced_headers",
                                            "synced_blocks",
                                            "inflight",
                                            "addr_relay_enabled",
                                            "addr_processed",
                                            "addr_rate_limited",
                                            "permissions",
                                            "minfeefilter",
                                            "bytessent_per_msg",
                                            "bytesrecv_per_msg",
                                            "connection_type",
                                            "transport_protocol_type",
                                            "session_id",
                                            "minibit_cmpct_reconstructed",
                                            "minibit_cmpct_fetched_missing"};
    EXPECT_EQ(keys, expected);
    EXPECT_EQ(p["id"], 7);
    EXPECT_EQ(p["services"], "0000000000000409");
    EXPECT_EQ(p["servicesnames"], Json::parse(R"(["NETWORK","WITNESS","NETWORK_LIMITED"])"));
    EXPECT_EQ(p["pingtime"], 0.25);
    EXPECT_EQ(p["inflight"], Json::parse("[100,101]"));
    // Zero-byte message types are left out, as Core does.
    EXPECT_EQ(p["bytessent_per_msg"], Json::parse(R"({"ping":32,"verack":24})"));
    EXPECT_EQ(p["bytesrecv_per_msg"], Json::parse(R"({"*other*":40})"));
    EXPECT_EQ(p["connection_type"], "manual");
    EXPECT_EQ(p["transport_protocol_type"], "v1");
    EXPECT_EQ(p["session_id"], "");
    EXPECT_EQ(p["minibit_cmpct_reconstructed"], 5);
    EXPECT_EQ(p["minibit_cmpct_fetched_missing"], 2);
    // 1000 sat/kvB printed in BTC/kvB with Core's eight decimals.
    EXPECT_NE(CallText("getpeerinfo").find("\"minfeefilter\":0.00001000"), std::string::npos);
}

TEST_F(NetRpcTest, GetPeerInfoOptionalFieldsAppearWhenKnown)
{
    interfaces::PeerInfo peer = SamplePeer();
    peer.addr_local = "1.2.3.4:18444";
    peer.min_ping = 0.125;
    peer.ping_wait = 3.5;
    peer.addr_bind.clear();
    peer.services =
        (uint64_t{1} << 2) | (uint64_t{1} << 6) | (uint64_t{1} << 11) | (uint64_t{1} << 24);
    m_net.peers = {peer};
    const Json p = CallOk("getpeerinfo")[0];
    EXPECT_EQ(p["addrlocal"], "1.2.3.4:18444");
    EXPECT_EQ(p["minping"], 0.125);
    EXPECT_EQ(p["pingwait"], 3.5);
    EXPECT_FALSE(p.contains("addrbind"));
    EXPECT_EQ(p["services"], "0000000001000844");
    EXPECT_EQ(p["servicesnames"],
              Json::parse(R"(["BLOOM","COMPACT_FILTERS","P2P_V2","UNKNOWN[2^24]"])"));
}

TEST_F(NetRpcTest, EmptyPeerListIsAnEmptyArray)
{
    EXPECT_EQ(CallOk("getpeerinfo"), Json::array());
    EXPECT_EQ(CallOk("getconnectioncount"), 0);
    m_net.peers = {SamplePeer(), SamplePeer()};
    EXPECT_EQ(CallOk("getconnectioncount"), 2);
}

TEST_F(NetRpcTest, GetNetworkInfoShape)
{
    m_net.network_info.local_services = 0x409;
    m_net.network_info.connections_in = 2;
    m_net.network_info.connections_out = 3;
    m_net.network_info.reachable_networks = {"ipv4", "ipv6"};
    m_net.network_info.local_addresses = {{"1.2.3.4", 8333, 4}};
    m_net.network_info.version = 100;
    m_net.network_info.subversion = "/minibit:0.1.0/";
    m_net.network_info.protocol_version = 70016;
    m_net.network_info.network_active = false;
    const Json info = CallOk("getnetworkinfo");
    std::vector<std::string> keys;
    for (const auto& item : info.items())
        keys.push_back(item.key());
    EXPECT_EQ(keys, (std::vector<std::string>{
                        "version", "subversion", "protocolversion", "localservices",
                        "localservicesnames", "localrelay", "timeoffset", "connections",
                        "connections_in", "connections_out", "networkactive", "networks",
                        "relayfee", "incrementalfee", "localaddresses", "warnings"}));
    EXPECT_EQ(info["version"], 100);
    EXPECT_EQ(info["subversion"], "/minibit:0.1.0/");
    EXPECT_EQ(info["protocolversion"], 70016);
    EXPECT_EQ(info["localservices"], "0000000000000409");
    EXPECT_EQ(info["localservicesnames"],
              Json::parse(R"(["NETWORK","WITNESS","NETWORK_LIMITED"])"));
    EXPECT_EQ(info["connections"], 5);
    EXPECT_EQ(info["connections_in"], 2);
    EXPECT_EQ(info["connections_out"], 3);
    EXPECT_EQ(info["networkactive"], false);
    ASSERT_EQ(info["networks"].size(), 5u);
    EXPECT_EQ(info["networks"][0],
              Json::parse(R"({"name":"ipv4","limited":false,"reachable":true,"proxy":"",)"
                          R"("proxy_randomize_credentials":false})"));
    EXPECT_EQ(info["networks"][2]["name"], "onion");
    EXPECT_EQ(info["networks"][2]["reachable"], false);
    EXPECT_EQ(info["networks"][2]["limited"], true);
    EXPECT_EQ(info["networks"][4]["name"], "cjdns");
    EXPECT_EQ(info["localaddresses"],
              Json::parse(R"([{"address":"1.2.3.4","port":8333,"score":4}])"));
    EXPECT_EQ(info["warnings"], Json::array());
    // Without a chain the fees are Core's defaults, 1000 sat/kvB each.
    const std::string text = CallText("getnetworkinfo");
    EXPECT_NE(text.find("\"relayfee\":0.00001000,\"incrementalfee\":0.00001000"), std::string::npos)
        << text;
}

TEST_F(NetRpcTest, GetNetTotalsHasCoreUploadTarget)
{
    m_net.totals = {111, 222, 1700000000123};
    const Json totals = CallOk("getnettotals");
    EXPECT_EQ(totals, Json::parse(R"({"totalbytesrecv":111,"totalbytessent":222,)"
                                  R"("timemillis":1700000000123,"uploadtarget":{)"
                                  R"("timeframe":86400,"target":0,"target_reached":false,)"
                                  R"("serve_historical_blocks":true,"bytes_left_in_cycle":0,)"
                                  R"("time_left_in_cycle":0}})"));
}

TEST_F(NetRpcTest, AddNodeCommandsAndErrors)
{
    EXPECT_EQ(CallOk("addnode", {"127.0.0.1:18444", "onetry"}), Json(nullptr));
    EXPECT_EQ(m_net.last_node, "127.0.0.1:18444");
    EXPECT_EQ(m_net.last_command, "onetry");

    // A bad command answers the method's help as a plain error (-1), before any node call.
    m_net.calls.clear();
    const auto bad = CallFails("addnode", {"127.0.0.1", "bogus"});
    EXPECT_EQ(bad.code, rpc::RPC_MISC_ERROR);
    EXPECT_EQ(bad.message.rfind("addnode \"node\" \"command\" ( v2transport )", 0), 0u)
        << bad.message;
    EXPECT_TRUE(m_net.calls.empty());

    m_net.next_failure = interfaces::NetFailure{interfaces::NetError::NODE_ALREADY_ADDED, ""};
    auto error = CallFails("addnode", {"127.0.0.1", "add"});
    EXPECT_EQ(error.code, -23);
    EXPECT_EQ(error.message, "Error: Node already added");

    m_net.next_failure = interfaces::NetFailure{interfaces::NetError::NODE_NOT_ADDED, ""};
    error = CallFails("addnode", {"127.0.0.1", "remove"});
    EXPECT_EQ(error.code, -24);
    EXPECT_EQ(error.message, "Error: Node could not be removed. It has not been added previously.");

    m_net.next_failure.reset();
    error = CallFails("addnode", {"127.0.0.1", "add", true});
    EXPECT_EQ(error.code, rpc::RPC_INVALID_PARAMETER);
    EXPECT_EQ(error.message, "Error: v2transport requested but not enabled (see -v2transport)");
    EXPECT_TRUE(Call("addnode", {"127.0.0.1", "add", false}));
}

TEST_F(NetRpcTest, DisconnectNodeByAddressOrId)
{
    EXPECT_TRUE(Call("disconnectnode", {"127.0.0.1:18444"}));
    EXPECT_EQ(m_net.last_address, "127.0.0.1:18444");
    EXPECT_EQ(m_net.last_id, std::nullopt);

    EXPECT_TRUE(Call("disconnectnode", {"", 3}));
    EXPECT_EQ(m_net.last_id, std::optional<int64_t>{3});

    // Named nodeid alone works through the table's named-parameter mapping too.
    EXPECT_TRUE(Call("disconnectnode", {nullptr, 4}));
    EXPECT_EQ(m_net.last_id, std::optional<int64_t>{4});

    m_net.calls.clear();
    auto error = CallFails("disconnectnode", {"127.0.0.1:18444", 3});
    EXPECT_EQ(error.code, -32602);
    EXPECT_EQ(error.message, "Only one of address and nodeid should be provided.");
    error = CallFails("disconnectnode");
    EXPECT_EQ(error.code, -32602);
    EXPECT_TRUE(m_net.calls.empty());

    m_net.next_failure = interfaces::NetFailure{interfaces::NetError::NODE_NOT_CONNECTED, ""};
    error = CallFails("disconnectnode", {"", 99});
    EXPECT_EQ(error.code, -29);
    EXPECT_EQ(error.message, "Node not found in connected nodes");
}

TEST_F(NetRpcTest, GetAddedNodeInfo)
{
    m_net.added = {{"127.0.0.1:18444", true, {{"127.0.0.1:18444", "outbound"}}},
                   {"10.0.0.1", false, {}}};
    EXPECT_EQ(CallOk("getaddednodeinfo"),
              Json::parse(R"([{"addednode":"127.0.0.1:18444","connected":true,"addresses":)"
                          R"([{"address":"127.0.0.1:18444","connected":"outbound"}]},)"
                          R"({"addednode":"10.0.0.1","connected":false,"addresses":[]}])"));
    EXPECT_EQ(CallOk("getaddednodeinfo", {"10.0.0.1"}).size(), 1u);
    const auto error = CallFails("getaddednodeinfo", {"10.9.9.9"});
    EXPECT_EQ(error.code, -24);
    EXPECT_EQ(error.message, "Error: Node has not been added.");
}

TEST_F(NetRpcTest, GetNodeAddressesDefaultsAndFilter)
{
    m_net.addresses = {{1700000000, 9, "1.2.3.4", 8333, "ipv4"}};
    EXPECT_EQ(CallOk("getnodeaddresses"),
              Json::parse(R"([{"time":1700000000,"services":9,"address":"1.2.3.4",)"
                          R"("port":8333,"network":"ipv4"}])"));
    EXPECT_EQ(m_net.last_count, 1u); // Core's default count
    EXPECT_EQ(m_net.last_filter, std::nullopt);
    CallOk("getnodeaddresses", {0, "ipv6"});
    EXPECT_EQ(m_net.last_count, 0u);
    EXPECT_EQ(m_net.last_filter, std::optional<std::string>{"ipv6"});

    auto error = CallFails("getnodeaddresses", {1, "ipx"});
    EXPECT_EQ(error.code, -8);
    EXPECT_EQ(error.message, "Network not recognized: ipx");
    error = CallFails("getnodeaddresses", {-1});
    EXPECT_EQ(error.code, -8);
    EXPECT_EQ(error.message, "Address count out of range");
}

TEST_F(NetRpcTest, SetBanPassesArgumentsAndMapsErrors)
{
    EXPECT_TRUE(Call("setban", {"10.0.0.0/8", "add"}));
    EXPECT_EQ(m_net.last_address, "10.0.0.0/8");
    EXPECT_EQ(m_net.last_command, "add");
    EXPECT_EQ(m_net.last_bantime, 0);
    EXPECT_FALSE(m_net.last_absolute);
    EXPECT_TRUE(Call("setban", {"1.2.3.4", "add", 2000000000, true}));
    EXPECT_EQ(m_net.last_bantime, 2000000000);
    EXPECT_TRUE(m_net.last_absolute);

    const auto bad = CallFails("setban", {"1.2.3.4", "ban"});
    EXPECT_EQ(bad.code, rpc::RPC_MISC_ERROR);
    EXPECT_EQ(bad.message.rfind("setban \"subnet\" \"command\" ( bantime absolute )", 0), 0u);

    const std::vector<std::tuple<interfaces::NetError, int, std::string>> cases{
        {interfaces::NetError::INVALID_SUBNET, -30, "Error: Invalid IP/Subnet"},
        {interfaces::NetError::ALREADY_BANNED, -23, "Error: IP/Subnet already banned"},
        {interfaces::NetError::UNBAN_FAILED, -30,
         "Error: Unban failed. Requested address/subnet was not previously manually banned."},
        {interfaces::NetError::ABSOLUTE_TIME_IN_PAST, -8,
         "Error: Absolute timestamp is in the past"},
    };
    for (const auto& [error, code, message] : cases) {
        m_net.next_failure = interfaces::NetFailure{error, ""};
        const auto failure = CallFails("setban", {"1.2.3.4", "add"});
        EXPECT_EQ(failure.code, code) << message;
        EXPECT_EQ(failure.message, message);
    }
}

TEST_F(NetRpcTest, ListBannedComputesDurations)
{
    const int64_t now = NowSeconds();
    m_net.banned = {{"1.2.3.0/24", now - 100, now + 1000}};
    const Json list = CallOk("listbanned");
    ASSERT_EQ(list.size(), 1u);
    EXPECT_EQ(list[0]["address"], "1.2.3.0/24");
    EXPECT_EQ(list[0]["ban_created"], now - 100);
    EXPECT_EQ(list[0]["banned_until"], now + 1000);
    EXPECT_EQ(list[0]["ban_duration"], 1100);
    // The clock may tick between the two reads.
    EXPECT_LE(list[0]["time_remaining"].get<int64_t>(), 1000);
    EXPECT_GE(list[0]["time_remaining"].get<int64_t>(), 990);
    EXPECT_EQ(CallOk("clearbanned"), Json(nullptr));
    EXPECT_EQ(m_net.calls.back(), "clearbanned");
}

TEST_F(NetRpcTest, PingAndSetNetworkActive)
{
    EXPECT_EQ(CallOk("ping"), Json(nullptr));
    EXPECT_EQ(m_net.calls.back(), "ping");
    EXPECT_EQ(CallOk("setnetworkactive", {false}), false);
    EXPECT_FALSE(m_net.active);
    EXPECT_EQ(CallOk("setnetworkactive", {true}), true);
    EXPECT_EQ(CallFails("setnetworkactive", {"yes"}).code, rpc::RPC_TYPE_ERROR);
}

TEST_F(NetRpcTest, GetBlockFromPeer)
{
    const std::string hash = "0f9188f13cb7b2c71f2a335e3a4fc328bf5beb436012afca590b1a11466e2206";
    EXPECT_EQ(CallOk("getblockfrompeer", {hash, 5}), Json::object());
    EXPECT_EQ(m_net.last_hash.GetHex(), hash);
    EXPECT_EQ(m_net.last_id, std::optional<int64_t>{5});

    m_net.next_failure =
        interfaces::NetFailure{interfaces::NetError::PEER_NOT_FOUND, "Peer does not exist"};
    auto error = CallFails("getblockfrompeer", {hash, 6});
    EXPECT_EQ(error.code, -1);
    EXPECT_EQ(error.message, "Peer does not exist");
    m_net.next_failure =
        interfaces::NetFailure{interfaces::NetError::BLOCK_HEADER_MISSING, "Block header missing"};
    EXPECT_EQ(CallFails("getblockfrompeer", {hash, 6}).message, "Block header missing");
    m_net.next_failure = interfaces::NetFailure{interfaces::NetError::BLOCK_ALREADY_HAVE, ""};
    EXPECT_EQ(CallFails("getblockfrompeer", {hash, 6}).message, "Block already downloaded");

    error = CallFails("getblockfrompeer", {"abc", 6});
    EXPECT_EQ(error.code, -8);
    EXPECT_EQ(error.message, "blockhash must be of length 64 (not 3, for 'abc')");
}

TEST_F(NetRpcTest, AddPeerAddress)
{
    EXPECT_EQ(CallOk("addpeeraddress", {"1.2.3.4", 8333, true}),
              Json::parse(R"({"success":true})"));
    EXPECT_EQ(m_net.last_address, "1.2.3.4");
    EXPECT_EQ(m_net.last_port, 8333);
    EXPECT_TRUE(m_net.last_tried);
    CallOk("addpeeraddress", {"1.2.3.4", 8333});
    EXPECT_FALSE(m_net.last_tried);
    m_net.add_peer_result = {false, "failed-adding-to-tried"};
    EXPECT_EQ(CallOk("addpeeraddress", {"1.2.3.4", 8333, true}),
              Json::parse(R"({"success":false,"error":"failed-adding-to-tried"})"));
    EXPECT_EQ(CallFails("addpeeraddress", {"1.2.3.4", 70000}).message, "JSON integer out of range");
}

TEST(NetRpcDisabled, EveryMethodAnswersP2PDisabled)
{
    rpc::Services services; // no net
    rpc::MethodTable table;
    rpc::RegisterNetMethods(table, services);
    table.FinishWarmup();
    rpc::Context context;
    const std::string hash(64, '0');
    const std::vector<std::pair<std::string, Json>> calls{
        {"getpeerinfo", Json::array()},      {"getconnectioncount", Json::array()},
        {"getnetworkinfo", Json::array()},   {"getnettotals", Json::array()},
        {"addnode", {"1.2.3.4", "add"}},     {"disconnectnode", {"1.2.3.4"}},
        {"getaddednodeinfo", Json::array()}, {"getnodeaddresses", Json::array()},
        {"setban", {"1.2.3.4", "add"}},      {"listbanned", Json::array()},
        {"clearbanned", Json::array()},      {"ping", Json::array()},
        {"setnetworkactive", {true}},        {"getblockfrompeer", {hash, 0}},
    };
    for (const auto& [method, params] : calls) {
        rpc::JsonRequest request;
        request.method = method;
        request.params = params;
        const auto result = table.Execute(request, context);
        ASSERT_FALSE(result) << method;
        EXPECT_EQ(result.error().code, -31) << method;
        EXPECT_EQ(result.error().message, "Error: Peer-to-peer functionality missing or disabled")
            << method;
    }
    rpc::JsonRequest request;
    request.method = "addpeeraddress";
    request.params = {"1.2.3.4", 8333};
    const auto result = table.Execute(request, context);
    ASSERT_FALSE(result);
    EXPECT_EQ(result.error().code, -31);
    EXPECT_EQ(result.error().message, "Error: Address manager functionality missing or disabled");
}

} // namespace
