#include <kernel/mining.h>

#include <consensus/block_check.h>
#include <consensus/merkle.h>
#include <kernel/chainstate.h>

#include <algorithm>
#include <iterator>

namespace kernel {

namespace {

// The 32 zero bytes BIP141 lets a miner put in the coinbase witness.
const std::vector<uint8_t> WITNESS_RESERVED_VALUE(32, 0);

} // namespace

void FinalizeBlockTemplate(consensus::Block& block)
{
    if (block.vtx.empty()) return;
    consensus::MutableTransaction coinbase = consensus::ToMutable(*block.vtx[0]);
    coinbase.vin[0].witness.stack = {WITNESS_RESERVED_VALUE};
    // Drop an old commitment so the witness root is computed over the final coinbase shape.
    std::erase_if(coinbase.vout, [](const consensus::TxOut& out) {
        const auto& s = out.script_pubkey;
        return s.size() >= consensus::MIN_WITNESS_COMMITMENT_SIZE &&
               std::equal(std::begin(consensus::WITNESS_COMMITMENT_HEADER),
                          std::end(consensus::WITNESS_COMMITMENT_HEADER), s.begin());
    });
    block.vtx[0] = consensus::MakeTransactionRef(coinbase);
    const consensus::Uint256 witness_root = consensus::BlockWitnessMerkleRoot(block);
    const consensus::Uint256 commitment = consensus::ComputeWitnessCommitment(
        witness_root, consensus::Uint256{std::span<const uint8_t>{WITNESS_RESERVED_VALUE}});
    consensus::TxOut out;
    out.value = 0;
    std::vector<uint8_t> script(std::begin(consensus::WITNESS_COMMITMENT_HEADER),
                                std::end(consensus::WITNESS_COMMITMENT_HEADER));
    script.insert(script.end(), commitment.begin(), commitment.end());
    out.script_pubkey = consensus::Script{std::move(script)};
    coinbase.vout.push_back(std::move(out));
    block.vtx[0] = consensus::MakeTransactionRef(std::move(coinbase));
    block.header.merkle_root = consensus::BlockMerkleRoot(block);
}

util::Expected<consensus::Block> CreateNewBlock(const ChainstateManager& chainman,
                                                const consensus::Script& payout,
                                                const std::vector<consensus::TransactionRef>& txs,
                                                consensus::Amount fees)
{
    const BlockIndex* tip = chainman.Tip();
    if (!tip) return util::Unexpected("No chain tip to build on");
    const int height = tip->height + 1;
    const auto& params = chainman.Params().GetConsensus();

    consensus::MutableTransaction coinbase;
    coinbase.vin.resize(1);
    coinbase.vin[0].prevout = consensus::OutPoint{};
    // The height push alone can be one byte (OP_1..OP_16); OP_0 keeps the script at the
    // two-byte minimum a coinbase needs, as Core's miner does.
    coinbase.vin[0].script_sig.PushInt(height);
    coinbase.vin[0].script_sig << consensus::OP_0;
    coinbase.vin[0].sequence = consensus::TxIn::SEQUENCE_FINAL;
    consensus::TxOut pay;
    pay.value = consensus::GetBlockSubsidy(height, params) + fees;
    pay.script_pubkey = payout;
    coinbase.vout.push_back(std::move(pay));

    consensus::Block block;
    block.vtx.push_back(consensus::MakeTransactionRef(std::move(coinbase)));
    block.vtx.insert(block.vtx.end(), txs.begin(), txs.end());
    block.header.version = BLOCK_TEMPLATE_VERSION;
    block.header.prev_block = tip->hash;
    block.header.time =
        static_cast<uint32_t>(std::max<int64_t>(tip->GetMedianTimePast() + 1, chainman.Now()));
    block.header.bits = chainman.NextWorkRequired(*tip, block.header.time);
    block.header.nonce = 0;
    FinalizeBlockTemplate(block);
    return block;
}

} // namespace kernel
