#include <consensus/block_check.h>

#include <consensus/consensus_constants.h>
#include <consensus/hash.h>
#include <consensus/merkle.h>
#include <consensus/pow.h>
#include <consensus/script/interpreter.h>
#include <consensus/script/script.h>
#include <consensus/script/sighash.h>
#include <consensus/serialize.h>
#include <consensus/tx_check.h>
#include <consensus/tx_verify.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <optional>
#include <string>
#include <vector>

namespace consensus {

namespace {

// BIP325: the push inside the witness commitment that carries the solution starts with these.
constexpr std::array<uint8_t, 4> SIGNET_HEADER{0xec, 0xc7, 0xda, 0xa2};

// Core checks signet solutions with these rules regardless of the block's height.
constexpr uint32_t SIGNET_SCRIPT_FLAGS =
    SCRIPT_VERIFY_P2SH | SCRIPT_VERIFY_WITNESS | SCRIPT_VERIFY_DERSIG | SCRIPT_VERIFY_NULLDUMMY;

std::string Hex32(const char* format, int32_t value)
{
    // Core prints the signed version through %08x, i.e. as its 32-bit two's complement.
    char buf[64];
    std::snprintf(buf, sizeof(buf), format, static_cast<unsigned>(static_cast<uint32_t>(value)));
    return buf;
}

bool CheckMerkleRoot(const Block& block, BlockValidationState& state)
{
    bool mutated = false;
    const Uint256 root = BlockMerkleRoot(block, &mutated);
    if (block.header.merkle_root != root) {
        return state.Invalid(BlockResult::MUTATED, "bad-txnmrklroot", "hashMerkleRoot mismatch");
    }
    // CVE-2012-2459: a repeated tail keeps the root but changes the block, so the
    // header must not be marked invalid for it.
    if (mutated) {
        return state.Invalid(BlockResult::MUTATED, "bad-txns-duplicate", "duplicate transaction");
    }
    return true;
}

bool CheckWitnessMalleation(const Block& block, bool expect_commitment, BlockValidationState& state)
{
    if (expect_commitment) {
        const std::optional<size_t> index = GetWitnessCommitmentIndex(block);
        if (index && !block.vtx[0]->vin.empty()) {
            const auto& stack = block.vtx[0]->vin[0].witness.stack;
            if (stack.size() != 1 || stack[0].size() != Uint256::SIZE) {
                return state.Invalid(
                    BlockResult::MUTATED, "bad-witness-nonce-size",
                    "CheckWitnessMalleation : invalid witness reserved value size");
            }
            // The txid tree already rules out the duplicate-tail mutation, so the
            // witness tree's flag carries no new information.
            const Uint256 commitment =
                ComputeWitnessCommitment(BlockWitnessMerkleRoot(block), Uint256{stack[0]});
            const auto& spk = block.vtx[0]->vout[*index].script_pubkey;
            if (!std::equal(commitment.begin(), commitment.end(), spk.begin() + 6)) {
                return state.Invalid(BlockResult::MUTATED, "bad-witness-merkle-match",
                                     "CheckWitnessMalleation : witness merkle commitment mismatch");
            }
            return true;
        }
    }
    // Witness data nobody committed to could be swapped freely: refuse it.
    for (const auto& tx : block.vtx) {
        if (tx->HasWitness()) {
            return state.Invalid(BlockResult::MUTATED, "unexpected-witness",
                                 "CheckWitnessMalleation : unexpected witness data found");
        }
    }
    return true;
}

// Takes the first push in `script` that starts with `header` and has more after it:
// its tail goes to `solution` and the push is cut back to the bare header. The
// script is rewritten (as far as it parses) only when such a push was found.
bool ExtractCommitmentSection(std::span<const uint8_t> header, Script& script,
                              std::vector<uint8_t>& solution)
{
    Script rewritten;
    bool found = false;
    solution.clear();
    auto pc = script.begin();
    Opcode op;
    std::vector<uint8_t> data;
    while (pc < script.end() && script.GetOp(pc, op, &data)) {
        if (data.empty()) {
            rewritten << op;
            continue;
        }
        if (!found && data.size() > header.size() &&
            std::equal(header.begin(), header.end(), data.begin())) {
            solution.assign(data.begin() + static_cast<ptrdiff_t>(header.size()), data.end());
            data.resize(header.size());
            found = true;
        }
        rewritten << data;
    }
    if (found) script = std::move(rewritten);
    return found;
}

// The BIP325 transaction pair: to_spend pays the challenge, to_sign spends it
// with the block's solution.
struct SignetTxs
{
    MutableTransaction to_spend;
    MutableTransaction to_sign;
};

std::optional<SignetTxs> CreateSignetTxs(const Block& block, const Script& challenge)
{
    SignetTxs txs;
    txs.to_spend.version = 0;
    txs.to_spend.locktime = 0;
    auto& spend_in = txs.to_spend.vin.emplace_back();
    spend_in.sequence = 0;
    spend_in.script_sig << OP_0;
    txs.to_spend.vout.push_back(TxOut{0, challenge});

    txs.to_sign.version = 0;
    txs.to_sign.locktime = 0;
    auto& sign_in = txs.to_sign.vin.emplace_back();
    sign_in.sequence = 0;
    Script op_return;
    op_return << OP_RETURN;
    txs.to_sign.vout.push_back(TxOut{0, op_return});

    if (block.vtx.empty()) return std::nullopt;
    const std::optional<size_t> index = GetWitnessCommitmentIndex(block);
    if (!index) return std::nullopt;

    const Transaction& coinbase = *block.vtx[0];
    MutableTransaction modified_cb;
    modified_cb.version = coinbase.version;
    modified_cb.vin = coinbase.vin;
    modified_cb.vout = coinbase.vout;
    modified_cb.locktime = coinbase.locktime;

    std::vector<uint8_t> solution;
    // Without a solution push the empty solution is tried (BIP325: trivially true challenges).
    if (ExtractCommitmentSection(SIGNET_HEADER, modified_cb.vout[*index].script_pubkey, solution)) {
        try {
            Reader r{solution};
            r.Get(sign_in.script_sig);
            r.Get(sign_in.witness.stack);
            if (!r.Empty()) return std::nullopt;
        } catch (const DecodeError&) {
            return std::nullopt;
        }
    }

    std::vector<Uint256> leaves;
    leaves.reserve(block.vtx.size());
    leaves.push_back(modified_cb.GetHash());
    for (size_t i = 1; i < block.vtx.size(); ++i)
        leaves.push_back(block.vtx[i]->GetHash());
    const Uint256 signet_merkle = ComputeMerkleRoot(std::move(leaves));

    std::vector<uint8_t> block_data;
    Writer w{block_data};
    w(block.header.version, block.header.prev_block, signet_merkle, block.header.time);
    spend_in.script_sig << block_data;

    sign_in.prevout = OutPoint{txs.to_spend.GetHash(), 0};
    return txs;
}

// Bitcoin Core's ScriptNum-style push of the height, as BIP34 requires at the
// start of the coinbase scriptSig.
Script HeightScript(int height)
{
    Script s;
    s.PushInt(height);
    return s;
}

} // namespace

bool CheckBlockHeader(const BlockHeader& header, BlockValidationState& state,
                      const ConsensusParams& params, bool check_pow)
{
    if (check_pow && !CheckProofOfWork(header.GetHash(), header.bits, params)) {
        return state.Invalid(BlockResult::INVALID_HEADER, "high-hash", "proof of work failed");
    }
    return true;
}

bool CheckBlock(const Block& block, BlockValidationState& state, const ConsensusParams& params,
                bool check_pow, bool check_merkle_root)
{
    if (!CheckBlockHeader(block.header, state, params, check_pow)) return false;

    // Core checks the signet solution here, before anything that looks at transactions.
    if (params.signet_blocks && check_pow && !CheckSignetBlockSolution(block, params)) {
        return state.Invalid(BlockResult::CONSENSUS, "bad-signet-blksig",
                             "signet block signature validation failure");
    }

    // Corruption checks come first so a block mangled in transit is not taken
    // as proof that its header is invalid.
    if (check_merkle_root && !CheckMerkleRoot(block, state)) return false;

    size_t stripped_size = BlockHeader::SIZE + CompactSizeLen(block.vtx.size());
    for (const auto& tx : block.vtx)
        stripped_size += tx->GetBaseSize();
    if (block.vtx.empty() || block.vtx.size() * WITNESS_SCALE_FACTOR > MAX_BLOCK_WEIGHT ||
        stripped_size * WITNESS_SCALE_FACTOR > MAX_BLOCK_WEIGHT) {
        return state.Invalid(BlockResult::CONSENSUS, "bad-blk-length", "size limits failed");
    }

    if (!block.vtx[0]->IsCoinBase()) {
        return state.Invalid(BlockResult::CONSENSUS, "bad-cb-missing", "first tx is not coinbase");
    }
    for (size_t i = 1; i < block.vtx.size(); ++i) {
        if (block.vtx[i]->IsCoinBase()) {
            return state.Invalid(BlockResult::CONSENSUS, "bad-cb-multiple",
                                 "more than one coinbase");
        }
    }

    // Includes the duplicate-input check (CVE-2018-17144).
    for (const auto& tx : block.vtx) {
        TxValidationState tx_state;
        if (!CheckTransaction(*tx, tx_state)) {
            return state.Invalid(BlockResult::CONSENSUS, tx_state.GetRejectReason(),
                                 "Transaction check failed (tx hash " + tx->GetHash().GetHex() +
                                     ") " + tx_state.GetDebugMessage());
        }
    }

    int64_t sigops = 0;
    for (const auto& tx : block.vtx)
        sigops += GetLegacySigOpCount(*tx);
    if (sigops * WITNESS_SCALE_FACTOR > MAX_BLOCK_SIGOPS_COST) {
        return state.Invalid(BlockResult::CONSENSUS, "bad-blk-sigops", "out-of-bounds SigOpCount");
    }
    return true;
}

bool ContextualCheckBlockHeader(const BlockHeader& header, BlockValidationState& state,
                                const HeaderContext& context, const ConsensusParams& params)
{
    if (header.bits != context.expected_bits) {
        return state.Invalid(BlockResult::INVALID_HEADER, "bad-diffbits",
                             "incorrect proof of work");
    }
    const int64_t block_time = header.time;
    if (block_time <= context.prev_median_time) {
        return state.Invalid(BlockResult::INVALID_HEADER, "time-too-old",
                             "block's timestamp is too early");
    }
    if (!CheckTimewarpRule(context.height, block_time, context.prev_time, params)) {
        return state.Invalid(BlockResult::INVALID_HEADER, "time-timewarp-attack",
                             "block's timestamp is too early on diff adjustment block");
    }
    if (block_time > context.now + MAX_FUTURE_BLOCK_TIME) {
        return state.Invalid(BlockResult::TIME_FUTURE, "time-too-new",
                             "block timestamp too far in the future");
    }
    if ((header.version < 2 && context.height >= params.bip34_height) ||
        (header.version < 3 && context.height >= params.bip66_height) ||
        (header.version < 4 && context.height >= params.bip65_height)) {
        return state.Invalid(BlockResult::INVALID_HEADER,
                             Hex32("bad-version(0x%08x)", header.version),
                             Hex32("rejected nVersion=0x%08x block", header.version));
    }
    return true;
}

bool ContextualCheckBlock(const Block& block, BlockValidationState& state, int height,
                          int64_t prev_median_time, const ConsensusParams& params)
{
    // BIP113: after CSV, lock times are judged against the parent's median time past.
    const int64_t lock_time_cutoff =
        height >= params.csv_height ? prev_median_time : int64_t{block.header.time};
    for (const auto& tx : block.vtx) {
        if (!IsFinalTx(*tx, height, lock_time_cutoff)) {
            return state.Invalid(BlockResult::CONSENSUS, "bad-txns-nonfinal",
                                 "non-final transaction");
        }
    }

    if (height >= params.bip34_height) {
        const Script expect = HeightScript(height);
        const bool has_input = !block.vtx.empty() && !block.vtx[0]->vin.empty();
        if (!has_input || block.vtx[0]->vin[0].script_sig.size() < expect.size() ||
            !std::equal(expect.begin(), expect.end(), block.vtx[0]->vin[0].script_sig.begin())) {
            return state.Invalid(BlockResult::CONSENSUS, "bad-cb-height",
                                 "block height mismatch in coinbase");
        }
    }

    if (!CheckWitnessMalleation(block, height >= params.segwit_height, state)) return false;

    // Only now is the coinbase witness known to be honest, so only now may an
    // oversized block be held against its header.
    if (block.GetWeight() > MAX_BLOCK_WEIGHT) {
        return state.Invalid(BlockResult::CONSENSUS, "bad-blk-weight",
                             "ContextualCheckBlock : weight limit failed");
    }
    return true;
}

bool CheckSignetBlockSolution(const Block& block, const ConsensusParams& params)
{
    if (!params.signet_blocks) return true;
    if (block.GetHash() == params.hash_genesis_block) return true;

    const Script challenge{params.signet_challenge};
    const std::optional<SignetTxs> txs = CreateSignetTxs(block, challenge);
    if (!txs) return false;

    const Transaction to_sign{txs->to_sign};
    const TxOut& spent = txs->to_spend.vout[0];
    PrecomputedTxData txdata;
    txdata.Init(to_sign, {spent});
    const TransactionSignatureChecker checker{&to_sign, 0, spent.value, txdata};
    return VerifyScript(to_sign.vin[0].script_sig, spent.script_pubkey, &to_sign.vin[0].witness,
                        SIGNET_SCRIPT_FLAGS, checker);
}

Amount GetBlockSubsidy(int height, const ConsensusParams& params)
{
    if (params.subsidy_halving_interval <= 0 || height < 0) return 0;
    const int halvings = height / params.subsidy_halving_interval;
    // A shift by 64 or more is undefined; the subsidy has long reached zero by then.
    if (halvings >= 64) return 0;
    return (50 * COIN) >> halvings;
}

uint32_t GetBlockScriptFlags(int height, const Uint256& block_hash, const ConsensusParams& params)
{
    // Only two historic blocks break P2SH or Taproot rules, so those rules apply
    // to every block except them.
    uint32_t flags = SCRIPT_VERIFY_P2SH | SCRIPT_VERIFY_WITNESS | SCRIPT_VERIFY_TAPROOT;
    if (!params.bip16_exception_block.IsNull() && block_hash == params.bip16_exception_block) {
        flags = SCRIPT_VERIFY_NONE;
    } else if (!params.taproot_exception_block.IsNull() &&
               block_hash == params.taproot_exception_block) {
        flags = SCRIPT_VERIFY_P2SH | SCRIPT_VERIFY_WITNESS;
    }
    if (height >= params.bip66_height) flags |= SCRIPT_VERIFY_DERSIG;
    if (height >= params.bip65_height) flags |= SCRIPT_VERIFY_CHECKLOCKTIMEVERIFY;
    if (height >= params.csv_height) flags |= SCRIPT_VERIFY_CHECKSEQUENCEVERIFY;
    if (height >= params.segwit_height) flags |= SCRIPT_VERIFY_NULLDUMMY;
    return flags;
}

bool IsBlockMutated(const Block& block, bool check_witness_root)
{
    BlockValidationState state;
    return IsBlockMutated(block, check_witness_root, state);
}

bool IsBlockMutated(const Block& block, bool check_witness_root, BlockValidationState& state)
{
    if (!CheckMerkleRoot(block, state)) return true;
    if (block.vtx.empty() || !block.vtx[0]->IsCoinBase()) {
        // Without a coinbase the block is invalid anyway; a 64-byte transaction could be
        // an inner merkle node passed off as a transaction, so call it mutated.
        return std::any_of(block.vtx.begin(), block.vtx.end(),
                           [](const TransactionRef& tx) { return tx->GetBaseSize() == 64; });
    }
    return !CheckWitnessMalleation(block, check_witness_root, state);
}

} // namespace consensus
