#include <testutil/chain_builder.h>

#include <consensus/block_check.h>

#include <consensus/arith_uint256.h>
#include <consensus/consensus_constants.h>
#include <consensus/crypto/pubkey.h>
#include <consensus/hash.h>
#include <consensus/merkle.h>
#include <consensus/pow.h>
#include <consensus/script/script.h>
#include <consensus/script/sighash.h>
#include <consensus/serialize.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <iterator>
#include <limits>
#include <string_view>

namespace testutil {

using consensus::Amount;
using consensus::Block;
using consensus::MutableTransaction;
using consensus::Script;
using consensus::Transaction;
using consensus::TransactionRef;
using consensus::TxIn;
using consensus::TxOut;
using consensus::Uint256;

namespace {

// Largest block record DecodeBlockFile accepts, as Core's importer bounds it.
constexpr uint32_t MAX_RECORD_SIZE = consensus::MAX_BLOCK_SERIALIZED_SIZE;
// Generate keeps blocks well under the weight limit (~400 WU per input and output pair).
constexpr int MAX_GENERATE_INPUTS = 5000;
// Fee Generate pays per input and per output of each transaction.
constexpr Amount GENERATE_FEE_PER_IO = 150;

bool AnyWitness(const Block& block)
{
    for (size_t i = 1; i < block.vtx.size(); ++i) {
        if (block.vtx[i]->HasWitness()) return true;
    }
    return false;
}

// Puts a BIP141 commitment in the coinbase (replacing an existing one) and
// makes its witness the 32-byte reserved value (kept if already well formed).
void SetWitnessCommitment(Block& block)
{
    if (block.vtx.empty()) return;
    MutableTransaction cb = ToMutable(*block.vtx[0]);
    if (cb.vin.empty()) return;
    auto& stack = cb.vin[0].witness.stack;
    if (stack.size() != 1 || stack[0].size() != 32) stack.assign(1, std::vector<uint8_t>(32, 0));
    const Uint256 reserved{std::span<const uint8_t>{stack[0]}};
    const Uint256 commitment =
        consensus::ComputeWitnessCommitment(consensus::BlockWitnessMerkleRoot(block), reserved);

    Script script{std::vector<uint8_t>(std::begin(consensus::WITNESS_COMMITMENT_HEADER),
                                       std::end(consensus::WITNESS_COMMITMENT_HEADER))};
    script.Append(commitment.span());
    if (const auto index = consensus::GetWitnessCommitmentIndex(block)) {
        cb.vout[*index].script_pubkey = std::move(script);
    } else {
        cb.vout.push_back(TxOut{0, std::move(script)});
    }
    block.vtx[0] = consensus::MakeTransactionRef(std::move(cb));
}

// Ancestors of one parent, found by walking the builder's records; the cursor
// makes the consecutive look-ups GetNextWorkRequired does linear overall.
class WalkingView : public consensus::HeaderChainView
{
public:
    WalkingView(const std::unordered_map<Uint256, BlockInfo, consensus::BlobHasher>& blocks,
                const BlockInfo& parent)
        : m_blocks{blocks}, m_parent{parent}, m_cursor{&parent}
    {}
    uint32_t BitsAt(int height) const override { return Seek(height).bits; }
    int64_t TimeAt(int height) const override { return Seek(height).time; }

private:
    const BlockInfo& Seek(int height) const
    {
        if (height > m_cursor->height) m_cursor = &m_parent;
        while (m_cursor->height > height) {
            const auto it = m_blocks.find(m_cursor->parent);
            if (it == m_blocks.end()) break; // unreachable: every record's parent is recorded
            m_cursor = &it->second;
        }
        return *m_cursor;
    }
    const std::unordered_map<Uint256, BlockInfo, consensus::BlobHasher>& m_blocks;
    const BlockInfo& m_parent;
    mutable const BlockInfo* m_cursor;
};

consensus::PrivKey DeriveKey(uint64_t seed, uint32_t index)
{
    for (uint32_t attempt = 0;; ++attempt) {
        std::array<uint8_t, 16> material{};
        for (size_t i = 0; i < 8; ++i)
            material[i] = static_cast<uint8_t>(seed >> (8 * i));
        for (size_t i = 0; i < 4; ++i) {
            material[8 + i] = static_cast<uint8_t>(index >> (8 * i));
            material[12 + i] = static_cast<uint8_t>(attempt >> (8 * i));
        }
        const Uint256 secret = consensus::TaggedHash("minibit/testutil/key", material);
        if (auto key = consensus::PrivKey::FromBytes(secret.span())) return *key;
    }
}

consensus::ArithUint256 FromBigEndian(std::span<const uint8_t, 32> bytes)
{
    Uint256 le;
    std::reverse_copy(bytes.begin(), bytes.end(), le.begin());
    return consensus::ArithUint256{le};
}

// The secret of the BIP86 output key: negate d if its point has odd y, then add
// the TapTweak scalar mod n. Signing with it untweaked costs one point
// multiplication less than tweaking on every signature. nullopt if the result
// does not match the output key (then signing falls back to key.h's tweak).
std::optional<consensus::PrivKey> TweakedSigner(const consensus::PrivKey& key,
                                                const consensus::XOnlyPubKey& output_key)
{
    static const auto ORDER = *consensus::ArithUint256::FromHex(
        "fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141");
    consensus::ArithUint256 d = FromBigEndian(key.Secret());
    if (key.GetPubKey()[0] == 0x03) d = ORDER - d;
    const Uint256 tweak_hash = consensus::ComputeTapTweakHash(key.GetXOnlyPubKey(), nullptr);
    const consensus::ArithUint256 tweak = FromBigEndian(tweak_hash.span());
    if (tweak >= ORDER) return std::nullopt;
    consensus::ArithUint256 sum = d + tweak;
    if (sum < d || sum >= ORDER) sum -= ORDER; // wrapping arithmetic makes both cases right
    const Uint256 le = sum.ToUint256();
    std::array<uint8_t, 32> be{};
    std::reverse_copy(le.begin(), le.end(), be.begin());
    auto tweaked = consensus::PrivKey::FromBytes(be);
    if (!tweaked || !(tweaked->GetXOnlyPubKey() == output_key)) return std::nullopt;
    return tweaked;
}

} // namespace

struct ChainBuilder::KeyData
{
    consensus::PrivKey key;
    std::vector<uint8_t> pubkey;
    Script p2pkh;
    Script p2wpkh;
    Script p2tr;
    std::optional<consensus::PrivKey> p2tr_signer; //!< output key's secret, if derived
};

size_t ChainBuilder::ByteHash::operator()(const std::vector<uint8_t>& v) const
{
    return std::hash<std::string_view>{}(
        std::string_view{reinterpret_cast<const char*>(v.data()), v.size()});
}

ChainBuilder::ChainBuilder(const common::ChainParams& params, uint64_t seed, uint32_t key_pool)
    : m_params{params}, m_seed{seed}
{
    key_pool = std::max<uint32_t>(key_pool, 1);
    m_keys.reserve(key_pool);
    for (uint32_t i = 0; i < key_pool; ++i) {
        consensus::PrivKey key = DeriveKey(m_seed, i);
        std::vector<uint8_t> pubkey = key.GetPubKey();
        const consensus::Uint160 pkh = consensus::Hash160(pubkey);
        Script p2pkh;
        p2pkh << consensus::OP_DUP << consensus::OP_HASH160 << std::span<const uint8_t>{pkh.span()}
              << consensus::OP_EQUALVERIFY << consensus::OP_CHECKSIG;
        Script p2wpkh;
        p2wpkh << consensus::OP_0 << std::span<const uint8_t>{pkh.span()};
        Script p2tr;
        std::optional<consensus::PrivKey> p2tr_signer;
        const auto tweaked = key.GetXOnlyPubKey().CreateTapTweak(nullptr);
        // A tweak out of range has probability ~2^-128; such a key is left without P2TR.
        if (tweaked) {
            p2tr << consensus::OP_1 << std::span<const uint8_t>{tweaked->first.bytes().span()};
            p2tr_signer = TweakedSigner(key, tweaked->first);
        }
        m_owned_scripts.emplace(p2pkh.bytes(), ScriptOwner{i, OutputKind::P2PKH});
        m_owned_scripts.emplace(p2wpkh.bytes(), ScriptOwner{i, OutputKind::P2WPKH});
        if (!p2tr.empty()) m_owned_scripts.emplace(p2tr.bytes(), ScriptOwner{i, OutputKind::P2TR});
        m_keys.push_back(KeyData{std::move(key), std::move(pubkey), std::move(p2pkh),
                                 std::move(p2wpkh), std::move(p2tr), std::move(p2tr_signer)});
    }

    const Block& genesis = params.GenesisBlock();
    BlockInfo info;
    info.hash = genesis.GetHash();
    info.height = 0;
    info.time = genesis.header.time;
    info.bits = genesis.header.bits;
    m_tip = info.hash;
    m_blocks.emplace(info.hash, info);
}

ChainBuilder::~ChainBuilder() = default;

const BlockInfo& ChainBuilder::Tip() const
{
    return m_blocks.at(m_tip);
}

bool ChainBuilder::SetTip(const Uint256& hash)
{
    if (!m_blocks.contains(hash)) return false;
    m_tip = hash;
    return true;
}

std::optional<BlockInfo> ChainBuilder::Info(const Uint256& hash) const
{
    const auto it = m_blocks.find(hash);
    if (it == m_blocks.end()) return std::nullopt;
    return it->second;
}

int64_t ChainBuilder::MedianTimePast(const Uint256& hash) const
{
    std::vector<int64_t> times;
    auto it = m_blocks.find(hash);
    while (it != m_blocks.end() && times.size() < 11) {
        times.push_back(it->second.time);
        if (it->second.height == 0) break;
        it = m_blocks.find(it->second.parent);
    }
    if (times.empty()) return 0;
    std::sort(times.begin(), times.end());
    return times[times.size() / 2];
}

uint32_t ChainBuilder::NextTime(const BlockInfo& parent) const
{
    const int64_t t = std::max(parent.time + 1, MedianTimePast(parent.hash) + 1);
    return static_cast<uint32_t>(std::min<int64_t>(t, std::numeric_limits<uint32_t>::max()));
}

uint32_t ChainBuilder::NextBits(const BlockInfo& parent, int64_t new_time) const
{
    const WalkingView view{m_blocks, parent};
    return consensus::GetNextWorkRequired(parent.height, parent.time, parent.bits, new_time, view,
                                          m_params.GetConsensus());
}

const ChainBuilder::KeyData& ChainBuilder::Key(uint32_t index) const
{
    return m_keys[index % m_keys.size()];
}

Script ChainBuilder::ScriptFor(uint32_t key_index, OutputKind kind) const
{
    if (key_index >= m_keys.size()) return Script{};
    const KeyData& k = m_keys[key_index];
    switch (kind) {
    case OutputKind::P2PKH:
        return k.p2pkh;
    case OutputKind::P2WPKH:
        return k.p2wpkh;
    case OutputKind::P2TR:
        return k.p2tr;
    }
    return Script{};
}

Script ChainBuilder::NextScript(OutputKind kind)
{
    for (size_t tries = 0; tries < m_keys.size(); ++tries) {
        const uint32_t index = m_next_key;
        m_next_key = (m_next_key + 1) % static_cast<uint32_t>(m_keys.size());
        Script s = ScriptFor(index, kind);
        if (!s.empty()) return s;
    }
    return Script{};
}

void ChainBuilder::TrackOutputs(const Transaction& tx, int height)
{
    const bool coinbase = tx.IsCoinBase();
    if (!coinbase) {
        for (const TxIn& in : tx.vin)
            m_coins.erase(in.prevout);
    }
    for (uint32_t n = 0; n < tx.vout.size(); ++n) {
        const auto it = m_owned_scripts.find(tx.vout[n].script_pubkey.bytes());
        if (it == m_owned_scripts.end()) continue;
        OwnedCoin coin;
        coin.outpoint = consensus::OutPoint{tx.GetHash(), n};
        coin.txout = tx.vout[n];
        coin.height = height;
        coin.coinbase = coinbase;
        coin.kind = it->second.kind;
        coin.key_index = it->second.key_index;
        m_coins.insert_or_assign(coin.outpoint, std::move(coin));
    }
}

util::Expected<Block> ChainBuilder::BuildBlock(std::vector<TransactionRef> txs,
                                               const BlockOptions& options)
{
    const Uint256 parent_hash = options.parent.value_or(m_tip);
    const auto parent_it = m_blocks.find(parent_hash);
    if (parent_it == m_blocks.end()) {
        return util::Unexpected("unknown parent block " + parent_hash.GetHex());
    }
    const BlockInfo parent = parent_it->second;
    const consensus::ConsensusParams& consensus = m_params.GetConsensus();
    const int height = parent.height + 1;
    const Amount value = consensus::GetBlockSubsidy(height, consensus) + options.fees;
    if (!consensus::MoneyRange(options.fees) || !consensus::MoneyRange(value)) {
        return util::Unexpected("coinbase value out of range");
    }
    for (const auto& tx : txs) {
        if (!tx) return util::Unexpected("null transaction");
    }

    MutableTransaction cb;
    cb.vin.resize(1);
    // BIP34 height first; the counter keeps coinbases unique across forks.
    cb.vin[0].script_sig.PushInt(height);
    cb.vin[0].script_sig.PushInt(static_cast<int64_t>(++m_coinbase_nonce));
    Script payout = NextScript(options.coinbase_kind);
    if (payout.empty()) return util::Unexpected("no key can pay to that output kind");
    cb.vout.push_back(TxOut{value, std::move(payout)});

    Block block;
    block.vtx.reserve(txs.size() + 1);
    block.vtx.push_back(consensus::MakeTransactionRef(std::move(cb)));
    for (auto& tx : txs)
        block.vtx.push_back(std::move(tx));
    if (AnyWitness(block)) SetWitnessCommitment(block);

    block.header.version = options.version;
    block.header.prev_block = parent_hash;
    block.header.time = options.time.value_or(NextTime(parent));
    block.header.bits = NextBits(parent, block.header.time);
    block.header.nonce = 0;
    block.header.merkle_root = consensus::BlockMerkleRoot(block);
    if (!GrindNonce(block.header, consensus)) {
        return util::Unexpected("no nonce meets the target of these parameters");
    }

    BlockInfo info;
    info.hash = block.GetHash();
    info.parent = parent_hash;
    info.height = height;
    info.time = block.header.time;
    info.bits = block.header.bits;
    m_blocks.insert_or_assign(info.hash, info);
    if (height > Tip().height) m_tip = info.hash;
    for (const auto& tx : block.vtx)
        TrackOutputs(*tx, height);
    return block;
}

std::vector<OwnedCoin> ChainBuilder::Coins() const
{
    std::vector<OwnedCoin> out;
    out.reserve(m_coins.size());
    for (const auto& [outpoint, coin] : m_coins)
        out.push_back(coin);
    return out;
}

std::vector<OwnedCoin> ChainBuilder::SpendableCoins(int height) const
{
    std::vector<OwnedCoin> out;
    for (const auto& [outpoint, coin] : m_coins) {
        if (coin.height >= height) continue;
        if (coin.coinbase && height - coin.height < consensus::COINBASE_MATURITY) continue;
        out.push_back(coin);
    }
    return out;
}

util::Expected<void> ChainBuilder::Sign(MutableTransaction& tx,
                                        std::span<const OwnedCoin> spent) const
{
    if (spent.size() != tx.vin.size()) {
        return util::Unexpected("one spent coin per input is needed");
    }
    std::vector<TxOut> spent_outputs;
    spent_outputs.reserve(spent.size());
    for (size_t i = 0; i < spent.size(); ++i) {
        if (tx.vin[i].prevout != spent[i].outpoint) {
            return util::Unexpected("input " + std::to_string(i) + " does not spend its coin");
        }
        if (ScriptFor(spent[i].key_index, spent[i].kind) != spent[i].txout.script_pubkey) {
            return util::Unexpected("coin " + spent[i].outpoint.ToString() + " is not owned");
        }
        spent_outputs.push_back(spent[i].txout);
    }

    // Signatures commit to neither script_sig nor witness, so every hash can
    // come from one immutable copy made before any input is signed.
    const Transaction frozen{tx};
    consensus::PrecomputedTxData txdata;
    // Forced: unsigned inputs carry no witness yet, which Init would read as legacy.
    txdata.Init(frozen, std::move(spent_outputs), /*force=*/true);
    static constexpr std::array<uint8_t, 32> AUX{}; // deterministic BIP340 aux randomness

    for (size_t i = 0; i < spent.size(); ++i) {
        const OwnedCoin& coin = spent[i];
        const KeyData& k = Key(coin.key_index);
        TxIn& in = tx.vin[i];
        const auto n_in = static_cast<unsigned>(i);
        switch (coin.kind) {
        case OutputKind::P2PKH: {
            const Uint256 hash = consensus::SignatureHash(coin.txout.script_pubkey, frozen, n_in,
                                                          consensus::SIGHASH_ALL, coin.txout.value,
                                                          consensus::SigVersion::BASE, &txdata);
            std::vector<uint8_t> sig = k.key.SignEcdsa(hash, /*grind_low_r=*/false);
            sig.push_back(consensus::SIGHASH_ALL);
            in.script_sig = Script{};
            in.script_sig << sig << k.pubkey;
            in.witness.stack.clear();
            break;
        }
        case OutputKind::P2WPKH: {
            // BIP143: the script code of a P2WPKH spend is the P2PKH script of the key.
            const Uint256 hash = consensus::SignatureHash(
                k.p2pkh, frozen, n_in, consensus::SIGHASH_ALL, coin.txout.value,
                consensus::SigVersion::WITNESS_V0, &txdata);
            std::vector<uint8_t> sig = k.key.SignEcdsa(hash, /*grind_low_r=*/false);
            sig.push_back(consensus::SIGHASH_ALL);
            in.script_sig = Script{};
            in.witness.stack = {std::move(sig), k.pubkey};
            break;
        }
        case OutputKind::P2TR: {
            consensus::ScriptExecutionData execdata;
            execdata.annex_init = true;
            execdata.annex_present = false;
            Uint256 hash;
            if (!consensus::SignatureHashSchnorr(hash, execdata, frozen, n_in,
                                                 consensus::SIGHASH_DEFAULT,
                                                 consensus::SigVersion::TAPROOT, txdata)) {
                return util::Unexpected("taproot signature hash unavailable");
            }
            const auto sig = k.p2tr_signer
                                 ? k.p2tr_signer->SignSchnorr(hash, AUX)
                                 : k.key.SignSchnorr(hash, AUX, nullptr, /*key_path_tweak=*/true);
            in.script_sig = Script{};
            in.witness.stack = {std::vector<uint8_t>(sig.begin(), sig.end())};
            break;
        }
        }
    }
    return {};
}

util::Expected<TransactionRef> ChainBuilder::CreateSpend(std::span<const OwnedCoin> coins,
                                                         size_t n_outputs, OutputKind kind,
                                                         Amount fee)
{
    if (coins.empty()) return util::Unexpected("nothing to spend");
    if (n_outputs == 0) return util::Unexpected("at least one output is needed");
    Amount total = 0;
    for (const auto& coin : coins) {
        total += coin.txout.value;
        if (!consensus::MoneyRange(coin.txout.value) || !consensus::MoneyRange(total)) {
            return util::Unexpected("input values out of range");
        }
    }
    if (!consensus::MoneyRange(fee) || fee >= total) {
        return util::Unexpected("fee out of range for the inputs");
    }
    const Amount left = total - fee;
    const Amount each = left / static_cast<Amount>(n_outputs);
    if (each <= 0) return util::Unexpected("outputs would carry no value");

    MutableTransaction tx;
    tx.vin.reserve(coins.size());
    for (const auto& coin : coins) {
        TxIn in;
        in.prevout = coin.outpoint;
        tx.vin.push_back(std::move(in));
    }
    tx.vout.reserve(n_outputs);
    for (size_t i = 0; i < n_outputs; ++i) {
        Script script = NextScript(kind);
        if (script.empty()) return util::Unexpected("no key can pay to that output kind");
        tx.vout.push_back(TxOut{each, std::move(script)});
    }
    tx.vout[0].value += left - each * static_cast<Amount>(n_outputs);
    if (auto signed_ok = Sign(tx, coins); !signed_ok) return signed_ok.error();
    return consensus::MakeTransactionRef(std::move(tx));
}

util::Expected<GenerateStats> ChainBuilder::Generate(int n_blocks, int inputs_per_block,
                                                     const BlockSink& sink)
{
    if (n_blocks < 0) return util::Unexpected("block count must not be negative");
    if (inputs_per_block < 1 || inputs_per_block > MAX_GENERATE_INPUTS) {
        return util::Unexpected("inputs per block must be in 1.." +
                                std::to_string(MAX_GENERATE_INPUTS));
    }
    const auto target = static_cast<size_t>(inputs_per_block);
    GenerateStats stats;
    uint64_t tx_counter = 0;
    for (int b = 0; b < n_blocks; ++b) {
        const int height = Tip().height + 1;
        const std::vector<OwnedCoin> spendable = SpendableCoins(height);
        std::vector<const OwnedCoin*> matured_coinbases;
        std::vector<const OwnedCoin*> pool;
        for (const auto& coin : spendable)
            (coin.coinbase ? matured_coinbases : pool).push_back(&coin);

        std::vector<TransactionRef> txs;
        Amount fees = 0;
        auto add_spend = [&](std::span<const OwnedCoin> coins, size_t n_out,
                             OutputKind kind) -> util::Expected<void> {
            const Amount fee = GENERATE_FEE_PER_IO * static_cast<Amount>(coins.size() + n_out);
            auto tx = CreateSpend(coins, n_out, kind, fee);
            if (!tx) return tx.error();
            fees += fee;
            ++stats.txs;
            stats.inputs += coins.size();
            stats.outputs += n_out;
            for (const auto& c : coins) {
                if (c.kind == OutputKind::P2WPKH) ++stats.p2wpkh_inputs;
                if (c.kind == OutputKind::P2TR) ++stats.p2tr_inputs;
            }
            txs.push_back(std::move(*tx));
            return {};
        };
        auto kind_for = [](uint64_t n) {
            return n % 2 == 0 ? OutputKind::P2WPKH : OutputKind::P2TR;
        };

        // Fan each matured coinbase out until the pool can feed a full block.
        size_t pool_after = pool.size();
        for (const OwnedCoin* cb : matured_coinbases) {
            const size_t n_out = pool_after < target ? std::max<size_t>(2, target - pool_after) : 2;
            if (auto r = add_spend(std::span{cb, 1}, n_out, kind_for(tx_counter++)); !r) {
                return r.error();
            }
            pool_after += n_out;
        }
        // Ordinary spends: 1..4 inputs each, as many outputs, alternating templates.
        const size_t budget =
            target > matured_coinbases.size() ? target - matured_coinbases.size() : 0;
        const size_t take = std::min(budget, pool.size());
        size_t next = 0;
        while (next < take) {
            const size_t group = std::min<size_t>(1 + tx_counter % 4, take - next);
            std::vector<OwnedCoin> coins;
            coins.reserve(group);
            for (size_t i = 0; i < group; ++i)
                coins.push_back(*pool[next + i]);
            next += group;
            if (auto r = add_spend(coins, group, kind_for(tx_counter++)); !r) return r.error();
        }

        BlockOptions options;
        options.fees = fees;
        options.coinbase_kind = kind_for(static_cast<uint64_t>(height));
        auto block = BuildBlock(std::move(txs), options);
        if (!block) return block.error();
        ++stats.blocks;
        if (sink) sink(*block);
    }
    return stats;
}

std::optional<int64_t> DecodeCoinbaseHeight(const Script& script_sig)
{
    auto pc = script_sig.begin();
    consensus::Opcode op;
    std::vector<uint8_t> data;
    if (!script_sig.GetOp(pc, op, &data)) return std::nullopt;
    if (op == consensus::OP_0) return 0;
    if (op == consensus::OP_1NEGATE) return -1;
    if (op >= consensus::OP_1 && op <= consensus::OP_16) return consensus::DecodeOpN(op);
    if (op > consensus::OP_PUSHDATA4 || data.empty() || data.size() > 8) return std::nullopt;
    // Script numbers are little-endian sign-magnitude.
    uint64_t magnitude = 0;
    for (size_t i = 0; i < data.size(); ++i) {
        const uint8_t byte = i + 1 == data.size() ? data[i] & 0x7f : data[i];
        magnitude |= static_cast<uint64_t>(byte) << (8 * i);
    }
    if (magnitude > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) return std::nullopt;
    const auto value = static_cast<int64_t>(magnitude);
    return (data.back() & 0x80) ? -value : value;
}

bool GrindNonce(consensus::BlockHeader& header, const consensus::ConsensusParams& params)
{
    const uint32_t start = header.nonce;
    do {
        if (consensus::CheckProofOfWork(header.GetHash(), header.bits, params)) return true;
        ++header.nonce;
    } while (header.nonce != start);
    return false;
}

bool FinalizeBlock(Block& block, const consensus::ConsensusParams& params,
                   bool update_witness_commitment)
{
    if (update_witness_commitment &&
        (AnyWitness(block) || consensus::GetWitnessCommitmentIndex(block).has_value())) {
        SetWitnessCommitment(block);
    }
    block.header.merkle_root = consensus::BlockMerkleRoot(block);
    return GrindNonce(block.header, params);
}

util::Expected<BlockFileWriter> BlockFileWriter::Open(const std::string& path,
                                                      const common::MessageStart& magic)
{
    auto out = std::make_unique<std::ofstream>(path, std::ios::binary | std::ios::trunc);
    if (!out->is_open()) return util::Unexpected("cannot open " + path + " for writing");
    return BlockFileWriter{std::move(out), magic};
}

util::Expected<void> BlockFileWriter::Append(const Block& block)
{
    if (!m_out || !m_out->is_open()) return util::Unexpected("block file is closed");
    const std::vector<uint8_t> bytes = consensus::Encode(block);
    std::array<uint8_t, 8> head{};
    std::copy(m_magic.begin(), m_magic.end(), head.begin());
    const auto size = static_cast<uint32_t>(bytes.size());
    for (size_t i = 0; i < 4; ++i)
        head[4 + i] = static_cast<uint8_t>(size >> (8 * i));
    m_out->write(reinterpret_cast<const char*>(head.data()), head.size());
    m_out->write(reinterpret_cast<const char*>(bytes.data()),
                 static_cast<std::streamsize>(bytes.size()));
    if (!*m_out) return util::Unexpected("write to block file failed");
    return {};
}

util::Expected<void> BlockFileWriter::Close()
{
    if (!m_out || !m_out->is_open()) return util::Unexpected("block file is closed");
    m_out->flush();
    const bool ok = static_cast<bool>(*m_out);
    m_out->close();
    if (!ok || !*m_out) return util::Unexpected("flushing the block file failed");
    return {};
}

util::Expected<std::vector<Block>> DecodeBlockFile(std::span<const uint8_t> data,
                                                   const common::MessageStart& magic)
{
    std::vector<Block> blocks;
    size_t pos = 0;
    while (pos < data.size()) {
        const auto rest = data.subspan(pos);
        // Core preallocates blk files with zeros; padding ends the records.
        if (std::all_of(rest.begin(), rest.end(), [](uint8_t b) { return b == 0; })) break;
        if (rest.size() < 8) {
            return util::Unexpected("truncated record header at offset " + std::to_string(pos));
        }
        if (!std::equal(magic.begin(), magic.end(), rest.begin())) {
            return util::Unexpected("wrong magic at offset " + std::to_string(pos));
        }
        uint32_t size = 0;
        for (size_t i = 0; i < 4; ++i)
            size |= static_cast<uint32_t>(rest[4 + i]) << (8 * i);
        if (size > MAX_RECORD_SIZE) {
            return util::Unexpected("oversized record at offset " + std::to_string(pos));
        }
        if (size > rest.size() - 8) {
            return util::Unexpected("truncated block at offset " + std::to_string(pos));
        }
        auto block = consensus::Decode<Block>(rest.subspan(8, size));
        if (!block) {
            return util::Unexpected("bad block at offset " + std::to_string(pos) + ": " +
                                    block.error().message);
        }
        blocks.push_back(std::move(*block));
        pos += 8 + size;
    }
    return blocks;
}

util::Expected<std::vector<Block>> ReadBlockFile(const std::string& path,
                                                 const common::MessageStart& magic)
{
    std::ifstream in(path, std::ios::binary);
    if (!in.is_open()) return util::Unexpected("cannot open " + path);
    std::vector<uint8_t> data{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
    if (in.bad()) return util::Unexpected("cannot read " + path);
    return DecodeBlockFile(data, magic);
}

} // namespace testutil
