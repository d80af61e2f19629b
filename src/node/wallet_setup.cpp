#include <node/wallet_setup.h>

#include <util/strings.h>

#include <string>

namespace node {
namespace {

/// A BTC amount option (fee rates are BTC/kvB, as Core); nullopt when unset.
util::Expected<std::optional<consensus::Amount>> AmountArg(const util::ArgsManager& args,
                                                           const std::string& name)
{
    const auto text = args.GetArg(name);
    if (!text) return std::optional<consensus::Amount>{};
    const auto value = util::ParseFixedPoint(*text, 8);
    if (!value || *value < 0 || *value > consensus::MAX_MONEY) {
        return util::Unexpected("Invalid amount for " + name + "=<amount>: '" + *text + "'");
    }
    return std::optional<consensus::Amount>{*value};
}

} // namespace

void AddWalletArgs(util::ArgsManager& args)
{
    using util::ArgType;
    const auto cat = util::OptionsCategory::WALLET;
    args.AddArg("-disablewallet", "Do not load the wallet and disable wallet RPC calls",
                ArgType::BOOL, cat);
    args.AddArg("-wallet=<path>",
                "Load the wallet of this name from the wallet directory at startup (can be given "
                "more than once; a name that does not exist is skipped with a warning)",
                ArgType::STRING, cat);
    args.AddArg("-walletdir=<dir>",
                "Directory holding the wallets, an absolute path (default: <datadir>/wallets)",
                ArgType::STRING, cat);
    args.AddArg("-keypool=<n>",
                "Addresses each wallet descriptor keeps derived ahead of the next one handed out "
                "(default: " +
                    std::to_string(wallet::DEFAULT_KEYPOOL_SIZE) + ")",
                ArgType::INT, cat);
    args.AddArg("-walletrbf", "Send transactions that signal BIP125 replaceability (default: 1)",
                ArgType::BOOL, cat);
    args.AddArg("-spendzeroconfchange",
                "Spend unconfirmed change when sending transactions (default: 1)", ArgType::BOOL,
                cat);
    args.AddArg("-txconfirmtarget=<n>",
                "Confirm within this many blocks when no fee rate is given (default: 6)",
                ArgType::INT, cat);
    args.AddArg("-fallbackfee=<amt>",
                "Fee rate (BTC/kvB) used when fee estimation has too little data; 0 turns the "
                "fallback off (default: 0.00)",
                ArgType::STRING, cat);
    args.AddArg("-mintxfee=<amt>",
                "Fee rates (BTC/kvB) below this are never used by the wallet (default: 0.00001)",
                ArgType::STRING, cat);
    args.AddArg("-discardfee=<amt>",
                "Change worth less than its cost at this fee rate (BTC/kvB) goes to the fee "
                "(default: 0.0001)",
                ArgType::STRING, cat);
    args.AddArg("-maxtxfee=<amt>",
                "Largest total fee (in BTC) of one wallet transaction (default: 0.10)",
                ArgType::STRING, cat);
    args.AddArg("-consolidatefeerate=<amt>",
                "Fee rate (BTC/kvB) below which coin selection prefers spending more inputs "
                "(default: 0.0001)",
                ArgType::STRING, cat);
}

util::Expected<std::optional<wallet::WalletManagerOptions>>
WalletOptionsFromArgs(const util::ArgsManager& args, const std::filesystem::path& chain_datadir,
                      consensus::Amount min_relay_fee)
{
    if (args.GetBoolArg("-disablewallet", false)) {
        return std::optional<wallet::WalletManagerOptions>{};
    }
    wallet::WalletManagerOptions options;
    if (const auto dir = args.GetArg("-walletdir")) {
        std::filesystem::path path{*dir};
        std::error_code ec;
        if (!std::filesystem::is_directory(path, ec)) {
            return util::Unexpected("Specified -walletdir \"" + *dir + "\" does not exist");
        }
        if (path.is_relative()) {
            return util::Unexpected("Specified -walletdir \"" + *dir + "\" is a relative path");
        }
        options.wallet_dir = std::move(path);
    } else {
        options.wallet_dir = chain_datadir / "wallets";
    }
    options.settings_file = chain_datadir / "settings.json";
    options.startup_wallets = args.GetArgs("-wallet");

    wallet::WalletSettings& s = options.settings;
    const int64_t keypool = args.GetIntArg("-keypool", wallet::DEFAULT_KEYPOOL_SIZE);
    if (keypool < 1 || keypool > 100'000) {
        return util::Unexpected("-keypool must be between 1 and 100000");
    }
    s.keypool_size = static_cast<uint32_t>(keypool);
    s.signal_rbf = args.GetBoolArg("-walletrbf", true);
    s.spend_zeroconf_change = args.GetBoolArg("-spendzeroconfchange", true);
    const int64_t target = args.GetIntArg("-txconfirmtarget", 6);
    if (target < 1 || target > 1008) {
        return util::Unexpected("-txconfirmtarget must be between 1 and 1008");
    }
    s.confirm_target = static_cast<int>(target);
    const std::pair<const char*, consensus::Amount*> amounts[]{
        {"-fallbackfee", &s.fallback_fee_per_kvb},
        {"-mintxfee", &s.min_fee_per_kvb},
        {"-discardfee", &s.discard_fee_per_kvb},
        {"-maxtxfee", &s.max_tx_fee},
        {"-consolidatefeerate", &s.consolidate_fee_per_kvb},
    };
    for (const auto& [name, target_amount] : amounts) {
        auto value = AmountArg(args, name);
        if (!value) return value.error();
        if (*value) *target_amount = **value;
    }
    s.min_relay_fee_per_kvb = min_relay_fee;
    return std::optional<wallet::WalletManagerOptions>{std::move(options)};
}

} // namespace node
