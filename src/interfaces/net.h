// interfaces::Net: the P2P side of the node as RPC sees it (getpeerinfo,
// getnetworkinfo, addnode, setban, ...). Values are copies; implemented by
// node::NetInterface. Every method may be called from any thread.
#pragma once

#include <consensus/uint256.h>
#include <util/expected.h>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace interfaces {

/// One peer, with every getpeerinfo field Core v28 prints (names in comments).
struct PeerInfo
{
    int64_t id{0};          //!< id
    std::string addr;       //!< addr ("ip:port")
    std::string addr_bind;  //!< addrbind
    std::string addr_local; //!< addrlocal (empty: not printed)
    std::string network;    //!< network ("ipv4", "ipv6", "onion", "not_publicly_routable", ...)
    uint64_t services{0};   //!< services / servicesnames
    bool relay_txs{false};  //!< relaytxes
    int64_t last_send{0};   //!< lastsend
    int64_t last_recv{0};   //!< lastrecv
    int64_t last_transaction{0};          //!< last_transaction
    int64_t last_block{0};                //!< last_block
    uint64_t bytes_sent{0};               //!< bytessent
    uint64_t bytes_recv{0};               //!< bytesrecv
    int64_t conn_time{0};                 //!< conntime
    int64_t time_offset{0};               //!< timeoffset
    std::optional<double> ping_time{};    //!< pingtime (seconds)
    std::optional<double> min_ping{};     //!< minping
    std::optional<double> ping_wait{};    //!< pingwait
    int version{0};                       //!< version
    std::string subver;                   //!< subver
    bool inbound{false};                  //!< inbound
    bool bip152_hb_to{false};             //!< bip152_hb_to
    bool bip152_hb_from{false};           //!< bip152_hb_from
    int starting_height{-1};              //!< startingheight
    int presynced_headers{-1};            //!< presynced_headers
    int synced_headers{-1};               //!< synced_headers
    int synced_blocks{-1};                //!< synced_blocks
    std::vector<int> inflight;            //!< inflight
    bool addr_relay_enabled{false};       //!< addr_relay_enabled
    uint64_t addr_processed{0};           //!< addr_processed
    uint64_t addr_rate_limited{0};        //!< addr_rate_limited
    std::vector<std::string> permissions; //!< permissions
    int64_t min_fee_filter{0};            //!< minfeefilter (sat/kvB; printed in BTC/kvB)
    std::map<std::string, uint64_t> bytes_sent_per_msg; //!< bytessent_per_msg
    std::map<std::string, uint64_t> bytes_recv_per_msg; //!< bytesrecv_per_msg
    std::string connection_type;               //!< connection_type ("outbound-full-relay", ...)
    std::string transport_protocol_type{"v1"}; //!< transport_protocol_type
    std::string session_id;                    //!< session_id (empty for v1)
    /// minibit extension: compact blocks from this peer rebuilt from our mempool
    /// alone, and those that needed a getblocktxn round trip.
    uint64_t cmpct_reconstructed{0};
    uint64_t cmpct_fetched_missing{0};
};

/// One local address we advertise (getnetworkinfo localaddresses).
struct LocalAddress
{
    std::string address;
    uint16_t port{0};
    int score{0};
};

/// getnetworkinfo's node-side facts (version strings and fees come from elsewhere).
struct NetworkInfo
{
    uint64_t local_services{0};
    bool local_relay{true}; //!< false with -blocksonly
    int64_t time_offset{0};
    int connections_in{0};
    int connections_out{0};
    bool network_active{true};
    std::vector<std::string> reachable_networks; //!< names of networks we can reach
    std::vector<LocalAddress> local_addresses;
    int version{0};          //!< version (Core's CLIENT_VERSION formula over ours)
    std::string subversion;  //!< subversion (our BIP14 user agent)
    int protocol_version{0}; //!< protocolversion
};

/// getnettotals.
struct NetTotals
{
    uint64_t total_bytes_recv{0};
    uint64_t total_bytes_sent{0};
    int64_t time_millis{0};
};

