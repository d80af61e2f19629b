#include <wallet/spend.h>

#include <wallet/spend_internal.h>
#include <wallet/wallet.h>

#include <algorithm>

namespace wallet {

using consensus::Amount;
using namespace spend_internal;

namespace {

// Core's PreconditionChecks, in Core's order and with its messages.
util::Expected<void> PreconditionChecks(const Wallet& wallet, const TxView& view, bool require_mine)
{
    const consensus::Transaction& tx = *view.wtx.tx;
    const consensus::Uint256& txid = tx.GetHash();
    for (uint32_t i = 0; i < tx.vout.size(); ++i) {
        if (wallet.IsSpent(consensus::OutPoint{txid, i})) {
            return util::Unexpected("Transaction has descendants in the wallet");
        }
    }
    if (auto descendants = wallet.Chain().GetMempoolRelatives(txid, /*descendants=*/true)) {
        for (const auto& entry : *descendants) {
            if (entry.tx && entry.tx->GetHash() != txid) {
                return util::Unexpected("Transaction has descendants in the mempool");
            }
        }
    }
    if (view.confirmations != 0) {
        return util::Unexpected(
            "Transaction has been mined, or is conflicted with a mined transaction");
    }
    if (!SignalsOptInRbf(tx)) return util::Unexpected("Transaction is not BIP 125 replaceable");
    if (const auto it = view.wtx.map_value.find("replaced_by_txid");
        it != view.wtx.map_value.end()) {
        return util::Unexpected("Cannot bump transaction " + txid.GetHex() +
                                " which was already bumped by transaction " + it->second);
    }
    if (require_mine) {
        // Without every input's value the wallet cannot know the fee it is raising.
        for (const auto& in : tx.vin) {
            const auto out = wallet.GetWalletOutput(in.prevout);
            if (!out || !wallet.IsMine(out->script_pubkey)) {
                return util::Unexpected(
                    "Transaction contains inputs that don't belong to this wallet");
            }
        }
    }
    return {};
}

} // namespace

util::Expected<BumpResult> BumpFee(Wallet& wallet, const consensus::Uint256& txid,
                                   const CoinControl& control)
{
    return BumpFee(wallet, txid, control, {}, std::nullopt);
}

util::Expected<BumpResult> BumpFee(Wallet& wallet, const consensus::Uint256& txid,
                                   const CoinControl& control,
                                   const std::vector<consensus::TxOut>& outputs,
                                   std::optional<uint32_t> original_change_index)
{
    if (!outputs.empty() && original_change_index) {
        return util::Unexpected(
            "The options 'outputs' and 'original_change_index' are incompatible. You can only "
            "either specify a new set of outputs, or designate a change output to be recycled.");
    }
    const auto view = wallet.GetTransaction(txid);
    if (!view || !view->wtx.tx) return util::Unexpected("Invalid or non-wallet transaction id");
    const consensus::Transaction& old_tx = *view->wtx.tx;
    if (original_change_index && *original_change_index >= old_tx.vout.size()) {
        return util::Unexpected("Change position is out of range");
    }

    // The outputs the original spends, from the wallet or else the chain.
    Amount input_value = 0;
    std::vector<InputWeight> input_weights;
    for (const auto& in : old_tx.vin) {
        std::optional<consensus::TxOut> out = wallet.GetWalletOutput(in.prevout);
        if (!out) {
            if (auto coin = wallet.Chain().GetCoin(in.prevout)) out = coin->out;
        }
        if (!out) {
            return util::Unexpected(in.prevout.hash.GetHex() + ":" + std::to_string(in.prevout.n) +
                                    " is already spent");
        }
        input_value += out->value;
        if (auto weight = EstimateWalletInputWeight(wallet, out->script_pubkey)) {
            input_weights.push_back(*weight);
        } else {
            // Unsolvable (not ours): its current size, as Core does for external inputs.
            const consensus::Transaction one{[&] {
                consensus::MutableTransaction m;
                m.vin.push_back(in);
                return m;
            }()};
            input_weights.push_back(InputWeight{static_cast<int64_t>(one.GetWeight()) -
                                                    10 * consensus::WITNESS_SCALE_FACTOR,
                                                !in.witness.IsNull()});
        }
    }

    if (auto checked = PreconditionChecks(wallet, *view, /*require_mine=*/control.sign); !checked) {
        return checked.error();
    }

    Amount output_value = 0;
    for (const auto& out : old_tx.vout)
        output_value += out.value;
    const Amount old_fee = input_value - output_value;

    // Keep the payments (or take the new ones); the change output (the last one found) takes
    // the new fee.
    CoinControl bump_control = control;
    bump_control.change_position.reset();
    const std::vector<consensus::TxOut>& txouts = outputs.empty() ? old_tx.vout : outputs;
    std::vector<Recipient> recipients;
    Amount new_outputs_value = 0;
    for (size_t i = 0; i < txouts.size(); ++i) {
        bool is_change = false;
        if (original_change_index) {
            is_change = *original_change_index == i;
        } else if (outputs.empty()) {
            is_change = i < view->outputs.size() && view->outputs[i].change;
        } else {
            is_change = wallet.GetScriptInfo(txouts[i].script_pubkey).change;
        }
        if (is_change) {
            bump_control.change_script = txouts[i].script_pubkey;
        } else {
            recipients.push_back(Recipient{txouts[i].script_pubkey, txouts[i].value, false});
        }
        new_outputs_value += txouts[i].value;
    }
    if (recipients.empty()) {
        if (!bump_control.change_script) {
            return util::Unexpected(
                "Unable to create transaction. Transaction must have at least one recipient");
        }
        // Only change: it pays the fee itself.
        recipients.push_back(Recipient{*bump_control.change_script, new_outputs_value, true});
        bump_control.change_script.reset();
    }

    const FeeEnvironment env = FeeEnvironmentOf(wallet);
    const interfaces::MempoolInfo mempool = wallet.Chain().GetMempoolInfo();
    const Amount node_incremental = mempool.incremental_relay_fee_per_kvb;
    if (control.fee_rate_per_kvb) {
        const int64_t max_size = WeightToVsize(EstimateTxWeight(txouts, input_weights));
        const Amount required =
            std::max(env.settings.min_fee_per_kvb, env.settings.min_relay_fee_per_kvb);
        if (auto ok = CheckBumpFeeRate(*control.fee_rate_per_kvb, max_size, old_fee,
                                       mempool.min_fee_per_kvb, node_incremental, required,
                                       env.settings.max_tx_fee);
            !ok) {
            return ok.error();
        }
    } else {
        CoinControl estimate_control = control;
        estimate_control.fee_rate_per_kvb.reset();
        bool fallback_used = false;
        const FeeChoice minimum = MinimumFeeRate(env, estimate_control, fallback_used);
        bump_control.fee_rate_per_kvb =
            BumpFeeRate(old_fee, static_cast<int64_t>(old_tx.GetVirtualSize()), node_incremental,
                        minimum.fee_rate_per_kvb);
    }

    // Spend every original input again, so no two versions can both confirm; new inputs must be
    // confirmed (BIP125 rule 2).
    bump_control.inputs.clear();
    for (const auto& in : old_tx.vin)
        bump_control.inputs.push_back(in.prevout);
    bump_control.add_inputs = true;
    bump_control.min_depth = std::max(1, control.min_depth);
    if (!bump_control.signal_rbf) bump_control.signal_rbf = true;

    auto created = CreateTransaction(wallet, recipients, bump_control);
    if (!created)
        return util::Unexpected("Unable to create transaction. " + created.error().message);

    // BIP125 rules 3 and 4 against the replacement's own size.
    std::vector<InputWeight> new_weights;
    for (const auto& in : created->tx.vin) {
        const auto out = wallet.GetWalletOutput(in.prevout);
        const auto weight =
            out ? EstimateWalletInputWeight(wallet, out->script_pubkey) : std::nullopt;
        new_weights.push_back(weight.value_or(InputWeight{0, false}));
    }
    const int64_t new_vsize = std::max<int64_t>(
        WeightToVsize(EstimateTxWeight(created->tx.vout, new_weights)),
        created->complete
            ? static_cast<int64_t>(consensus::Transaction{created->tx}.GetVirtualSize())
            : 0);
    const Amount incremental =
        FeeAtRate(std::max(node_incremental, WALLET_INCREMENTAL_RELAY_FEE_PER_KVB), new_vsize);
    if (created->fee < old_fee + incremental) {
        return util::Unexpected("Insufficient total fee " + FormatMoney(created->fee) +
                                ", must be at least " + FormatMoney(old_fee + incremental) +
                                " (oldFee " + FormatMoney(old_fee) + " + incrementalFee " +
                                FormatMoney(incremental) + ")");
    }

    BumpResult result;
    result.tx = std::move(created->tx);
    result.old_fee = old_fee;
    result.new_fee = created->fee;
    result.complete = created->complete;
    return result;
}

} // namespace wallet
