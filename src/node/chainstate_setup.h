// Turns the chainstate options of the command line and config file
// (-dbcache, -par, -assumevalid, -reindex, -loadblock, ...) into
// kernel::ChainstateOptions, with Bitcoin Core's names, defaults and limits.
#pragma once

#include <common/chainparams.h>
#include <kernel/chainstate.h>
#include <util/args.h>
#include <util/expected.h>

#include <filesystem>
#include <memory>
#include <vector>

namespace node {

/// Registers the chainstate options for -help and parsing.
void AddChainstateArgs(util::ArgsManager& args);

/// The parameters of the chosen network (-signetchallenge applies to signet).
util::Expected<std::unique_ptr<const common::ChainParams>>
ChainParamsFromArgs(const util::ArgsManager& args, util::ChainType chain);

/// Everything init needs to open and check the chainstate.
struct ChainstateSetup
{
    kernel::ChainstateOptions options;
    std::vector<std::filesystem::path> load_block_files; //!< -loadblock, in order
    int check_blocks{kernel::DEFAULT_CHECKBLOCKS};
    int check_level{kernel::DEFAULT_CHECKLEVEL};
};

/// Reads and checks the chainstate options; errors quote the bad value.
util::Expected<ChainstateSetup> ChainstateSetupFromArgs(const util::ArgsManager& args,
                                                        const common::ChainParams& params,
                                                        const std::filesystem::path& chain_datadir,
                                                        util::Logger* logger);

} // namespace node
