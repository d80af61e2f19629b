// node::NetInterface: interfaces::Net over the running P2P stack, so RPC reaches
// ConnMan, PeerManager, AddrMan, BanMan and ConnOpener without including them.
//
// Threads: any. PeerManager calls run on the validation executor (Run); the
// other components are thread-safe themselves.
#pragma once

#include <interfaces/net.h>

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

namespace util {
class SerialExecutor;
}

namespace node {

class NetStack;

/// The P2P layer as getpeerinfo, addnode, setban and friends see it.
class NetInterface final : public interfaces::Net
{
public:
    /// `stack` and `validation` must outlive this object; `clock` is unix seconds
    /// (default: system clock), the node passes its mockable one.
    NetInterface(NetStack& stack, util::SerialExecutor& validation,
                 std::function<int64_t()> clock = {});

    std::vector<interfaces::PeerInfo> GetPeerInfo() override;
    int GetConnectionCount() override;
    interfaces::NetworkInfo GetNetworkInfo() override;
    interfaces::NetTotals GetNetTotals() override;
    std::optional<interfaces::NetFailure> AddNode(const std::string& node,
                                                  const std::string& command) override;
    std::optional<interfaces::NetFailure> DisconnectNode(const std::string& address,
                                                         std::optional<int64_t> id) override;
    std::vector<interfaces::AddedNodeInfo>
    GetAddedNodeInfo(const std::optional<std::string>& node) override;
    std::vector<interfaces::NodeAddress>
    GetNodeAddresses(size_t count, const std::optional<std::string>& network) override;
    std::optional<interfaces::NetFailure> SetBan(const std::string& subnet,
                                                 const std::string& command, int64_t bantime,
                                                 bool absolute) override;
    std::vector<interfaces::BannedSubnet> ListBanned() override;
    void ClearBanned() override;
    void Ping() override;
    bool SetNetworkActive(bool active) override;
    std::optional<interfaces::NetFailure> GetBlockFromPeer(const consensus::Uint256& hash,
                                                           int64_t peer_id) override;
    interfaces::AddPeerAddressResult AddPeerAddress(const std::string& address, uint16_t port,
                                                    bool tried) override;

private:
    int64_t Now() const;

    NetStack& m_stack;
    util::SerialExecutor& m_validation;
    std::function<int64_t()> m_clock;
};

/// Core's CLIENT_VERSION formula (10000*major + 100*minor + patch) over "major.minor.patch";
/// 0 for text it cannot read.
int ClientVersionNumber(std::string_view version);

/// Core's SanitizeString for user agents: keeps letters, digits and " .,;-_/:?@()".
std::string SanitizeSubVersion(std::string_view text);

} // namespace node
