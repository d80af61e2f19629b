// Startup and shutdown of minibitd: options, config, data directory, lock, log.
#pragma once

#include <util/args.h>
#include <util/chaintype.h>
#include <util/expected.h>
#include <util/logging.h>

#include <filesystem>
#include <iosfwd>
#include <string>

namespace node {

/// "v0.1.0", from the CMake project version.
std::string FormatVersion();

/// Registers every option minibitd accepts (startup thread only).
void SetupServerArgs(util::ArgsManager& args);

/// Everything startup decided from the options, before touching the disk.
struct InitSettings
{
    util::ChainType chain{util::ChainType::MAIN};
    std::filesystem::path datadir{};       //!< -datadir (or the default)
    std::filesystem::path chain_datadir{}; //!< datadir plus the chain subfolder
    std::filesystem::path config_file{};   //!< file read, empty if none
    std::filesystem::path pid_file{};      //!< empty with -nopid
    util::LogOptions log{};
};

/// Reads the config file and checks every option (chain, datadir, logging),
/// configuring `logger`'s categories and levels. Creates nothing on disk.
util::Expected<InitSettings> ValidateSettings(util::ArgsManager& args, util::Logger& logger);

/// Runs the daemon with the process arguments and returns its exit code: 0 after
/// -help, -version or a clean SIGINT/SIGTERM shutdown, 1 on any startup error
/// (printed to `err` as "Error: ..."). Call from main() before any thread starts.
int AppMain(int argc, const char* const argv[], std::ostream& out, std::ostream& err);

} // namespace node
