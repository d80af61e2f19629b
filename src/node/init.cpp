#include <node/init.h>

#include <util/fs.h>
#include <util/fslock.h>
#include <util/signals.h>
#include <util/strings.h>

#include <algorithm>
#include <csignal>
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
                                        ". Valid values: trace, debug, info, warning, error.");
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
                ". Expected -loglevel=<category>:<loglevel>. Valid "
                "categories: " +
                JoinNames(util::LogCategoryNames()) +
                ". Valid loglevels: trace, debug, info, warning, error.");
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

} // namespace

std::string FormatVersion()
{
    return std::string{"v"} + MINIBIT_VERSION;
}

void SetupServerArgs(util::ArgsManager& args)
{
    using util::ArgType;
    using util::OptionsCategory;
    args.AddArg("-?", "Print this help message and exit", ArgType::BOOL, OptionsCategory::OPTIONS);
    args.AddHiddenArgs({"-h", "-help"});
    args.AddArg("-version", "Print version and exit", ArgType::BOOL, OptionsCategory::OPTIONS);
    args.AddArg("-conf=<file>",
                std::string{"Specify path to read-only configuration file. Relative paths will be "
                            "prefixed by datadir location (default: "} +
                    CONFIG_FILENAME + ")",
                ArgType::STRING, OptionsCategory::OPTIONS, util::COMMAND_LINE_ONLY);
    args.AddArg("-datadir=<dir>", "Specify data directory (default: ~/.minibit)", ArgType::STRING,
                OptionsCategory::OPTIONS, util::DISALLOW_NEGATION);
    args.AddArg("-pid=<file>",
                std::string{"Specify pid file. Relative paths will be prefixed by a net-specific "
                            "datadir location. (default: "} +
                    PID_FILENAME + ")",
                ArgType::STRING, OptionsCategory::OPTIONS);
    args.AddArg("-debuglogfile=<file>",
                std::string{"Specify location of debug log file (default: "} + DEBUG_LOG_FILENAME +
                    "). Relative paths will be prefixed by a net-specific datadir location. Pass "
                    "-nodebuglogfile to disable writing the log to a file.",
                ArgType::STRING, OptionsCategory::OPTIONS);

    args.AddArg("-debug=<category>",
                "Output debug and trace logging (default: -nodebug, supplying <category> is "
                "optional). If <category> is not supplied or if <category> is 1 or \"all\", "
                "output all debug logging. If <category> is 0 or \"none\", any other categories "
                "are ignored. Other valid values for <category> are: " +
                    JoinNames(util::LogCategoryNames()) +
                    ". This option can be specified multiple times to output multiple categories.",
                ArgType::LIST, OptionsCategory::DEBUG_TEST);
    args.AddArg("-debugexclude=<category>",
                "Exclude debug and trace logging for a category. Can be used in conjunction with "
                "-debug=1 to output debug and trace logging for all categories except the "
                "specified category. This option can be specified multiple times to exclude "
                "multiple categories.",
                ArgType::LIST, OptionsCategory::DEBUG_TEST);
    args.AddArg("-loglevel=<level>|<category>:<level>",
                "Set the global or per-category severity level for logging categories enabled "
                "with the -debug configuration option. Possible values are trace, debug, info, "
                "warning, error (default=debug). The following levels are always logged: error, "
                "warning, info. If <category>:<level> is supplied, the setting will override the "
                "global one and may be specified multiple times to set multiple "
                "category-specific levels.",
                ArgType::LIST, OptionsCategory::DEBUG_TEST);
    args.AddArg("-logtimestamps", "Prepend debug output with timestamp (default: 1)", ArgType::BOOL,
                OptionsCategory::DEBUG_TEST);
    args.AddArg("-logtimemicros", "Add microsecond precision to debug timestamps (default: 0)",
                ArgType::BOOL, OptionsCategory::DEBUG_TEST);
    args.AddArg("-printtoconsole",
                "Send trace/debug info to console (default: 1. To disable logging to file, set "
                "-nodebuglogfile)",
                ArgType::BOOL, OptionsCategory::DEBUG_TEST);

    args.AddArg("-chain=<chain>",
                "Use the chain <chain> (default: main). Allowed values: main, test, testnet4, "
                "signet, regtest",
                ArgType::STRING, OptionsCategory::CHAINPARAMS);
    args.AddArg("-regtest",
                "Enter regression test mode, which uses a special chain in which blocks can be "
                "solved instantly. Equivalent to -chain=regtest.",
                ArgType::BOOL, OptionsCategory::CHAINPARAMS);
    args.AddArg("-testnet", "Use the testnet3 chain. Equivalent to -chain=test.", ArgType::BOOL,
                OptionsCategory::CHAINPARAMS);
    args.AddArg("-testnet4", "Use the testnet4 chain. Equivalent to -chain=testnet4.",
                ArgType::BOOL, OptionsCategory::CHAINPARAMS);
    args.AddArg("-signet", "Use the signet chain. Equivalent to -chain=signet.", ArgType::BOOL,
                OptionsCategory::CHAINPARAMS);
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
                          "', see minibitd -h for a list of options.");
    }

    util::Logger logger;
    auto settings = ValidateSettings(args, logger);
    if (!settings) return init_error(settings.error().message);

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
    logger.Info(settings->config_file.empty()
                    ? std::string{"Config file: none (not found, skipping)"}
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
        logger.Info("init message: Done loading");
        shutdown.Wait();
        logger.Info("Shutdown: In progress...");
    }
    if (!settings->pid_file.empty()) {
        std::error_code ec;
        std::filesystem::remove(settings->pid_file, ec);
        if (ec) logger.Warning("Unable to remove PID file " + settings->pid_file.string());
    }
    logger.Info("Shutdown: done");
    logger.Stop();
    return 0;
}

} // namespace node
