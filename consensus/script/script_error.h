// Script evaluation outcomes, with the names Bitcoin Core's test vectors use.
#pragma once

#include <string>

namespace consensus {

/// Why a script failed (or OK). Values mirror Bitcoin Core's SCRIPT_ERR_* set.
enum class ScriptError
{
    OK = 0,
    UNKNOWN_ERROR,
    EVAL_FALSE,
    OP_RETURN,

    // Size limits.
    SCRIPT_SIZE,
    PUSH_SIZE,
    OP_COUNT,
    STACK_SIZE,
    SIG_COUNT,
    PUBKEY_COUNT,

    // Failed *VERIFY operations.
    VERIFY,
    EQUALVERIFY,
    CHECKMULTISIGVERIFY,
    CHECKSIGVERIFY,
    NUMEQUALVERIFY,

    // Logical, format and canonical errors.
    BAD_OPCODE,
    DISABLED_OPCODE,
    INVALID_STACK_OPERATION,
    INVALID_ALTSTACK_OPERATION,
    UNBALANCED_CONDITIONAL,

    // CHECKLOCKTIMEVERIFY and CHECKSEQUENCEVERIFY.
    NEGATIVE_LOCKTIME,
    UNSATISFIED_LOCKTIME,

    // Malleability rules (BIP62, BIP66, BIP146, BIP147).
    SIG_HASHTYPE,
    SIG_DER,
    MINIMALDATA,
    SIG_PUSHONLY,
    SIG_HIGH_S,
    SIG_NULLDUMMY,
    PUBKEYTYPE,
    CLEANSTACK,
    MINIMALIF,
    SIG_NULLFAIL,

    // Soft-fork safety.
    DISCOURAGE_UPGRADABLE_NOPS,
    DISCOURAGE_UPGRADABLE_WITNESS_PROGRAM,
    DISCOURAGE_UPGRADABLE_TAPROOT_VERSION,
    DISCOURAGE_OP_SUCCESS,
    DISCOURAGE_UPGRADABLE_PUBKEYTYPE,

    // Segregated witness.
    WITNESS_PROGRAM_WRONG_LENGTH,
    WITNESS_PROGRAM_WITNESS_EMPTY,
    WITNESS_PROGRAM_MISMATCH,
    WITNESS_MALLEATED,
    WITNESS_MALLEATED_P2SH,
    WITNESS_UNEXPECTED,
    WITNESS_PUBKEYTYPE,

    // Taproot.
    SCHNORR_SIG_SIZE,
    SCHNORR_SIG_HASHTYPE,
    SCHNORR_SIG,
    TAPROOT_WRONG_CONTROL_SIZE,
    TAPSCRIPT_VALIDATION_WEIGHT,
    TAPSCRIPT_CHECKMULTISIG,
    TAPSCRIPT_MINIMALIF,
    TAPSCRIPT_EMPTY_PUBKEY,

    // Constant scriptCode.
    OP_CODESEPARATOR,
    SIG_FINDANDDELETE,

    // A script number operand was too long or (under MINIMALDATA) not minimally encoded.
    SCRIPTNUM,

    ERROR_COUNT,
};

/// The short name used in Bitcoin Core's script_tests.json ("OK", "EVAL_FALSE", "NULLFAIL", ...).
std::string ScriptErrorName(ScriptError error);

/// Parses a name produced by ScriptErrorName; ERROR_COUNT if unknown.
ScriptError ScriptErrorFromName(const std::string& name);

/// A sentence for people, as Bitcoin Core's ScriptErrorString words it.
std::string ScriptErrorString(ScriptError error);

} // namespace consensus
