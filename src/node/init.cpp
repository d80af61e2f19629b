#include <node/init.h>

#include <node/chain_interface.h>
#include <node/chain_notifier.h>
#include <node/chainstate_setup.h>
#include <node/mempool_setup.h>
#include <node/net_interface.h>
#include <node/net_setup.h>
#include <node/rpc_setup.h>
#include <node/txindex_setup.h>
#include <node/wallet_setup.h>
#include <node/zmq_notifier.h>

#include <util/executor.h>
#include <util/fs.h>
#include <util/fslock.h>
#include <util/signals.h>
#include <util/strings.h>
#include <wallet/rpc/register.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <csignal>
#include <functional>
#include <memory>
#include <ostream>
#include <unistd.h>

#ifndef MINIBIT_VERSION
#define MINIBIT_VERSION "0.0.0"
#endif

namespace node {

namespace {

constexpr const char* CONFIG_FILENAME = "minibit.conf";
constexpr const char* PID_FILENAME = "minibitd.pid";
constexpr const char* DEBUG_LOG_FILENAME = "debug.log";

std::string JoinNames(const std::vector<std::string>& names)
{
    std::string out;
    for (const std::string& name : names) {
        if (!out.empty()) out += ", ";
        out += name;
    }
    return out;
}

// Applies -debug, -debugexclude and -loglevel to the logger (Core's rules:
// "0"/"none" anywhere in -debug turns every category off).
util::Expected<void> ConfigureLogCategories(const util::ArgsManager& args, util::Logger& logger)
{
    const std::vector<std::string> debug = args.GetArgs("-debug");
    const bool none = std::any_of(debug.begin(), debug.end(),
                                  [](const std::string& c) { return c == "0" || c == "none"; });
    if (!none) {
        for (const std::string& category : debug) {
            if (!logger.EnableCategory(category)) {
                return util::Unexpected("Unsupported logging category -debug=" + category + ".");
            }
        }
    }
    for (const std::string& category : args.GetArgs("-debugexclude")) {
        if (!logger.DisableCategory(category)) {
            return util::Unexpected("Unsupported logging category -debugexclude=" + category + ".");
        }
    }
    for (const std::string& spec : args.GetArgs("-loglevel")) {
        const size_t colon = spec.find(':');
        if (colon == std::string::npos) {
            const auto level = util::ParseLogLevel(spec);
            if (!level) {
                return util::Unexpected("Unsupported global logging level -loglevel=" + spec +
                                        ". Choose one of trace, debug, info, warning, error.");
            }
            logger.SetLogLevel(*level);
            continue;
        }
        const std::string name = spec.substr(0, colon);
        const auto category = util::ParseLogCategory(name);
        const auto level = util::ParseLogLevel(spec.substr(colon + 1));
        if (name.empty() || name == "1" || !category || *category == util::LogCategory::ALL ||
            !level) {
            return util::Unexpected(
                "Unsupported category-specific logging level -loglevel=" + spec +
                ". Write it as <category>:<level>, with <category> one of " +
                JoinNames(util::LogCategoryNames()) +
                " and <level> one of trace, debug, info, warning, error.");
        }
        logger.SetCategoryLogLevel(*category, *level);
    }
    return {};
}

util::Expected<void> CheckDataDir(const util::ArgsManager& args)
{
    const std::string datadir = args.GetArg("-datadir", "");
    if (!datadir.empty() && !util::IsDirectory(std::filesystem::absolute(datadir))) {
        return util::Unexpected("Specified data directory \"" + datadir + "\" does not exist.");
    }
    return {};
}

std::filesystem::path DataDirFromArgs(const util::ArgsManager& args)
{
    const std::string datadir = args.GetArg("-datadir", "");
    if (datadir.empty()) return util::GetDefaultDataDir();
    return std::filesystem::absolute(datadir).lexically_normal();
}

// Opens the chainstate, imports -loadblock files, connects the best chain and
// runs the -checkblocks check. Stops early (without error) on a shutdown request.
util::Expected<std::unique_ptr<kernel::ChainstateManager>>
LoadChainstate(const util::ArgsManager& args, const common::ChainParams& params,
               const InitSettings& settings, util::Logger& logger,
               const util::ShutdownSignal& shutdown, const std::function<int64_t()>& clock,
               const std::function<void(const util::Error&)>& on_fatal_error)
{
    auto setup = ChainstateSetupFromArgs(args, params, settings.chain_datadir, &logger);
    if (!setup) return setup.error();
    setup->options.clock = clock;
    setup->options.on_fatal_error = on_fatal_error;
    // Ctrl-C during a long reindex or import stops it between blocks.
    setup->options.interrupt = [&shutdown] { return shutdown.IsRequested(); };
    logger.Info("Script verification uses " + std::to_string(setup->options.script_threads) +
                " threads");
    logger.Info("Cache configuration: coins in memory " +
                std::to_string(setup->options.coins_cache_bytes >> 20) + " MiB");
    auto chainman = kernel::ChainstateManager::Open(setup->options);
    if (!chainman) return chainman.error();
    for (const auto& file : setup->load_block_files) {
        if (shutdown.IsRequested()) break;
        logger.Info("Importing blocks file " + file.string() + "...");
        auto imported = (*chainman)->ImportBlockFile(file);
        if (!imported) return imported.error();
        if (auto r = (*chainman)->ActivateBestChain(); !r) return r.error();
    }
    if (shutdown.IsRequested()) return chainman;
    if (!setup->load_block_files.empty()) {
        // An import is a lot of work to lose to a crash: write it out now.
        if (auto r = (*chainman)->ForceFlush(); !r) return r.error();
        const kernel::BlockIndex* tip = (*chainman)->Tip();
        logger.Info("Import finished: tip " + tip->hash.GetHex() + " at height " +
                    std::to_string(tip->height));
    }
    if (auto r = (*chainman)->VerifyDB(setup->check_level, setup->check_blocks); !r) {
        return r.error();
    }
    return chainman;
}

// Serves RPC, loads the chainstate on the validation executor, runs until shutdown
// and takes everything down in reverse order. Returns the process exit code.
int RunNode(const util::ArgsManager& args, const common::ChainParams& params,
            const InitSettings& settings, util::Logger& logger, util::ShutdownSignal& shutdown,
            rpc::Services& services, std::ostream& err)
{
    const auto fail = [&](const std::string& message) {
        logger.Error(message);
        err << "Error: " << message << std::endl;
        return 1;
    };
    // setmocktime's clock (0: system time), shared by the chainstate, the mempool and
    // through the chainstate, ChainInterface. It outlives every user: they end in this scope.
    int exit_code = 0;
    // A write failure after startup (a full disk) stops the node like Core's AbortNode:
    // the reason in the log and on stderr, a shutdown, and a non-zero exit code.
    std::atomic<bool> fatal_error{false};
    const auto on_fatal_error = [&](const util::Error& error) {
        if (fatal_error.exchange(true)) return;
        logger.Error("A fatal error stopped the node: " + error.message);
        err << "Error: " << error.message << std::endl;
        shutdown.Request();
    };
    std::atomic<int64_t> mock_time{0};
    const std::function<int64_t()> clock = [&mock_time]() -> int64_t {
        const int64_t mocked = mock_time.load();
        if (mocked != 0) return mocked;
        return std::chrono::duration_cast<std::chrono::seconds>(
                   std::chrono::system_clock::now().time_since_epoch())
            .count();
    };
    if (params.IsMockableChain()) {
        services.set_mock_time = [&mock_time](int64_t time) { mock_time.store(time); };
    }
    auto mempool_setup = MempoolSetupFromArgs(args);
    if (!mempool_setup) return fail(mempool_setup.error().message);
    mempool_setup->mempool.clock = clock;
    auto net_setup = NetSetupFromArgs(args, params);
    if (!net_setup) return fail(net_setup.error().message);
    net_setup->peerman.clock = clock;
    net_setup->peerman.logger = &logger;
    auto zmq = CreateZmqNotifier(args, &logger);
    if (!zmq) return fail(zmq.error().message);
    const std::shared_ptr<ZmqNotifier> zmq_notifier = std::move(*zmq);
    if (zmq_notifier) services.zmq_notifications = zmq_notifier->Notifications();
    auto wallet_options = WalletOptionsFromArgs(
        args, settings.chain_datadir, mempool_setup->mempool.min_relay_feerate.GetFeePerK());
    if (!wallet_options) return fail(wallet_options.error().message);
    // Made before the RPC server so its methods can be registered; it gets the chain later.
    std::unique_ptr<wallet::WalletManager> wallets;
    if (*wallet_options) {
        wallets = std::make_unique<wallet::WalletManager>(std::move(**wallet_options), &logger);
    }
    std::unique_ptr<RpcServer> rpc_server;
    if (args.GetBoolArg("-server", true)) {
        const auto register_wallet = [&wallets](rpc::MethodTable& table) {
            if (wallets) wallet::RegisterWalletMethods(table, *wallets);
        };
        auto started = RpcServer::Start(args, params, settings.chain_datadir, services, logger,
                                        register_wallet);
        if (!started) return fail(started.error().message);
        rpc_server = std::move(*started);
        rpc_server->SetWarmupStatus("Loading block index\u2026");
    }
    // Chain events for the wallet, delivered on a thread of their own.
    ChainNotifier notifier{&logger};
    // The only thread that touches the chainstate from here on (DESIGN.md §2).
    util::SerialExecutor validation{"minibit-valid"};
    auto chainman = validation.Run([&] {
        return LoadChainstate(args, params, settings, logger, shutdown, clock, on_fatal_error);
    });
    if (!chainman) {
        if (rpc_server) rpc_server->Stop();
        // A fatal error (a full disk during -loadblock) was reported when it happened.
        if (fatal_error) return 1;
        return fail(chainman.error().message);
    }
    auto opened_txindex = OpenTxIndexFromArgs(args, settings.chain_datadir, &logger);
    if (!opened_txindex) {
        if (rpc_server) rpc_server->Stop();
        validation.Run([&] { chainman->reset(); });
        return fail(opened_txindex.error().message);
    }
    const std::shared_ptr<kernel::TxIndex> txindex = std::move(*opened_txindex);
    std::unique_ptr<MempoolStack> mempool;
    std::unique_ptr<ChainInterface> chain;
    std::unique_ptr<NetStack> net;
    std::unique_ptr<NetInterface> net_interface;
    // Set once P2P runs; read on the executor when RPC submits a transaction.
    std::atomic<PeerManager*> relay_to{nullptr};
    if (!shutdown.IsRequested()) {
        mempool = std::make_unique<MempoolStack>(*mempool_setup, settings.chain_datadir,
                                                 zmq_notifier.get(), logger, &notifier);
        MempoolHooks hooks{&mempool->Pool(), &mempool->Fees(), mempool_setup->policy,
                           mempool_setup->assembler, mempool->DumpFile()};
        hooks.relay = [&relay_to](const consensus::Uint256& txid, const consensus::Uint256& wtxid) {
            if (PeerManager* peers = relay_to.load()) peers->RelayTransaction(txid, wtxid);
        };
        chain = std::make_unique<ChainInterface>(**chainman, validation,
                                                 txindex ? TxIndexHooks(txindex) : IndexHooks{},
                                                 hooks, &notifier);
        validation.Run([&] {
            (*chainman)->Signals().Register(chain->Events());
            // Before the mempool's chain sync (Attach below): see ChainNotifier::Events().
            (*chainman)->Signals().Register(notifier.Events());
            if (zmq_notifier) (*chainman)->Signals().Register(zmq_notifier);
        });
        mempool->Attach(validation, **chainman);
        if (txindex) {
            StartTxIndexSync(
                validation, **chainman, txindex, [&shutdown] { return shutdown.IsRequested(); },
                &logger);
        }
        auto created =
            NetStack::Create(std::move(*net_setup), settings.chain_datadir, **chainman,
                             &mempool->Pool(), mempool_setup->policy, validation, params, logger);
        util::Expected<void> started =
            created ? util::Expected<void>{} : util::Expected<void>{created.error()};
        if (created) {
            net = std::move(*created);
            validation.Run([&] { (*chainman)->Signals().Register(net->Peers().Events()); });
            started = net->Start();
        }
        if (!started) {
            logger.Error(started.error().message);
            err << "Error: " << started.error().message << std::endl;
            shutdown.Request();
            exit_code = 1;
        } else {
            relay_to.store(&net->Peers());
            net_interface = std::make_unique<NetInterface>(*net, validation, clock);
            services.net = net_interface.get();
        }
        services.chain = chain.get();
        if (wallets && started) {
            wallets->SetChain(*chain);
            if (auto loaded = wallets->LoadStartupWallets(); !loaded) {
                logger.Error(loaded.error().message);
                err << "Error: " << loaded.error().message << std::endl;
                shutdown.Request();
                exit_code = 1;
            }
        }
        if (rpc_server) rpc_server->FinishWarmup();
        logger.Info("init message: Done loading");
    }
    shutdown.Wait();
    logger.Info("Shutdown: In progress...");
    // Long-polls return, the server finishes the calls it runs, then nothing calls in.
    if (chain) chain->Interrupt();
    if (rpc_server) rpc_server->Stop();
    relay_to.store(nullptr);
    // No connection, timer or opener thread posts to the executor after this.
    if (net) net->Stop();
    // Wallets stop listening and flush while the chain still answers their calls.
    if (wallets) wallets->UnloadAll();
    // Queued events still reach the clients, which may call into the chain meanwhile.
    notifier.Stop();
    validation.Run([&] {
        (*chainman)->Signals().Unregister(notifier.Events().get());
        if (net) (*chainman)->Signals().Unregister(net->Peers().Events().get());
        if (mempool) mempool->Detach(**chainman);
        if (chain) (*chainman)->Signals().Unregister(chain->Events().get());
        if (txindex) (*chainman)->Signals().Unregister(txindex.get());
        if (zmq_notifier) {
            (*chainman)->Signals().Unregister(zmq_notifier.get());
            zmq_notifier->Shutdown();
        }
        chainman->reset(); // flushes block index and coins
    });
    validation.Stop();
    net.reset();
    return fatal_error ? 1 : exit_code;
}

} // namespace

std::string FormatVersion()
{
    return std::string{"v"} + MINIBIT_VERSION;
}

void SetupServerArgs(util::ArgsManager& args)
{
    using util::ArgType;
    using util::OptionsCategory;
    args.AddArg("-?", "Show this help text and exit", ArgType::BOOL, OptionsCategory::OPTIONS);
    args.AddHiddenArgs({"-h", "-help"});
    args.AddArg("-version", "Show the version number and exit", ArgType::BOOL,
                OptionsCategory::OPTIONS);
    args.AddArg("-conf=<file>",
                std::string{"Configuration file to read settings from; it is never written and "
                            "can only be named on the command line. A relative path starts at "
                            "the data directory (default: "} +
                    CONFIG_FILENAME + ")",
                ArgType::STRING, OptionsCategory::OPTIONS, util::COMMAND_LINE_ONLY);
    args.AddArg("-datadir=<dir>", "Directory that holds the node's data (default: ~/.minibit)",
                ArgType::STRING, OptionsCategory::OPTIONS, util::DISALLOW_NEGATION);
    args.AddArg("-pid=<file>",
                std::string{"File that receives the process id. A relative path starts at the "
                            "chain's own data directory (default: "} +
                    PID_FILENAME + ")",
                ArgType::STRING, OptionsCategory::OPTIONS);
    args.AddArg("-debuglogfile=<file>",
                std::string{"File the log is written to (default: "} + DEBUG_LOG_FILENAME +
                    "). A relative path starts at the chain's own data directory. Use "
                    "-nodebuglogfile to keep the log out of any file.",
                ArgType::STRING, OptionsCategory::OPTIONS);

    args.AddArg("-debug=<category>",
                "Turn on debug and trace messages for <category> (default: -nodebug; the "
                "<category> part may be left out). Leaving it out, or giving 1 or \"all\", turns "
                "on every category; 0 or \"none\" turns them all off, whatever else is given. "
                "Known categories: " +
                    JoinNames(util::LogCategoryNames()) +
                    ". Repeat the option to turn on several categories.",
                ArgType::LIST, OptionsCategory::DEBUG_TEST);
    args.AddArg("-debugexclude=<category>",
                "Turn off debug and trace messages for <category>, for instance to follow "
                "everything but a few categories together with -debug=1. Repeat the option to "
                "turn off several categories.",
                ArgType::LIST, OptionsCategory::DEBUG_TEST);
    args.AddArg("-loglevel=<level>|<category>:<level>",
                "Lowest severity that is logged for the categories turned on by -debug: one of "
                "trace, debug, info, warning, error (default: debug). Messages at error, warning "
                "and info are logged whatever the level. A <category>:<level> value sets the "
                "level of that category alone, ahead of the global one; repeat it to set "
                "several categories.",
                ArgType::LIST, OptionsCategory::DEBUG_TEST);
    args.AddArg("-logtimestamps", "Start each log line with a timestamp (default: 1)",
                ArgType::BOOL, OptionsCategory::DEBUG_TEST);
    args.AddArg("-logtimemicros", "Give log timestamps to the microsecond (default: 0)",
                ArgType::BOOL, OptionsCategory::DEBUG_TEST);
    args.AddArg("-printtoconsole",
                "Print log messages on standard output (default: 1). The log file is separate: "
                "turn it off with -nodebuglogfile.",
                ArgType::BOOL, OptionsCategory::DEBUG_TEST);

    args.AddArg("-chain=<chain>",
                "Network to run on: main, test, testnet4, signet or regtest (default: main)",
                ArgType::STRING, OptionsCategory::CHAINPARAMS);
    args.AddArg("-regtest",
                "Run a private regression-test chain on which blocks can be mined at once; same "
                "as -chain=regtest.",
                ArgType::BOOL, OptionsCategory::CHAINPARAMS);
    args.AddArg("-testnet", "Run on testnet3; same as -chain=test.", ArgType::BOOL,
                OptionsCategory::CHAINPARAMS);
    args.AddArg("-testnet4", "Run on testnet4; same as -chain=testnet4.", ArgType::BOOL,
                OptionsCategory::CHAINPARAMS);
    args.AddArg("-signet", "Run on signet; same as -chain=signet.", ArgType::BOOL,
                OptionsCategory::CHAINPARAMS);
    AddChainstateArgs(args);
    AddRpcArgs(args);
    AddZmqArgs(args);
    AddTxIndexArgs(args);
    AddMempoolArgs(args);
    AddNetArgs(args);
    AddWalletArgs(args);
}

util::Expected<InitSettings> ValidateSettings(util::ArgsManager& args, util::Logger& logger)
{
    InitSettings settings;
    if (auto ok = CheckDataDir(args); !ok) return ok.error();
    auto conf = args.ReadConfigFiles(DataDirFromArgs(args));
    if (!conf) return util::Unexpected("Error reading configuration file: " + conf.error().message);
    settings.config_file = *conf;
    // The config file may itself set datadir (the config already read stays).
    if (auto ok = CheckDataDir(args); !ok) return ok.error();
    settings.datadir = DataDirFromArgs(args);

    auto chain = args.GetChainType();
    if (!chain) return chain.error();
    settings.chain = *chain;
    args.SelectConfigNetwork(util::ChainTypeToString(*chain));
    const std::string subdir = util::ChainDataSubdir(*chain);
    settings.chain_datadir = subdir.empty() ? settings.datadir : settings.datadir / subdir;

    if (auto ok = ConfigureLogCategories(args, logger); !ok) return ok.error();
    if (!args.IsArgNegated("-debuglogfile")) {
        settings.log.file = util::AbsPathFor(settings.chain_datadir,
                                             args.GetArg("-debuglogfile", DEBUG_LOG_FILENAME));
    }
    settings.log.print_to_console = args.GetBoolArg("-printtoconsole", true);
    settings.log.format.timestamps = args.GetBoolArg("-logtimestamps", true);
    settings.log.format.micros = args.GetBoolArg("-logtimemicros", false);
    if (!args.IsArgNegated("-pid")) {
        settings.pid_file =
            util::AbsPathFor(settings.chain_datadir, args.GetArg("-pid", PID_FILENAME));
    }
    return settings;
}

int AppMain(int argc, const char* const argv[], std::ostream& out, std::ostream& err)
{
    auto init_error = [&](const std::string& message) {
        err << "Error: " << message << std::endl;
        return 1;
    };
    // Before any thread exists, so the listener thread alone receives signals.
    if (auto ok = util::BlockTerminationSignals(); !ok) return init_error(ok.error().message);

    util::ArgsManager args;
    SetupServerArgs(args);
    if (auto ok = args.ParseParameters(argc, argv); !ok) {
        return init_error("Error parsing command line arguments: " + ok.error().message);
    }
    const bool help = args.IsArgSet("-?") || args.IsArgSet("-h") || args.IsArgSet("-help");
    if (help || args.IsArgSet("-version")) {
        out << "minibit version " << FormatVersion() << "\n";
        if (help) {
            out << "\nUsage:  minibitd [options]                     Start minibit\n\n"
                << args.GetHelpMessage();
        } else {
            out << "Copyright (C) The minibit developers\n\n"
                << "Distributed under the MIT software license.\n";
        }
        return 0;
    }
    if (!args.Positional().empty()) {
        return init_error("Command line contains unexpected token '" + args.Positional()[0] +
                          "' (run minibitd -help to list the options).");
    }

    util::Logger logger;
    auto settings = ValidateSettings(args, logger);
    if (!settings) return init_error(settings.error().message);
    // Outlives the chainstate, which keeps a reference.
    auto params = ChainParamsFromArgs(args, settings->chain);
    if (!params) return init_error(params.error().message);

    // Only now, with every option checked, does anything touch the disk.
    if (auto ok = util::CreateDirectories(settings->chain_datadir); !ok) {
        return init_error(ok.error().message);
    }
    auto lock = util::DirectoryLock::Acquire(settings->chain_datadir);
    if (!lock) return init_error(lock.error().message);
    if (auto ok = logger.Start(settings->log); !ok) return init_error(ok.error().message);

    logger.Info("minibit version " + FormatVersion() + " starting");
    logger.Info("Chain: " + util::ChainTypeToString(settings->chain));
    logger.Info("Default data directory " + util::GetDefaultDataDir().string());
    logger.Info("Using data directory " + settings->chain_datadir.string());
    logger.Info(settings->config_file.empty() ? std::string{"Config file: none (no file found)"}
                                              : "Config file: " + settings->config_file.string());
    for (const std::string& line : args.DescribeSettings())
        logger.Info(line);
    logger.Info("Debug logging categories: " + logger.EnabledCategoriesString());
    logger.Info(std::string{"Log timestamps: "} +
                (settings->log.format.timestamps
                     ? (settings->log.format.micros ? "microseconds" : "seconds")
                     : "off"));

    if (!settings->pid_file.empty()) {
        if (auto ok = util::WriteTextFile(settings->pid_file, std::to_string(getpid()) + "\n");
            !ok) {
            logger.Error(ok.error().message);
            return init_error(ok.error().message);
        }
    }

    util::ShutdownSignal shutdown;
    int exit_code = 0;
    {
        util::SignalListener listener{[&](int sig) {
                                          logger.Info(std::string{"Received "} +
                                                      (sig == SIGINT ? "SIGINT" : "SIGTERM"));
                                          shutdown.Request();
                                      },
                                      [&] {
                                          if (auto ok = logger.Reopen(); !ok)
                                              logger.Warning(ok.error().message);
                                      }};
        rpc::Services services;
        services.logger = &logger;
        services.request_shutdown = [&shutdown] { shutdown.Request(); };
        services.shutdown_requested = [&shutdown] { return shutdown.IsRequested(); };
        services.log_path = settings->log.file;
        exit_code = RunNode(args, **params, *settings, logger, shutdown, services, err);
    }
    if (!settings->pid_file.empty()) {
        std::error_code ec;
        std::filesystem::remove(settings->pid_file, ec);
        if (ec) logger.Warning("Unable to remove PID file " + settings->pid_file.string());
    }
    logger.Info("Shutdown: done");
    logger.Stop();
    return exit_code;
}

} // namespace node
