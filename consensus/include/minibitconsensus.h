/*
 * minibitconsensus: Bitcoin script verification as a C library.
 *
 * A stable C interface to minibit's consensus script interpreter, shaped like
 * Bitcoin Core's former libbitcoinconsensus so existing callers port easily.
 * It checks one input of a serialized transaction against the output it
 * spends. It does not look up coins, check amounts add up, or check lock
 * times against a chain: only the scripts (and, for segwit and taproot,
 * the signatures that commit to amounts and spent outputs).
 *
 * Thread safety: every function is reentrant and may be called from any
 * number of threads at once; the library keeps no mutable global state.
 *
 * Link with -lminibitconsensus (pkg-config name: libminibitconsensus).
 */
#ifndef MINIBITCONSENSUS_H
#define MINIBITCONSENSUS_H

#include <stdint.h>

#if defined(_WIN32)
#if defined(MINIBITCONSENSUS_BUILD)
#define MINIBITCONSENSUS_API __declspec(dllexport)
#else
#define MINIBITCONSENSUS_API
#endif
#elif defined(__GNUC__)
#define MINIBITCONSENSUS_API __attribute__((visibility("default")))
#else
#define MINIBITCONSENSUS_API
#endif

#ifdef __cplusplus
extern "C" {
#endif

/** Version of this API; bumped when a function or constant is added or changed. */
#define MINIBITCONSENSUS_API_VER 1

/**
 * Why a call could not be evaluated. ERR_OK means the arguments were usable;
 * the script result itself is the function's return value.
 */
typedef enum minibitconsensus_error_t
{
    /** Arguments were valid; the return value says whether the script passed. */
    minibitconsensus_ERR_OK = 0,
    /** n_in is not an input index of the transaction. */
    minibitconsensus_ERR_TX_INDEX,
    /** The transaction decoded but did not use exactly tx_to_len bytes. */
    minibitconsensus_ERR_TX_SIZE_MISMATCH,
    /** tx_to is not a valid serialized transaction. */
    minibitconsensus_ERR_TX_DESERIALIZE,
    /** WITNESS was requested through the variant that carries no amount. */
    minibitconsensus_ERR_AMOUNT_REQUIRED,
    /** flags contains bits outside minibitconsensus_SCRIPT_FLAGS_VERIFY_ALL,
     *  or WITNESS without P2SH (a combination no network ever used). */
    minibitconsensus_ERR_INVALID_FLAGS,
    /** TAPROOT was requested without the outputs spent by every input. */
    minibitconsensus_ERR_SPENT_OUTPUTS_REQUIRED,
    /** spent_outputs_len differs from the transaction's input count. */
    minibitconsensus_ERR_SPENT_OUTPUTS_MISMATCH
} minibitconsensus_error;

/** Script verification flags; values equal Bitcoin Core's SCRIPT_VERIFY_* bits. */
enum
{
    /** No optional rules: only the original script semantics. */
    minibitconsensus_SCRIPT_FLAGS_VERIFY_NONE = 0,
    /** BIP16: evaluate P2SH redeem scripts. */
    minibitconsensus_SCRIPT_FLAGS_VERIFY_P2SH = (1U << 0),
    /** BIP66: signatures must be strict DER. */
    minibitconsensus_SCRIPT_FLAGS_VERIFY_DERSIG = (1U << 2),
    /** BIP147: the CHECKMULTISIG dummy element must be empty. */
    minibitconsensus_SCRIPT_FLAGS_VERIFY_NULLDUMMY = (1U << 4),
    /** BIP65: OP_CHECKLOCKTIMEVERIFY. */
    minibitconsensus_SCRIPT_FLAGS_VERIFY_CHECKLOCKTIMEVERIFY = (1U << 9),
    /** BIP112: OP_CHECKSEQUENCEVERIFY. */
    minibitconsensus_SCRIPT_FLAGS_VERIFY_CHECKSEQUENCEVERIFY = (1U << 10),
    /** BIP141/143: segregated witness v0 (needs the amount). */
    minibitconsensus_SCRIPT_FLAGS_VERIFY_WITNESS = (1U << 11),
    /** BIP341/342: taproot (needs all spent outputs). */
    minibitconsensus_SCRIPT_FLAGS_VERIFY_TAPROOT = (1U << 17),
    /** Every flag above: the rules of a current mainnet block. */
    minibitconsensus_SCRIPT_FLAGS_VERIFY_ALL =
        minibitconsensus_SCRIPT_FLAGS_VERIFY_P2SH | minibitconsensus_SCRIPT_FLAGS_VERIFY_DERSIG |
        minibitconsensus_SCRIPT_FLAGS_VERIFY_NULLDUMMY |
        minibitconsensus_SCRIPT_FLAGS_VERIFY_CHECKLOCKTIMEVERIFY |
        minibitconsensus_SCRIPT_FLAGS_VERIFY_CHECKSEQUENCEVERIFY |
        minibitconsensus_SCRIPT_FLAGS_VERIFY_WITNESS | minibitconsensus_SCRIPT_FLAGS_VERIFY_TAPROOT
};

/** One output spent by the transaction: its locking script and value in satoshis. */
typedef struct
{
    const unsigned char* script_pubkey;
    unsigned int script_pubkey_size;
    int64_t value;
} minibitconsensus_utxo;

/**
 * Verifies input n_in of the serialized transaction tx_to against the
 * script_pubkey it spends. Returns 1 if the scripts pass under `flags`, 0
 * otherwise. If err is not NULL it receives ERR_OK when the arguments were
 * usable (whatever the result) or the reason they were not (then 0 is
 * returned). WITNESS and TAPROOT cannot be used here: use the variants below.
 * Errors are reported in this order: AMOUNT_REQUIRED (this function only),
 * INVALID_FLAGS, SPENT_OUTPUTS_REQUIRED, TX_DESERIALIZE, SPENT_OUTPUTS_MISMATCH,
 * TX_INDEX, TX_SIZE_MISMATCH. A NULL pointer with a nonzero length (tx_to or
 * script_pubkey) is reported as ERR_TX_DESERIALIZE; NULL with length 0 is an
 * empty byte string.
 */
MINIBITCONSENSUS_API int
minibitconsensus_verify_script(const unsigned char* script_pubkey, unsigned int script_pubkey_len,
                               const unsigned char* tx_to, unsigned int tx_to_len,
                               unsigned int n_in, unsigned int flags, minibitconsensus_error* err);

/**
 * As minibitconsensus_verify_script, with `amount` (satoshis) of the spent
 * output, which segwit v0 signatures commit to. Allows the WITNESS flag;
 * TAPROOT still needs the spent-outputs variant.
 */
MINIBITCONSENSUS_API int minibitconsensus_verify_script_with_amount(
    const unsigned char* script_pubkey, unsigned int script_pubkey_len, int64_t amount,
    const unsigned char* tx_to, unsigned int tx_to_len, unsigned int n_in, unsigned int flags,
    minibitconsensus_error* err);

/**
 * As minibitconsensus_verify_script_with_amount, also given the outputs
 * spent by every input of tx_to (spent_outputs[i] for input i), which
 * taproot signatures commit to. An empty array (NULL or length 0) counts as
 * not given, which is fine unless TAPROOT is requested. A NULL script with a
 * nonzero size in any element yields ERR_TX_DESERIALIZE.
 */
MINIBITCONSENSUS_API int minibitconsensus_verify_script_with_spent_outputs(
    const unsigned char* script_pubkey, unsigned int script_pubkey_len, int64_t amount,
    const unsigned char* tx_to, unsigned int tx_to_len, const minibitconsensus_utxo* spent_outputs,
    unsigned int spent_outputs_len, unsigned int n_in, unsigned int flags,
    minibitconsensus_error* err);

/** Returns MINIBITCONSENSUS_API_VER of the library actually loaded. */
MINIBITCONSENSUS_API unsigned int minibitconsensus_version(void);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* MINIBITCONSENSUS_H */
