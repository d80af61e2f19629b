// The script interpreter: verification flags, signature checkers, EvalScript
// and VerifyScript with Bitcoin Core's semantics bit for bit (legacy, P2SH,
// SegWit v0, Taproot key and script paths). Every function here is pure and
// may be called from any thread; a checker is used by one thread at a time.
#pragma once

#include <consensus/amount.h>
#include <consensus/script/script.h>
#include <consensus/script/script_error.h>
#include <consensus/script/sighash.h>
#include <consensus/transaction.h>

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace consensus {

class SignatureCache;

/// Script verification flags, with Bitcoin Core's names and bit values.
enum : uint32_t
{
    SCRIPT_VERIFY_NONE = 0,
    SCRIPT_VERIFY_P2SH = 1U << 0,
    SCRIPT_VERIFY_STRICTENC = 1U << 1,
    SCRIPT_VERIFY_DERSIG = 1U << 2,
    SCRIPT_VERIFY_LOW_S = 1U << 3,
    SCRIPT_VERIFY_NULLDUMMY = 1U << 4,
    SCRIPT_VERIFY_SIGPUSHONLY = 1U << 5,
    SCRIPT_VERIFY_MINIMALDATA = 1U << 6,
    SCRIPT_VERIFY_DISCOURAGE_UPGRADABLE_NOPS = 1U << 7,
    SCRIPT_VERIFY_CLEANSTACK = 1U << 8,
    SCRIPT_VERIFY_CHECKLOCKTIMEVERIFY = 1U << 9,
    SCRIPT_VERIFY_CHECKSEQUENCEVERIFY = 1U << 10,
    SCRIPT_VERIFY_WITNESS = 1U << 11,
    SCRIPT_VERIFY_DISCOURAGE_UPGRADABLE_WITNESS_PROGRAM = 1U << 12,
    SCRIPT_VERIFY_MINIMALIF = 1U << 13,
    SCRIPT_VERIFY_NULLFAIL = 1U << 14,
    SCRIPT_VERIFY_WITNESS_PUBKEYTYPE = 1U << 15,
    SCRIPT_VERIFY_CONST_SCRIPTCODE = 1U << 16,
    SCRIPT_VERIFY_TAPROOT = 1U << 17,
    SCRIPT_VERIFY_DISCOURAGE_UPGRADABLE_TAPROOT_VERSION = 1U << 18,
    SCRIPT_VERIFY_DISCOURAGE_OP_SUCCESS = 1U << 19,
    SCRIPT_VERIFY_DISCOURAGE_UPGRADABLE_PUBKEYTYPE = 1U << 20,
    /// Every defined flag.
    SCRIPT_VERIFY_ALL_FLAGS = (1U << 21) - 1,
};

/// The bit of one flag name ("P2SH", "WITNESS", ...), or nullopt if unknown.
std::optional<uint32_t> ScriptFlagFromName(std::string_view name);
/// Parses a comma-separated flag list; "" and "NONE" are 0; nullopt if a name is unknown.
std::optional<uint32_t> ParseScriptFlags(std::string_view names);
/// Comma-separated names of the set flags, in bit order ("" for none).
std::string FormatScriptFlags(uint32_t flags);
/// False for combinations VerifyScript does not support (WITNESS without
/// P2SH, CLEANSTACK without WITNESS).
bool IsValidFlagCombination(uint32_t flags);

/// Largest script number operand for arithmetic opcodes, in bytes.
inline constexpr size_t DEFAULT_MAX_NUM_SIZE = 4;
/// Validation weight consumed by each tapscript signature check with a non-empty signature.
inline constexpr int64_t VALIDATION_WEIGHT_PER_SIGOP_PASSED = 50;
/// Validation weight budget added to the witness size.
inline constexpr int64_t VALIDATION_WEIGHT_OFFSET = 50;

/// Verifies signatures and lock times on behalf of the interpreter. The base
/// class rejects everything (for evaluating scripts without a transaction).
class BaseSignatureChecker
{
public:
    virtual ~BaseSignatureChecker() = default;
    /// sig includes the trailing hash-type byte; script_code is the code after
    /// the last executed OP_CODESEPARATOR (FindAndDelete already applied for BASE).
    virtual bool CheckEcdsaSignature(std::span<const uint8_t> /*sig*/,
                                     std::span<const uint8_t> /*pubkey*/,
                                     const Script& /*script_code*/, SigVersion /*sigversion*/) const
    {
        return false;
    }
    /// BIP340 check of a 64/65-byte signature against a 32-byte key; sets error on failure.
    virtual bool CheckSchnorrSignature(std::span<const uint8_t> /*sig*/,
                                       std::span<const uint8_t> /*pubkey*/,
                                       SigVersion /*sigversion*/,
                                       const ScriptExecutionData& /*execdata*/,
                                       ScriptError* /*error*/) const
    {
        return false;
    }
    /// CHECKLOCKTIMEVERIFY against the transaction's nLockTime.
    virtual bool CheckLockTime(int64_t /*lock_time*/) const { return false; }
    /// CHECKSEQUENCEVERIFY against the input's nSequence (BIP112).
    virtual bool CheckSequence(int64_t /*sequence*/) const { return false; }
};

/// Checks signatures of input n_in of tx. tx and txdata must outlive the
/// checker. With a cache, verified triples are looked up first and, if
/// store_in_cache, valid ones are inserted.
class TransactionSignatureChecker : public BaseSignatureChecker
{
public:
    TransactionSignatureChecker(const Transaction* tx, unsigned n_in, Amount amount,
                                const PrecomputedTxData& txdata, SignatureCache* cache = nullptr,
                                bool store_in_cache = false)
        : m_tx{tx}, m_n_in{n_in}, m_amount{amount}, m_txdata{&txdata}, m_cache{cache},
          m_store{store_in_cache}
    {}

    bool CheckEcdsaSignature(std::span<const uint8_t> sig, std::span<const uint8_t> pubkey,
                             const Script& script_code, SigVersion sigversion) const override;
    bool CheckSchnorrSignature(std::span<const uint8_t> sig, std::span<const uint8_t> pubkey,
                               SigVersion sigversion, const ScriptExecutionData& execdata,
                               ScriptError* error) const override;
    bool CheckLockTime(int64_t lock_time) const override;
    bool CheckSequence(int64_t sequence) const override;

private:
    bool VerifyEcdsaCached(std::span<const uint8_t> sig, std::span<const uint8_t> pubkey,
                           const Uint256& hash) const;
    bool VerifySchnorrCached(std::span<const uint8_t> sig, std::span<const uint8_t> pubkey,
                             const Uint256& hash) const;

    const Transaction* m_tx;
    unsigned m_n_in;
    Amount m_amount;
    const PrecomputedTxData* m_txdata;
    SignatureCache* m_cache;
    bool m_store;
};

/// Executes one script on `stack` (BASE, WITNESS_V0 or TAPSCRIPT). error, if
/// not null, receives OK or the reason for failure.
bool EvalScript(std::vector<std::vector<uint8_t>>& stack, const Script& script, uint32_t flags,
                const BaseSignatureChecker& checker, SigVersion sigversion,
                ScriptExecutionData& execdata, ScriptError* error = nullptr);
/// As above with fresh execution data (legacy and v0 scripts need none).
bool EvalScript(std::vector<std::vector<uint8_t>>& stack, const Script& script, uint32_t flags,
                const BaseSignatureChecker& checker, SigVersion sigversion,
                ScriptError* error = nullptr);

/// Verifies that script_sig (and witness) satisfy script_pubkey under flags.
/// flags must satisfy IsValidFlagCombination. witness may be null (empty).
bool VerifyScript(const Script& script_sig, const Script& script_pubkey,
                  const ScriptWitness* witness, uint32_t flags, const BaseSignatureChecker& checker,
                  ScriptError* error = nullptr);

/// True for the opcodes BIP342 defines as OP_SUCCESSx.
bool IsOpSuccess(uint8_t opcode);

/// Truthiness of a stack element: any non-zero byte, except a lone sign bit (negative zero).
bool CastToBool(std::span<const uint8_t> value);

/// BIP66 strict DER encoding of a signature with its trailing hash-type byte.
bool IsValidSignatureEncoding(std::span<const uint8_t> sig);

/// True if the push opcode is the smallest one that can push `data`.
bool CheckMinimalPush(std::span<const uint8_t> data, uint8_t opcode);

/// Removes every occurrence of `pattern` that starts at an opcode boundary of
/// `script` (legacy signature hashing); returns how many were removed.
int FindAndDelete(Script& script, const Script& pattern);

} // namespace consensus
