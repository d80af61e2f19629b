#include <consensus/script/sighash.h>

#include <consensus/hash.h>

#include <cstring>
#include <utility>

namespace consensus {

namespace {

// Feeds wire-encoded fields straight into SHA-256. Small fields are gathered
// in a local buffer first because each SHA256_Update call has a fixed cost
// that dominates for 4- and 8-byte writes.
class HashStream
{
public:
    HashStream() = default;
    explicit HashStream(const Sha256& midstate) : m_hasher{midstate} {}

    void Write(std::span<const uint8_t> bytes)
    {
        if (m_len + bytes.size() > BUFFER_SIZE) {
            Flush();
            if (bytes.size() > BUFFER_SIZE) {
                m_hasher.Write(bytes);
                return;
            }
        }
        if (!bytes.empty()) std::memcpy(m_buf + m_len, bytes.data(), bytes.size());
        m_len += bytes.size();
    }
    void WriteU8(uint8_t v) { Write({&v, 1}); }
    void WriteU32(uint32_t v)
    {
        const uint8_t b[4]{static_cast<uint8_t>(v), static_cast<uint8_t>(v >> 8),
                           static_cast<uint8_t>(v >> 16), static_cast<uint8_t>(v >> 24)};
        Write(b);
    }
    void WriteU64(uint64_t v)
    {
        WriteU32(static_cast<uint32_t>(v));
        WriteU32(static_cast<uint32_t>(v >> 32));
    }
    void WriteCompactSize(uint64_t n)
    {
        if (n < 253) {
            WriteU8(static_cast<uint8_t>(n));
        } else if (n <= 0xffff) {
            const uint8_t b[3]{253, static_cast<uint8_t>(n), static_cast<uint8_t>(n >> 8)};
            Write(b);
        } else if (n <= 0xffffffff) {
            WriteU8(254);
            WriteU32(static_cast<uint32_t>(n));
        } else {
            WriteU8(255);
            WriteU64(n);
        }
    }
    void WriteHash(const Uint256& h) { Write(h.span()); }
    void WriteScript(const Script& s)
    {
        WriteCompactSize(s.size());
        Write(s.span());
    }
    void WriteOutPoint(const OutPoint& p)
    {
        WriteHash(p.hash);
        WriteU32(p.n);
    }
    void WriteTxOut(const TxOut& out)
    {
        WriteU64(static_cast<uint64_t>(out.value));
        WriteScript(out.script_pubkey);
    }

    Uint256 GetSha256()
    {
        Flush();
        return m_hasher.Finalize();
    }
    Uint256 GetHash256()
    {
        const Uint256 first = GetSha256();
        return Sha256Hash(first.span());
    }

private:
    static constexpr size_t BUFFER_SIZE = 256;

    void Flush()
    {
        if (m_len == 0) return;
        m_hasher.Write({m_buf, m_len});
        m_len = 0;
    }

