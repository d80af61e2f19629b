// A regtest block builder for tests and benchmarks: valid blocks on any known
// parent (forks and reorgs), coinbases and spends paid to deterministic keys it
// owns (P2PKH, P2WPKH, P2TR key path), long signed chains for benchmarks, and
// blk*.dat-framed files that -loadblock and importers read.
//
// Not thread-safe: one ChainBuilder is used by one thread at a time. Proof of
// work is ground by brute force, so only regtest-like targets are practical.
#pragma once

#include <common/chainparams.h>
#include <consensus/amount.h>
#include <consensus/block.h>
#include <consensus/crypto/key.h>
#include <consensus/params.h>
#include <consensus/transaction.h>
#include <consensus/uint256.h>
#include <util/expected.h>

#include <cstdint>
#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

namespace testutil {

/// Which output template the builder's own outputs use.
enum class OutputKind
{
    P2PKH,  //!< legacy: OP_DUP OP_HASH160 <20> OP_EQUALVERIFY OP_CHECKSIG
    P2WPKH, //!< segwit v0: OP_0 <20>
    P2TR,   //!< taproot v1, BIP86 key path only: OP_1 <32>
};

/// A coin the builder can sign for, as of the blocks it has built.
struct OwnedCoin
{
    consensus::OutPoint outpoint;
    consensus::TxOut txout;
    int height{0};        //!< height of the block that created it
    bool coinbase{false}; //!< coinbase outputs mature after COINBASE_MATURITY blocks
    OutputKind kind{OutputKind::P2WPKH};
    uint32_t key_index{0}; //!< which deterministic key signs for it
};

/// What the builder remembers of every block it built or started from.
struct BlockInfo
{
    consensus::Uint256 hash;
    consensus::Uint256 parent; //!< null for the genesis block
    int height{0};
    int64_t time{0};
    uint32_t bits{0};
};

/// Knobs of BuildBlock; the defaults build on the tip with Core's miner choices.
struct BlockOptions
{
    /// Parent block; unset means the builder's current tip.
    std::optional<consensus::Uint256> parent{};
    /// Fees of the supplied transactions, added to the subsidy in the coinbase.
    consensus::Amount fees{0};
    /// Header time; unset means max(parent time + 1, parent MTP + 1).
    std::optional<uint32_t> time{};
    /// Header version (BIP9 top bits, no signalling).
    int32_t version{0x20000000};
    /// Template of the coinbase output paid to the builder.
    OutputKind coinbase_kind{OutputKind::P2WPKH};
};

/// Totals of one Generate call.
struct GenerateStats
{
    int blocks{0};             //!< blocks built
    uint64_t txs{0};           //!< transactions other than coinbases
    uint64_t inputs{0};        //!< signed inputs
    uint64_t outputs{0};       //!< outputs of those transactions
    uint64_t p2wpkh_inputs{0}; //!< of which spend P2WPKH outputs
    uint64_t p2tr_inputs{0};   //!< of which spend P2TR outputs
};

/// Receives each block Generate builds, in chain order.
using BlockSink = std::function<void(const consensus::Block&)>;

/// Builds valid blocks and signed transactions on top of a params' genesis block.
class ChainBuilder
{
public:
    /// Starts at params' genesis block; keys derive from seed, key_pool of them are cycled.
    /// params must outlive the builder. key_pool is at least 1.
    explicit ChainBuilder(const common::ChainParams& params, uint64_t seed = 0,
                          uint32_t key_pool = 64);
    ~ChainBuilder();
    ChainBuilder(const ChainBuilder&) = delete;
    ChainBuilder& operator=(const ChainBuilder&) = delete;

    /// The parameters blocks are built for.
    const common::ChainParams& Params() const { return m_params; }
    /// The highest block built (first built wins ties), or genesis.
    const BlockInfo& Tip() const;
    /// Makes a known block the default parent; false if unknown.
    bool SetTip(const consensus::Uint256& hash);
    /// What the builder knows of a block, or nullopt if it did not build it.
    std::optional<BlockInfo> Info(const consensus::Uint256& hash) const;
    /// Median of the timestamps of the block and up to 10 ancestors (BIP113).
    int64_t MedianTimePast(const consensus::Uint256& hash) const;

    /// A valid block holding a fresh coinbase and `txs` in that order, with
    /// ground proof of work. Records it, moves the tip if it is higher, and
    /// updates the owned coins (spent ones leave, outputs to own keys join).
    /// Error if the parent is unknown or the fees are out of range.
    util::Expected<consensus::Block> BuildBlock(std::vector<consensus::TransactionRef> txs = {},
                                                const BlockOptions& options = {});

