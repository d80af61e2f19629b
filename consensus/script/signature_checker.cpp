// TransactionSignatureChecker: ECDSA and Schnorr checks against a
// transaction's signature hashes (with the optional signature cache), and
// the BIP65/BIP112 lock-time comparisons.
#include <consensus/script/interpreter.h>

#include <consensus/crypto/pubkey.h>
#include <consensus/script/interpreter_internal.h>

namespace consensus {

using detail::SetError;

bool TransactionSignatureChecker::VerifyEcdsaCached(std::span<const uint8_t> sig,
                                                    std::span<const uint8_t> pubkey,
                                                    const Uint256& hash) const
{
    if (m_cache && (m_store || !m_cache->Empty())) {
        const Uint256 entry = m_cache->EcdsaEntry(hash, sig, pubkey);
        // Block validation (no store) consumes the entry: it will not be needed again.
        if (m_cache->Contains(entry, !m_store)) return true;
        if (!VerifyEcdsa(pubkey, sig, hash)) return false;
        if (m_store) m_cache->Insert(entry);
        return true;
    }
    return VerifyEcdsa(pubkey, sig, hash);
}

bool TransactionSignatureChecker::VerifySchnorrCached(std::span<const uint8_t> sig,
                                                      std::span<const uint8_t> pubkey,
                                                      const Uint256& hash) const
{
    const XOnlyPubKey key{pubkey.first<XONLY_PUBKEY_SIZE>()};
    if (m_cache && (m_store || !m_cache->Empty())) {
        const Uint256 entry = m_cache->SchnorrEntry(hash, sig, key);
        if (m_cache->Contains(entry, !m_store)) return true;
        if (!key.VerifySchnorr(hash, sig)) return false;
        if (m_store) m_cache->Insert(entry);
        return true;
    }
    return key.VerifySchnorr(hash, sig);
}

bool TransactionSignatureChecker::CheckEcdsaSignature(std::span<const uint8_t> sig,
                                                      std::span<const uint8_t> pubkey,
                                                      const Script& script_code,
                                                      SigVersion sigversion) const
{
    // Same length rules as a parsed public key: 02/03 -> 33 bytes, 04/06/07 -> 65.
    if (pubkey.empty()) return false;
    const uint8_t header = pubkey[0];
    const size_t expected = (header == 2 || header == 3)                  ? 33
                            : (header == 4 || header == 6 || header == 7) ? 65
                                                                          : 0;
    if (expected == 0 || pubkey.size() != expected) return false;
    if (sig.empty()) return false;
    const int32_t hash_type = sig.back();
    const std::span<const uint8_t> der = sig.first(sig.size() - 1);
    // v0 signatures commit to the amount; unknown amounts cannot be checked.
    if (sigversion == SigVersion::WITNESS_V0 && m_amount < 0) return false;
    const Uint256 hash =
        SignatureHash(script_code, *m_tx, m_n_in, hash_type, m_amount, sigversion, m_txdata);
    return VerifyEcdsaCached(der, pubkey, hash);
}

bool TransactionSignatureChecker::CheckSchnorrSignature(std::span<const uint8_t> sig,
                                                        std::span<const uint8_t> pubkey,
                                                        SigVersion sigversion,
                                                        const ScriptExecutionData& execdata,
                                                        ScriptError* error) const
{
    // Empty tapscript signatures never get here (EvalChecksigTapscript handles them).
    if (sig.size() != 64 && sig.size() != 65) return SetError(error, ScriptError::SCHNORR_SIG_SIZE);
    uint8_t hash_type = SIGHASH_DEFAULT;
    if (sig.size() == 65) {
        hash_type = sig.back();
        sig = sig.first(64);
        // An explicit 0x00 would make two encodings of the same signature.
        if (hash_type == SIGHASH_DEFAULT) return SetError(error, ScriptError::SCHNORR_SIG_HASHTYPE);
    }
    Uint256 hash;
    if (!SignatureHashSchnorr(hash, execdata, *m_tx, m_n_in, hash_type, sigversion, *m_txdata)) {
        return SetError(error, ScriptError::SCHNORR_SIG_HASHTYPE);
    }
    if (!VerifySchnorrCached(sig, pubkey, hash)) return SetError(error, ScriptError::SCHNORR_SIG);
    return true;
}

bool TransactionSignatureChecker::CheckLockTime(int64_t lock_time) const
{
    // Heights and times are not comparable: both must be on the same side of the threshold.
    const int64_t tx_lock_time = m_tx->locktime;
    if (!((tx_lock_time < LOCKTIME_THRESHOLD && lock_time < LOCKTIME_THRESHOLD) ||
          (tx_lock_time >= LOCKTIME_THRESHOLD && lock_time >= LOCKTIME_THRESHOLD))) {
        return false;
    }
    if (lock_time > tx_lock_time) return false;
    // A final input disables nLockTime entirely, which would bypass the check.
    if (m_n_in >= m_tx->vin.size() || m_tx->vin[m_n_in].sequence == TxIn::SEQUENCE_FINAL) {
        return false;
    }
    return true;
}

bool TransactionSignatureChecker::CheckSequence(int64_t sequence) const
{
    if (m_n_in >= m_tx->vin.size()) return false;
    const int64_t tx_sequence = m_tx->vin[m_n_in].sequence;
    // BIP68 applies only from version 2 (compared unsigned, as Bitcoin Core does).
    if (m_tx->version < 2) return false;
    // An input whose own relative lock is disabled cannot satisfy a CSV.
    if (tx_sequence & TxIn::SEQUENCE_LOCKTIME_DISABLE_FLAG) return false;
    const uint32_t mask = TxIn::SEQUENCE_LOCKTIME_TYPE_FLAG | TxIn::SEQUENCE_LOCKTIME_MASK;
    const int64_t tx_masked = tx_sequence & mask;
    const int64_t op_masked = sequence & mask;
    const int64_t type_flag = TxIn::SEQUENCE_LOCKTIME_TYPE_FLAG;
    if (!((tx_masked < type_flag && op_masked < type_flag) ||
          (tx_masked >= type_flag && op_masked >= type_flag))) {
        return false;
    }
    return op_masked <= tx_masked;
}

} // namespace consensus
