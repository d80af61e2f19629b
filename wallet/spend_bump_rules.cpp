// The fee bumper's rate rules (spend_internal.h): Core's EstimateFeeRate and CheckFeeRate on
// values, and BIP125 signalling.
#include <wallet/spend_internal.h>

#include <algorithm>

namespace wallet::spend_internal {

using consensus::Amount;

Amount BumpFeeRate(Amount old_fee, int64_t old_vsize, Amount node_incremental_per_kvb,
                   Amount min_rate_per_kvb)
{
    // The old rate is rounded down, hence the extra satoshi per kvB.
    Amount rate = old_vsize > 0 ? old_fee * 1000 / old_vsize : 0;
    rate += 1;
    rate += std::max(node_incremental_per_kvb, WALLET_INCREMENTAL_RELAY_FEE_PER_KVB);
    return std::max(rate, min_rate_per_kvb);
}

util::Expected<void> CheckBumpFeeRate(Amount new_rate_per_kvb, int64_t new_vsize, Amount old_fee,
                                      Amount mempool_min_per_kvb, Amount node_incremental_per_kvb,
                                      Amount required_rate_per_kvb, Amount max_tx_fee)
{
    if (new_rate_per_kvb < mempool_min_per_kvb) {
        return util::Unexpected("New fee rate (" + FormatMoney(new_rate_per_kvb) +
                                ") is lower than the minimum fee rate (" +
                                FormatMoney(mempool_min_per_kvb) + ") to get into the mempool -- ");
    }
    const Amount new_total = FeeAtRate(new_rate_per_kvb, new_vsize);
    const Amount incremental = FeeAtRate(
        std::max(node_incremental_per_kvb, WALLET_INCREMENTAL_RELAY_FEE_PER_KVB), new_vsize);
    const Amount min_total = old_fee + incremental;
    if (new_total < min_total) {
        return util::Unexpected("Insufficient total fee " + FormatMoney(new_total) +
                                ", must be at least " + FormatMoney(min_total) + " (oldFee " +
                                FormatMoney(old_fee) + " + incrementalFee " +
                                FormatMoney(incremental) + ")");
    }
    const Amount required = FeeAtRate(required_rate_per_kvb, new_vsize);
    if (new_total < required) {
        return util::Unexpected("Insufficient total fee (cannot be less than required fee " +
                                FormatMoney(required) + ")");
    }
    if (new_total > max_tx_fee) {
        return util::Unexpected("Specified or calculated fee " + FormatMoney(new_total) +
                                " is too high (cannot be higher than -maxtxfee " +
                                FormatMoney(max_tx_fee) + ")");
    }
    return {};
}

bool SignalsOptInRbf(const consensus::Transaction& tx)
{
    return std::any_of(tx.vin.begin(), tx.vin.end(), [](const consensus::TxIn& in) {
        return in.sequence <= MAX_BIP125_RBF_SEQUENCE;
    });
}

} // namespace wallet::spend_internal
