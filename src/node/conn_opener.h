// Which outbound connections to open: -connect (only those, nothing else),
// -addnode and the addnode RPC (manual, retried), -seednode (addr-fetch), and
// otherwise 8 full-relay plus 2 block-relay-only peers chosen from the AddrMan
// with one connection per network group, plus a feeler every 2 minutes to test
// an address from the new table. DNS seeds are queried only when the AddrMan
// is empty, the network has seeds (never on regtest) and -dnsseed allows.
//
// Threads: one thread of its own that wakes every 500 ms (or when poked);
// every public method may be called from any thread.
#pragma once

#include <net/addrman.h>
#include <net/banman.h>
#include <net/connman.h>
#include <net/netaddress.h>
#include <util/expected.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace util {
class Logger;
}

namespace node {

/// Settings.
struct ConnOpenerOptions
{
    std::vector<std::string> connect{}; //!< -connect entries ("host[:port]"); non-empty: only these
    std::vector<std::string> addnode{}; //!< -addnode entries
    std::vector<std::string> seednode{};  //!< -seednode entries
    std::vector<std::string> dns_seeds{}; //!< host names (empty on regtest)
    bool use_dns_seeds{true};             //!< -dnsseed
    uint16_t default_port{0};             //!< the network's P2P port
    int max_full_relay{8};
    int max_block_relay{2};
    int max_outbound_total{11}; //!< hard limit incl. feeler (from -maxconnections)
    bool feelers{true};
    /// Groups outbound peers must not share; default net::NetGroup (Core's rule without
    /// -asmap). Tests on loopback, where every address is one group, pass another.
    std::function<std::vector<uint8_t>(const net::NetAddr&)> net_group{};
    std::function<int64_t()> clock{}; //!< unix seconds, mockable
    util::Logger* logger{nullptr};
    uint64_t rng_seed{0};
};

/// The addnode RPC's commands.
enum class AddNodeCommand
{
    ADD,
    REMOVE,
    ONETRY,
};

/// Outcome of addnode, mapped by the RPC layer to Core's errors.
enum class AddNodeResult
{
    OK,
    ALREADY_ADDED, //!< -23 "Error: Node already added"
    NOT_ADDED,     //!< -24 "Error: Node could not be removed. It has not been added previously."
    INVALID,       //!< address does not parse
};

/// One added node and whether it is connected (getaddednodeinfo).
struct AddedNodeStatus
{
    std::string added_node;                 //!< as given
    std::optional<net::Service> resolved{}; //!< parsed address
    bool connected{false};
    bool inbound{false}; //!< connected, but the connection is theirs
};

/// The outbound connection policy.
class ConnOpener
{
public:
    ConnOpener(net::ConnMan& connman, net::AddrMan& addrman, net::BanMan& banman,
               ConnOpenerOptions options);
    /// Stop().
    ~ConnOpener();

    /// Starts the thread (after ConnMan::Start).
    void Start();
    /// Joins the thread (before ConnMan::Stop). Idempotent.
    void Stop();

    /// addnode RPC.
    AddNodeResult AddNode(const std::string& node, AddNodeCommand command);
    /// getaddednodeinfo; `node` restricts to one entry (nullopt: all).
    std::vector<AddedNodeStatus> GetAddedNodeInfo(std::optional<std::string> node) const;
    /// Wakes the thread (e.g. after a disconnect frees a slot).
    void Poke();

private:
    struct Impl;
    std::unique_ptr<Impl> m_impl;
};

} // namespace node