    Sha256 m_hasher;
    uint8_t m_buf[BUFFER_SIZE];
    size_t m_len{0};
};

// The BIP341 single-SHA256 building blocks; BIP143 hashes them once more.
Uint256 PrevoutsSha(const Transaction& tx)
{
    HashStream s;
    for (const auto& in : tx.vin)
        s.WriteOutPoint(in.prevout);
    return s.GetSha256();
}

Uint256 SequencesSha(const Transaction& tx)
{
    HashStream s;
    for (const auto& in : tx.vin)
        s.WriteU32(in.sequence);
    return s.GetSha256();
}

Uint256 OutputsSha(const Transaction& tx)
{
    HashStream s;
    for (const auto& out : tx.vout)
        s.WriteTxOut(out);
    return s.GetSha256();
}

Uint256 SpentAmountsSha(const std::vector<TxOut>& spent)
{
    HashStream s;
    for (const auto& out : spent)
        s.WriteU64(static_cast<uint64_t>(out.value));
    return s.GetSha256();
}

Uint256 SpentScriptsSha(const std::vector<TxOut>& spent)
{
    HashStream s;
    for (const auto& out : spent)
        s.WriteScript(out.script_pubkey);
    return s.GetSha256();
}

Uint256 Rehash(const Uint256& h)
{
    return Sha256Hash(h.span());
}

// The value 1 (little-endian), which legacy hashing yields for out-of-range
// inputs and the SIGHASH_SINGLE bug; signatures over it are valid on mainnet.
Uint256 SighashOne()
{
    Uint256 one;
    one.data()[0] = 1;
    return one;
}

// Serializes a legacy script code without its OP_CODESEPARATORs. Mirrors the
// reference client byte for byte, including its quirk on a truncated final
// push: the length prefix counts every non-separator byte, but only the bytes
// up to where parsing stopped are hashed.
void WriteLegacyScriptCode(HashStream& s, const Script& script)
{
    Script::const_iterator pc = script.begin();
    Opcode op;
    size_t separators = 0;
    while (script.GetOp(pc, op)) {
        if (op == OP_CODESEPARATOR) ++separators;
    }
    s.WriteCompactSize(script.size() - separators);

    pc = script.begin();
    Script::const_iterator chunk_begin = pc;
    while (script.GetOp(pc, op)) {
        if (op == OP_CODESEPARATOR) {
            s.Write({&*chunk_begin, static_cast<size_t>(pc - chunk_begin - 1)});
            chunk_begin = pc;
        }
    }
    if (chunk_begin != script.end())
        s.Write({&*chunk_begin, static_cast<size_t>(pc - chunk_begin)});
}

Uint256 LegacySignatureHash(const Script& script_code, const Transaction& tx, unsigned n_in,
                            int32_t hash_type)
{
    const int base_type = hash_type & 0x1f;
    const bool anyone_can_pay = (hash_type & SIGHASH_ANYONECANPAY) != 0;
    const bool hash_none = base_type == SIGHASH_NONE;
    const bool hash_single = base_type == SIGHASH_SINGLE;
    if (hash_single && n_in >= tx.vout.size()) return SighashOne();

    HashStream s;
    s.WriteU32(tx.version);

    const size_t input_count = anyone_can_pay ? 1 : tx.vin.size();
    s.WriteCompactSize(input_count);
    for (size_t i = 0; i < input_count; ++i) {
        const size_t input = anyone_can_pay ? n_in : i;
        const TxIn& in = tx.vin[input];
        s.WriteOutPoint(in.prevout);
        if (input == n_in) {
            WriteLegacyScriptCode(s, script_code);
        } else {
            s.WriteCompactSize(0);
        }
        // Other inputs' sequences are blanked so they can be replaced freely.
        s.WriteU32(input != n_in && (hash_none || hash_single) ? 0 : in.sequence);
    }

    const size_t output_count = hash_none ? 0 : (hash_single ? n_in + 1 : tx.vout.size());
    s.WriteCompactSize(output_count);
    for (size_t i = 0; i < output_count; ++i) {
        if (hash_single && i != n_in) {
            // A null output: value -1 and an empty script.
            s.WriteU64(~uint64_t{0});
            s.WriteCompactSize(0);
        } else {
            s.WriteTxOut(tx.vout[i]);
        }
    }
    s.WriteU32(tx.locktime);
    s.WriteU32(static_cast<uint32_t>(hash_type));
    return s.GetHash256();
}

Uint256 WitnessV0SignatureHash(const Script& script_code, const Transaction& tx, unsigned n_in,
                               int32_t hash_type, Amount amount, const PrecomputedTxData* cache)
{
    const int base_type = hash_type & 0x1f;
    const bool anyone_can_pay = (hash_type & SIGHASH_ANYONECANPAY) != 0;
    const bool all_outputs = base_type != SIGHASH_SINGLE && base_type != SIGHASH_NONE;
    const bool cached = cache != nullptr && cache->bip143_ready;

    Uint256 hash_prevouts, hash_sequence, hash_outputs;
    if (!anyone_can_pay) hash_prevouts = cached ? cache->hash_prevouts : Rehash(PrevoutsSha(tx));
    if (!anyone_can_pay && all_outputs)
        hash_sequence = cached ? cache->hash_sequence : Rehash(SequencesSha(tx));
    if (all_outputs) {
        hash_outputs = cached ? cache->hash_outputs : Rehash(OutputsSha(tx));
    } else if (base_type == SIGHASH_SINGLE && n_in < tx.vout.size()) {
        HashStream one;
        one.WriteTxOut(tx.vout[n_in]);
        hash_outputs = one.GetHash256();
    }

    const TxIn& in = tx.vin[n_in];
    HashStream s;
    s.WriteU32(tx.version);
    s.WriteHash(hash_prevouts);
    s.WriteHash(hash_sequence);
    s.WriteOutPoint(in.prevout);
    s.WriteScript(script_code);
    s.WriteU64(static_cast<uint64_t>(amount));
    s.WriteU32(in.sequence);
    s.WriteHash(hash_outputs);
    s.WriteU32(tx.locktime);
    s.WriteU32(static_cast<uint32_t>(hash_type));
    return s.GetHash256();
}

// "TapSighash" tagged-hash midstate, built once per process.
const Sha256& TapSighashMidstate()
{
    static const Sha256 midstate = TaggedHasher("TapSighash");
    return midstate;
}

} // namespace

void PrecomputedTxData::Init(const Transaction& tx, std::vector<TxOut> spent_outputs_in, bool force)
{
    *this = PrecomputedTxData{};
    // A list of the wrong length cannot describe this transaction's inputs;
    // treat it as unknown so taproot checks fail instead of reading out of range.
    if (!spent_outputs_in.empty() && spent_outputs_in.size() == tx.vin.size()) {
        spent_outputs = std::move(spent_outputs_in);
        spent_outputs_ready = true;
    }

    bool uses_bip143 = force;
    bool uses_bip341 = force;
    for (size_t i = 0; i < tx.vin.size() && !(uses_bip143 && uses_bip341); ++i) {
        if (tx.vin[i].witness.IsNull()) continue;
        const Script& spk = spent_outputs_ready ? spent_outputs[i].script_pubkey : Script{};
        // A witness spend of OP_1 <32 bytes> is taproot. Anything else carrying
        // a witness might be v0 (possibly nested in P2SH, which only execution
        // would reveal), so it gets BIP143 data.
        if (spent_outputs_ready && spk.size() == 34 && spk[0] == OP_1) {
            uses_bip341 = true;
        } else {
            uses_bip143 = true;
        }
    }

    if (!uses_bip143 && !uses_bip341) return;
    const Uint256 prevouts = PrevoutsSha(tx);
    const Uint256 sequences = SequencesSha(tx);
    const Uint256 outputs = OutputsSha(tx);
    if (uses_bip143) {
        hash_prevouts = Rehash(prevouts);
        hash_sequence = Rehash(sequences);
        hash_outputs = Rehash(outputs);
        bip143_ready = true;
    }
    if (uses_bip341 && spent_outputs_ready) {
        sha_prevouts = prevouts;
        sha_sequences = sequences;
        sha_outputs = outputs;
        sha_amounts = SpentAmountsSha(spent_outputs);
        sha_script_pubkeys = SpentScriptsSha(spent_outputs);
        bip341_ready = true;
    }
}

Uint256 SignatureHash(const Script& script_code, const Transaction& tx, unsigned n_in,
                      int32_t hash_type, Amount amount, SigVersion sigversion,
                      const PrecomputedTxData* cache)
{
    if (n_in >= tx.vin.size()) return SighashOne();
    if (sigversion == SigVersion::WITNESS_V0) {
        return WitnessV0SignatureHash(script_code, tx, n_in, hash_type, amount, cache);
    }
    return LegacySignatureHash(script_code, tx, n_in, hash_type);
}

bool SignatureHashSchnorr(Uint256& hash_out, const ScriptExecutionData& execdata,
                          const Transaction& tx, unsigned n_in, uint8_t hash_type,
                          SigVersion sigversion, const PrecomputedTxData& cache)
{
    uint8_t ext_flag = 0;
    if (sigversion == SigVersion::TAPSCRIPT) {
        ext_flag = 1;
        if (!execdata.tapleaf_hash_init || !execdata.codeseparator_pos_init) return false;
    } else if (sigversion != SigVersion::TAPROOT) {
        return false;
    }
    if (!execdata.annex_init) return false;
    if (n_in >= tx.vin.size()) return false;
    if (!cache.bip341_ready || !cache.spent_outputs_ready ||
        cache.spent_outputs.size() != tx.vin.size()) {
        return false;
    }
    // Defined types: 0x00 (default = ALL), 0x01..0x03 and 0x81..0x83.
    if (!(hash_type <= 0x03 || (hash_type >= 0x81 && hash_type <= 0x83))) return false;

    const uint8_t output_type =
        hash_type == SIGHASH_DEFAULT ? SIGHASH_ALL : (hash_type & SIGHASH_OUTPUT_MASK);
    const bool anyone_can_pay = (hash_type & SIGHASH_INPUT_MASK) == SIGHASH_ANYONECANPAY;
    if (output_type == SIGHASH_SINGLE && n_in >= tx.vout.size()) return false;

    HashStream s{TapSighashMidstate()};
    s.WriteU8(0); // epoch
    s.WriteU8(hash_type);
    s.WriteU32(tx.version);
    s.WriteU32(tx.locktime);
    if (!anyone_can_pay) {
        s.WriteHash(cache.sha_prevouts);
        s.WriteHash(cache.sha_amounts);
        s.WriteHash(cache.sha_script_pubkeys);
        s.WriteHash(cache.sha_sequences);
    }
    if (output_type == SIGHASH_ALL) s.WriteHash(cache.sha_outputs);

    s.WriteU8(static_cast<uint8_t>((ext_flag << 1) | (execdata.annex_present ? 1 : 0)));
    if (anyone_can_pay) {
        const TxIn& in = tx.vin[n_in];
        s.WriteOutPoint(in.prevout);
        s.WriteTxOut(cache.spent_outputs[n_in]);
        s.WriteU32(in.sequence);
    } else {
        s.WriteU32(n_in);
    }
    if (execdata.annex_present) s.WriteHash(execdata.annex_hash);

    if (output_type == SIGHASH_SINGLE) {
        HashStream one;
        one.WriteTxOut(tx.vout[n_in]);
        s.WriteHash(one.GetSha256());
    }
    if (sigversion == SigVersion::TAPSCRIPT) {
        s.WriteHash(execdata.tapleaf_hash);
        s.WriteU8(0); // key_version
        s.WriteU32(execdata.codeseparator_pos);
    }
    hash_out = s.GetSha256();
    return true;
}

} // namespace consensus
