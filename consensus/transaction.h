// Transactions: outpoints, inputs, outputs, BIP144 witness encoding, txid and
// wtxid, weight and virtual size.
#pragma once

#include <consensus/amount.h>
#include <consensus/script/script.h>
#include <consensus/serialize.h>
#include <consensus/uint256.h>

#include <memory>
#include <string>
#include <vector>

namespace consensus {

/// Weight units per non-witness byte (BIP141).
inline constexpr int WITNESS_SCALE_FACTOR = 4;

/// A reference to one output of an earlier transaction.
struct OutPoint
{
    static constexpr uint32_t NULL_INDEX = 0xffffffff;
    static constexpr size_t SIZE = 36; // fixed encoded size, also bounds decode counts

    Uint256 hash{};
    uint32_t n{NULL_INDEX};

    bool IsNull() const { return hash.IsNull() && n == NULL_INDEX; }
    std::string ToString() const;

    template <class S, class Self>
    static void Fields(S& s, Self& self)
    {
        s(self.hash, self.n);
    }
    friend bool operator==(const OutPoint&, const OutPoint&) = default;
    friend auto operator<=>(const OutPoint&, const OutPoint&) = default;
};

/// One input: what it spends, its unlocking script, sequence and witness.
struct TxIn
{
    static constexpr uint32_t SEQUENCE_FINAL = 0xffffffff;
    /// BIP68: if set, nSequence is not a relative lock time.
    static constexpr uint32_t SEQUENCE_LOCKTIME_DISABLE_FLAG = 1U << 31;
    /// BIP68: if set, the relative lock is in units of 512 seconds, else blocks.
    static constexpr uint32_t SEQUENCE_LOCKTIME_TYPE_FLAG = 1U << 22;
    static constexpr uint32_t SEQUENCE_LOCKTIME_MASK = 0x0000ffff;
    static constexpr int SEQUENCE_LOCKTIME_GRANULARITY = 9;
    static constexpr size_t MIN_ENCODED_SIZE = 41;

    OutPoint prevout;
    Script script_sig;
    uint32_t sequence{SEQUENCE_FINAL};
    ScriptWitness witness; // serialized separately (BIP144)

    template <class S, class Self>
    static void Fields(S& s, Self& self)
    {
        s(self.prevout, self.script_sig, self.sequence);
    }
    friend bool operator==(const TxIn&, const TxIn&) = default;
};

/// One output: an amount and the script that locks it.
struct TxOut
{
    static constexpr size_t MIN_ENCODED_SIZE = 9;

    Amount value{-1};
    Script script_pubkey;

    bool IsNull() const { return value == -1; }

    template <class S, class Self>
    static void Fields(S& s, Self& self)
    {
        s(self.value, self.script_pubkey);
    }
    friend bool operator==(const TxOut&, const TxOut&) = default;
};

/// A transaction under construction; encode/decode with or without witness.
struct MutableTransaction
{
    static constexpr size_t MIN_ENCODED_SIZE = 10;

    uint32_t version{2};
    std::vector<TxIn> vin;
    std::vector<TxOut> vout;
    uint32_t locktime{0};

    bool HasWitness() const;
    /// txid of the current contents (computed each call).
    Uint256 GetHash() const;

    void Serialize(Writer& w) const;
    /// Decodes the BIP144 extended format when present; rejects superfluous or unknown flags.
    void Unserialize(Reader& r);
};

/// Encodes without witness data (the txid preimage, and for legacy peers).
std::vector<uint8_t> EncodeNoWitness(const MutableTransaction& tx);

/// An immutable transaction with its txid and wtxid computed once.
class Transaction
{
public:
    static constexpr size_t MIN_ENCODED_SIZE = 10;

    const uint32_t version;
    const std::vector<TxIn> vin;
    const std::vector<TxOut> vout;
    const uint32_t locktime;

    Transaction();
    explicit Transaction(const MutableTransaction& tx);
    explicit Transaction(MutableTransaction&& tx);

    const Uint256& GetHash() const { return m_hash; }
    const Uint256& GetWitnessHash() const { return m_witness_hash; }
    bool HasWitness() const { return m_has_witness; }
    bool IsCoinBase() const { return vin.size() == 1 && vin[0].prevout.IsNull(); }
    /// Sum of output values; the caller has checked each is in range.
    Amount GetValueOut() const;
    /// Serialized size without witness data (computed once).
    size_t GetBaseSize() const { return m_base_size; }
    /// Serialized size with witness data (computed once).
    size_t GetTotalSize() const { return m_total_size; }
    /// BIP141 weight: base size * 3 + total size.
    size_t GetWeight() const { return GetBaseSize() * (WITNESS_SCALE_FACTOR - 1) + GetTotalSize(); }
    /// Virtual size: weight / 4 rounded up.
    size_t GetVirtualSize() const
    {
        return (GetWeight() + WITNESS_SCALE_FACTOR - 1) / WITNESS_SCALE_FACTOR;
    }

    void Serialize(Writer& w) const;
    /// Encodes without witness data (the txid preimage, and for legacy peers).
    void SerializeWithoutWitness(Writer& w) const;

private:
    bool m_has_witness;
    Uint256 m_hash;
    Uint256 m_witness_hash;
    size_t m_base_size;
    size_t m_total_size;
    void ComputeHashes();
};

using TransactionRef = std::shared_ptr<const Transaction>;

/// Wraps a transaction in a shared immutable reference.
/// An editable copy of tx (same fields, witnesses included).
MutableTransaction ToMutable(const Transaction& tx);

TransactionRef MakeTransactionRef(MutableTransaction&& tx);
TransactionRef MakeTransactionRef(const MutableTransaction& tx);

/// Decodes one transaction from all of `data` (witness format allowed).
util::Expected<TransactionRef> DecodeTransaction(std::span<const uint8_t> data);

/// Serialization of a shared transaction reference.
void SerializeTransactionRef(Writer& w, const TransactionRef& tx);
void UnserializeTransactionRef(Reader& r, TransactionRef& tx);

} // namespace consensus
