// A base for the fake chains of RPC unit tests: the mempool, fee and template parts of
// interfaces::Chain answer as a node with an empty mempool and no estimates would, and
// subscriptions to chain notifications hear nothing.
#pragma once

#include <interfaces/chain.h>

namespace rpc_test {

class EmptyMempoolChain : public interfaces::Chain
{
public:
    interfaces::MempoolInfo GetMempoolInfo() const override
    {
        interfaces::MempoolInfo info;
        info.loaded = true;
        info.max_size_bytes = 300'000'000;
        info.min_fee_per_kvb = 1000;
        info.min_relay_fee_per_kvb = 1000;
        info.incremental_relay_fee_per_kvb = 1000;
        return info;
    }
    std::vector<interfaces::MempoolEntryInfo> GetMempoolEntries() const override { return {}; }
    std::optional<interfaces::MempoolEntryInfo>
    GetMempoolEntry(const consensus::Uint256&) const override
    {
        return std::nullopt;
    }
    std::optional<std::vector<interfaces::MempoolEntryInfo>>
    GetMempoolRelatives(const consensus::Uint256&, bool) const override
    {
        return std::nullopt;
    }
    uint64_t GetMempoolSequence() const override { return 1; }
    std::optional<interfaces::Coin>
    GetCoinWithMempool(const consensus::OutPoint& outpoint) const override
    {
        return GetCoin(outpoint);
    }
    std::optional<consensus::Uint256> GetMempoolSpender(const consensus::OutPoint&) const override
    {
        return std::nullopt;
    }
    interfaces::TxAcceptResult AcceptTransaction(const consensus::TransactionRef& tx, bool,
                                                 consensus::Amount) override
    {
        interfaces::TxAcceptResult result;
        result.txid = tx->GetHash();
        result.wtxid = tx->GetWitnessHash();
        result.reject_reason = "mempool disabled";
        return result;
    }
    interfaces::PackageAcceptResult AcceptPackage(const std::vector<consensus::TransactionRef>&,
                                                  bool, consensus::Amount) override
    {
        return {"mempool disabled", {}};
    }
    void PrioritiseTransaction(const consensus::Uint256&, consensus::Amount) override {}
    std::vector<std::tuple<consensus::Uint256, consensus::Amount, bool>>
    GetPrioritisedTransactions() const override
    {
        return {};
    }
    util::Expected<std::string> SaveMempool() override { return util::Unexpected("disabled"); }
    interfaces::FeeEstimateInfo EstimateSmartFee(int, const std::string&) const override
    {
        return {std::nullopt, 0, {"Insufficient data or no feerate found"}};
    }
    util::Expected<interfaces::BlockTemplateInfo>
    CreateBlockTemplate(const consensus::Script&) override
    {
        return util::Unexpected("no templates in this fake");
    }
    std::unique_ptr<interfaces::NotificationHandle>
    HandleNotifications(std::shared_ptr<interfaces::ChainNotifications>) override
    {
        return std::make_unique<interfaces::NotificationHandle>();
    }
    void WaitForNotifications() const override {}
};

} // namespace rpc_test
