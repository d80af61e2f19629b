#include <consensus/script/interpreter.h>

#include <consensus/script/interpreter_internal.h>

#include <consensus/crypto/pubkey.h>
#include <consensus/hash.h>

#include <openssl/evp.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <limits>
#include <utility>

namespace consensus {

namespace {

using namespace detail; // helpers and stack types shared by the interpreter's files

/// SHA-1, needed only by OP_SHA1.
std::array<uint8_t, 20> Sha1Hash(std::span<const uint8_t> data)
{
    std::array<uint8_t, 20> out{};
    unsigned int len = 0;
    EVP_Digest(data.data(), data.size(), out.data(), &len, EVP_sha1(), nullptr);
    return out;
}

/// Decodes a script number. Fails (SCRIPTNUM) if longer than max_size or, when
/// require_minimal, not in the shortest encoding.
inline bool DecodeScriptNum(std::span<const uint8_t> v, bool require_minimal, size_t max_size,
                            int64_t& out)
{
    if (v.size() > max_size) return false;
    if (require_minimal && !v.empty()) {
        // The top byte may be 0x00/0x80 only if it carries the sign for a magnitude byte below.
        if ((v.back() & 0x7f) == 0 && (v.size() <= 1 || (v[v.size() - 2] & 0x80) == 0)) {
            return false;
        }
    }
    if (v.empty()) {
        out = 0;
        return true;
    }
    int64_t result = 0;
    for (size_t i = 0; i < v.size(); ++i)
        result |= static_cast<int64_t>(v[i]) << (8 * i);
    if (v.back() & 0x80) {
        out = -(result & ~(static_cast<int64_t>(0x80) << (8 * (v.size() - 1))));
    } else {
        out = result;
    }
    return true;
}

/// Script-number value clamped to int, as CScriptNum::getint does.
inline int ClampInt(int64_t v)
{
    if (v > std::numeric_limits<int>::max()) return std::numeric_limits<int>::max();
    if (v < std::numeric_limits<int>::min()) return std::numeric_limits<int>::min();
    return static_cast<int>(v);
}

/// Tracks nested IF/ELSE state in O(1): only the depth and the first false level matter.
class ConditionStack
{
public:
    bool Empty() const { return m_size == 0; }
    bool AllTrue() const { return m_first_false == NO_FALSE; }
    void Push(bool v)
    {
        if (m_first_false == NO_FALSE && !v) m_first_false = m_size;
        ++m_size;
    }
    void Pop()
    {
        --m_size;
        if (m_first_false == m_size) m_first_false = NO_FALSE;
    }
    void ToggleTop()
    {
        if (m_first_false == NO_FALSE) {
            m_first_false = m_size - 1;
        } else if (m_first_false == m_size - 1) {
            m_first_false = NO_FALSE;
        }
        // Otherwise an outer level is false and stays false.
    }

private:
    static constexpr uint32_t NO_FALSE = 0xffffffff;
    uint32_t m_size{0};
    uint32_t m_first_false{NO_FALSE};
};

bool IsCompressedOrUncompressedPubKey(std::span<const uint8_t> key)
{
    if (key.size() < COMPRESSED_PUBKEY_SIZE) return false;
    if (key[0] == 0x04) return key.size() == UNCOMPRESSED_PUBKEY_SIZE;
    if (key[0] == 0x02 || key[0] == 0x03) return key.size() == COMPRESSED_PUBKEY_SIZE;
    return false;
}

bool IsCompressedPubKey(std::span<const uint8_t> key)
{
    return key.size() == COMPRESSED_PUBKEY_SIZE && (key[0] == 0x02 || key[0] == 0x03);
}

bool IsDefinedHashtypeSignature(std::span<const uint8_t> sig)
{
    if (sig.empty()) return false;
    const int hash_type = sig.back() & ~SIGHASH_ANYONECANPAY;
    return hash_type >= SIGHASH_ALL && hash_type <= SIGHASH_SINGLE;
}

bool CheckSignatureEncoding(std::span<const uint8_t> sig, uint32_t flags, ScriptError* error)
{
    // An empty signature is the compact way to fail a CHECK(MULTI)SIG on purpose.
    if (sig.empty()) return true;
    if ((flags & (SCRIPT_VERIFY_DERSIG | SCRIPT_VERIFY_LOW_S | SCRIPT_VERIFY_STRICTENC)) != 0 &&
        !IsValidSignatureEncoding(sig)) {
        return SetError(error, ScriptError::SIG_DER);
    }
    if ((flags & SCRIPT_VERIFY_LOW_S) != 0) {
        if (!IsValidSignatureEncoding(sig)) return SetError(error, ScriptError::SIG_DER);
        if (!IsLowDerSignature(sig.first(sig.size() - 1))) {
            return SetError(error, ScriptError::SIG_HIGH_S);
        }
    }
    if ((flags & SCRIPT_VERIFY_STRICTENC) != 0 && !IsDefinedHashtypeSignature(sig)) {
        return SetError(error, ScriptError::SIG_HASHTYPE);
    }
    return true;
}

bool CheckPubKeyEncoding(std::span<const uint8_t> pubkey, uint32_t flags, SigVersion sigversion,
                         ScriptError* error)
{
    if ((flags & SCRIPT_VERIFY_STRICTENC) != 0 && !IsCompressedOrUncompressedPubKey(pubkey)) {
        return SetError(error, ScriptError::PUBKEYTYPE);
    }
    // BIP143 policy: only compressed keys in segwit v0.
    if ((flags & SCRIPT_VERIFY_WITNESS_PUBKEYTYPE) != 0 && sigversion == SigVersion::WITNESS_V0 &&
        !IsCompressedPubKey(pubkey)) {
        return SetError(error, ScriptError::WITNESS_PUBKEYTYPE);
    }
    return true;
}

bool EvalChecksigPreTapscript(std::span<const uint8_t> sig, std::span<const uint8_t> pubkey,
                              const uint8_t* code_begin, const uint8_t* code_end, uint32_t flags,
                              const BaseSignatureChecker& checker, SigVersion sigversion,
                              ScriptError* error, bool& success)
{
    Script script_code{code_begin, code_end};
    // Legacy signatures cannot sign themselves, so they are removed from the signed code.
    if (sigversion == SigVersion::BASE) {
        const int found = FindAndDelete(script_code, PushOnlyScript(sig));
        if (found > 0 && (flags & SCRIPT_VERIFY_CONST_SCRIPTCODE)) {
            return SetError(error, ScriptError::SIG_FINDANDDELETE);
        }
    }
    if (!CheckSignatureEncoding(sig, flags, error) ||
        !CheckPubKeyEncoding(pubkey, flags, sigversion, error)) {
        return false;
    }
    success = checker.CheckEcdsaSignature(sig, pubkey, script_code, sigversion);
    if (!success && (flags & SCRIPT_VERIFY_NULLFAIL) && !sig.empty()) {
        return SetError(error, ScriptError::SIG_NULLFAIL);
    }
    return true;
}

bool EvalChecksigTapscript(std::span<const uint8_t> sig, std::span<const uint8_t> pubkey,
                           ScriptExecutionData& execdata, uint32_t flags,
                           const BaseSignatureChecker& checker, SigVersion sigversion,
                           ScriptError* error, bool& success)
{
    // Order matters for consensus: budget first, then empty key, then the
    // signature itself; unknown key types succeed (or are discouraged).
    success = !sig.empty();
    if (success) {
        execdata.validation_weight_left -= VALIDATION_WEIGHT_PER_SIGOP_PASSED;
        if (execdata.validation_weight_left < 0) {
            return SetError(error, ScriptError::TAPSCRIPT_VALIDATION_WEIGHT);
        }
    }
    if (pubkey.empty()) return SetError(error, ScriptError::TAPSCRIPT_EMPTY_PUBKEY);
    if (pubkey.size() == XONLY_PUBKEY_SIZE) {
        if (success && !checker.CheckSchnorrSignature(sig, pubkey, sigversion, execdata, error)) {
            return false;
        }
    } else if ((flags & SCRIPT_VERIFY_DISCOURAGE_UPGRADABLE_PUBKEYTYPE) != 0) {
        return SetError(error, ScriptError::DISCOURAGE_UPGRADABLE_PUBKEYTYPE);
    }
    return true;
}

bool EvalChecksig(std::span<const uint8_t> sig, std::span<const uint8_t> pubkey,
                  const uint8_t* code_begin, const uint8_t* code_end, ScriptExecutionData& execdata,
                  uint32_t flags, const BaseSignatureChecker& checker, SigVersion sigversion,
                  ScriptError* error, bool& success)
{
    if (sigversion == SigVersion::TAPSCRIPT) {
        return EvalChecksigTapscript(sig, pubkey, execdata, flags, checker, sigversion, error,
                                     success);
    }
    // Key-path spends have no script, so TAPROOT never reaches here.
    return EvalChecksigPreTapscript(sig, pubkey, code_begin, code_end, flags, checker, sigversion,
                                    error, success);
}

const ValType VCH_FALSE{};
const ValType VCH_TRUE{1};

inline ValType NumBytes(int64_t n)
{
    return Script::EncodeNum(n);
}

bool IsDisabledOpcode(uint8_t op)
{
    switch (op) {
    case OP_CAT:
    case OP_SUBSTR:
    case OP_LEFT:
    case OP_RIGHT:
    case OP_INVERT:
    case OP_AND:
    case OP_OR:
    case OP_XOR:
    case OP_2MUL:
    case OP_2DIV:
    case OP_MUL:
    case OP_DIV:
    case OP_MOD:
    case OP_LSHIFT:
    case OP_RSHIFT:
        return true;
    default:
        return false;
    }
}

} // namespace

bool IsOpSuccess(uint8_t op)
{
    return op == 80 || op == 98 || (op >= 126 && op <= 129) || (op >= 131 && op <= 134) ||
           (op >= 137 && op <= 138) || (op >= 141 && op <= 142) || (op >= 149 && op <= 153) ||
           (op >= 187 && op <= 254);
}

bool CastToBool(std::span<const uint8_t> value)
{
    for (size_t i = 0; i < value.size(); ++i) {
        if (value[i] != 0) {
            // Negative zero (only the sign bit set in the last byte) is false.
            return !(i == value.size() - 1 && value[i] == 0x80);
        }
    }
    return false;
}

bool IsValidSignatureEncoding(std::span<const uint8_t> sig)
{
    // Format: 0x30 [total-length] 0x02 [R-length] [R] 0x02 [S-length] [S] [sighash]
    if (sig.size() < 9 || sig.size() > 73) return false;
    if (sig[0] != 0x30) return false;
    if (sig[1] != sig.size() - 3) return false;
    const size_t len_r = sig[3];
    if (5 + len_r >= sig.size()) return false;
    const size_t len_s = sig[5 + len_r];
    if (len_r + len_s + 7 != sig.size()) return false;
    if (sig[2] != 0x02) return false;
    if (len_r == 0) return false;
    if (sig[4] & 0x80) return false;
    if (len_r > 1 && sig[4] == 0x00 && !(sig[5] & 0x80)) return false;
    if (sig[len_r + 4] != 0x02) return false;
    if (len_s == 0) return false;
    if (sig[len_r + 6] & 0x80) return false;
    if (len_s > 1 && sig[len_r + 6] == 0x00 && !(sig[len_r + 7] & 0x80)) return false;
    return true;
}

bool CheckMinimalPush(std::span<const uint8_t> data, uint8_t opcode)
{
    if (data.empty()) return opcode == OP_0;
    if (data.size() == 1 && data[0] >= 1 && data[0] <= 16) return false; // OP_1..OP_16
    if (data.size() == 1 && data[0] == 0x81) return false;               // OP_1NEGATE
    if (data.size() <= 75) return opcode == data.size();
    if (data.size() <= 255) return opcode == OP_PUSHDATA1;
    if (data.size() <= 65535) return opcode == OP_PUSHDATA2;
    return true;
}

int FindAndDelete(Script& script, const Script& pattern)
{
    if (pattern.empty()) return 0;
    const auto& bytes = script.bytes();
    const uint8_t* const begin = bytes.data();
    const uint8_t* const end = begin + bytes.size();
    const uint8_t* const pat = pattern.data();
    const size_t pat_size = pattern.size();
    int found = 0;
    std::vector<uint8_t> result;
    const uint8_t* pc = begin;
    const uint8_t* pc2 = begin;
    uint8_t op;
    const uint8_t* data;
    size_t size;
    do {
        result.insert(result.end(), pc2, pc);
        while (static_cast<size_t>(end - pc) >= pat_size && std::memcmp(pc, pat, pat_size) == 0) {
            pc += pat_size;
            ++found;
        }
        pc2 = pc;
    } while (ReadOp(pc, end, op, data, size));
    if (found > 0) {
        result.insert(result.end(), pc2, end);
        script.bytes() = std::move(result);
    }
    return found;
}

bool EvalScript(Stack& stack, const Script& script, uint32_t flags,
                const BaseSignatureChecker& checker, SigVersion sigversion, ScriptError* error)
{
    ScriptExecutionData execdata;
    return EvalScript(stack, script, flags, checker, sigversion, execdata, error);
}

bool EvalScript(Stack& stack, const Script& script, uint32_t flags,
                const BaseSignatureChecker& checker, SigVersion sigversion,
                ScriptExecutionData& execdata, ScriptError* error)
{
    SetError(error, ScriptError::UNKNOWN_ERROR);
    const bool pre_tapscript =
        sigversion == SigVersion::BASE || sigversion == SigVersion::WITNESS_V0;
    if (pre_tapscript && script.size() > MAX_SCRIPT_SIZE) {
        return SetError(error, ScriptError::SCRIPT_SIZE);
    }
    const uint8_t* const script_begin = script.data();
    const uint8_t* const pend = script_begin + script.size();
    const uint8_t* pc = script_begin;
    const uint8_t* pbegincodehash = script_begin;
    ConditionStack exec_stack;
    Stack altstack;
    int op_count = 0;
    const bool require_minimal = (flags & SCRIPT_VERIFY_MINIMALDATA) != 0;
    uint32_t opcode_pos = 0;
    execdata.codeseparator_pos = 0xffffffff;
    execdata.codeseparator_pos_init = true;

    auto top = [&stack](int i) -> ValType& { return stack[stack.size() + i]; };
    auto pop = [&stack]() { stack.pop_back(); };

    for (; pc < pend; ++opcode_pos) {
        const bool f_exec = exec_stack.AllTrue();
        uint8_t opcode;
        const uint8_t* push_data;
        size_t push_size;
        if (!ReadOp(pc, pend, opcode, push_data, push_size)) {
            return SetError(error, ScriptError::BAD_OPCODE);
        }
        if (push_size > MAX_SCRIPT_ELEMENT_SIZE) return SetError(error, ScriptError::PUSH_SIZE);

        if (pre_tapscript) {
            // OP_RESERVED (0x50) and pushes do not count toward the limit.
            if (opcode > OP_16 && ++op_count > MAX_OPS_PER_SCRIPT) {
                return SetError(error, ScriptError::OP_COUNT);
            }
        }
        // Disabled opcodes fail even in an unexecuted branch (CVE-2010-5137).
        if (IsDisabledOpcode(opcode)) return SetError(error, ScriptError::DISABLED_OPCODE);
        if (opcode == OP_CODESEPARATOR && sigversion == SigVersion::BASE &&
            (flags & SCRIPT_VERIFY_CONST_SCRIPTCODE)) {
            return SetError(error, ScriptError::OP_CODESEPARATOR);
        }

        if (f_exec && opcode <= OP_PUSHDATA4) {
            const std::span<const uint8_t> value{push_data, push_size};
            if (require_minimal && !CheckMinimalPush(value, opcode)) {
                return SetError(error, ScriptError::MINIMALDATA);
            }
            stack.emplace_back(value.begin(), value.end());
        } else if (f_exec || (OP_IF <= opcode && opcode <= OP_ENDIF)) {
            switch (opcode) {
            case OP_1NEGATE:
            case OP_1:
            case OP_2:
            case OP_3:
            case OP_4:
            case OP_5:
            case OP_6:
            case OP_7:
            case OP_8:
            case OP_9:
            case OP_10:
            case OP_11:
            case OP_12:
            case OP_13:
            case OP_14:
            case OP_15:
            case OP_16: {
                stack.push_back(NumBytes(static_cast<int>(opcode) - static_cast<int>(OP_1 - 1)));
                break;
            }

            case OP_NOP:
                break;

            case OP_CHECKLOCKTIMEVERIFY: {
                if (!(flags & SCRIPT_VERIFY_CHECKLOCKTIMEVERIFY)) break; // still NOP2
                if (stack.empty()) return SetError(error, ScriptError::INVALID_STACK_OPERATION);
                // Five bytes: lock times reach 2^32-1, beyond the 4-byte arithmetic range.
                int64_t lock_time;
                if (!DecodeScriptNum(top(-1), require_minimal, 5, lock_time)) {
                    return SetError(error, ScriptError::SCRIPTNUM);
                }
                if (lock_time < 0) return SetError(error, ScriptError::NEGATIVE_LOCKTIME);
                if (!checker.CheckLockTime(lock_time)) {
                    return SetError(error, ScriptError::UNSATISFIED_LOCKTIME);
                }
                break;
            }

            case OP_CHECKSEQUENCEVERIFY: {
                if (!(flags & SCRIPT_VERIFY_CHECKSEQUENCEVERIFY)) break; // still NOP3
                if (stack.empty()) return SetError(error, ScriptError::INVALID_STACK_OPERATION);
                int64_t sequence;
                if (!DecodeScriptNum(top(-1), require_minimal, 5, sequence)) {
                    return SetError(error, ScriptError::SCRIPTNUM);
                }
                if (sequence < 0) return SetError(error, ScriptError::NEGATIVE_LOCKTIME);
                // With the disable flag set the operand imposes nothing.
                if ((sequence & TxIn::SEQUENCE_LOCKTIME_DISABLE_FLAG) != 0) break;
                if (!checker.CheckSequence(sequence)) {
                    return SetError(error, ScriptError::UNSATISFIED_LOCKTIME);
                }
                break;
            }

            case OP_NOP1:
            case OP_NOP4:
            case OP_NOP5:
            case OP_NOP6:
            case OP_NOP7:
            case OP_NOP8:
            case OP_NOP9:
            case OP_NOP10: {
                if (flags & SCRIPT_VERIFY_DISCOURAGE_UPGRADABLE_NOPS) {
                    return SetError(error, ScriptError::DISCOURAGE_UPGRADABLE_NOPS);
                }
                break;
            }

            case OP_IF:
            case OP_NOTIF: {
                bool value = false;
                if (f_exec) {
                    // A missing operand is a stack error (Bitcoin Core since PR 32143).
                    if (stack.empty()) return SetError(error, ScriptError::INVALID_STACK_OPERATION);
                    const ValType& vch = top(-1);
                    // Consensus in tapscript, policy (MINIMALIF) in v0.
                    if (sigversion == SigVersion::TAPSCRIPT) {
                        if (vch.size() > 1 || (vch.size() == 1 && vch[0] != 1)) {
                            return SetError(error, ScriptError::TAPSCRIPT_MINIMALIF);
                        }
                    }
                    if (sigversion == SigVersion::WITNESS_V0 && (flags & SCRIPT_VERIFY_MINIMALIF)) {
                        if (vch.size() > 1 || (vch.size() == 1 && vch[0] != 1)) {
                            return SetError(error, ScriptError::MINIMALIF);
                        }
                    }
                    value = CastToBool(vch);
                    if (opcode == OP_NOTIF) value = !value;
                    pop();
                }
                exec_stack.Push(value);
                break;
            }

            case OP_ELSE: {
                if (exec_stack.Empty()) return SetError(error, ScriptError::UNBALANCED_CONDITIONAL);
                exec_stack.ToggleTop();
                break;
            }

            case OP_ENDIF: {
                if (exec_stack.Empty()) return SetError(error, ScriptError::UNBALANCED_CONDITIONAL);
                exec_stack.Pop();
                break;
            }

            case OP_VERIFY: {
                if (stack.empty()) return SetError(error, ScriptError::INVALID_STACK_OPERATION);
                if (!CastToBool(top(-1))) return SetError(error, ScriptError::VERIFY);
                pop();
                break;
            }

            case OP_RETURN:
                return SetError(error, ScriptError::OP_RETURN);

            case OP_TOALTSTACK: {
                if (stack.empty()) return SetError(error, ScriptError::INVALID_STACK_OPERATION);
                altstack.push_back(std::move(top(-1)));
                pop();
                break;
            }

            case OP_FROMALTSTACK: {
                if (altstack.empty()) {
                    return SetError(error, ScriptError::INVALID_ALTSTACK_OPERATION);
                }
                stack.push_back(std::move(altstack.back()));
                altstack.pop_back();
                break;
            }

            case OP_2DROP: {
                if (stack.size() < 2) return SetError(error, ScriptError::INVALID_STACK_OPERATION);
                pop();
                pop();
                break;
            }

            case OP_2DUP: {
                if (stack.size() < 2) return SetError(error, ScriptError::INVALID_STACK_OPERATION);
                ValType a = top(-2);
                ValType b = top(-1);
                stack.push_back(std::move(a));
                stack.push_back(std::move(b));
                break;
            }

            case OP_3DUP: {
                if (stack.size() < 3) return SetError(error, ScriptError::INVALID_STACK_OPERATION);
                ValType a = top(-3);
                ValType b = top(-2);
                ValType c = top(-1);
                stack.push_back(std::move(a));
                stack.push_back(std::move(b));
                stack.push_back(std::move(c));
                break;
            }

            case OP_2OVER: {
                if (stack.size() < 4) return SetError(error, ScriptError::INVALID_STACK_OPERATION);
                ValType a = top(-4);
                ValType b = top(-3);
                stack.push_back(std::move(a));
                stack.push_back(std::move(b));
                break;
            }

            case OP_2ROT: {
                if (stack.size() < 6) return SetError(error, ScriptError::INVALID_STACK_OPERATION);
                ValType a = std::move(top(-6));
                ValType b = std::move(top(-5));
                stack.erase(stack.end() - 6, stack.end() - 4);
                stack.push_back(std::move(a));
                stack.push_back(std::move(b));
                break;
            }

            case OP_2SWAP: {
                if (stack.size() < 4) return SetError(error, ScriptError::INVALID_STACK_OPERATION);
                std::swap(top(-4), top(-2));
                std::swap(top(-3), top(-1));
                break;
            }

            case OP_IFDUP: {
                if (stack.empty()) return SetError(error, ScriptError::INVALID_STACK_OPERATION);
                if (CastToBool(top(-1))) {
                    ValType a = top(-1);
                    stack.push_back(std::move(a));
                }
                break;
            }

            case OP_DEPTH: {
                stack.push_back(NumBytes(static_cast<int64_t>(stack.size())));
                break;
            }

            case OP_DROP: {
                if (stack.empty()) return SetError(error, ScriptError::INVALID_STACK_OPERATION);
                pop();
                break;
            }

            case OP_DUP: {
                if (stack.empty()) return SetError(error, ScriptError::INVALID_STACK_OPERATION);
                ValType a = top(-1);
                stack.push_back(std::move(a));
                break;
            }

            case OP_NIP: {
                if (stack.size() < 2) return SetError(error, ScriptError::INVALID_STACK_OPERATION);
                stack.erase(stack.end() - 2);
                break;
            }

            case OP_OVER: {
                if (stack.size() < 2) return SetError(error, ScriptError::INVALID_STACK_OPERATION);
                ValType a = top(-2);
                stack.push_back(std::move(a));
                break;
            }

            case OP_PICK:
            case OP_ROLL: {
                if (stack.size() < 2) return SetError(error, ScriptError::INVALID_STACK_OPERATION);
                int64_t n64;
                if (!DecodeScriptNum(top(-1), require_minimal, DEFAULT_MAX_NUM_SIZE, n64)) {
                    return SetError(error, ScriptError::SCRIPTNUM);
                }
                const int n = ClampInt(n64);
                pop();
                if (n < 0 || n >= static_cast<int>(stack.size())) {
                    return SetError(error, ScriptError::INVALID_STACK_OPERATION);
                }
                if (opcode == OP_ROLL) {
                    ValType a = std::move(top(-n - 1));
                    stack.erase(stack.end() - n - 1);
                    stack.push_back(std::move(a));
                } else {
                    ValType a = top(-n - 1);
                    stack.push_back(std::move(a));
                }
                break;
            }

            case OP_ROT: {
                if (stack.size() < 3) return SetError(error, ScriptError::INVALID_STACK_OPERATION);
                std::swap(top(-3), top(-2));
                std::swap(top(-2), top(-1));
                break;
            }

            case OP_SWAP: {
                if (stack.size() < 2) return SetError(error, ScriptError::INVALID_STACK_OPERATION);
                std::swap(top(-2), top(-1));
                break;
            }

            case OP_TUCK: {
                if (stack.size() < 2) return SetError(error, ScriptError::INVALID_STACK_OPERATION);
                ValType a = top(-1);
                stack.insert(stack.end() - 2, std::move(a));
                break;
            }

            case OP_SIZE: {
                if (stack.empty()) return SetError(error, ScriptError::INVALID_STACK_OPERATION);
                stack.push_back(NumBytes(static_cast<int64_t>(top(-1).size())));
                break;
            }

            case OP_EQUAL:
            case OP_EQUALVERIFY: {
                if (stack.size() < 2) return SetError(error, ScriptError::INVALID_STACK_OPERATION);
                const bool equal = top(-2) == top(-1);
                pop();
                pop();
                stack.push_back(equal ? VCH_TRUE : VCH_FALSE);
                if (opcode == OP_EQUALVERIFY) {
                    if (!equal) return SetError(error, ScriptError::EQUALVERIFY);
                    pop();
                }
                break;
            }

            case OP_1ADD:
            case OP_1SUB:
            case OP_NEGATE:
            case OP_ABS:
            case OP_NOT:
            case OP_0NOTEQUAL: {
                if (stack.empty()) return SetError(error, ScriptError::INVALID_STACK_OPERATION);
                int64_t bn;
                if (!DecodeScriptNum(top(-1), require_minimal, DEFAULT_MAX_NUM_SIZE, bn)) {
                    return SetError(error, ScriptError::SCRIPTNUM);
                }
                switch (opcode) {
                case OP_1ADD:
                    bn += 1;
                    break;
                case OP_1SUB:
                    bn -= 1;
                    break;
                case OP_NEGATE:
                    bn = -bn;
                    break;
                case OP_ABS:
                    if (bn < 0) bn = -bn;
                    break;
                case OP_NOT:
                    bn = bn == 0;
                    break;
                case OP_0NOTEQUAL:
                    bn = bn != 0;
                    break;
                default:
                    break;
                }
                pop();
                stack.push_back(NumBytes(bn));
                break;
            }

            case OP_ADD:
            case OP_SUB:
            case OP_BOOLAND:
            case OP_BOOLOR:
            case OP_NUMEQUAL:
            case OP_NUMEQUALVERIFY:
            case OP_NUMNOTEQUAL:
            case OP_LESSTHAN:
            case OP_GREATERTHAN:
            case OP_LESSTHANOREQUAL:
            case OP_GREATERTHANOREQUAL:
            case OP_MIN:
            case OP_MAX: {
                if (stack.size() < 2) return SetError(error, ScriptError::INVALID_STACK_OPERATION);
                int64_t bn1, bn2;
                if (!DecodeScriptNum(top(-2), require_minimal, DEFAULT_MAX_NUM_SIZE, bn1) ||
                    !DecodeScriptNum(top(-1), require_minimal, DEFAULT_MAX_NUM_SIZE, bn2)) {
                    return SetError(error, ScriptError::SCRIPTNUM);
                }
                int64_t bn = 0;
                switch (opcode) {
                case OP_ADD:
                    bn = bn1 + bn2;
                    break;
                case OP_SUB:
                    bn = bn1 - bn2;
                    break;
                case OP_BOOLAND:
                    bn = bn1 != 0 && bn2 != 0;
                    break;
                case OP_BOOLOR:
                    bn = bn1 != 0 || bn2 != 0;
                    break;
                case OP_NUMEQUAL:
                    bn = bn1 == bn2;
                    break;
                case OP_NUMEQUALVERIFY:
                    bn = bn1 == bn2;
                    break;
                case OP_NUMNOTEQUAL:
                    bn = bn1 != bn2;
                    break;
                case OP_LESSTHAN:
                    bn = bn1 < bn2;
                    break;
                case OP_GREATERTHAN:
                    bn = bn1 > bn2;
                    break;
                case OP_LESSTHANOREQUAL:
                    bn = bn1 <= bn2;
                    break;
                case OP_GREATERTHANOREQUAL:
                    bn = bn1 >= bn2;
                    break;
                case OP_MIN:
                    bn = std::min(bn1, bn2);
                    break;
                case OP_MAX:
                    bn = std::max(bn1, bn2);
                    break;
                default:
                    break;
                }
                pop();
                pop();
                stack.push_back(NumBytes(bn));
                if (opcode == OP_NUMEQUALVERIFY) {
                    if (!CastToBool(top(-1))) return SetError(error, ScriptError::NUMEQUALVERIFY);
                    pop();
                }
                break;
            }

            case OP_WITHIN: {
                if (stack.size() < 3) return SetError(error, ScriptError::INVALID_STACK_OPERATION);
                int64_t x, lo, hi;
                if (!DecodeScriptNum(top(-3), require_minimal, DEFAULT_MAX_NUM_SIZE, x) ||
                    !DecodeScriptNum(top(-2), require_minimal, DEFAULT_MAX_NUM_SIZE, lo) ||
                    !DecodeScriptNum(top(-1), require_minimal, DEFAULT_MAX_NUM_SIZE, hi)) {
                    return SetError(error, ScriptError::SCRIPTNUM);
                }
                const bool within = lo <= x && x < hi;
                pop();
                pop();
                pop();
                stack.push_back(within ? VCH_TRUE : VCH_FALSE);
                break;
            }

            case OP_RIPEMD160:
            case OP_SHA1:
            case OP_SHA256:
            case OP_HASH160:
            case OP_HASH256: {
                if (stack.empty()) return SetError(error, ScriptError::INVALID_STACK_OPERATION);
                ValType& vch = top(-1);
                ValType out;
                switch (opcode) {
                case OP_RIPEMD160: {
                    const Uint160 h = Ripemd160(vch);
                    out.assign(h.begin(), h.end());
                    break;
                }
                case OP_SHA1: {
                    const auto h = Sha1Hash(vch);
                    out.assign(h.begin(), h.end());
                    break;
                }
                case OP_SHA256: {
                    const Uint256 h = Sha256Hash(vch);
                    out.assign(h.begin(), h.end());
                    break;
                }
                case OP_HASH160: {
                    const Uint160 h = Hash160(vch);
                    out.assign(h.begin(), h.end());
                    break;
                }
                default: {
                    const Uint256 h = Hash256(vch);
                    out.assign(h.begin(), h.end());
                    break;
                }
                }
                vch = std::move(out);
                break;
            }

            case OP_CODESEPARATOR: {
                // Signatures commit only to the code after the last executed separator.
                pbegincodehash = pc;
                execdata.codeseparator_pos = opcode_pos;
                break;
            }

            case OP_CHECKSIG:
            case OP_CHECKSIGVERIFY: {
                if (stack.size() < 2) return SetError(error, ScriptError::INVALID_STACK_OPERATION);
                bool success = true;
                if (!EvalChecksig(top(-2), top(-1), pbegincodehash, pend, execdata, flags, checker,
                                  sigversion, error, success)) {
                    return false;
                }
                pop();
                pop();
                stack.push_back(success ? VCH_TRUE : VCH_FALSE);
                if (opcode == OP_CHECKSIGVERIFY) {
                    if (!success) return SetError(error, ScriptError::CHECKSIGVERIFY);
                    pop();
                }
                break;
            }

            case OP_CHECKSIGADD: {
                // BIP342 only; a bad opcode in legacy and v0 scripts.
                if (pre_tapscript) return SetError(error, ScriptError::BAD_OPCODE);
                if (stack.size() < 3) return SetError(error, ScriptError::INVALID_STACK_OPERATION);
                int64_t num;
                if (!DecodeScriptNum(top(-2), require_minimal, DEFAULT_MAX_NUM_SIZE, num)) {
                    return SetError(error, ScriptError::SCRIPTNUM);
                }
                bool success = true;
                if (!EvalChecksig(top(-3), top(-1), pbegincodehash, pend, execdata, flags, checker,
                                  sigversion, error, success)) {
                    return false;
                }
                pop();
                pop();
                pop();
                stack.push_back(NumBytes(num + (success ? 1 : 0)));
                break;
            }

            case OP_CHECKMULTISIG:
            case OP_CHECKMULTISIGVERIFY: {
                if (sigversion == SigVersion::TAPSCRIPT) {
                    return SetError(error, ScriptError::TAPSCRIPT_CHECKMULTISIG);
                }
                // Stack: dummy [sig ...] n_sigs [pubkey ...] n_keys
                int i = 1;
                if (static_cast<int>(stack.size()) < i) {
                    return SetError(error, ScriptError::INVALID_STACK_OPERATION);
                }
                int64_t keys64;
                if (!DecodeScriptNum(top(-i), require_minimal, DEFAULT_MAX_NUM_SIZE, keys64)) {
                    return SetError(error, ScriptError::SCRIPTNUM);
                }
                int n_keys = ClampInt(keys64);
                if (n_keys < 0 || n_keys > MAX_PUBKEYS_PER_MULTISIG) {
                    return SetError(error, ScriptError::PUBKEY_COUNT);
                }
                op_count += n_keys;
                if (op_count > MAX_OPS_PER_SCRIPT) return SetError(error, ScriptError::OP_COUNT);
                int ikey = ++i;
                // Depth of the last non-signature item; used for NULLFAIL cleanup.
                int ikey2 = n_keys + 2;
                i += n_keys;
                if (static_cast<int>(stack.size()) < i) {
                    return SetError(error, ScriptError::INVALID_STACK_OPERATION);
                }
                int64_t sigs64;
                if (!DecodeScriptNum(top(-i), require_minimal, DEFAULT_MAX_NUM_SIZE, sigs64)) {
                    return SetError(error, ScriptError::SCRIPTNUM);
                }
                int n_sigs = ClampInt(sigs64);
                if (n_sigs < 0 || n_sigs > n_keys) return SetError(error, ScriptError::SIG_COUNT);
                int isig = ++i;
                i += n_sigs;
                if (static_cast<int>(stack.size()) < i) {
                    return SetError(error, ScriptError::INVALID_STACK_OPERATION);
                }

                Script script_code{pbegincodehash, pend};
                // Legacy signatures are removed from the signed code before any is checked.
                if (sigversion == SigVersion::BASE) {
                    for (int k = 0; k < n_sigs; ++k) {
                        const int found =
                            FindAndDelete(script_code, PushOnlyScript(top(-isig - k)));
                        if (found > 0 && (flags & SCRIPT_VERIFY_CONST_SCRIPTCODE)) {
                            return SetError(error, ScriptError::SIG_FINDANDDELETE);
                        }
                    }
                }

                bool success = true;
                while (success && n_sigs > 0) {
                    const ValType& sig = top(-isig);
                    const ValType& pubkey = top(-ikey);
                    // Encoding is checked pair by pair, so evaluation order is observable.
                    if (!CheckSignatureEncoding(sig, flags, error) ||
                        !CheckPubKeyEncoding(pubkey, flags, sigversion, error)) {
                        return false;
                    }
                    if (checker.CheckEcdsaSignature(sig, pubkey, script_code, sigversion)) {
                        ++isig;
                        --n_sigs;
                    }
                    ++ikey;
                    --n_keys;
                    // Give up as soon as the remaining keys cannot cover the remaining signatures.
                    if (n_sigs > n_keys) success = false;
                }

                while (i-- > 1) {
                    if (!success && (flags & SCRIPT_VERIFY_NULLFAIL) && !ikey2 &&
                        !top(-1).empty()) {
                        return SetError(error, ScriptError::SIG_NULLFAIL);
                    }
                    if (ikey2 > 0) --ikey2;
                    pop();
                }
                // The historical extra pop: one more unchecked element (BIP147 NULLDUMMY pins it).
                if (stack.empty()) return SetError(error, ScriptError::INVALID_STACK_OPERATION);
                if ((flags & SCRIPT_VERIFY_NULLDUMMY) && !top(-1).empty()) {
                    return SetError(error, ScriptError::SIG_NULLDUMMY);
                }
                pop();
                stack.push_back(success ? VCH_TRUE : VCH_FALSE);
                if (opcode == OP_CHECKMULTISIGVERIFY) {
                    if (!success) return SetError(error, ScriptError::CHECKMULTISIGVERIFY);
                    pop();
                }
                break;
            }

            default:
                return SetError(error, ScriptError::BAD_OPCODE);
            }
        }

        if (stack.size() + altstack.size() > MAX_STACK_SIZE) {
            return SetError(error, ScriptError::STACK_SIZE);
        }
    }

    if (!exec_stack.Empty()) return SetError(error, ScriptError::UNBALANCED_CONDITIONAL);
    return SetSuccess(error);
}

} // namespace consensus
