// A base for the fake chains of RPC unit tests, above EmptyMempoolChain: the UTXO-set,
// index and node-control parts of interfaces::Chain answer as a node without a txindex that
// accepts every control call and builds no blocks would. Fakes override what a test needs.
#pragma once

#include "empty_mempool_chain.h"

#include <interfaces/chain.h>

namespace rpc_test {

class FakeChainBase : public EmptyMempoolChain
{
public:
    util::Expected<interfaces::UtxoSetStats> GetUtxoSetStats(bool) const override
    {
        return util::Unexpected("not in this fake");
    }
    util::Expected<interfaces::UtxoScanResult>
    ScanUtxoSet(const std::function<void(const consensus::OutPoint&, const interfaces::Coin&)>&,
                const std::atomic<bool>&, std::atomic<int>*) const override
    {
        return util::Unexpected("not in this fake");
    }
    std::optional<interfaces::TxLookup>
    FindTransaction(const consensus::Uint256&,
                    const std::optional<consensus::Uint256>&) const override
    {
        return std::nullopt;
    }
    bool HaveTxIndex() const override { return false; }
    std::vector<interfaces::IndexInfo> GetIndexInfo() const override { return {}; }
    uint64_t BlockFilesSize() const override { return 0; }
    util::Expected<void> InvalidateBlock(const consensus::Uint256&) override { return {}; }
    util::Expected<void> ReconsiderBlock(const consensus::Uint256&) override { return {}; }
    util::Expected<void> PreciousBlock(const consensus::Uint256&) override { return {}; }
    util::Expected<bool> VerifyChain(int, int) override { return true; }
    interfaces::SubmitBlockResult SubmitBlock(std::shared_ptr<const consensus::Block>) override
    {
        return {};
    }
    consensus::BlockValidationState
    SubmitHeaders(const std::vector<consensus::BlockHeader>&) override
    {
        return {};
    }
    util::Expected<consensus::Block>
    CreateNewBlock(const consensus::Script&, const std::vector<consensus::TransactionRef>&) override
    {
        return util::Unexpected("not in this fake");
    }
};

} // namespace rpc_test
