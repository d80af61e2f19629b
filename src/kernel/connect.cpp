// Applying blocks to the UTXO set and taking them back: ConnectBlock (every
// rule that needs the coins being spent), DisconnectBlock (undo data), and
// the replay of a flush that a crash interrupted.
#include <kernel/chainstate.h>

#include <consensus/amount.h>
#include <consensus/block_check.h>
#include <consensus/consensus_constants.h>
#include <consensus/pow.h>
#include <consensus/script/interpreter.h>
#include <consensus/script/script_error.h>
#include <consensus/script/sighash.h>
#include <consensus/tx_verify.h>
#include <util/logging.h>

#include <string>

namespace kernel {

namespace {

// From this height on, a BIP34 coinbase could repeat an early coinbase whose
// script happens to encode this height, so BIP30 is checked again (as in Core).
constexpr int BIP34_IMPLIES_BIP30_LIMIT = 1'983'702;

// The two mainnet blocks whose coinbases repeat earlier ones (before BIP30).
bool IsBip30Repeat(const BlockIndex& index)
{
    static const auto first = consensus::Uint256::FromHex(
        "00000000000a4d0a398161ffc163c503763b1f4360639393e0e4c8e300e0caec");
    static const auto second = consensus::Uint256::FromHex(
        "00000000000743f190a18c5577a3c2d2a1f610ae9601ac046a38084ccb7cd721");
    return (index.height == 91842 && index.hash == *first) ||
           (index.height == 91880 && index.hash == *second);
}

} // namespace

util::Expected<storage::BlockUndo> ChainstateManager::ReadUndo(const BlockIndex& index) const
{
    if (!index.HaveUndo() || !index.prev) {
        return util::Unexpected("No undo data for block " + index.hash.GetHex());
    }
    auto bytes = m_block_files->ReadUndo(index.UndoPos(), index.prev->hash);
    util::Error error;
    if (!bytes) {
        error = bytes.error();
    } else if (auto undo = storage::DecodeBlockUndo(*bytes)) {
        return undo;
    } else {
        error.message =
            "Undo data of block " + index.hash.GetHex() + " is corrupted: " + undo.error().message;
    }
    // Logged where it is found, as ReadBlock does.
    if (m_log) m_log->Error("ReadUndo: block " + index.hash.GetHex() + ": " + error.message);
    return error;
}

bool ChainstateManager::ShouldCheckScripts(const BlockIndex* index) const
{
    if (!m_options.assume_valid || m_options.assume_valid->IsNull()) return true;
    // Skip only ancestors of the assumed-valid block, only when that block is
    // on the best header chain, that chain has enough work, and the block
    // being connected is buried under at least two weeks' worth of work.
    const BlockIndex* assumed = LookupBlockIndex(*m_options.assume_valid);
    if (!assumed || assumed->GetAncestor(index->height) != index) return true;
    if (!m_best_header || m_best_header->GetAncestor(assumed->height) != assumed) return true;
    if (m_best_header->chain_work < m_options.minimum_chain_work) return true;
    const auto& params = Params().GetConsensus();
    const consensus::ArithUint256 tip_proof = consensus::GetBlockProof(m_best_header->bits);
    if (tip_proof == consensus::ArithUint256{}) return true;
    const consensus::ArithUint256 extra = m_best_header->chain_work - index->chain_work;
    const consensus::ArithUint256 seconds =
        extra * consensus::ArithUint256{static_cast<uint64_t>(params.pow_target_spacing)} /
        tip_proof;
    return seconds <= consensus::ArithUint256{60 * 60 * 24 * 7 * 2};
}

util::Expected<bool> ChainstateManager::ConnectBlock(const consensus::Block& block,
                                                     consensus::BlockValidationState& state,
                                                     BlockIndex* index, CoinsCache& view,
                                                     bool just_check)
{
    const auto& params = Params().GetConsensus();
    // Proof of work and the merkle root were checked when the block was accepted,
    // and again by ReadBlock when it came back from disk.
    if (!consensus::CheckBlock(block, state, params, /*check_pow=*/false,
                               /*check_merkle_root=*/false)) {
        if (m_log) m_log->Error("ConnectBlock: CheckBlock failed, " + state.ToString());
        return false;
    }
    // The genesis coinbase is not spendable: it never enters the UTXO set.
    if (index->hash == params.hash_genesis_block) {
        if (!just_check) view.SetBestBlock(index->hash);
        return true;
    }

    bool enforce_bip30 = !IsBip30Repeat(*index);
    if (const BlockIndex* bip34 = index->prev->GetAncestor(params.bip34_height);
        bip34 && bip34->hash == params.bip34_hash && index->height < BIP34_IMPLIES_BIP30_LIMIT) {
        // BIP34 makes coinbases unique, so earlier transactions cannot repeat.
        enforce_bip30 = false;
    }
    if (enforce_bip30) {
        for (const auto& tx : block.vtx) {
            for (uint32_t o = 0; o < tx->vout.size(); ++o) {
                if (view.HaveCoin({tx->GetHash(), o})) {
                    return state.Invalid(consensus::BlockResult::CONSENSUS, "bad-txns-BIP30",
                                         "tried to overwrite transaction");
                }
            }
        }
    }

    const uint32_t script_flags =
        consensus::GetBlockScriptFlags(index->height, index->hash, params);
    const uint32_t lock_flags =
        index->height >= params.csv_height ? consensus::LOCKTIME_VERIFY_SEQUENCE : 0;
    const bool check_scripts = ShouldCheckScripts(index);
    const auto mtp_at = [index](int height) {
        return index->GetAncestor(height)->GetMedianTimePast();
    };
    const int64_t prev_mtp = index->prev->GetMedianTimePast();

    storage::BlockUndo undo;
    undo.txs.reserve(block.vtx.size() - 1);
    std::vector<consensus::PrecomputedTxData> txdata(block.vtx.size());
    // Workers verify each transaction's scripts while the rest of the block is
    // processed; an early return cancels what they have not started.
    struct Batch
    {
        ScriptCheckQueue& queue;
        bool closed{false};
        ~Batch()
        {
            if (!closed) queue.Cancel();
        }
    } batch{m_check_queue};
    m_check_queue.Start();
    consensus::Amount fees = 0;
    int64_t sigops_cost = 0;

    for (size_t i = 0; i < block.vtx.size(); ++i) {
        const consensus::Transaction& tx = *block.vtx[i];
        if (!tx.IsCoinBase()) {
            consensus::TxValidationState tx_state;
            consensus::Amount fee = 0;
            if (!consensus::CheckTxInputs(tx, tx_state, view, index->height, fee)) {
                if (auto err = view.TakeReadError()) return *err;
                return state.Invalid(consensus::BlockResult::CONSENSUS, tx_state.GetRejectReason(),
                                     tx_state.GetDebugMessage() + " in transaction " +
                                         tx.GetHash().GetHex());
            }
            fees += fee;
            if (!consensus::MoneyRange(fees)) {
                return state.Invalid(consensus::BlockResult::CONSENSUS,
                                     "bad-txns-accumulated-fee-outofrange",
                                     "accumulated fee in the block out of range");
            }
            std::vector<int> prev_heights(tx.vin.size());
            for (size_t j = 0; j < tx.vin.size(); ++j) {
                prev_heights[j] = static_cast<int>(view.AccessCoin(tx.vin[j].prevout)->height);
            }
            const auto lock =
                consensus::CalculateSequenceLocks(tx, lock_flags, prev_heights, mtp_at);
            if (!consensus::EvaluateSequenceLocks(index->height, prev_mtp, lock)) {
                return state.Invalid(consensus::BlockResult::CONSENSUS, "bad-txns-nonfinal",
                                     "contains a non-BIP68-final transaction");
            }
        }

        sigops_cost += consensus::GetTransactionSigOpCost(tx, view, script_flags);
        if (sigops_cost > consensus::MAX_BLOCK_SIGOPS_COST) {
            return state.Invalid(consensus::BlockResult::CONSENSUS, "bad-blk-sigops",
                                 "too many sigops");
        }

        if (!tx.IsCoinBase()) {
            std::vector<consensus::TxOut> spent;
            spent.reserve(tx.vin.size());
            for (const auto& in : tx.vin)
                spent.push_back(view.AccessCoin(in.prevout)->out);
            if (check_scripts) {
                txdata[i].Init(tx, spent);
                std::vector<ScriptCheck> checks;
                checks.reserve(tx.vin.size());
                for (unsigned j = 0; j < tx.vin.size(); ++j) {
                    checks.push_back(ScriptCheck{&tx, j, spent[j], script_flags, &txdata[i],
                                                 &m_signature_cache});
                }
                m_check_queue.Add(std::move(checks));
            }
            storage::TxUndo& tx_undo = undo.txs.emplace_back();
            tx_undo.prevouts.reserve(tx.vin.size());
            for (const auto& in : tx.vin) {
                consensus::Coin& moved = tx_undo.prevouts.emplace_back();
                view.SpendCoin(in.prevout, &moved);
            }
        }
        view.AddTxOutputs(tx, index->height, false);
    }
    if (auto err = view.TakeReadError()) return *err;

    const consensus::Amount reward = fees + consensus::GetBlockSubsidy(index->height, params);
    if (block.vtx[0]->GetValueOut() > reward) {
        return state.Invalid(
            consensus::BlockResult::CONSENSUS, "bad-cb-amount",
            "coinbase pays too much (actual=" + std::to_string(block.vtx[0]->GetValueOut()) +
                " vs limit=" + std::to_string(reward) + ")");
    }
    batch.closed = true;
    if (auto failure = m_check_queue.Wait()) {
        return state.Invalid(consensus::BlockResult::CONSENSUS,
                             "block-script-verify-flag-failed (" +
                                 consensus::ScriptErrorString(failure->error) + ")",
                             "input " + std::to_string(failure->input) + " of " +
                                 failure->tx->GetHash().GetHex());
    }
    if (just_check) return true;

    if (!index->HaveUndo()) {
        auto pos = m_block_files->WriteUndo(index->file, storage::EncodeBlockUndo(undo),
                                            index->prev->hash);
        if (!pos) return pos.error();
        index->undo_pos = pos->pos;
        index->status |= storage::BLOCK_HAVE_UNDO;
        m_dirty_files.insert(index->file);
    }
    index->RaiseValidity(storage::BLOCK_VALID_SCRIPTS);
    SetDirty(index);
    view.SetBestBlock(index->hash);
    return true;
}

util::Expected<ChainstateManager::DisconnectResult>
ChainstateManager::DisconnectBlock(const consensus::Block& block, const BlockIndex* index,
                                   CoinsCache& view)
{
    auto undo = ReadUndo(*index);
    if (!undo) return undo.error();
    if (undo->txs.size() + 1 != block.vtx.size()) {
        return util::Unexpected("Undo data of block " + index->hash.GetHex() +
                                " does not match the block's transactions");
    }
    const bool bip30_exception = IsBip30Repeat(*index);
    bool clean = true;
    for (size_t i = block.vtx.size(); i-- > 0;) {
        const consensus::Transaction& tx = *block.vtx[i];
        for (uint32_t o = 0; o < tx.vout.size(); ++o) {
            if (tx.vout[o].script_pubkey.IsUnspendable()) continue;
            consensus::Coin coin;
            const bool spent = view.SpendCoin({tx.GetHash(), o}, &coin);
            if (!spent || coin.out != tx.vout[o] ||
                coin.height != static_cast<uint32_t>(index->height) ||
                coin.coinbase != tx.IsCoinBase()) {
                if (!bip30_exception) clean = false;
            }
        }
        if (i == 0) break;
        const storage::TxUndo& tx_undo = undo->txs[i - 1];
        if (tx_undo.prevouts.size() != tx.vin.size()) {
            return util::Unexpected("Undo data of block " + index->hash.GetHex() +
                                    " does not match transaction " + tx.GetHash().GetHex());
        }
        for (size_t j = tx.vin.size(); j-- > 0;) {
            const auto& outpoint = tx.vin[j].prevout;
            // Restoring over an existing coin means the set was not what this block left.
            if (view.HaveCoin(outpoint)) clean = false;
            view.AddCoin(outpoint, tx_undo.prevouts[j], !clean);
        }
    }
    if (auto err = view.TakeReadError()) return *err;
    view.SetBestBlock(index->prev ? index->prev->hash : consensus::Uint256{});
    return clean ? DisconnectResult::OK : DisconnectResult::UNCLEAN;
}

util::Expected<void> ChainstateManager::RollforwardBlock(const BlockIndex* index, CoinsCache& view)
{
    auto block = ReadBlock(*index);
    if (!block) return block.error();
    for (const auto& tx : block->vtx) {
        if (!tx->IsCoinBase()) {
            for (const auto& in : tx->vin)
                view.SpendCoin(in.prevout);
        }
        view.AddTxOutputs(*tx, index->height, true);
    }
    if (auto err = view.TakeReadError()) return *err;
    return {};
}

util::Expected<void> ChainstateManager::ReplayBlocks()
{
    auto heads = m_coins_db->GetHeadBlocks();
    if (!heads) return heads.error();
    if (heads->empty()) return {};
    if (heads->size() != 2) {
        return util::Unexpected("The chainstate is in an unknown inconsistent state. Restart "
                                "with -reindex-chainstate to rebuild it.");
    }
    const consensus::Uint256& new_hash = (*heads)[0];
    const consensus::Uint256& old_hash = (*heads)[1];
    const BlockIndex* new_tip = LookupBlockIndex(new_hash);
    if (!new_tip) {
        return util::Unexpected("The chainstate was being moved to unknown block " +
                                new_hash.GetHex() + ". Restart with -reindex-chainstate.");
    }
    const BlockIndex* old_tip = nullptr;
    if (!old_hash.IsNull()) {
        old_tip = LookupBlockIndex(old_hash);
        if (!old_tip) {
            return util::Unexpected("The chainstate was being moved from unknown block " +
                                    old_hash.GetHex() + ". Restart with -reindex-chainstate.");
        }
    }
    const BlockIndex* fork = old_tip ? LastCommonAncestor(old_tip, new_tip) : nullptr;
    if (m_log) {
        m_log->Info("Replaying blocks: from " + (old_tip ? old_hash.GetHex() : "genesis") + " to " +
                    new_hash.GetHex());
    }

    CoinsCache cache{*m_coins};
    // Undo the old branch down to the fork; entries the crash left half
    // written make the result unclean, which is expected here.
    for (const BlockIndex* walk = old_tip; walk != fork; walk = walk->prev) {
        if (walk->height == 0) break;
        auto block = ReadBlock(*walk);
        if (!block) return block.error();
        auto result = DisconnectBlock(*block, walk, cache);
        if (!result) return result.error();
    }
    // Redo the new branch from the fork; the genesis coinbase is never a coin.
    const int start = fork ? fork->height + 1 : 1;
    for (int height = start; height <= new_tip->height; ++height) {
        if (auto r = RollforwardBlock(new_tip->GetAncestor(height), cache); !r) return r;
    }
    cache.SetBestBlock(new_hash);
    if (auto r = cache.Flush(); !r) return r;
    m_coins->SetBestBlock(new_hash);
    return m_coins->Flush();
}

} // namespace kernel
