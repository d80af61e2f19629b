// wallet: getnewaddress, getrawchangeaddress, getaddressinfo, setlabel, listlabels and
// getaddressesbylabel, with Bitcoin Core v28's names, results, errors and codes. Balances and
// coins live in wallet_query_coins.cpp, the transaction listings in wallet_query_tx.cpp and
// wallet_query_received.cpp.
#include <wallet/rpc/register.h>
#include <wallet/rpc/rpc_names.h>
#include <wallet/rpc/util.h>
#include <wallet/rpc/wallet_query_internal.h>

#include <common/key_io.h>
#include <common/sign.h>
#include <common/solver.h>
#include <consensus/hash.h>
#include <rpc/dispatch.h>
#include <rpc/util.h>
#include <util/strings.h>

#include <algorithm>
#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <variant>
#include <vector>

namespace wallet {

namespace {

// Core's -addresstype and -changetype defaults (minibit has no such options yet).
constexpr OutputType DEFAULT_ADDRESS_TYPE{OutputType::BECH32};
constexpr const char* NO_KEYS_MESSAGE{"Error: This wallet has no available keys"};

std::string Quoted(const std::string& text)
{
    return "\"" + text + "\"";
}

// Core's CanGetAddresses: some active descriptor hands out `internal` (change) addresses.
bool CanGetAddresses(const Wallet& wallet, bool internal)
{
    auto descriptors = wallet.ListDescriptors(false);
    if (!descriptors) return false;
    return std::any_of(descriptors->begin(), descriptors->end(), [&](const DescriptorInfo& info) {
        return info.active && info.internal.value_or(false) == internal;
    });
}

OutputType ParseAddressType(const Json& value, OutputType fallback)
{
    if (value.is_null()) return fallback;
    const std::string name = value.get<std::string>();
    const auto parsed = ParseOutputType(name);
    if (!parsed) ThrowRpc(rpc::RPC_INVALID_ADDRESS_OR_KEY, "Unknown address type '" + name + "'");
    return *parsed;
}

// A failed derivation: Core reports a missing descriptor of the type as -12.
[[noreturn]] void ThrowDerivationError(const util::Error& error, OutputType type)
{
    if (error.message == NO_KEYS_MESSAGE) {
        ThrowRpc(RPC_WALLET_KEYPOOL_RAN_OUT,
                 "Error: No " + std::string{OutputTypeName(type)} + " addresses available.");
    }
    ThrowRpc(RPC_WALLET_KEYPOOL_RAN_OUT, error.message);
}

// ---- getaddressinfo ------------------------------------------------------------------------

// Core's DescribeAddress: what the address itself says.
void DescribeAddress(const common::Destination& dest, const consensus::Script& script, Json& obj)
{
    const auto program = [&](size_t skip) {
        return util::HexStr(std::span<const uint8_t>{script.bytes()}.subspan(skip));
    };
    if (std::holds_alternative<common::PKHash>(dest)) {
        obj["isscript"] = false;
        obj["iswitness"] = false;
    } else if (std::holds_alternative<common::ScriptHash>(dest)) {
        obj["isscript"] = true;
        obj["iswitness"] = false;
    } else if (std::holds_alternative<common::WitnessV0KeyHash>(dest)) {
        obj["isscript"] = false;
        obj["iswitness"] = true;
        obj["witness_version"] = 0;
        obj["witness_program"] = program(2);
    } else if (std::holds_alternative<common::WitnessV0ScriptHash>(dest) ||
               std::holds_alternative<common::WitnessV1Taproot>(dest)) {
        obj["isscript"] = true;
        obj["iswitness"] = true;
        obj["witness_version"] = std::holds_alternative<common::WitnessV1Taproot>(dest) ? 1 : 0;
        obj["witness_program"] = program(2);
    } else if (std::holds_alternative<common::PayToAnchor>(dest)) {
        obj["isscript"] = true;
        obj["iswitness"] = true;
    } else if (const auto* unknown = std::get_if<common::WitnessUnknown>(&dest)) {
        obj["iswitness"] = true;
        obj["witness_version"] = unknown->version;
        obj["witness_program"] = util::HexStr(unknown->program);
    }
}

// Core's DescribeWalletAddressVisitor: what the wallet's keys and scripts add.
class WalletAddressDescriber
{
public:
    WalletAddressDescriber(const ScriptInfo& info, const common::SigningProvider& provider,
                           const common::ChainParams& params)
        : m_info{info}, m_provider{provider}, m_params{params}
    {}

