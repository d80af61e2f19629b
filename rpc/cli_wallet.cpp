// minibit-cli's -generate and -getinfo wallet lines (see cli_wallet.h). The rules follow
// Bitcoin Core v28's bitcoin-cli: GenerateToAddressRequestHandler, GetinfoRequestHandler,
// GetWalletBalances and ParseGetInfoResult.
#include <rpc/cli_wallet.h>

#include <rpc/client.h>

#include <algorithm>
#include <utility>

namespace rpc::cli {

namespace {

constexpr const char* DEFAULT_NBLOCKS{"1"};

const Json& Member(const Json& object, std::string_view key)
{
    static const Json NULL_JSON{};
    if (!object.is_object()) return NULL_JSON;
    const auto it = object.find(std::string{key});
    return it == object.end() ? NULL_JSON : *it;
}

// UniValue's getValStr(): a string's text, a number's or bool's JSON text, "" otherwise.
std::string ValueText(const Json& value)
{
    if (value.is_string()) return value.get<std::string>();
    if (value.is_number() || value.is_boolean() || value.is_binary()) return WriteJson(value);
    return "";
}

CliOutput LocalFailure(std::string message)
{
    return CliOutput{"", "error: " + message, 1};
}

} // namespace

CliOutput GenerateToNewAddress(const WalletCall& call, std::vector<std::string> args,
                               const std::optional<std::string>& wallet)
{
    // Core asks for the address first, so a missing wallet is reported before bad arguments.
    const Json address_reply = call("getnewaddress", Json::array(), wallet);
    if (!Member(address_reply, "error").is_null()) return FormatReply(address_reply);
    const Json& address = Member(address_reply, "result");
    if (!address.is_string()) {
        return LocalFailure("JSON value of type " + std::string{address.type_name()} +
                            " is not of expected type string");
    }
    if (args.size() > 2)
        return LocalFailure("too many arguments (maximum 2 for nblocks and maxtries)");
    if (args.empty()) {
        args.emplace_back(DEFAULT_NBLOCKS);
    } else if (args[0] == "0") {
        return LocalFailure(std::string{"the first argument (number of blocks to generate, "
                                        "default: "} +
                            DEFAULT_NBLOCKS + ") must be an integer value greater than zero");
    }
    args.insert(args.begin() + 1, address.get<std::string>());
    auto params = ConvertPositional("generatetoaddress", args);
    if (!params) return LocalFailure(params.error().message);
    const Json reply = call("generatetoaddress", std::move(*params), wallet);
    Json result = Json::object();
    result["address"] = address;
    result["blocks"] = Member(reply, "result");
    return FormatReply(Json{{"result", std::move(result)}, {"error", nullptr}, {"id", 1}});
}

void AddGetInfoWallet(Json& info, const Json& walletinfo_reply, const Json& balances_reply)
{
    const Json& wallet = Member(walletinfo_reply, "result");
    if (!wallet.is_null()) {
        info["has_wallet"] = true;
        info["keypoolsize"] = Member(wallet, "keypoolsize");
        info["walletname"] = Member(wallet, "walletname");
        if (!Member(wallet, "unlocked_until").is_null()) {
            info["unlocked_until"] = Member(wallet, "unlocked_until");
        }
        info["paytxfee"] = Member(wallet, "paytxfee");
    }
    const Json& balances = Member(balances_reply, "result");
    if (!balances.is_null()) info["balance"] = Member(Member(balances, "mine"), "trusted");
}

std::optional<Json> GetWalletBalances(const WalletCall& call)
{
    const Json list = call("listwallets", Json::array(), std::nullopt);
    if (!Member(list, "error").is_null()) return std::nullopt;
    const Json& names = Member(list, "result");
    if (!names.is_array() || names.size() <= 1) return std::nullopt;
    Json balances = Json::object();
    for (const Json& name : names) {
        if (!name.is_string()) continue;
        const std::string wallet = name.get<std::string>();
        const Json reply = call("getbalances", Json::array(), wallet);
        balances[wallet] = Member(Member(Member(reply, "result"), "mine"), "trusted");
    }
    return balances;
}

std::string FormatGetInfoWallet(const Json& info, bool color)
{
    const std::string reset = color ? "\x1B[0m" : "";
    const std::string magenta = color ? "\x1B[35m" : "";
    const std::string cyan = color ? "\x1B[36m" : "";
    std::string s;
    if (!Member(info, "has_wallet").is_null()) {
        const std::string name = ValueText(Member(info, "walletname"));
        s += magenta + "Wallet: " + (name.empty() ? std::string{"\"\""} : name) + reset + "\n";
        s += "Keypool size: " + ValueText(Member(info, "keypoolsize")) + "\n";
        if (!Member(info, "unlocked_until").is_null()) {
            s += "Unlocked until: " + ValueText(Member(info, "unlocked_until")) + "\n";
        }
        s += "Transaction fee rate (-paytxfee) (BTC/kvB): " + ValueText(Member(info, "paytxfee")) +
             "\n\n";
    }
    if (!Member(info, "balance").is_null()) {
        s += cyan + "Balance:" + reset + " " + ValueText(Member(info, "balance")) + "\n\n";
    }
    const Json& balances = Member(info, "balances");
    if (balances.is_object()) {
        s += cyan + "Balances" + reset + "\n";
        // Right-aligned amounts, at least ten characters wide, then the wallet name.
        size_t width = 10;
        for (const auto& [name, value] : balances.items())
            width = std::max(width, ValueText(value).size());
        for (const auto& [name, value] : balances.items()) {
            const std::string text = ValueText(value);
            s += std::string(width - text.size(), ' ') + text + " " +
                 (name.empty() ? std::string{"\"\""} : name) + "\n";
        }
        s += "\n";
    }
    return s;
}

} // namespace rpc::cli
