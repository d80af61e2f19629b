#include <node/chainstate_setup.h>

#include <util/strings.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <random>
#include <thread>

namespace node {

namespace {

// Core's cap on script verification threads.
constexpr int MAX_SCRIPTCHECK_THREADS = 15;

util::Expected<consensus::Uint256> HashOption(const util::ArgsManager& args, std::string_view name,
                                              const consensus::Uint256& def)
{
    const auto value = args.GetArg(name);
    if (!value) return def;
    if (*value == "0") return consensus::Uint256{};
    // Core accepts shorter hex and left-pads it with zeros.
    std::string hex = *value;
    if (hex.starts_with("0x")) hex = hex.substr(2);
    if (hex.size() > 64 || !util::TryParseHex(hex.size() % 2 ? "0" + hex : hex)) {
        return util::Unexpected("Invalid value for " + std::string{name} + ": '" + *value +
                                "' is not a hex number of at most 64 digits");
    }
    hex.insert(0, 64 - hex.size(), '0');
    return *consensus::Uint256::FromHex(hex);
}

} // namespace

void AddChainstateArgs(util::ArgsManager& args)
{
    using util::ArgType;
    using util::OptionsCategory;
    args.AddArg("-dbcache=<n>",
                "Memory for the database caches in MiB; most of it holds unspent outputs between "
                "writes (minimum 4, default: 450)",
                ArgType::INT, OptionsCategory::OPTIONS);
    args.AddArg("-par=<n>",
                "Threads that verify scripts, the validation thread included (0 = one per "
                "core, a negative number leaves that many cores free; at most 15, default: 0)",
                ArgType::INT, OptionsCategory::OPTIONS);
    args.AddArg("-assumevalid=<hex>",
                "Take the scripts of this block and its ancestors as valid once it is on the "
                "best header chain with enough work; 0 verifies every script (default: the "
                "network's)",
                ArgType::STRING, OptionsCategory::OPTIONS);
    args.AddArg("-minimumchainwork=<hex>",
                "Least total work a chain needs before the node leaves initial block download "
                "(default: the network's)",
                ArgType::STRING, OptionsCategory::DEBUG_TEST);
    args.AddArg("-reindex",
                "Rebuild the block index and the chainstate from the blk*.dat files on disk",
                ArgType::BOOL, OptionsCategory::OPTIONS);
    args.AddArg("-reindex-chainstate", "Rebuild the chainstate from the blocks already indexed",
                ArgType::BOOL, OptionsCategory::OPTIONS);
    args.AddArg("-loadblock=<file>",
                "Import blocks at startup from a file in blk*.dat format (may be repeated)",
                ArgType::LIST, OptionsCategory::OPTIONS);
    args.AddArg("-checkblocks=<n>",
                "How many of the last blocks to check at startup (0 = all, default: 6)",
                ArgType::INT, OptionsCategory::DEBUG_TEST);
    args.AddArg("-checklevel=<n>", "How thorough the startup check is (0-4, default: 3)",
                ArgType::INT, OptionsCategory::DEBUG_TEST);
    args.AddArg("-dbbatchsize=<n>",
                "Bytes per batch when writing coins to the database (default: 16777216)",
                ArgType::INT, OptionsCategory::DEBUG_TEST);
    args.AddArg("-dbcrashratio=<n>",
                "Test only: after each coins batch, exit at once with probability 1/n, as a "
                "crash would (0 = never)",
                ArgType::INT, OptionsCategory::HIDDEN);
    args.AddArg("-signetchallenge=<hex>",
                "Blocks of a custom signet must satisfy this script (BIP325)", ArgType::STRING,
                OptionsCategory::CHAINPARAMS);
}

util::Expected<std::unique_ptr<const common::ChainParams>>
ChainParamsFromArgs(const util::ArgsManager& args, util::ChainType chain)
{
    if (chain != util::ChainType::SIGNET) {
        if (args.IsArgSet("-signetchallenge")) {
            return util::Unexpected("-signetchallenge is only used on signet");
        }
        return common::CreateChainParams(chain);
    }
    common::SignetOptions options;
    if (const auto challenge = args.GetArg("-signetchallenge")) {
        auto bytes = util::TryParseHex(*challenge);
        if (!bytes || bytes->empty()) {
            return util::Unexpected("-signetchallenge must be a non-empty hex script, got '" +
                                    *challenge + "'");
        }
        options.challenge = std::move(*bytes);
    }
    return common::ChainParams::SigNet(options);
}

util::Expected<ChainstateSetup> ChainstateSetupFromArgs(const util::ArgsManager& args,
                                                        const common::ChainParams& params,
                                                        const std::filesystem::path& chain_datadir,
                                                        util::Logger* logger)
{
    ChainstateSetup setup;
    auto& options = setup.options;
    options.params = &params;
    options.data_dir = chain_datadir;
    options.logger = logger;

    // Integer options were checked when they were parsed.
    const int64_t cache_mib =
        std::clamp<int64_t>(args.GetIntArg("-dbcache", kernel::DEFAULT_DB_CACHE_MIB),
                            kernel::MIN_DB_CACHE_MIB, 1 << 20);
    const size_t total = static_cast<size_t>(cache_mib) << 20;
    // Core's split: a little for the block index, some for LevelDB, the rest for coins.
    options.block_tree_db_cache_bytes = std::min<size_t>(total / 8, 2 << 20);
    const size_t rest = total - options.block_tree_db_cache_bytes;
    options.coins_db_cache_bytes = std::min<size_t>(rest / 2, rest / 4 + (8 << 20));
    options.coins_cache_bytes = rest - options.coins_db_cache_bytes;

    const int64_t par = args.GetIntArg("-par", 0);
    const int cores = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
    const int64_t threads = par <= 0 ? cores + par : par;
    options.script_threads =
        static_cast<unsigned>(std::clamp<int64_t>(threads, 1, MAX_SCRIPTCHECK_THREADS));

    const auto& consensus = params.GetConsensus();
    auto assume_valid = HashOption(args, "-assumevalid", consensus.default_assume_valid);
    if (!assume_valid) return assume_valid.error();
    if (!assume_valid->IsNull()) options.assume_valid = *assume_valid;
    auto min_work = HashOption(args, "-minimumchainwork", consensus.minimum_chain_work);
    if (!min_work) return min_work.error();
    options.minimum_chain_work = consensus::ArithUint256{*min_work};

    options.reindex = args.GetBoolArg("-reindex", false);
    options.reindex_chainstate = args.GetBoolArg("-reindex-chainstate", false);
    for (const std::string& file : args.GetArgs("-loadblock")) {
        setup.load_block_files.push_back(std::filesystem::absolute(file));
    }
    setup.check_blocks = static_cast<int>(std::clamp<int64_t>(
        args.GetIntArg("-checkblocks", kernel::DEFAULT_CHECKBLOCKS), 0, 1 << 30));
    const int64_t check_level = args.GetIntArg("-checklevel", kernel::DEFAULT_CHECKLEVEL);
    if (check_level < 0 || check_level > 4) {
        return util::Unexpected("Invalid value for -checklevel: '" + std::to_string(check_level) +
                                "' (it must be 0 to 4)");
    }
    setup.check_level = static_cast<int>(check_level);

    const int64_t batch =
        args.GetIntArg("-dbbatchsize", static_cast<int64_t>(options.coins_batch_write_bytes));
    if (batch < 1) return util::Unexpected("-dbbatchsize must be at least 1");
    options.coins_batch_write_bytes = static_cast<size_t>(batch);
    const int64_t crash_ratio = args.GetIntArg("-dbcrashratio", 0);
    if (crash_ratio < 0) return util::Unexpected("-dbcrashratio must not be negative");
    if (crash_ratio > 0) {
        // Exits without flushing or unwinding anything, which is what a crash leaves behind.
        options.crash_after_batch =
            [ratio = static_cast<uint64_t>(crash_ratio),
             rng = std::make_shared<std::mt19937_64>(std::random_device{}())](size_t) {
                if ((*rng)() % ratio == 0) {
                    std::fputs("Simulating a crash. Goodbye.\n", stderr);
                    std::_Exit(0);
                }
                return false;
            };
    }
    return setup;
}

} // namespace node