    void Describe(const common::Destination& dest, Json& obj) const
    {
        if (const auto* pkh = std::get_if<common::PKHash>(&dest)) {
            DescribeKey(pkh->hash, obj);
        } else if (const auto* wpkh = std::get_if<common::WitnessV0KeyHash>(&dest)) {
            DescribeKey(wpkh->hash, obj);
        } else if (const auto* sh = std::get_if<common::ScriptHash>(&dest)) {
            if (auto sub = KnownScript(m_provider, sh->hash)) DescribeSubScript(*sub, obj);
        } else if (const auto* wsh = std::get_if<common::WitnessV0ScriptHash>(&dest)) {
            if (auto sub = KnownScript(m_provider, WitnessScriptId(wsh->hash))) {
                DescribeSubScript(*sub, obj);
            }
        }
    }

private:
    void DescribeKey(const consensus::Uint160& key_hash, Json& obj) const
    {
        for (const auto& pubkey : m_info.pubkeys) {
            if (pubkey.size() != 33 && pubkey.size() != 65) continue;
            if (consensus::Hash160(pubkey) != key_hash) continue;
            obj["pubkey"] = util::HexStr(pubkey);
            obj["iscompressed"] = pubkey.size() == 33;
            return;
        }
    }

    void DescribeSubScript(const consensus::Script& sub, Json& obj) const
    {
        std::vector<std::vector<uint8_t>> solutions;
        const common::TxoutType type = common::Solver(sub, solutions);
        obj["script"] = common::TxoutTypeName(type);
        obj["hex"] = util::HexStr(sub.bytes());
        const auto embedded = common::ExtractDestination(sub);
        if (embedded && common::IsValidDestination(*embedded)) {
            Json sub_obj = Json::object();
            DescribeAddress(*embedded, sub, sub_obj);
            Describe(*embedded, sub_obj);
            sub_obj["address"] = common::EncodeDestination(*embedded, m_params);
            sub_obj["scriptPubKey"] = util::HexStr(sub.bytes());
            // Core repeats the key at the top level so getnewaddress()['pubkey'] always works.
            if (sub_obj.contains("pubkey")) obj["pubkey"] = sub_obj["pubkey"];
            obj["embedded"] = std::move(sub_obj);
        } else if (type == common::TxoutType::MULTISIG && solutions.size() >= 2) {
            obj["sigsrequired"] = solutions.front().empty() ? 0 : solutions.front()[0];
            Json pubkeys = Json::array();
            for (size_t i = 1; i + 1 < solutions.size(); ++i)
                pubkeys.push_back(util::HexStr(solutions[i]));
            obj["pubkeys"] = std::move(pubkeys);
        }
    }