    /// Every coin owned after the blocks built so far, ordered by outpoint. The set
    /// follows the blocks in the order they were built, whatever branch they are on.
    std::vector<OwnedCoin> Coins() const;
    /// Owned coins a block at `height` may spend (coinbases mature), ordered by outpoint.
    std::vector<OwnedCoin> SpendableCoins(int height) const;

    /// Output script of pool key `key_index` in template `kind`; empty if out of range.
    consensus::Script ScriptFor(uint32_t key_index, OutputKind kind) const;
    /// The next pool key's script of `kind` (round robin over the pool).
    consensus::Script NextScript(OutputKind kind);
    /// Signs every input of tx, whose input i must spend spent[i]; SIGHASH_ALL
    /// (ECDSA) or SIGHASH_DEFAULT (Schnorr). Error if the inputs do not match.
    util::Expected<void> Sign(consensus::MutableTransaction& tx,
                              std::span<const OwnedCoin> spent) const;
    /// A signed transaction spending `coins` into n_outputs equal outputs of
    /// `kind` paid to own keys (the remainder goes to the first), minus `fee`.
    /// Error if the value left is not positive for every output.
    util::Expected<consensus::TransactionRef> CreateSpend(std::span<const OwnedCoin> coins,
                                                          size_t n_outputs, OutputKind kind,
                                                          consensus::Amount fee);

    /// Extends the tip by n_blocks on a linear chain: coinbase-only blocks until
    /// coins mature, then each block spends about inputs_per_block owned coins
    /// (P2WPKH and P2TR) into as many outputs, fanning matured coinbases out.
    /// Each block goes to sink (if set) as it is built.
    util::Expected<GenerateStats> Generate(int n_blocks, int inputs_per_block,
                                           const BlockSink& sink = {});

private:
    struct KeyData;
    struct ScriptOwner
    {
        uint32_t key_index;
        OutputKind kind;
    };
    struct ByteHash
    {
        size_t operator()(const std::vector<uint8_t>& v) const;
    };

    const KeyData& Key(uint32_t index) const;
    uint32_t NextTime(const BlockInfo& parent) const;
    uint32_t NextBits(const BlockInfo& parent, int64_t new_time) const;
    void TrackOutputs(const consensus::Transaction& tx, int height);

    const common::ChainParams& m_params;
    uint64_t m_seed;
    std::vector<KeyData> m_keys;
    uint32_t m_next_key{0};
    uint64_t m_coinbase_nonce{0};
    std::unordered_map<std::vector<uint8_t>, ScriptOwner, ByteHash> m_owned_scripts;
    std::unordered_map<consensus::Uint256, BlockInfo, consensus::BlobHasher> m_blocks;
    consensus::Uint256 m_tip;
    std::map<consensus::OutPoint, OwnedCoin> m_coins;
};

/// The BIP34 height a coinbase input script opens with, as Core's
/// `CScript() << height` encodes it; nullopt if it does not open with a number push.
std::optional<int64_t> DecodeCoinbaseHeight(const consensus::Script& script_sig);

/// After a test mutated a block: optionally recompute the witness commitment
/// (adding the output and coinbase witness if any tx has witness data, or
/// updating an existing one), then the merkle root, then grind the nonce.
/// False only if no nonce meets the target (bits invalid for params).
bool FinalizeBlock(consensus::Block& block, const consensus::ConsensusParams& params,
                   bool update_witness_commitment = true);

/// Grinds header.nonce from its current value until CheckProofOfWork passes;
/// false if every nonce fails.
bool GrindNonce(consensus::BlockHeader& header, const consensus::ConsensusParams& params);

/// Appends blocks to a file in blk*.dat framing: magic, LE32 size, block bytes.
class BlockFileWriter
{
public:
    /// Creates or truncates `path`.
    static util::Expected<BlockFileWriter> Open(const std::string& path,
                                                const common::MessageStart& magic);
    /// Writes one framed block (with witness data).
    util::Expected<void> Append(const consensus::Block& block);
    /// Flushes and closes; reports a write error the earlier appends missed.
    util::Expected<void> Close();

private:
    BlockFileWriter(std::unique_ptr<std::ofstream> out, const common::MessageStart& magic)
        : m_out{std::move(out)}, m_magic{magic}
    {}
    std::unique_ptr<std::ofstream> m_out;
    common::MessageStart m_magic;
};

/// Decodes blk*.dat-framed bytes: records until the end or trailing zero
/// padding. Error on a wrong magic, a truncated or oversized record, or a
/// block that does not decode exactly.
util::Expected<std::vector<consensus::Block>> DecodeBlockFile(std::span<const uint8_t> data,
                                                              const common::MessageStart& magic);
/// Reads and decodes a whole blk*.dat-framed file.
util::Expected<std::vector<consensus::Block>> ReadBlockFile(const std::string& path,
                                                            const common::MessageStart& magic);

} // namespace testutil
