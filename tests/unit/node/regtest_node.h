// A regtest node in-process for tests: chainstate, mempool stack, chain interface and chain
// notifier, registered in minibitd's order, with a ChainBuilder that mines blocks on it.
// Shared by the node tests (chain notifications) and the wallet tests.
#pragma once

#include <common/chainparams.h>
#include <consensus/block.h>
#include <kernel/chainstate.h>
#include <node/chain_interface.h>
#include <node/chain_notifier.h>
#include <node/mempool_setup.h>
#include <testutil/chain_builder.h>
#include <testutil/test_dir.h>
#include <util/executor.h>
#include <util/logging.h>

#include <gtest/gtest.h>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <vector>

namespace node_test {

/// Options of a RegtestNode beyond its chain parameters.
struct RegtestNodeOptions
{
    uint64_t builder_seed{0};                  //!< the ChainBuilder's key seed
    std::optional<size_t> coins_cache_bytes{}; //!< the chainstate's default when unset
};

/// The node; its data lives in `dir` (a fresh temporary directory when none is given).
class RegtestNode
{
public:
    RegtestNode(std::unique_ptr<const common::ChainParams> params,
                std::optional<std::filesystem::path> dir, RegtestNodeOptions options)
        : m_params{std::move(params)}, m_builder{*m_params, options.builder_seed}
    {
        if (!dir) m_own_dir.emplace();
        m_dir = dir ? std::move(*dir) : m_own_dir->Path();
        m_chainman = m_executor.Run([&] {
            kernel::ChainstateOptions chain_options;
            chain_options.params = m_params.get();
            chain_options.data_dir = m_dir / "chain";
            if (options.coins_cache_bytes) {
                chain_options.coins_cache_bytes = *options.coins_cache_bytes;
            }
            auto opened = kernel::ChainstateManager::Open(std::move(chain_options));
            EXPECT_TRUE(opened) << (opened ? "" : opened.error().message);
            return opened ? std::move(*opened) : nullptr;
        });
        if (!m_chainman) return;
        node::MempoolSetup setup;
        setup.mempool.persist = false;
        m_mempool =
            std::make_unique<node::MempoolStack>(setup, m_dir, nullptr, m_logger, &m_notifier);
        node::MempoolHooks hooks{&m_mempool->Pool(), &m_mempool->Fees(), setup.policy,
                                 setup.assembler, m_mempool->DumpFile()};
        m_chain = std::make_unique<node::ChainInterface>(*m_chainman, m_executor,
                                                         node::IndexHooks{}, hooks, &m_notifier);
        m_executor.Run([&] {
            m_chainman->Signals().Register(m_chain->Events());
            m_chainman->Signals().Register(m_notifier.Events());
        });
        m_mempool->Attach(m_executor, *m_chainman);
    }

    ~RegtestNode()
    {
        m_notifier.Stop();
        if (m_chainman) {
            m_executor.Run([&] {
                m_chainman->Signals().Unregister(m_notifier.Events().get());
                m_mempool->Detach(*m_chainman);
                m_chainman->Signals().Unregister(m_chain->Events().get());
            });
        }
        m_chain.reset();
        m_executor.Run([&] { m_chainman.reset(); });
        m_executor.Stop();
        m_mempool.reset();
    }

    RegtestNode(const RegtestNode&) = delete;
    RegtestNode& operator=(const RegtestNode&) = delete;

    /// False when the chainstate could not be opened (the failure is already reported).
    bool Started() const { return m_chainman != nullptr; }

    /// Builds a block on `parent` (else the builder's tip) holding `txs` and submits it.
    consensus::Uint256 Mine(std::vector<consensus::TransactionRef> txs = {},
                            std::optional<consensus::Uint256> parent = std::nullopt,
                            consensus::Amount fees = 0)
    {
        testutil::BlockOptions options;
        options.parent = parent;
        options.fees = fees;
        auto block = m_builder.BuildBlock(std::move(txs), options);
        EXPECT_TRUE(block) << (block ? "" : block.error().message);
        if (!block) return {};
        const auto result = m_chain->SubmitBlock(std::make_shared<const consensus::Block>(*block));
        EXPECT_TRUE(result.accepted);
        return block->GetHash();
    }

protected:
    std::unique_ptr<const common::ChainParams> m_params;
    testutil::ChainBuilder m_builder;
    std::optional<testutil::TempDir> m_own_dir;
    std::filesystem::path m_dir;
    util::Logger m_logger;
    node::ChainNotifier m_notifier;
    util::SerialExecutor m_executor{"test-valid"};
    std::unique_ptr<kernel::ChainstateManager> m_chainman;
    std::unique_ptr<node::MempoolStack> m_mempool;
    std::unique_ptr<node::ChainInterface> m_chain;
};

} // namespace node_test
