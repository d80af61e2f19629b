// Script interpreter on arbitrary scripts: the input is split into verify
// flags, scriptSig, scriptPubKey and witness stack, verified with a checker
// that rejects every signature and lock time (a BaseSignatureChecker). Checks that the reported
// error agrees with the result and that removing a flag never turns success into failure (flags
// only ever add restrictions).
#include <consensus/script/interpreter.h>
#include <consensus/script/script.h>
#include <consensus/script/script_error.h>
#include <consensus/serialize.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>
#include <vector>

using namespace consensus;

namespace {

// Nearest supported combination: WITNESS needs P2SH, CLEANSTACK needs WITNESS.
uint32_t Supported(uint32_t flags)
{
    flags &= SCRIPT_VERIFY_ALL_FLAGS;
    if (flags & SCRIPT_VERIFY_WITNESS) flags |= SCRIPT_VERIFY_P2SH;
    if (!(flags & SCRIPT_VERIFY_WITNESS)) flags &= ~uint32_t{SCRIPT_VERIFY_CLEANSTACK};
    return flags;
}

// The base checker rejects everything but leaves the error untouched on a
// Schnorr failure; real checkers report why (as the interface promises), so
// this one does too and the error/result agreement can be checked.
class RejectingChecker : public BaseSignatureChecker
{
public:
    bool CheckSchnorrSignature(std::span<const uint8_t> /*sig*/,
                               std::span<const uint8_t> /*pubkey*/, SigVersion /*sigversion*/,
                               const ScriptExecutionData& /*execdata*/,
                               ScriptError* error) const override
    {
        if (error) *error = ScriptError::SCHNORR_SIG;
        return false;
    }
};

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    Script script_sig;
    Script script_pubkey;
    ScriptWitness witness;
    uint32_t raw_flags = 0;
    try {
        Reader r{std::span<const uint8_t>{data, size}};
        r(raw_flags, script_sig, script_pubkey, witness.stack);
    } catch (const DecodeError&) {
        return 0;
    }
    const uint32_t flags = Supported(raw_flags);
    if (!IsValidFlagCombination(flags)) std::abort();

    const RejectingChecker checker;
    ScriptError error = ScriptError::UNKNOWN_ERROR;
    const bool ok = VerifyScript(script_sig, script_pubkey, &witness, flags, checker, &error);
    if (ok != (error == ScriptError::OK)) std::abort();
    if (!ok) return 0;

    for (uint32_t bit = 1; bit != 0 && bit <= flags; bit <<= 1) {
        if (!(flags & bit)) continue;
        const uint32_t fewer = flags & ~bit;
        if (!IsValidFlagCombination(fewer)) continue;
        ScriptError fewer_error = ScriptError::UNKNOWN_ERROR;
        if (!VerifyScript(script_sig, script_pubkey, &witness, fewer, checker, &fewer_error)) {
            std::abort();
        }
    }
    return 0;
}