/// getaddednodeinfo entry.
struct AddedNodeInfo
{
    std::string added_node;
    bool connected{false};
    /// (address, "inbound"/"outbound") of the live connection, when connected.
    std::vector<std::pair<std::string, std::string>> addresses;
};

/// getnodeaddresses entry.
struct NodeAddress
{
    int64_t time{0};
    uint64_t services{0};
    std::string address; //!< without port
    uint16_t port{0};
    std::string network; //!< "ipv4", "ipv6", "onion", "i2p", "cjdns"
};

/// listbanned entry.
struct BannedSubnet
{
    std::string address; //!< "1.2.3.0/24"
    int64_t ban_created{0};
    int64_t banned_until{0};
};

/// addpeeraddress's outcome (Core's hidden test RPC).
struct AddPeerAddressResult
{
    bool success{false};
    std::string error; //!< "failed-adding-to-new" / "failed-adding-to-tried"; empty otherwise
};

/// Failures with their Bitcoin Core RPC codes, so rpc/ maps them without guessing.
enum class NetError
{
    NODE_ALREADY_ADDED, //!< -23 "Error: Node already added"
    NODE_NOT_ADDED, //!< -24 "Error: Node could not be removed. It has not been added previously."
    NODE_NOT_CONNECTED,   //!< -29 "Node not found in connected nodes"
    INVALID_SUBNET,       //!< -30 "Error: Invalid IP/Subnet"
    ALREADY_BANNED,       //!< -23 "Error: IP/Subnet already banned"
    UNBAN_FAILED,         //!< -30 "Error: Unban failed. Requested address/subnet was not previously
                          //!< manually banned."
    INVALID_ADDRESS,      //!< -8 (addnode with an unparsable address)
    PEER_NOT_FOUND,       //!< -1 "Peer does not exist"
    BLOCK_HEADER_MISSING, //!< -1 "Block header missing"
    BLOCK_ALREADY_HAVE,   //!< -1 "Block already downloaded"
    PEER_CANNOT_SERVE,    //!< -1 (getblockfrompeer: "...")
    P2P_DISABLED,         //!< -31 "Error: Peer-to-peer functionality missing or disabled"
    ABSOLUTE_TIME_IN_PAST, //!< -8 "Error: Absolute timestamp is in the past" (setban)
};

/// A NetError plus the detail to print.
struct NetFailure
{
    NetError error;
    std::string message;
};

/// The P2P layer.
class Net
{
public:
    virtual ~Net() = default;

    virtual std::vector<PeerInfo> GetPeerInfo() = 0;
    virtual int GetConnectionCount() = 0;
    virtual NetworkInfo GetNetworkInfo() = 0;
    virtual NetTotals GetNetTotals() = 0;
    /// command: "add", "remove" or "onetry" (the RPC checked it).
    virtual std::optional<NetFailure> AddNode(const std::string& node,
                                              const std::string& command) = 0;
    /// By address ("ip:port") or by id.
    virtual std::optional<NetFailure> DisconnectNode(const std::string& address,
                                                     std::optional<int64_t> id) = 0;
    virtual std::vector<AddedNodeInfo> GetAddedNodeInfo(const std::optional<std::string>& node) = 0;
    /// count 0: all; `network` already validated by the RPC.
    virtual std::vector<NodeAddress>
    GetNodeAddresses(size_t count, const std::optional<std::string>& network) = 0;
    /// command "add"/"remove"; bantime seconds (0: default 24 h) or absolute unix time.
    virtual std::optional<NetFailure> SetBan(const std::string& subnet, const std::string& command,
                                             int64_t bantime, bool absolute) = 0;
    virtual std::vector<BannedSubnet> ListBanned() = 0;
    virtual void ClearBanned() = 0;
    virtual void Ping() = 0;
    /// Returns the new state.
    virtual bool SetNetworkActive(bool active) = 0;
    virtual std::optional<NetFailure> GetBlockFromPeer(const consensus::Uint256& hash,
                                                       int64_t peer_id) = 0;
    /// addpeeraddress: puts address:port in the AddrMan (then in tried when `tried`).
    virtual AddPeerAddressResult AddPeerAddress(const std::string& address, uint16_t port,
                                                bool tried) = 0;
};

} // namespace interfaces
