// mining: the block-making methods a regtest user and the functional tests need now:
// generatetoaddress, generateblock, submitblock, submitheader. Templates carry no
// mempool transactions until the mempool exists (issue 6).
#include <rpc/dispatch.h>
#include <rpc/register.h>
#include <rpc/services.h>
#include <rpc/util.h>

#include <common/chainparams.h>
#include <common/descriptor.h>
#include <common/key_io.h>
#include <consensus/block.h>
#include <consensus/merkle.h>
#include <consensus/pow.h>
#include <consensus/serialize.h>
#include <interfaces/chain.h>

#include <util/strings.h>

#include <limits>
#include <memory>

namespace rpc {

namespace {

// Core's DEFAULT_MAX_TRIES for the generate methods.
constexpr int64_t DEFAULT_MAX_TRIES{1'000'000};

// Grinds the nonce until the header meets its target; false when max_tries (shared across
// the blocks of one call, as Core counts them) runs out or shutdown begins.
bool GrindNonce(consensus::Block& block, int64_t& max_tries, const Services& services,
                const consensus::ConsensusParams& params)
{
    while (max_tries > 0 && block.header.nonce < std::numeric_limits<uint32_t>::max() &&
           !consensus::CheckProofOfWork(block.GetHash(), block.header.bits, params)) {
        ++block.header.nonce;
        --max_tries;
        if ((block.header.nonce & 0xfff) == 0 && services.shutdown_requested &&
            services.shutdown_requested()) {
            return false;
        }
    }
    return max_tries > 0 && block.header.nonce != std::numeric_limits<uint32_t>::max();
}

// Mines and submits one block; nullopt when the tries ran out. A block the node rejects is
// an internal error (-1 "ProcessNewBlock, block not accepted"), as in Core.
std::optional<consensus::Uint256> MineBlock(consensus::Block block, int64_t& max_tries,
                                            const Services& services)
{
    const auto& params = services.chain->Params().GetConsensus();
    if (!GrindNonce(block, max_tries, services, params)) return std::nullopt;
    const consensus::Uint256 hash = block.GetHash();
    const interfaces::SubmitBlockResult result =
        services.chain->SubmitBlock(std::make_shared<const consensus::Block>(std::move(block)));
    if (!result.accepted || (result.checked && result.checked->IsInvalid())) {
        ThrowRpc(RPC_INTERNAL_ERROR, "ProcessNewBlock, block not accepted");
    }
    return hash;
}

consensus::Script ScriptForAddress(const Json& value, const common::ChainParams& params)
{
    auto dest = common::DecodeDestination(value.get<std::string>(), params);
    if (!dest) ThrowRpc(RPC_INVALID_ADDRESS_OR_KEY, "Error: Invalid address");
    return common::GetScriptForDestination(*dest);
}

// Core's getScriptFromDescriptor: nullopt when `text` does not parse as a descriptor; errors
// for ranged descriptors and ones that cannot expand. A combo descriptor pays its P2WPKH
// script when it has one, else its P2PKH one.
std::optional<consensus::Script> ScriptFromDescriptor(const std::string& text,
                                                      const common::ChainParams& params,
                                                      std::string* parse_error = nullptr)
{
    auto desc = common::ParseDescriptor(text, params);
    if (!desc) {
        if (parse_error) *parse_error = desc.error().message;
        return std::nullopt;
    }
    if ((*desc)->IsRange()) {
        ThrowRpc(RPC_INVALID_PARAMETER,
                 "Ranged descriptor not accepted. Maybe pass through deriveaddresses first?");
    }
    auto expanded = (*desc)->Expand(0);
    if (!expanded || expanded->output_scripts.empty()) {
        ThrowRpc(RPC_INVALID_ADDRESS_OR_KEY, "Cannot derive script without private keys");
    }
    const auto& scripts = expanded->output_scripts;
    if (scripts.size() == 1) return scripts[0];
    return scripts.size() == 4 ? scripts[2] : scripts[1];
}

// Mines `count` blocks paying `payout`; the hashes of those found within max_tries.
Json GenerateBlocks(const Services& services, const consensus::Script& payout, int64_t count,
                    int64_t max_tries)
{
    Json hashes = Json::array();
    for (int64_t i = 0; i < count; ++i) {
        // What the pool offers, as Core's generate* mine.
        auto made = services.chain->CreateBlockTemplate(payout);
        if (!made) ThrowRpc(RPC_INTERNAL_ERROR, made.error().message);
        const auto hash = MineBlock(std::move(made->block), max_tries, services);
        if (!hash) break;
        hashes.push_back(hash->GetHex());
    }
    return hashes;
}

Method GenerateToDescriptor(const Services& services)
{
    return Method{
        "generatetodescriptor",
        "generating",
        "Mine blocks at once to the script of a descriptor, before this call returns (regtest).",
        {
            {"num_blocks", ArgType::NUM, ArgOptional::NO, "How many blocks to generate."},
            {"descriptor", ArgType::STR, ArgOptional::NO,
             "The descriptor whose script receives the coinbase."},
            {"maxtries", ArgType::NUM, Json(DEFAULT_MAX_TRIES),
             "How many nonces to try in all before giving up."},
        },
        {ResultDoc{ResultType::ARR,
                   "",
                   "hashes of blocks generated",
                   {ResultDoc{ResultType::STR_HEX, "", "blockhash"}}}},
        "\nGenerate 11 blocks to mydesc\n" +
            HelpExampleCli("generatetodescriptor", "11 \"mydesc\""),
        [&services](const Request& request) -> Result {
            std::string error;
            const auto payout = ScriptFromDescriptor(request.Arg("descriptor").get<std::string>(),
                                                     services.chain->Params(), &error);
            if (!payout) ThrowRpc(RPC_INVALID_ADDRESS_OR_KEY, error);
            return GenerateBlocks(services, *payout, request.Arg("num_blocks").get<int64_t>(),
                                  request.Arg("maxtries").get<int64_t>());
        },
    };
}

Method GenerateToAddress(const Services& services)
{
    return Method{
        "generatetoaddress",
        "generating",
        "Mine blocks at once to an address, before this call returns (regtest).",
        {
            {"nblocks", ArgType::NUM, ArgOptional::NO, "How many blocks to generate."},
            {"address", ArgType::STR, ArgOptional::NO, "The address that receives the coinbase."},
            {"maxtries", ArgType::NUM, Json(DEFAULT_MAX_TRIES),
             "How many nonces to try in all before giving up."},
        },
        {ResultDoc{ResultType::ARR,
                   "",
                   "hashes of blocks generated",
                   {ResultDoc{ResultType::STR_HEX, "", "blockhash"}}}},
        "\nGenerate 11 blocks to myaddress\n" +
            HelpExampleCli("generatetoaddress", "11 \"myaddress\"") +
            "If you are using the minibit wallet, you can get a new address to send the "
            "newly generated bitcoin to with:\n" +
            HelpExampleCli("getnewaddress", ""),
        [&services](const Request& request) -> Result {
            const consensus::Script payout =
                ScriptForAddress(request.Arg("address"), services.chain->Params());
            return GenerateBlocks(services, payout, request.Arg("nblocks").get<int64_t>(),
                                  request.Arg("maxtries").get<int64_t>());
        },
    };
}

Method GenerateBlock(const Services& services)
{
    return Method{
        "generateblock",
        "generating",
        "Mine a block with exactly the given transactions, in that order, at once (regtest).",
        {
            {"output", ArgType::STR, ArgOptional::NO, "The address that receives the coinbase."},
            {"transactions",
             ArgType::ARR,
             ArgOptional::NO,
             "Raw transactions (hex) to include, in order. Transactions given by txid need the "
             "mempool, which this node does not have yet.",
             {{"rawtx/txid", ArgType::STR_HEX, ArgOptional::OMITTED, ""}}},
            {"submit", ArgType::BOOL, Json(true),
             "Whether to submit the block to the node; if false, its hex is returned."},
        },
        {ResultDoc{ResultType::OBJ,
                   "",
                   "",
                   {
                       ResultDoc{ResultType::STR_HEX, "hash", "hash of generated block"},
                       ResultDoc{ResultType::STR_HEX, "hex", /*optional=*/true,
                                 "hex of generated block, only present when submit=false"},
                   }}},
        "\nGenerate a block to myaddress, with txs rawtx and mempool_txid\n" +
            HelpExampleCli("generateblock", R"("myaddress" '["rawtx", "mempool_txid"]')"),
        [&services](const Request& request) -> Result {
            const std::string output = request.Arg("output").get<std::string>();
            consensus::Script payout;
            if (auto script = ScriptFromDescriptor(output, services.chain->Params())) {
                payout = std::move(*script);
            } else {
                auto dest = common::DecodeDestination(output, services.chain->Params());
                if (!dest)
                    ThrowRpc(RPC_INVALID_ADDRESS_OR_KEY, "Error: Invalid address or descriptor");
                payout = common::GetScriptForDestination(*dest);
            }
            std::vector<consensus::TransactionRef> txs;
            for (const Json& item : request.Arg("transactions")) {
                const std::string text = item.is_string() ? item.get<std::string>() : "";
                const auto bytes = util::TryParseHex(text);
                auto tx =
                    bytes ? consensus::DecodeTransaction(*bytes)
                          : util::Expected<consensus::TransactionRef>{util::Unexpected("not hex")};
                if (!tx) {
                    if (text.size() == 64 && util::IsHex(text)) {
                        ThrowRpc(RPC_INVALID_ADDRESS_OR_KEY,
                                 "Transaction " + text + " not in mempool.");
                    }
                    ThrowRpc(RPC_DESERIALIZATION_ERROR,
                             "Transaction decode failed for " + text +
                                 ". Make sure the tx has at least one input.");
                }
                txs.push_back(std::move(*tx));
            }
            // The coinbase claims the subsidy only: the fees of raw transactions are not known
            // here, and leaving them unclaimed keeps the block valid.
            auto block = services.chain->CreateNewBlock(payout, txs);
            if (!block) ThrowRpc(RPC_INTERNAL_ERROR, block.error().message);
            int64_t max_tries = DEFAULT_MAX_TRIES;
            const auto& params = services.chain->Params().GetConsensus();
            if (!GrindNonce(*block, max_tries, services, params)) {
                ThrowRpc(RPC_MISC_ERROR, "Failed to make block.");
            }
            Json result = Json{{"hash", block->GetHash().GetHex()}};
            if (!request.Arg("submit").get<bool>()) {
                result["hex"] = util::HexStr(consensus::Encode(*block));
                return result;
            }
            const interfaces::SubmitBlockResult submitted = services.chain->SubmitBlock(
                std::make_shared<const consensus::Block>(std::move(*block)));
            if (submitted.checked && submitted.checked->IsInvalid()) {
                ThrowRpc(RPC_VERIFY_ERROR,
                         "TestBlockValidity failed: " + submitted.checked->ToString());
            }
            if (!submitted.accepted) {
                ThrowRpc(RPC_INTERNAL_ERROR, "ProcessNewBlock, block not accepted");
            }
            return result;
        },
    };
}

// BIP22's answer for a checked block: null when valid, else the reject reason.
Json Bip22Result(const consensus::BlockValidationState& state)
{
    if (state.IsValid()) return Json{};
    if (state.GetRejectReason().empty()) return Json("rejected");
    return Json(state.GetRejectReason());
}

Method SubmitBlock(const Services& services)
{
    return Method{
        "submitblock",
        "mining",
        "Try to add a new block to the chain; the result says why it was not accepted.\n"
        "See https://en.bitcoin.it/wiki/BIP_0022 for the full specification.",
        {
            {"hexdata", ArgType::STR_HEX, ArgOptional::NO, "the hex-encoded block data to submit"},
            {"dummy", ArgType::STR, DefaultHint{"ignored"},
             "dummy value, for compatibility with BIP22. This value is ignored."},
        },
        {
            ResultDoc{"If the block was accepted", ResultType::NONE, "", ""},
            ResultDoc{"Otherwise", ResultType::STR, "", "According to BIP22"},
        },
        HelpExampleCli("submitblock", "\"mydata\"") + HelpExampleRpc("submitblock", "\"mydata\""),
        [&services](const Request& request) -> Result {
            const auto bytes = util::TryParseHex(request.Arg("hexdata").get<std::string>());
            auto decoded = bytes ? consensus::Decode<consensus::Block>(*bytes)
                                 : util::Expected<consensus::Block>{util::Unexpected("hex")};
            if (!decoded) ThrowRpc(RPC_DESERIALIZATION_ERROR, "Block decode failed");
            if (decoded->vtx.empty() || !decoded->vtx[0]->IsCoinBase()) {
                ThrowRpc(RPC_DESERIALIZATION_ERROR, "Block does not start with a coinbase");
            }
            const consensus::Uint256 hash = decoded->GetHash();
            if (const auto known = services.chain->GetBlockInfo(hash)) {
                if (known->state == interfaces::BlockState::ACTIVE ||
                    known->state == interfaces::BlockState::VALID_FORK) {
                    return Json("duplicate");
                }
                if (known->state == interfaces::BlockState::INVALID) {
                    return Json("duplicate-invalid");
                }
            }
            const interfaces::SubmitBlockResult result = services.chain->SubmitBlock(
                std::make_shared<const consensus::Block>(std::move(*decoded)));
            if (!result.new_block && result.accepted) return Json("duplicate");
            if (!result.checked) return Json("inconclusive");
            return Bip22Result(*result.checked);
        },
    };
}

Method SubmitHeader(const Services& services)
{
    return Method{
        "submitheader",
        "mining",
        "Hand a block header to the node, as if it came from a peer; an error if it is "
        "invalid.",
        {{"hexdata", ArgType::STR_HEX, ArgOptional::NO, "the hex-encoded block header data"}},
        {ResultDoc{ResultType::NONE, "", "None"}},
        HelpExampleCli("submitheader", "\"aabbcc\"") + HelpExampleRpc("submitheader", "\"aabbcc\""),
        [&services](const Request& request) -> Result {
            const auto bytes = util::TryParseHex(request.Arg("hexdata").get<std::string>());
            auto header = bytes ? consensus::Decode<consensus::BlockHeader>(*bytes)
                                : util::Expected<consensus::BlockHeader>{util::Unexpected("hex")};
            if (!header) ThrowRpc(RPC_DESERIALIZATION_ERROR, "Block header decode failed");
            if (!services.chain->GetBlockInfo(header->prev_block)) {
                ThrowRpc(RPC_VERIFY_ERROR,
                         "Must submit previous header (" + header->prev_block.GetHex() + ") first");
            }
            const consensus::BlockValidationState state = services.chain->SubmitHeaders({*header});
            if (state.IsInvalid()) ThrowRpc(RPC_VERIFY_ERROR, state.GetRejectReason());
            return Json{};
        },
    };
}

} // namespace

void RegisterMiningMethods(MethodTable& table, const Services& services)
{
    table.Register(GenerateToAddress(services));
    table.Register(GenerateToDescriptor(services));
    table.Register(GenerateBlock(services));
    table.Register(SubmitBlock(services));
    table.Register(SubmitHeader(services));
}

} // namespace rpc
