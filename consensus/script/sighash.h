// Signature hashes: the legacy algorithm, BIP143 (segwit v0) and BIP341/342
// (taproot key path and tapscript), with the per-transaction precomputation
// that keeps validation linear in the number of inputs.
#pragma once

#include <consensus/amount.h>
#include <consensus/script/script.h>
#include <consensus/transaction.h>
#include <consensus/uint256.h>

#include <cstdint>
#include <vector>

namespace consensus {

/// Which signature-hash algorithm and script rules apply to a signature check.
enum class SigVersion
{
    BASE = 0,
    WITNESS_V0 = 1,
    TAPROOT = 2,
    TAPSCRIPT = 3
};

/// Hash type bits; SIGHASH_DEFAULT exists only for BIP341 signatures.
enum : int
{
    SIGHASH_DEFAULT = 0,
    SIGHASH_ALL = 1,
    SIGHASH_NONE = 2,
    SIGHASH_SINGLE = 3,
    SIGHASH_ANYONECANPAY = 0x80,
    SIGHASH_OUTPUT_MASK = 3,
    SIGHASH_INPUT_MASK = 0x80,
};

/// Per-spend data the interpreter fills and BIP341/342 hashing reads.
struct ScriptExecutionData
{
    bool tapleaf_hash_init{false};
    Uint256 tapleaf_hash{};
    bool codeseparator_pos_init{false};
    uint32_t codeseparator_pos{0xffffffff};
    bool annex_init{false};
    bool annex_present{false};
    Uint256 annex_hash{};
    bool validation_weight_left_init{false};
    int64_t validation_weight_left{0};
};

/// Hashes shared by all inputs of one transaction, computed once (BIP143
/// double-SHA256 variants and BIP341 single-SHA256 variants), plus the spent
/// outputs. Read-only after Init, so any thread may read it concurrently.
struct PrecomputedTxData
{
    PrecomputedTxData() = default;
    /// spent_outputs may be empty (unknown; a list whose length differs from
    /// tx.vin counts as unknown too); then BIP341 data is not ready.
    /// Computes BIP143 data only if some input could be segwit v0 (or force),
    /// BIP341 only if spent outputs are known and some spends a v1 witness
    /// program (or force).
    void Init(const Transaction& tx, std::vector<TxOut> spent_outputs, bool force = false);

    bool bip143_ready{false};
    Uint256 hash_prevouts, hash_sequence, hash_outputs;
    bool bip341_ready{false};
    Uint256 sha_prevouts, sha_amounts, sha_script_pubkeys, sha_sequences, sha_outputs;
    bool spent_outputs_ready{false};
    std::vector<TxOut> spent_outputs;
};

/// Legacy (BASE) or BIP143 (WITNESS_V0) signature hash. For BASE, script_code
/// must already have had FindAndDelete applied by the caller; this function
/// removes OP_CODESEPARATORs itself and reproduces the SIGHASH_SINGLE bug
/// (returns the value 1 as uint256 when n_in has no matching output) and
/// returns 1 also when n_in >= tx.vin.size(). cache may be null.
Uint256 SignatureHash(const Script& script_code, const Transaction& tx, unsigned n_in,
                      int32_t hash_type, Amount amount, SigVersion sigversion,
                      const PrecomputedTxData* cache = nullptr);

/// BIP341/BIP342 signature message hash (TapSighash tagged). Returns false for
/// an undefined hash_type, SIGHASH_SINGLE without a matching output, or when
/// cache.bip341_ready is false. sigversion is TAPROOT or TAPSCRIPT (TAPSCRIPT
/// commits tapleaf_hash, key_version 0 and codeseparator_pos from execdata;
/// annex from execdata in both). Also false when execdata.annex_init (and for
/// TAPSCRIPT tapleaf_hash_init / codeseparator_pos_init) is unset or n_in is out of range.
bool SignatureHashSchnorr(Uint256& hash_out, const ScriptExecutionData& execdata,
                          const Transaction& tx, unsigned n_in, uint8_t hash_type,
                          SigVersion sigversion, const PrecomputedTxData& cache);

} // namespace consensus
