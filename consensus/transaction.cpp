#include <consensus/transaction.h>

#include <consensus/hash.h>

namespace consensus {

std::string OutPoint::ToString() const
{
    return hash.GetHex() + ":" + std::to_string(n);
}

bool MutableTransaction::HasWitness() const
{
    for (const auto& in : vin) {
        if (!in.witness.IsNull()) return true;
    }
    return false;
}

// Both transaction types share one encoder; `with_witness` picks BIP144 or legacy.
template <class Tx>
static void WriteTx(Writer& w, const Tx& tx, bool with_witness)
{
    w.Put(tx.version);
    if (with_witness) {
        // Marker and flag (BIP144).
        w.Put(uint8_t{0});
        w.Put(uint8_t{1});
    }
    w.Put(tx.vin);
    w.Put(tx.vout);
    if (with_witness) {
        for (const auto& in : tx.vin)
            w.Put(in.witness.stack);
    }
    w.Put(tx.locktime);
}

void MutableTransaction::Serialize(Writer& w) const
{
    WriteTx(w, *this, HasWitness());
}

void MutableTransaction::Unserialize(Reader& r)
{
    r.Get(version);
    uint8_t flags = 0;
    r.Get(vin);
    if (vin.empty()) {
        // Either the BIP144 marker or a genuinely empty input list.
        r.Get(flags);
        if (flags != 0) {
            r.Get(vin);
            r.Get(vout);
        }
    } else {
        r.Get(vout);
    }
    if (flags & 1) {
        flags ^= 1;
        for (auto& in : vin)
            r.Get(in.witness.stack);
        if (!HasWitness()) throw DecodeError("superfluous witness record");
    }
    if (flags) throw DecodeError("unknown transaction optional data");
    r.Get(locktime);
}

std::vector<uint8_t> EncodeNoWitness(const MutableTransaction& tx)
{
    std::vector<uint8_t> out;
    Writer w{out};
    WriteTx(w, tx, false);
    return out;
}

Uint256 MutableTransaction::GetHash() const
{
    return Hash256(EncodeNoWitness(*this));
}

Transaction::Transaction() : version{2}, vin{}, vout{}, locktime{0}
{
    ComputeHashes();
}

Transaction::Transaction(const MutableTransaction& tx)
    : version{tx.version}, vin{tx.vin}, vout{tx.vout}, locktime{tx.locktime}
{
    ComputeHashes();
}

Transaction::Transaction(MutableTransaction&& tx)
    : version{tx.version}, vin{std::move(tx.vin)}, vout{std::move(tx.vout)}, locktime{tx.locktime}
{
    ComputeHashes();
}

void Transaction::ComputeHashes()
{
    m_has_witness = false;
    for (const auto& in : vin) {
        if (!in.witness.IsNull()) m_has_witness = true;
    }
    // Both encodings are needed anyway for the hashes; keep their sizes too.
    std::vector<uint8_t> buf;
    Writer w{buf};
    WriteTx(w, *this, false);
    m_hash = Hash256(buf);
    m_base_size = buf.size();
    if (!m_has_witness) {
        m_witness_hash = m_hash;
        m_total_size = m_base_size;
        return;
    }
    buf.clear();
    WriteTx(w, *this, true);
    m_witness_hash = Hash256(buf);
    m_total_size = buf.size();
}

void Transaction::Serialize(Writer& w) const
{
    WriteTx(w, *this, m_has_witness);
}
void Transaction::SerializeWithoutWitness(Writer& w) const
{
    WriteTx(w, *this, false);
}

Amount Transaction::GetValueOut() const
{
    Amount total = 0;
    for (const auto& out : vout)
        total += out.value;
    return total;
}

TransactionRef MakeTransactionRef(MutableTransaction&& tx)
{
    return std::make_shared<const Transaction>(std::move(tx));
}
TransactionRef MakeTransactionRef(const MutableTransaction& tx)
{
    return std::make_shared<const Transaction>(tx);
}

void SerializeTransactionRef(Writer& w, const TransactionRef& tx)
{
    tx->Serialize(w);
}

void UnserializeTransactionRef(Reader& r, TransactionRef& tx)
{
    MutableTransaction mtx;
    mtx.Unserialize(r);
    tx = MakeTransactionRef(std::move(mtx));
}

util::Expected<TransactionRef> DecodeTransaction(std::span<const uint8_t> data)
{
    auto mtx = Decode<MutableTransaction>(data);
    if (!mtx) return mtx.error();
    return MakeTransactionRef(std::move(*mtx));
}

MutableTransaction ToMutable(const Transaction& tx)
{
    MutableTransaction m;
    m.version = tx.version;
    m.vin = tx.vin;
    m.vout = tx.vout;
    m.locktime = tx.locktime;
    return m;
}

} // namespace consensus
