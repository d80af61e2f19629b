#include <node/net_setup.h>

#include <kernel/chainstate.h>
#include <kernel/policy.h>
#include <net/messages.h>
#include <util/logging.h>

#include <algorithm>
#include <chrono>
#include <limits>
#include <string>

#ifndef MINIBIT_VERSION
#define MINIBIT_VERSION "0.0.0"
#endif

namespace node {

namespace {

constexpr const char* PEERS_FILENAME = "peers.dat";
constexpr const char* BANLIST_FILENAME = "banlist.json";

// Core's defaults.
constexpr int64_t DEFAULT_MAX_PEER_CONNECTIONS = 125;
constexpr int MAX_OUTBOUND_FULL_RELAY = 8;
constexpr int MAX_BLOCK_RELAY_ONLY = 2;
constexpr int MAX_FEELER = 1;
constexpr int64_t DEFAULT_MAX_SEND_BUFFER_KB = 1000;
constexpr int64_t DEFAULT_MAX_RECEIVE_BUFFER_KB = 5000;
constexpr int64_t DEFAULT_CONNECT_TIMEOUT_MS = 5000;
constexpr int64_t DEFAULT_PEER_CONNECT_TIMEOUT_S = 60;
constexpr int64_t DEFAULT_MAX_ORPHAN_TRANSACTIONS = 100;

util::Expected<uint16_t> PortFromArgs(const util::ArgsManager& args,
                                      const common::ChainParams& params)
{
    const int64_t port = args.GetIntArg("-port", params.GetDefaultPort());
    if (port < 1 || port > 65535)
        return util::Unexpected("Invalid port specified in -port: '" + args.GetArg("-port", "") +
                                "'");
    return static_cast<uint16_t>(port);
}

// A positive size in KB from an option, in bytes.
util::Expected<size_t> KilobytesArg(const util::ArgsManager& args, std::string_view name,
                                    int64_t def)
{
    const int64_t value = args.GetIntArg(name, def);
    if (value < 1 || value > std::numeric_limits<int64_t>::max() / 1000)
        return util::Unexpected("Invalid amount for " + std::string{name} + "=<amount>: '" +
                                args.GetArg(name, "") + "'");
    return static_cast<size_t>(value) * 1000;
}

} // namespace

void AddNetArgs(util::ArgsManager& args)
{
    using util::ArgType;
    const auto conn = util::OptionsCategory::CONNECTION;
    args.AddArg("-listen", "Accept connections from outside (default: 1 if no -connect)",
                ArgType::BOOL, conn);
    args.AddArg("-bind=<addr>[:<port>]",
                "Bind to the given address and always listen on it (default: 0.0.0.0 and ::). "
                "Use [host]:port notation for IPv6. The port defaults to -port",
                ArgType::STRING, conn);
    args.AddArg("-port=<port>",
                "Listen for P2P connections on <port> (default: 8333, testnet3: 18333, "
                "testnet4: 48333, signet: 38333, regtest: 18444)",
                ArgType::INT, conn, util::NETWORK_ONLY);
    args.AddArg("-connect=<ip>",
                "Connect only to the specified node; -noconnect disables automatic connections. "
                "Repeat to connect to several nodes",
                ArgType::STRING, conn);
    args.AddArg("-addnode=<ip>",
                "Add a node to connect to and attempt to keep the connection open. Repeat to "
                "add several nodes",
                ArgType::STRING, conn);
    args.AddArg("-seednode=<ip>",
                "Connect to a node to retrieve peer addresses, then disconnect. Repeat to add "
                "several nodes",
                ArgType::STRING, conn);
    args.AddArg("-dnsseed",
                "Query DNS seeds for peer addresses when none are known (default: 1 unless "
                "-connect is used or on regtest)",
                ArgType::BOOL, conn);
    args.AddArg("-externalip=<ip>", "Advertise this address of ours to peers", ArgType::STRING,
                conn);
    args.AddArg("-maxconnections=<n>",
                "Keep at most <n> connections to peers, inbound and outbound together "
                "(default: 125)",
                ArgType::INT, conn);
    args.AddArg("-maxsendbuffer=<n>",
                "Per-connection send buffer above which the node stops serving blocks to that "
                "peer, <n>*1000 bytes (default: 1000)",
                ArgType::INT, conn);
    args.AddArg("-maxreceivebuffer=<n>",
                "Per-connection receive buffer above which the node stops reading from that "
                "peer, <n>*1000 bytes (default: 5000)",
                ArgType::INT, conn);
    args.AddArg("-timeout=<n>",
                "Connection attempt timeout in milliseconds (minimum: 1, default: 5000)",
                ArgType::INT, conn);
    args.AddArg("-peertimeout=<n>",
                "Seconds a new connection may take to complete the version handshake before "
                "it is dropped (minimum: 1, default: 60)",
                ArgType::INT, util::OptionsCategory::DEBUG_TEST);
    args.AddArg("-networkactive",
                "Enable all P2P network activity (default: 1). Can be changed by the "
                "setnetworkactive RPC command",
                ArgType::BOOL, conn);
    args.AddArg("-blocksonly",
                "Neither request nor relay transactions from peers; transactions submitted "
                "over RPC are still relayed (default: 0)",
                ArgType::BOOL, util::OptionsCategory::NODE_RELAY);
    args.AddArg("-maxorphantx=<n>",
                "Keep at most <n> transactions with missing parents in memory (default: 100)",
                ArgType::INT, util::OptionsCategory::DEBUG_TEST);
    args.AddArg("-cmpctblocks",
                "Announce and accept BIP152 compact blocks (default: 1; a minibit option, "
                "for measuring propagation without them)",
                ArgType::BOOL, conn);
}

util::Expected<NetSetup> NetSetupFromArgs(const util::ArgsManager& args,
                                          const common::ChainParams& params)
{
    NetSetup setup;
    auto port = PortFromArgs(args, params);
    if (!port) return port.error();

    // -connect given (and not -noconnect) means: only those peers, no listening or DNS
    // seeds unless asked for explicitly, as in Core.
    std::vector<std::string> connect = args.GetArgs("-connect");
    const bool connect_only = args.IsArgSet("-connect");
    std::erase_if(connect, [](const std::string& s) { return s.empty() || s == "0"; });

    net::ConnManOptions& cm = setup.connman;
    cm.magic = params.GetMessageStart();
    cm.listen = args.GetBoolArg("-listen", connect.empty());
    cm.port = *port;
    for (const std::string& text : args.GetArgs("-bind")) {
        const auto service = net::ParseService(text, *port);
        if (!service) return util::Unexpected("Cannot resolve -bind address: '" + text + "'");
        cm.bind.push_back(*service);
    }
    const int64_t max_connections = args.GetIntArg("-maxconnections", DEFAULT_MAX_PEER_CONNECTIONS);
    if (max_connections < 0 || max_connections > 100'000)
        return util::Unexpected("Invalid -maxconnections: '" + args.GetArg("-maxconnections", "") +
                                "'");
    const int max_conn = static_cast<int>(max_connections);
    const int full_relay = std::min(MAX_OUTBOUND_FULL_RELAY, max_conn);
    const int block_relay = std::min(MAX_BLOCK_RELAY_ONLY, max_conn - full_relay);
    const int max_outbound = std::min(max_conn, full_relay + block_relay + MAX_FEELER);
    cm.max_inbound = std::max(0, max_conn - max_outbound);
    auto send = KilobytesArg(args, "-maxsendbuffer", DEFAULT_MAX_SEND_BUFFER_KB);
    if (!send) return send.error();
    cm.max_send_buffer = *send;
    auto receive = KilobytesArg(args, "-maxreceivebuffer", DEFAULT_MAX_RECEIVE_BUFFER_KB);
    if (!receive) return receive.error();
    cm.max_receive_buffer = *receive;
    int64_t timeout = args.GetIntArg("-timeout", DEFAULT_CONNECT_TIMEOUT_MS);
    if (timeout <= 0) timeout = DEFAULT_CONNECT_TIMEOUT_MS; // Core falls back likewise
    cm.connect_timeout = std::chrono::milliseconds{timeout};
    const int64_t peer_timeout = args.GetIntArg("-peertimeout", DEFAULT_PEER_CONNECT_TIMEOUT_S);
    if (peer_timeout <= 0) return util::Unexpected("peertimeout must be a positive integer.");
    cm.handshake_timeout = std::chrono::seconds{peer_timeout};

    ConnOpenerOptions& op = setup.opener;
    op.connect = connect;
    op.addnode = args.GetArgs("-addnode");
    op.seednode = args.GetArgs("-seednode");
    op.dns_seeds = params.DnsSeeds();
    // Regtest's only seed is Core's placeholder "dummySeed.invalid.": off unless asked for.
    op.use_dns_seeds = args.GetBoolArg("-dnsseed", connect.empty() && params.GetChainType() !=
                                                                          util::ChainType::REGTEST);
    op.default_port = params.GetDefaultPort();
    op.max_full_relay = full_relay;
    op.max_block_relay = block_relay;
    op.max_outbound_total = max_outbound;
    op.feelers = max_outbound > full_relay + block_relay;
    // -connect (even -noconnect) turns the automatic outbound policy off.
    if (connect_only) {
        op.max_full_relay = 0;
        op.max_block_relay = 0;
        op.feelers = false;
    }

    PeerManOptions& pm = setup.peerman;
    pm.local_services = net::NODE_NETWORK | net::NODE_WITNESS;
    pm.user_agent = std::string{"/minibit:"} + MINIBIT_VERSION + "/";
    pm.ignore_incoming_txs = args.GetBoolArg("-blocksonly", false);
    const int64_t orphans = args.GetIntArg("-maxorphantx", DEFAULT_MAX_ORPHAN_TRANSACTIONS);
    if (orphans < 0) return util::Unexpected("Invalid -maxorphantx: must not be negative");
    pm.max_orphan_txs = static_cast<size_t>(orphans);
    pm.compact_blocks = args.GetBoolArg("-cmpctblocks", true);

    for (const std::string& text : args.GetArgs("-externalip")) {
        const auto service = net::ParseService(text, *port);
        if (!service) return util::Unexpected("Cannot resolve -externalip address: '" + text + "'");
        setup.external_ips.push_back(*service);
    }
    pm.local_addresses = setup.external_ips;
    setup.network_active = args.GetBoolArg("-networkactive", true);
    return setup;
}

util::Expected<std::unique_ptr<NetStack>>
NetStack::Create(NetSetup setup, const std::filesystem::path& chain_datadir,
                 kernel::ChainstateManager& chainman, kernel::TxMemPool* mempool,
                 const kernel::PolicyOptions& policy, util::SerialExecutor& validation,
                 const common::ChainParams& params, util::Logger& logger)
{
    net::AddrManOptions addr_options;
    addr_options.clock = setup.peerman.clock;
    addr_options.magic = params.GetMessageStart();
    const std::filesystem::path peers_file = chain_datadir / PEERS_FILENAME;
    auto loaded = net::AddrMan::Load(peers_file, addr_options);
    if (!loaded) {
        // Core refuses to start rather than overwrite what might be a user's only copy.
        return util::Unexpected(loaded.error().message + ". As a workaround, move " +
                                peers_file.string() +
                                " out of the way (rename or delete it); a new one is created "
                                "on the next start.");
    }
    logger.Info("Loaded " + std::to_string((*loaded)->Size()) + " addresses from " +
                PEERS_FILENAME);
    return std::unique_ptr<NetStack>{new NetStack(std::move(setup), chain_datadir,
                                                  std::move(*loaded), chainman, mempool, policy,
                                                  validation, logger)};
}

NetStack::NetStack(NetSetup setup, const std::filesystem::path& chain_datadir,
                   std::unique_ptr<net::AddrMan> addrman, kernel::ChainstateManager& chainman,
                   kernel::TxMemPool* mempool, const kernel::PolicyOptions& policy,
                   util::SerialExecutor& validation, util::Logger& logger)
    : m_setup{std::move(setup)},
      m_chain_datadir{chain_datadir}, m_logger{logger}, m_addrman{std::move(addrman)}
{
    const std::function<int64_t()> clock = m_setup.peerman.clock;
    m_banman = std::make_unique<net::BanMan>(m_chain_datadir / BANLIST_FILENAME, clock);
    if (auto bans = m_banman->Load(); !bans) {
        m_logger.Warning("Recreating the banlist database: " + bans.error().message);
    }

    m_peerman = std::make_unique<PeerManager>(chainman, mempool, policy, *m_addrman, *m_banman,
                                              validation, m_setup.peerman);

    net::ConnManOptions cm = m_setup.connman;
    cm.logger = &logger;
    cm.clock = clock;
    net::BanMan* bans = m_banman.get();
    cm.accept_inbound = [bans](const net::Service& remote) { return !bans->IsBanned(remote.addr); };
    m_connman = std::make_unique<net::ConnMan>(std::move(cm), *m_peerman);

    ConnOpenerOptions op = m_setup.opener;
    op.logger = &logger;
    op.clock = clock;
    m_opener = std::make_unique<ConnOpener>(*m_connman, *m_addrman, *m_banman, std::move(op));
}

NetStack::~NetStack()
{
    Stop();
}

util::Expected<void> NetStack::Start()
{
    m_peerman->Start(*m_connman);
    if (auto started = m_connman->Start(); !started) {
        m_peerman->Stop();
        return started;
    }
    m_started = true;
    if (!m_setup.network_active) m_connman->SetNetworkActive(false);
    for (const net::Service& listening : m_connman->ListeningOn())
        m_logger.Info("Bound to " + net::ToString(listening));
    m_opener->Start();
    return {};
}

void NetStack::Stop()
{
    if (!m_started) return;
    m_started = false;
    m_opener->Stop();
    m_connman->Stop();
    m_peerman->Stop();
    if (auto saved = m_addrman->Save(m_chain_datadir / PEERS_FILENAME); !saved)
        m_logger.Error("Could not write " + std::string{PEERS_FILENAME} + ": " +
                       saved.error().message);
    if (auto saved = m_banman->Save(); !saved)
        m_logger.Error("Could not write " + std::string{BANLIST_FILENAME} + ": " +
                       saved.error().message);
}

} // namespace node
