#include <wallet/rpc/util.h>

#include <common/chainparams.h>
#include <common/key_io.h>
#include <rpc/util.h>
#include <util/strings.h>

#include <string>

namespace wallet {

namespace {

// The path prefix of wallet endpoints.
constexpr std::string_view WALLET_ENDPOINT_BASE{"/wallet/"};
// The largest conf_target accepted: the fee estimator's longest horizon (Core's
// estimateMaxBlocks with its default settings).
constexpr int MAX_CONF_TARGET{1008};

int HexValue(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

// Core's UrlDecode: "%XX" with two hex digits becomes that byte; anything else, '+' included,
// is kept as it is.
std::string UrlDecode(std::string_view text)
{
    std::string out;
    out.reserve(text.size());
    for (size_t i = 0; i < text.size(); ++i) {
        if (text[i] == '%' && i + 2 < text.size()) {
            const int high = HexValue(text[i + 1]);
            const int low = HexValue(text[i + 2]);
            if (high >= 0 && low >= 0) {
                out.push_back(static_cast<char>(high * 16 + low));
                i += 2;
                continue;
            }
        }
        out.push_back(text[i]);
    }
    return out;
}

} // namespace

std::optional<std::string> WalletNameFromUri(std::string_view uri)
{
    if (!uri.starts_with(WALLET_ENDPOINT_BASE)) return std::nullopt;
    return UrlDecode(uri.substr(WALLET_ENDPOINT_BASE.size()));
}

std::shared_ptr<Wallet> GetWalletForRequest(const rpc::Request& request,
                                            const WalletManager& manager)
{
    if (const auto name = WalletNameFromUri(request.context.uri)) {
        auto wallet = manager.GetWallet(*name);
        if (!wallet) {
            rpc::ThrowRpc(RPC_WALLET_NOT_FOUND, "Requested wallet does not exist or is not loaded");
        }
        return wallet;
    }
    auto wallets = manager.GetWallets();
    if (wallets.size() == 1) return wallets.front();
    if (wallets.empty()) {
        rpc::ThrowRpc(RPC_WALLET_NOT_FOUND,
                      "No wallet is loaded. Load a wallet using loadwallet or create a new one "
                      "with createwallet. (Note: A default wallet is no longer automatically "
                      "created)");
    }
    rpc::ThrowRpc(RPC_WALLET_NOT_SPECIFIED, "Wallet file not specified (must request wallet RPC "
                                            "through /wallet/<filename> uri-path).");
}

void EnsureWalletIsUnlocked(const Wallet& wallet)
{
    if (wallet.IsLocked()) {
        rpc::ThrowRpc(RPC_WALLET_UNLOCK_NEEDED,
                      "Error: Please enter the wallet passphrase with walletpassphrase first.");
    }
}

void EnsurePrivateKeysEnabled(const Wallet& wallet)
{
    if (!wallet.HasPrivateKeys()) {
        rpc::ThrowRpc(RPC_WALLET_ERROR, "Error: Private keys are disabled for this wallet");
    }
}

consensus::Script ParseAddressParam(const Wallet& wallet, const std::string& address)
{
    auto dest = common::DecodeDestination(address, wallet.Chain().Params());
    if (!dest || !common::IsValidDestination(*dest)) {
        rpc::ThrowRpc(rpc::RPC_INVALID_ADDRESS_OR_KEY, "Invalid Bitcoin address: " + address);
    }
    return common::GetScriptForDestination(*dest);
}

void SetFeeEstimateMode(const rpc::Json& conf_target, const rpc::Json& estimate_mode,
                        const rpc::Json& fee_rate, CoinControl& control)
{
    if (!fee_rate.is_null()) {
        if (!conf_target.is_null()) {
            rpc::ThrowRpc(rpc::RPC_INVALID_PARAMETER,
                          "Cannot specify both conf_target and fee_rate. Please provide either a "
                          "confirmation target in blocks for automatic fee estimation, or an "
                          "explicit fee rate.");
        }
        if (!estimate_mode.is_null() && estimate_mode.get<std::string>() != "unset") {
            rpc::ThrowRpc(rpc::RPC_INVALID_PARAMETER,
                          "Cannot specify both estimate_mode and fee_rate");
        }
        // sat/vB with at most 3 decimals, read as a whole number of sat/kvB.
        control.fee_rate_per_kvb = rpc::AmountFromValue(fee_rate, 3);
        // An explicit fee rate signals replaceability unless the caller said otherwise.
        if (!control.signal_rbf) control.signal_rbf = true;
        return;
    }
    if (!estimate_mode.is_null()) {
        const std::string mode = util::ToLower(estimate_mode.get<std::string>());
        if (mode != "unset" && mode != "economical" && mode != "conservative") {
            rpc::ThrowRpc(rpc::RPC_INVALID_PARAMETER,
                          "Invalid estimate_mode parameter, must be one of: \"unset\" "
                          "\"economical\" \"conservative\"");
        }
        control.estimate_mode = mode;
    }
    if (!conf_target.is_null()) {
        const int64_t target = rpc::IntFromJson(conf_target);
        if (target < 1 || target > MAX_CONF_TARGET) {
            rpc::ThrowRpc(rpc::RPC_INVALID_PARAMETER,
                          "Invalid conf_target, must be between 1 and " +
                              std::to_string(MAX_CONF_TARGET));
        }
        control.conf_target = static_cast<int>(target);
    }
}

std::string LabelFromValue(const rpc::Json& value)
{
    if (!value.is_string()) {
        rpc::ThrowRpc(rpc::RPC_TYPE_ERROR, "JSON value of type " +
                                               std::string{rpc::JsonTypeName(value)} +
                                               " is not of expected type string");
    }
    std::string label = value.get<std::string>();
    if (label == "*") rpc::ThrowRpc(RPC_WALLET_INVALID_LABEL_NAME, "Invalid label name");
    return label;
}

bool AvoidReuseFlag(const Wallet& wallet, const rpc::Json& param)
{
    const bool can_avoid_reuse = wallet.HasFlag(WALLET_FLAG_AVOID_REUSE);
    const bool avoid_reuse = param.is_null() ? can_avoid_reuse : param.get<bool>();
    if (avoid_reuse && !can_avoid_reuse) {
        rpc::ThrowRpc(RPC_WALLET_ERROR, "wallet does not have the \"avoid reuse\" feature enabled");
    }
    return avoid_reuse;
}

rpc::Json LastProcessedBlock(const Wallet& wallet)
{
    const BestBlock last = wallet.LastBlock();
    return rpc::Json{{"hash", last.hash.GetHex()}, {"height", last.height}};
}

rpc::ResultDoc LastProcessedBlockDoc()
{
    using rpc::ResultType;
    return rpc::ResultDoc{
        ResultType::OBJ,
        "lastprocessedblock",
        "hash and height of the block this information was generated on",
        {
            {ResultType::STR_HEX, "hash", "hash of the block this information was generated on"},
            {ResultType::NUM, "height", "height of the block this information was generated on"},
        }};
}

} // namespace wallet