    const ScriptInfo& m_info;
    const common::SigningProvider& m_provider;
    const common::ChainParams& m_params;
};

Method GetAddressInfoMethod(WalletManager& manager)
{
    return Method{
        "getaddressinfo",
        "wallet",
        "Return information about the given bitcoin address.\n"
        "Some of the information will only be present if the address is in the active wallet.",
        {
            {"address", ArgType::STR, ArgOptional::NO,
             "The bitcoin address for which to get information."},
        },
        {ResultDoc{
            ResultType::OBJ,
            "",
            "",
            {
                {ResultType::STR, "address", "The bitcoin address validated."},
                {ResultType::STR_HEX, "scriptPubKey",
                 "The hex-encoded output script generated by the address."},
                {ResultType::BOOL, "ismine", "If the address is yours."},
                {ResultType::BOOL, "iswatchonly", "If the address is watchonly."},
                {ResultType::BOOL, "solvable",
                 "If we know how to spend coins sent to this address, ignoring the possible lack "
                 "of private keys."},
                {ResultType::STR, "desc", true,
                 "A descriptor for spending coins sent to this address (only when solvable)."},
                {ResultType::STR, "parent_desc", true,
                 "The descriptor used to derive this address if this is a descriptor wallet"},
                {ResultType::BOOL, "isscript", true, "If the key is a script."},
                {ResultType::BOOL, "ischange", "If the address was used for change output."},
                {ResultType::BOOL, "iswitness", "If the address is a witness address."},
                {ResultType::NUM, "witness_version", true,
                 "The version number of the witness program."},
                {ResultType::STR_HEX, "witness_program", true,
                 "The hex value of the witness program."},
                {ResultType::STR, "script", true,
                 "The output script type. Only if isscript is true and the redeemscript is "
                 "known. Possible\n"
                 "types: nonstandard, pubkey, pubkeyhash, scripthash, multisig, nulldata, "
                 "witness_v0_keyhash,\n"
                 "witness_v0_scripthash, witness_unknown."},
                {ResultType::STR_HEX, "hex", true, "The redeemscript for the p2sh address."},
                {ResultType::ARR,
                 "pubkeys",
                 true,
                 "Array of pubkeys associated with the known redeemscript (only if script is "
                 "multisig).",
                 {{ResultType::STR, "pubkey", ""}}},
                {ResultType::NUM, "sigsrequired", true,
                 "The number of signatures required to spend multisig output (only if script is "
                 "multisig)."},
                {ResultType::STR_HEX, "pubkey", true,
                 "The hex value of the raw public key for single-key addresses (possibly "
                 "embedded in P2SH or P2WSH)."},
                {ResultType::OBJ,
                 "embedded",
                 true,
                 "Information about the address embedded in P2SH or P2WSH, if relevant and known.",
                 {{ResultType::ELISION, "",
                   "Includes all getaddressinfo output fields for the embedded address, excluding "
                   "metadata (timestamp, hdkeypath, hdseedid)\n"
                   "and relation to the wallet (ismine, iswatchonly)."}}},
                {ResultType::BOOL, "iscompressed", true, "If the pubkey is compressed."},
                {ResultType::NUM_TIME, "timestamp", true,
                 "The creation time of the key, if available, expressed in UNIX epoch time."},
                {ResultType::STR, "hdkeypath", true,
                 "The HD keypath, if the key is HD and available."},
                {ResultType::STR_HEX, "hdseedid", true, "The Hash160 of the HD seed."},
                {ResultType::STR_HEX, "hdmasterfingerprint", true,
                 "The fingerprint of the master key."},
                {ResultType::ARR,
                 "labels",
                 "Array of labels associated with the address. Currently limited to one label but "
                 "returned\n"
                 "as an array to keep the API stable if multiple labels are enabled in the future.",
                 {{ResultType::STR, "label name", "Label name (defaults to \"\")."}}},
            }}},
        HelpExampleCli("getaddressinfo", Quoted(EXAMPLE_ADDRESS)) +
            HelpExampleRpc("getaddressinfo", Quoted(EXAMPLE_ADDRESS)),
        [&manager](const Request& request) -> Result {
            const auto wallet = GetWalletForRequest(request, manager);
            const common::ChainParams& params = wallet->Chain().Params();
            const std::string text = request.Arg("address").get<std::string>();
            auto decoded = common::DecodeDestination(text, params);
            if (!decoded || !common::IsValidDestination(*decoded)) {
                std::string message = decoded ? "" : decoded.error().message;
                if (message.empty()) message = "Invalid address";
                ThrowRpc(rpc::RPC_INVALID_ADDRESS_OR_KEY, message);
            }
            const common::Destination& dest = *decoded;
            const consensus::Script script = common::GetScriptForDestination(dest);
            const ScriptInfo info = wallet->GetScriptInfo(script);

            Json obj = Json::object();
            obj["address"] = common::EncodeDestination(dest, params);
            obj["scriptPubKey"] = util::HexStr(script.bytes());
            obj["ismine"] = info.mine;
            obj["solvable"] = info.mine && info.solvable;
            if (info.mine && info.solvable && info.desc) obj["desc"] = *info.desc;
            if (info.parent_desc) obj["parent_desc"] = *info.parent_desc;
            obj["iswatchonly"] = false;
            DescribeAddress(dest, script, obj);
            if (info.mine) {
                common::SigningProvider provider;
                wallet->FillSigningProvider(script, provider);
                WalletAddressDescriber{info, provider, params}.Describe(dest, obj);
            }
            obj["ischange"] = info.change;
            if (info.mine) {
                obj["timestamp"] = info.timestamp;
                if (info.hdkeypath) {
                    obj["hdkeypath"] = *info.hdkeypath;
                    // Descriptor wallets have no HD seed id; Core prints the null id.
                    obj["hdseedid"] = std::string(40, '0');
                    if (info.hdmasterfingerprint) {
                        obj["hdmasterfingerprint"] = *info.hdmasterfingerprint;
                    }
                }
            }
            obj["labels"] = info.labels;
            return obj;
        },
    };
}

// ---- addresses and labels ------------------------------------------------------------------

const char* const ADDRESS_TYPE_HELP{
    "The address type to use. Options are \"legacy\", \"p2sh-segwit\", \"bech32\", and "
    "\"bech32m\"."};

Method GetNewAddressMethod(WalletManager& manager)
{
    return Method{
        "getnewaddress",
        "wallet",
        "Returns a new Bitcoin address for receiving payments.\n"
        "If 'label' is specified, it is added to the address book \n"
        "so payments received with the address will be associated with 'label'.",
        {
            {"label", ArgType::STR, Json(""),
             "The label name for the address to be linked to. It can also be set to the empty "
             "string \"\" to represent the default label. The label does not need to exist, it "
             "will be created if there is no label by the given name."},
            {"address_type", ArgType::STR, DefaultHint{"set by -addresstype"}, ADDRESS_TYPE_HELP},
        },
        {ResultDoc{ResultType::STR, "address", "The new bitcoin address"}},
        HelpExampleCli("getnewaddress", "") + HelpExampleRpc("getnewaddress", ""),
        [&manager](const Request& request) -> Result {
            const auto wallet = GetWalletForRequest(request, manager);
            if (!CanGetAddresses(*wallet, false)) ThrowRpc(RPC_WALLET_ERROR, NO_KEYS_MESSAGE);
            // The label is checked first so that a bad one derives no key.
            const std::string label = LabelFromValue(request.Arg("label"));
            const OutputType type =
                ParseAddressType(request.Arg("address_type"), DEFAULT_ADDRESS_TYPE);
            auto address = wallet->GetNewAddress(type, label);
            if (!address) ThrowDerivationError(address.error(), type);
            return Json(*address);
        },
    };
}

Method GetRawChangeAddressMethod(WalletManager& manager)
{
    return Method{
        "getrawchangeaddress",
        "wallet",
        "Returns a new Bitcoin address, for receiving change.\n"
        "This is for use with raw transactions, NOT normal use.",
        {
            {"address_type", ArgType::STR, DefaultHint{"set by -changetype"}, ADDRESS_TYPE_HELP},
        },
        {ResultDoc{ResultType::STR, "address", "The address"}},
        HelpExampleCli("getrawchangeaddress", "") + HelpExampleRpc("getrawchangeaddress", ""),
        [&manager](const Request& request) -> Result {
            const auto wallet = GetWalletForRequest(request, manager);
            if (!CanGetAddresses(*wallet, true)) ThrowRpc(RPC_WALLET_ERROR, NO_KEYS_MESSAGE);
            const OutputType type =
                ParseAddressType(request.Arg("address_type"), DEFAULT_ADDRESS_TYPE);
            auto script = wallet->GetNewChangeScript(type);
            if (!script) ThrowDerivationError(script.error(), type);
            const auto dest = common::ExtractDestination(*script);
            if (!dest) ThrowRpc(RPC_WALLET_KEYPOOL_RAN_OUT, "Error: Cannot extract destination");
            return Json(common::EncodeDestination(*dest, wallet->Chain().Params()));
        },
    };
}

Method SetLabelMethod(WalletManager& manager)
{
    return Method{
        "setlabel",
        "wallet",
        "Sets the label associated with the given address.",
        {
            {"address", ArgType::STR, ArgOptional::NO,
             "The bitcoin address to be associated with a label."},
            {"label", ArgType::STR, ArgOptional::NO, "The label to assign to the address."},
        },
        {ResultDoc{ResultType::NONE, "", ""}},
        HelpExampleCli("setlabel", Quoted(EXAMPLE_ADDRESS) + " \"tabby\"") +
            HelpExampleRpc("setlabel", Quoted(EXAMPLE_ADDRESS) + ", \"tabby\""),
        [&manager](const Request& request) -> Result {
            const auto wallet = GetWalletForRequest(request, manager);
            const common::ChainParams& params = wallet->Chain().Params();
            auto dest =
                common::DecodeDestination(request.Arg("address").get<std::string>(), params);
            if (!dest || !common::IsValidDestination(*dest)) {
                ThrowRpc(rpc::RPC_INVALID_ADDRESS_OR_KEY, "Invalid Bitcoin address");
            }
            const std::string label = LabelFromValue(request.Arg("label"));
            const bool mine = wallet->IsMine(common::GetScriptForDestination(*dest));
            auto set = wallet->SetAddressBook(common::EncodeDestination(*dest, params), label,
                                              mine ? "receive" : "send");
            if (!set) ThrowRpc(RPC_WALLET_ERROR, set.error().message);
            return Json(nullptr);
        },
    };
}

Method ListLabelsMethod(WalletManager& manager)
{
    return Method{
        "listlabels",
        "wallet",
        "Returns the list of all labels, or labels that are assigned to addresses with a "
        "specific purpose.",
        {
            {"purpose", ArgType::STR, ArgOptional::OMITTED,
             "Address purpose to list labels for ('send','receive'). An empty string is the same "
             "as not providing this argument."},
        },
        {ResultDoc{ResultType::ARR, "", "", {{ResultType::STR, "label", "Label name"}}}},
        "\nList all labels\n" + HelpExampleCli("listlabels", "") +
            "\nList labels that have receiving addresses\n" +
            HelpExampleCli("listlabels", "receive") +
            "\nList labels that have sending addresses\n" + HelpExampleCli("listlabels", "send") +
            "\nAs a JSON-RPC call\n" + HelpExampleRpc("listlabels", "receive"),
        [&manager](const Request& request) -> Result {
            const auto wallet = GetWalletForRequest(request, manager);
            std::string purpose;
            if (request.HasArg("purpose")) purpose = request.Arg("purpose").get<std::string>();
            std::set<std::string> labels;
            for (const auto& [address, entry] : wallet->AddressBook()) {
                if (purpose.empty() || entry.purpose == purpose) labels.insert(entry.label);
            }
            Json result = Json::array();
            for (const std::string& label : labels)
                result.push_back(label);
            return result;
        },
    };
}

Method GetAddressesByLabelMethod(WalletManager& manager)
{
    return Method{
        "getaddressesbylabel",
        "wallet",
        "Returns the list of addresses assigned the specified label.",
        {
            {"label", ArgType::STR, ArgOptional::NO, "The label."},
        },
        {ResultDoc{ResultType::OBJ_DYN,
                   "",
                   "json object with addresses as keys",
                   {{ResultType::OBJ,
                     "address",
                     "json object with information about address",
                     {{ResultType::STR, "purpose",
                       "Purpose of address (\"send\" for sending address, \"receive\" for "
                       "receiving address)"}}}}}},
        HelpExampleCli("getaddressesbylabel", "\"tabby\"") +
            HelpExampleRpc("getaddressesbylabel", "\"tabby\""),
        [&manager](const Request& request) -> Result {
            const auto wallet = GetWalletForRequest(request, manager);
            const std::string label = LabelFromValue(request.Arg("label"));
            Json result = Json::object();
            for (const auto& [address, entry] : wallet->AddressBook()) {
                if (entry.label != label) continue;
                result[address] =
                    Json{{"purpose", entry.purpose.empty() ? "unknown" : entry.purpose}};
            }
            if (result.empty()) {
                ThrowRpc(RPC_WALLET_INVALID_LABEL_NAME, "No addresses with label " + label);
            }
            return result;
        },
    };
}

} // namespace

// The script the wallet's signing data holds under `id` (HASH160 of the script).
std::optional<consensus::Script> KnownScript(const common::SigningProvider& provider,
                                             const consensus::Uint160& id)
{
    const auto it = provider.scripts.find(id);
    if (it == provider.scripts.end()) return std::nullopt;
    return it->second;
}

// The id a P2WSH program's witness script is stored under: RIPEMD-160 of its SHA-256.
consensus::Uint160 WitnessScriptId(const consensus::Uint256& program)
{
    return consensus::Ripemd160(std::span<const uint8_t>{program.begin(), program.end()});
}

std::vector<std::string> ParentDescriptors(const Wallet& wallet, const consensus::Script& script)
{
    std::vector<std::string> parents;
    const ScriptInfo info = wallet.GetScriptInfo(script);
    if (info.parent_desc) parents.push_back(*info.parent_desc);
    return parents;
}

void RegisterWalletQueryMethods(rpc::MethodTable& table, WalletManager& manager)
{
    table.Register(GetAddressesByLabelMethod(manager));
    table.Register(GetAddressInfoMethod(manager));
    table.Register(GetNewAddressMethod(manager));
    table.Register(GetRawChangeAddressMethod(manager));
    table.Register(ListLabelsMethod(manager));
    table.Register(SetLabelMethod(manager));
    RegisterWalletQueryCoinMethods(table, manager);
    RegisterWalletQueryTxMethods(table, manager);
}

} // namespace wallet
