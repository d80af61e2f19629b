// The P2P options (-listen, -bind, -port, -connect, -addnode, -seednode,
// -dnsseed, -externalip, -maxconnections, -maxsendbuffer, -maxreceivebuffer,
// -timeout, -peertimeout, -networkactive, -blocksonly, -maxorphantx) and the
// stack they configure: AddrMan (peers.dat), BanMan (banlist.json), ConnMan,
// PeerManager and ConnOpener, started and stopped in the right order.
#pragma once

#include <common/chainparams.h>
#include <net/addrman.h>
#include <net/banman.h>
#include <net/connman.h>
#include <node/conn_opener.h>
#include <node/peerman.h>
#include <util/args.h>
#include <util/expected.h>

#include <filesystem>
#include <functional>
#include <memory>
#include <vector>

namespace kernel {
class ChainstateManager;
class TxMemPool;
struct PolicyOptions;
} // namespace kernel
namespace util {
class Logger;
class SerialExecutor;
} // namespace util

namespace node {

/// Everything the P2P options decide.
struct NetSetup
{
    net::ConnManOptions connman{};
    ConnOpenerOptions opener{};
    PeerManOptions peerman{};
    bool network_active{true};                //!< -networkactive
    std::vector<net::Service> external_ips{}; //!< -externalip
};

/// Registers the options for -help and parsing.
void AddNetArgs(util::ArgsManager& args);

/// Reads and checks the options; errors name the option and say what is wrong.
util::Expected<NetSetup> NetSetupFromArgs(const util::ArgsManager& args,
                                          const common::ChainParams& params);

/// The running P2P layer. Construct on any thread after the chainstate is loaded.
class NetStack
{
public:
    /// Loads peers.dat and banlist.json from `chain_datadir`. As in Core, a damaged
    /// peers.dat is an error (the user moves it away), a damaged banlist.json is
    /// logged and replaced by an empty list.
    static util::Expected<std::unique_ptr<NetStack>>
    Create(NetSetup setup, const std::filesystem::path& chain_datadir,
           kernel::ChainstateManager& chainman, kernel::TxMemPool* mempool,
           const kernel::PolicyOptions& policy, util::SerialExecutor& validation,
           const common::ChainParams& params, util::Logger& logger);
    ~NetStack();
    NetStack(const NetStack&) = delete;
    NetStack& operator=(const NetStack&) = delete;

    /// Starts listening and connecting. Register Peers().Events() with the
    /// chainstate's signals first.
    util::Expected<void> Start();
    /// Stops connecting, closes every connection, writes peers.dat and
    /// banlist.json. Not on the validation executor (it waits for it). Idempotent.
    void Stop();

    net::ConnMan& Connections() { return *m_connman; }
    PeerManager& Peers() { return *m_peerman; }
    net::AddrMan& Addresses() { return *m_addrman; }
    net::BanMan& Bans() { return *m_banman; }
    ConnOpener& Opener() { return *m_opener; }
    const NetSetup& Setup() const { return m_setup; }

private:
    NetStack(NetSetup setup, const std::filesystem::path& chain_datadir,
             std::unique_ptr<net::AddrMan> addrman, kernel::ChainstateManager& chainman,
             kernel::TxMemPool* mempool, const kernel::PolicyOptions& policy,
             util::SerialExecutor& validation, util::Logger& logger);

    NetSetup m_setup;
    std::filesystem::path m_chain_datadir;
    util::Logger& m_logger;
    std::unique_ptr<net::AddrMan> m_addrman;
    std::unique_ptr<net::BanMan> m_banman;
    std::unique_ptr<PeerManager> m_peerman;
    std::unique_ptr<net::ConnMan> m_connman;
    std::unique_ptr<ConnOpener> m_opener;
    bool m_started{false};
};

} // namespace node
