// VerifyScript: scriptSig/scriptPubKey evaluation, P2SH, SegWit v0 and
// Taproot witness programs (BIP16, BIP141, BIP341/342), plus flag names.
#include <consensus/script/interpreter.h>

#include <consensus/hash.h>
#include <consensus/script/interpreter_internal.h>
#include <consensus/script/taproot.h>
#include <consensus/serialize.h>

#include <array>
#include <cstring>
#include <utility>

namespace consensus {

namespace {

using namespace detail; // helpers and stack types shared by the interpreter's files

constexpr std::array<std::pair<std::string_view, uint32_t>, 21> FLAG_NAMES{{
    {"P2SH", SCRIPT_VERIFY_P2SH},
    {"STRICTENC", SCRIPT_VERIFY_STRICTENC},
    {"DERSIG", SCRIPT_VERIFY_DERSIG},
    {"LOW_S", SCRIPT_VERIFY_LOW_S},
    {"NULLDUMMY", SCRIPT_VERIFY_NULLDUMMY},
    {"SIGPUSHONLY", SCRIPT_VERIFY_SIGPUSHONLY},
    {"MINIMALDATA", SCRIPT_VERIFY_MINIMALDATA},
    {"DISCOURAGE_UPGRADABLE_NOPS", SCRIPT_VERIFY_DISCOURAGE_UPGRADABLE_NOPS},
    {"CLEANSTACK", SCRIPT_VERIFY_CLEANSTACK},
    {"CHECKLOCKTIMEVERIFY", SCRIPT_VERIFY_CHECKLOCKTIMEVERIFY},
    {"CHECKSEQUENCEVERIFY", SCRIPT_VERIFY_CHECKSEQUENCEVERIFY},
    {"WITNESS", SCRIPT_VERIFY_WITNESS},
    {"DISCOURAGE_UPGRADABLE_WITNESS_PROGRAM", SCRIPT_VERIFY_DISCOURAGE_UPGRADABLE_WITNESS_PROGRAM},
    {"MINIMALIF", SCRIPT_VERIFY_MINIMALIF},
    {"NULLFAIL", SCRIPT_VERIFY_NULLFAIL},
    {"WITNESS_PUBKEYTYPE", SCRIPT_VERIFY_WITNESS_PUBKEYTYPE},
    {"CONST_SCRIPTCODE", SCRIPT_VERIFY_CONST_SCRIPTCODE},
    {"TAPROOT", SCRIPT_VERIFY_TAPROOT},
    {"DISCOURAGE_UPGRADABLE_TAPROOT_VERSION", SCRIPT_VERIFY_DISCOURAGE_UPGRADABLE_TAPROOT_VERSION},
    {"DISCOURAGE_OP_SUCCESS", SCRIPT_VERIFY_DISCOURAGE_OP_SUCCESS},
    {"DISCOURAGE_UPGRADABLE_PUBKEYTYPE", SCRIPT_VERIFY_DISCOURAGE_UPGRADABLE_PUBKEYTYPE},
}};

size_t WitnessSerializedSize(const ScriptWitness& witness)
{
    size_t n = CompactSizeLen(witness.stack.size());
    for (const auto& item : witness.stack)
        n += CompactSizeLen(item.size()) + item.size();
    return n;
}

bool ExecuteWitnessScript(std::span<const ValType> stack_span, const Script& exec_script,
                          uint32_t flags, SigVersion sigversion,
                          const BaseSignatureChecker& checker, ScriptExecutionData& execdata,
                          ScriptError* error)
{
    Stack stack{stack_span.begin(), stack_span.end()};
    if (sigversion == SigVersion::TAPSCRIPT) {
        // OP_SUCCESSx anywhere makes the script succeed before anything else is checked,
        // provided everything before it decodes.
        const uint8_t* pc = exec_script.data();
        const uint8_t* const end = pc + exec_script.size();
        while (pc < end) {
            uint8_t op;
            const uint8_t* data;
            size_t size;
            if (!ReadOp(pc, end, op, data, size)) return SetError(error, ScriptError::BAD_OPCODE);
            if (IsOpSuccess(op)) {
                if (flags & SCRIPT_VERIFY_DISCOURAGE_OP_SUCCESS) {
                    return SetError(error, ScriptError::DISCOURAGE_OP_SUCCESS);
                }
                return SetSuccess(error);
            }
        }
        if (stack.size() > MAX_STACK_SIZE) return SetError(error, ScriptError::STACK_SIZE);
    }
    for (const ValType& elem : stack) {
        if (elem.size() > MAX_SCRIPT_ELEMENT_SIZE) return SetError(error, ScriptError::PUSH_SIZE);
    }
    if (!EvalScript(stack, exec_script, flags, checker, sigversion, execdata, error)) return false;
    // Witness scripts must leave exactly one true element.
    if (stack.size() != 1) return SetError(error, ScriptError::CLEANSTACK);
    if (!CastToBool(stack.back())) return SetError(error, ScriptError::EVAL_FALSE);
    return true;
}

bool VerifyWitnessProgram(const ScriptWitness& witness, int witversion,
                          const std::vector<uint8_t>& program, uint32_t flags,
                          const BaseSignatureChecker& checker, ScriptError* error, bool is_p2sh)
{
    std::span<const ValType> stack{witness.stack};
    ScriptExecutionData execdata;

    if (witversion == 0) {
        if (program.size() == WITNESS_V0_SCRIPTHASH_SIZE) {
            if (stack.empty()) return SetError(error, ScriptError::WITNESS_PROGRAM_WITNESS_EMPTY);
            const ValType& script_bytes = stack.back();
            stack = stack.first(stack.size() - 1);
            const Script exec_script{script_bytes};
            const Uint256 hash = Sha256Hash(script_bytes);
            if (std::memcmp(hash.data(), program.data(), 32) != 0) {
                return SetError(error, ScriptError::WITNESS_PROGRAM_MISMATCH);
            }
            return ExecuteWitnessScript(stack, exec_script, flags, SigVersion::WITNESS_V0, checker,
                                        execdata, error);
        }
        if (program.size() == WITNESS_V0_KEYHASH_SIZE) {
            if (stack.size() != 2) return SetError(error, ScriptError::WITNESS_PROGRAM_MISMATCH);
            Script exec_script;
            exec_script << OP_DUP << OP_HASH160 << program << OP_EQUALVERIFY << OP_CHECKSIG;
            return ExecuteWitnessScript(stack, exec_script, flags, SigVersion::WITNESS_V0, checker,
                                        execdata, error);
        }
        return SetError(error, ScriptError::WITNESS_PROGRAM_WRONG_LENGTH);
    }
    if (witversion == 1 && program.size() == WITNESS_V1_TAPROOT_SIZE && !is_p2sh) {
        if (!(flags & SCRIPT_VERIFY_TAPROOT)) return SetSuccess(error);
        if (stack.empty()) return SetError(error, ScriptError::WITNESS_PROGRAM_WITNESS_EMPTY);
        if (stack.size() >= 2 && !stack.back().empty() && stack.back()[0] == ANNEX_TAG) {
            const ValType& annex = stack.back();
            stack = stack.first(stack.size() - 1);
            std::vector<uint8_t> ser;
            Writer w{ser};
            WriteCompactSize(w, annex.size());
            Sha256 h;
            h.Write(ser).Write(annex);
            execdata.annex_hash = h.Finalize();
            execdata.annex_present = true;
        } else {
            execdata.annex_present = false;
        }
        execdata.annex_init = true;
        if (stack.size() == 1) {
            // Key path: one signature for the output key itself.
            if (!checker.CheckSchnorrSignature(stack.front(), program, SigVersion::TAPROOT,
                                               execdata, error)) {
                return false;
            }
            return SetSuccess(error);
        }
        // Script path: ... script control_block.
        const ValType& control = stack.back();
        const ValType& script = stack[stack.size() - 2];
        stack = stack.first(stack.size() - 2);
        if (!IsValidControlBlockSize(control.size())) {
            return SetError(error, ScriptError::TAPROOT_WRONG_CONTROL_SIZE);
        }
        execdata.tapleaf_hash = ComputeTapleafHash(control[0] & TAPROOT_LEAF_MASK, script);
        if (!VerifyTaprootCommitment(control, program, execdata.tapleaf_hash)) {
            return SetError(error, ScriptError::WITNESS_PROGRAM_MISMATCH);
        }
        execdata.tapleaf_hash_init = true;
        if ((control[0] & TAPROOT_LEAF_MASK) == TAPROOT_LEAF_TAPSCRIPT) {
            const Script exec_script{script};
            execdata.validation_weight_left =
                static_cast<int64_t>(WitnessSerializedSize(witness)) + VALIDATION_WEIGHT_OFFSET;
            execdata.validation_weight_left_init = true;
            return ExecuteWitnessScript(stack, exec_script, flags, SigVersion::TAPSCRIPT, checker,
                                        execdata, error);
        }
        if (flags & SCRIPT_VERIFY_DISCOURAGE_UPGRADABLE_TAPROOT_VERSION) {
            return SetError(error, ScriptError::DISCOURAGE_UPGRADABLE_TAPROOT_VERSION);
        }
        return SetSuccess(error);
    }
    // Pay-to-anchor (v1, program 4e73) is exempt from the upgradability discouragement.
    if (!is_p2sh && witversion == 1 && program.size() == 2 && program[0] == 0x4e &&
        program[1] == 0x73) {
        return true;
    }
    if (flags & SCRIPT_VERIFY_DISCOURAGE_UPGRADABLE_WITNESS_PROGRAM) {
        return SetError(error, ScriptError::DISCOURAGE_UPGRADABLE_WITNESS_PROGRAM);
    }
    // Unknown versions and sizes stay spendable for future soft forks.
    return true;
}

} // namespace

std::optional<uint32_t> ScriptFlagFromName(std::string_view name)
{
    for (const auto& [n, bit] : FLAG_NAMES) {
        if (n == name) return bit;
    }
    return std::nullopt;
}

std::optional<uint32_t> ParseScriptFlags(std::string_view names)
{
    uint32_t flags = SCRIPT_VERIFY_NONE;
    if (names.empty() || names == "NONE") return flags;
    size_t start = 0;
    while (true) {
        const size_t comma = names.find(',', start);
        const std::string_view word = names.substr(
            start, comma == std::string_view::npos ? std::string_view::npos : comma - start);
        const auto bit = ScriptFlagFromName(word);
        if (!bit) return std::nullopt;
        flags |= *bit;
        if (comma == std::string_view::npos) break;
        start = comma + 1;
    }
    return flags;
}

std::string FormatScriptFlags(uint32_t flags)
{
    std::string out;
    for (const auto& [name, bit] : FLAG_NAMES) {
        if (flags & bit) {
            if (!out.empty()) out += ',';
            out += name;
        }
    }
    return out;
}

bool IsValidFlagCombination(uint32_t flags)
{
    if ((flags & SCRIPT_VERIFY_CLEANSTACK) && !(flags & SCRIPT_VERIFY_WITNESS)) return false;
    if ((flags & SCRIPT_VERIFY_WITNESS) && !(flags & SCRIPT_VERIFY_P2SH)) return false;
    return true;
}

bool VerifyScript(const Script& script_sig, const Script& script_pubkey,
                  const ScriptWitness* witness, uint32_t flags, const BaseSignatureChecker& checker,
                  ScriptError* error)
{
    static const ScriptWitness EMPTY_WITNESS;
    if (witness == nullptr) witness = &EMPTY_WITNESS;
    bool had_witness = false;
    SetError(error, ScriptError::UNKNOWN_ERROR);

    if ((flags & SCRIPT_VERIFY_SIGPUSHONLY) != 0 && !script_sig.IsPushOnly()) {
        return SetError(error, ScriptError::SIG_PUSHONLY);
    }

    // scriptSig and scriptPubKey run one after the other on a shared stack,
    // never concatenated (CVE-2010-5141).
    Stack stack;
    Stack stack_copy;
    if (!EvalScript(stack, script_sig, flags, checker, SigVersion::BASE, error)) return false;
    if (flags & SCRIPT_VERIFY_P2SH) stack_copy = stack;
    if (!EvalScript(stack, script_pubkey, flags, checker, SigVersion::BASE, error)) return false;
    if (stack.empty() || !CastToBool(stack.back())) return SetError(error, ScriptError::EVAL_FALSE);

    int witversion = 0;
    std::vector<uint8_t> program;
    if (flags & SCRIPT_VERIFY_WITNESS) {
        if (script_pubkey.IsWitnessProgram(witversion, program)) {
            had_witness = true;
            // Anything in scriptSig would be malleable.
            if (!script_sig.empty()) return SetError(error, ScriptError::WITNESS_MALLEATED);
            if (!VerifyWitnessProgram(*witness, witversion, program, flags, checker, error,
                                      false)) {
                return false;
            }
            // The legacy stack is irrelevant for witness programs; keep CLEANSTACK happy.
            stack.resize(1);
        }
    }

    if ((flags & SCRIPT_VERIFY_P2SH) && script_pubkey.IsPayToScriptHash()) {
        if (!script_sig.IsPushOnly()) return SetError(error, ScriptError::SIG_PUSHONLY);
        std::swap(stack, stack_copy);
        // Never empty: HASH160 <h> EQUAL just succeeded on a copy of this stack.
        if (stack.empty()) return SetError(error, ScriptError::UNKNOWN_ERROR);
        const Script redeem{std::move(stack.back())};
        stack.pop_back();
        if (!EvalScript(stack, redeem, flags, checker, SigVersion::BASE, error)) return false;
        if (stack.empty() || !CastToBool(stack.back())) {
            return SetError(error, ScriptError::EVAL_FALSE);
        }
        if (flags & SCRIPT_VERIFY_WITNESS) {
            if (redeem.IsWitnessProgram(witversion, program)) {
                had_witness = true;
                // scriptSig must be exactly the canonical single push of the redeem script.
                if (script_sig != PushOnlyScript(redeem.bytes())) {
                    return SetError(error, ScriptError::WITNESS_MALLEATED_P2SH);
                }
                if (!VerifyWitnessProgram(*witness, witversion, program, flags, checker, error,
                                          true)) {
                    return false;
                }
                stack.resize(1);
            }
        }
    }

    // After P2SH and witness evaluation, since both legitimately leave extra items before.
    if ((flags & SCRIPT_VERIFY_CLEANSTACK) != 0 && stack.size() != 1) {
        return SetError(error, ScriptError::CLEANSTACK);
    }

    if ((flags & SCRIPT_VERIFY_WITNESS) && !had_witness && !witness->IsNull()) {
        return SetError(error, ScriptError::WITNESS_UNEXPECTED);
    }
    return SetSuccess(error);
}

} // namespace consensus
