// The validation side of a node, for tests and fuzz targets: a chainstate on
// its own executor, a mempool, an address manager, a ban manager and the
// PeerManager, registered for the chain's events. No sockets: a unit test adds
// a ConnMan, a fuzz target hands messages to the PeerManager itself.
//
// Header-only so that minibit_testutil does not depend on src/node; a target
// including this links minibit_node.
#pragma once

#include <common/chainparams.h>
#include <kernel/chainstate.h>
#include <kernel/mempool.h>
#include <kernel/policy.h>
#include <net/addrman.h>
#include <net/banman.h>
#include <node/peerman.h>
#include <util/executor.h>
#include <util/expected.h>
#include <util/logging.h>

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>

namespace testutil {

struct NodeStackOptions
{
    const common::ChainParams* params{nullptr};
    std::filesystem::path data_dir;
    std::function<int64_t()> clock; //!< the mockable clock of every part
    bool log{false};                //!< chainstate and PeerManager write to NodeStack::logger
    size_t coins_cache_bytes{kernel::ChainstateOptions{}.coins_cache_bytes};
    std::string user_agent{"/minibit-test:0.1/"};
    bool compact_blocks{true};
    uint64_t peerman_rng_seed{0}; //!< 0: from the OS
};

class NodeStack
{
public:
    NodeStack() = default;
    ~NodeStack() { Close(); }
    NodeStack(const NodeStack&) = delete;
    NodeStack& operator=(const NodeStack&) = delete;

    /// Opens the chainstate, then builds the rest; on an error nothing else is built.
    util::Expected<void> Open(const NodeStackOptions& o)
    {
        // The chainstate lives on the executor; only a pointer crosses back (an
        // Expected<unique_ptr> through std::packaged_task trips a gcc 12 false warning).
        util::Error error;
        chainman = executor.Run([&]() -> std::unique_ptr<kernel::ChainstateManager> {
            kernel::ChainstateOptions options;
            options.params = o.params;
            options.data_dir = o.data_dir;
            options.clock = o.clock;
            options.coins_cache_bytes = o.coins_cache_bytes;
            if (o.log) options.logger = &logger;
            auto opened = kernel::ChainstateManager::Open(std::move(options));
            if (!opened) {
                error = opened.error();
                return nullptr;
            }
            return std::move(*opened);
        });
        if (!chainman) return error;
        kernel::MempoolOptions mempool_options;
        mempool_options.persist = false;
        mempool_options.clock = o.clock;
        mempool = std::make_unique<kernel::TxMemPool>(mempool_options);
        net::AddrManOptions addr_options;
        addr_options.clock = o.clock;
        addr_options.rng_seed = 7;
        addr_options.magic = o.params->GetMessageStart();
        addrman = std::make_unique<net::AddrMan>(addr_options);
        banman = std::make_unique<net::BanMan>(std::filesystem::path{}, o.clock);
        node::PeerManOptions options;
        options.local_services = net::NODE_NETWORK | net::NODE_WITNESS;
        options.user_agent = o.user_agent;
        options.compact_blocks = o.compact_blocks;
        options.clock = o.clock;
        options.rng_seed = o.peerman_rng_seed;
        if (o.log) options.logger = &logger;
        peerman = std::make_unique<node::PeerManager>(*chainman, mempool.get(), policy, *addrman,
                                                      *banman, executor, options);
        executor.Run([&] { chainman->Signals().Register(peerman->Events()); });
        return {};
    }

    /// Stops the PeerManager and closes the chainstate on its executor. Whoever
    /// added a ConnMan stops it first. Runs once; the destructor calls it too.
    void Close()
    {
        if (peerman) {
            peerman->Stop();
            executor.Run([&] { chainman->Signals().Unregister(peerman->Events().get()); });
            peerman.reset();
        }
        if (chainman) executor.Run([&] { chainman.reset(); });
        executor.Stop();
    }

    util::Logger logger; //!< configured and started by the owner before Open
    util::SerialExecutor executor{"test-val"};
    std::unique_ptr<kernel::ChainstateManager> chainman;
    std::unique_ptr<kernel::TxMemPool> mempool;
    kernel::PolicyOptions policy;
    std::unique_ptr<net::AddrMan> addrman;
    std::unique_ptr<net::BanMan> banman;
    std::unique_ptr<node::PeerManager> peerman;
};

} // namespace testutil
