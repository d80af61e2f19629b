#include <node/mempool_setup.h>

#include <kernel/chainstate.h>
#include <kernel/mempool_accept.h>
#include <node/chain_notifier.h>
#include <node/zmq_notifier.h>
#include <util/executor.h>
#include <util/logging.h>
#include <util/strings.h>

#include <string>

namespace node {

namespace {

// A fee rate option in BTC/kvB (Core's format), as satoshis per kvB.
util::Expected<kernel::FeeRate> FeeRateArg(const util::ArgsManager& args, const std::string& name,
                                           consensus::Amount default_sat_per_kvb)
{
    const auto text = args.GetArg(name);
    if (!text) return kernel::FeeRate{default_sat_per_kvb};
    const auto value = util::ParseFixedPoint(*text, 8);
    if (!value || *value < 0 || *value > consensus::MAX_MONEY) {
        return util::Unexpected("Invalid amount for " + name + "=<amount>: '" + *text + "'");
    }
    return kernel::FeeRate{*value};
}

} // namespace

void AddMempoolArgs(util::ArgsManager& args)
{
    using util::ArgType;
    const auto relay = util::OptionsCategory::NODE_RELAY;
    const auto debug = util::OptionsCategory::DEBUG_TEST;
    args.AddArg("-maxmempool=<n>",
                "Keep the transaction memory pool below <n> megabytes (default: " +
                    std::to_string(kernel::DEFAULT_MAX_MEMPOOL_SIZE_MB) + ")",
                ArgType::INT, util::OptionsCategory::OPTIONS);
    args.AddArg("-mempoolexpiry=<n>",
                "Drop transactions that stayed in the mempool longer than <n> hours (default: " +
                    std::to_string(kernel::DEFAULT_MEMPOOL_EXPIRY_HOURS) + ")",
                ArgType::INT, util::OptionsCategory::OPTIONS);
    args.AddArg("-persistmempool",
                "Save the mempool to mempool.dat at shutdown and load it at startup (default: 1)",
                ArgType::BOOL, util::OptionsCategory::OPTIONS);
    args.AddArg("-minrelaytxfee=<amt>",
                "Lowest fee rate (in BTC/kvB) of transactions the node accepts, relays and mines "
                "(default: 0.00001)",
                ArgType::STRING, relay);
    args.AddArg("-incrementalrelayfee=<amt>",
                "Fee rate (in BTC/kvB) by which a replacement must outbid, and by which the "
                "mempool minimum rises after an eviction (default: 0.00001)",
                ArgType::STRING, debug);
    args.AddArg("-dustrelayfee=<amt>",
                "Fee rate (in BTC/kvB) that defines dust: outputs worth less than spending them "
                "at this rate costs are non-standard (default: 0.00003)",
                ArgType::STRING, debug);
    args.AddArg("-datacarrier", "Relay and mine transactions with an OP_RETURN output (default: 1)",
                ArgType::BOOL, relay);
    args.AddArg("-datacarriersize=<n>",
                "Largest OP_RETURN output script relayed and mined, in bytes (default: " +
                    std::to_string(kernel::DEFAULT_MAX_DATACARRIER_BYTES) + ")",
                ArgType::INT, relay);
    args.AddArg("-permitbaremultisig",
                "Relay bare (non-P2SH) multisig outputs of up to 3 keys (default: 1)",
                ArgType::BOOL, relay);
    args.AddArg("-mempoolfullrbf",
                "Let any unconfirmed transaction be replaced by one paying more, whether it "
                "signals BIP125 or not (default: 1)",
                ArgType::BOOL, relay);
    args.AddArg("-limitancestorcount=<n>",
                "Most in-mempool ancestors a transaction may have, itself included (default: 25)",
                ArgType::INT, debug);
    args.AddArg("-limitancestorsize=<n>",
                "Largest total virtual size of a transaction and its in-mempool ancestors, in kvB "
                "(default: 101)",
                ArgType::INT, debug);
    args.AddArg("-limitdescendantcount=<n>",
                "Most in-mempool descendants a transaction may have, itself included (default: 25)",
                ArgType::INT, debug);
    args.AddArg("-limitdescendantsize=<n>",
                "Largest total virtual size of a transaction and its in-mempool descendants, in "
                "kvB (default: 101)",
                ArgType::INT, debug);
    args.AddArg("-blockmaxweight=<n>",
                "Largest weight of blocks this node builds (default: " +
                    std::to_string(kernel::DEFAULT_BLOCK_MAX_WEIGHT) + ")",
                ArgType::INT, util::OptionsCategory::BLOCK_CREATION);
    args.AddArg("-blockmintxfee=<amt>",
                "Lowest fee rate (in BTC/kvB) of transactions put in blocks this node builds "
                "(default: 0.00000001)",
                ArgType::STRING, util::OptionsCategory::BLOCK_CREATION);
}

util::Expected<MempoolSetup> MempoolSetupFromArgs(const util::ArgsManager& args)
{
    MempoolSetup setup;
    auto& mempool = setup.mempool;
    const int64_t max_mb = args.GetIntArg("-maxmempool", kernel::DEFAULT_MAX_MEMPOOL_SIZE_MB);
    const int64_t descendant_kvb =
        args.GetIntArg("-limitdescendantsize", kernel::DEFAULT_DESCENDANT_SIZE_LIMIT_KVB);
    // Core refuses a pool smaller than what one maximal package may need.
    const int64_t min_mb = (descendant_kvb * 1000 * 40 + 999'999) / 1'000'000;
    if (max_mb < 0 || max_mb < min_mb) {
        return util::Unexpected("-maxmempool must be at least " + std::to_string(min_mb) + " MB");
    }
    mempool.max_size_bytes = max_mb * 1'000'000;
    const int64_t expiry = args.GetIntArg("-mempoolexpiry", kernel::DEFAULT_MEMPOOL_EXPIRY_HOURS);
    if (expiry < 0) return util::Unexpected("-mempoolexpiry must not be negative");
    mempool.expiry = std::chrono::hours{expiry};
    auto min_relay = FeeRateArg(args, "-minrelaytxfee", kernel::DEFAULT_MIN_RELAY_TX_FEE);
    if (!min_relay) return min_relay.error();
    mempool.min_relay_feerate = *min_relay;
    auto incremental =
        FeeRateArg(args, "-incrementalrelayfee", kernel::DEFAULT_INCREMENTAL_RELAY_FEE);
    if (!incremental) return incremental.error();
    mempool.incremental_relay_feerate = *incremental;
    mempool.full_rbf = args.GetBoolArg("-mempoolfullrbf", true);
    mempool.persist = args.GetBoolArg("-persistmempool", true);
    mempool.limits.ancestor_count =
        args.GetIntArg("-limitancestorcount", kernel::DEFAULT_ANCESTOR_LIMIT);
    mempool.limits.ancestor_size_vbytes =
        args.GetIntArg("-limitancestorsize", kernel::DEFAULT_ANCESTOR_SIZE_LIMIT_KVB) * 1000;
    mempool.limits.descendant_count =
        args.GetIntArg("-limitdescendantcount", kernel::DEFAULT_DESCENDANT_LIMIT);
    mempool.limits.descendant_size_vbytes = descendant_kvb * 1000;

    auto& policy = setup.policy;
    auto dust = FeeRateArg(args, "-dustrelayfee", kernel::DUST_RELAY_TX_FEE);
    if (!dust) return dust.error();
    policy.dust_relay_fee = *dust;
    policy.datacarrier = args.GetBoolArg("-datacarrier", true);
    const int64_t carrier =
        args.GetIntArg("-datacarriersize", kernel::DEFAULT_MAX_DATACARRIER_BYTES);
    if (carrier < 0) return util::Unexpected("-datacarriersize must not be negative");
    policy.max_datacarrier_bytes = static_cast<unsigned>(carrier);
    policy.permit_bare_multisig = args.GetBoolArg("-permitbaremultisig", true);

    auto& assembler = setup.assembler;
    const int64_t weight = args.GetIntArg("-blockmaxweight", kernel::DEFAULT_BLOCK_MAX_WEIGHT);
    if (weight < 4000 || weight > 4'000'000) {
        return util::Unexpected("-blockmaxweight must be between 4000 and 4000000");
    }
    assembler.max_weight = weight;
    auto block_min = FeeRateArg(args, "-blockmintxfee", kernel::DEFAULT_BLOCK_MIN_TX_FEE);
    if (!block_min) return block_min.error();
    assembler.min_fee = *block_min;
    return setup;
}

MempoolStack::MempoolStack(const MempoolSetup& setup, const std::filesystem::path& chain_datadir,
                           ZmqNotifier* zmq, util::Logger& logger, ChainNotifier* notifier)
    : m_setup{setup}, m_dump_file{chain_datadir / "mempool.dat"}, m_logger{logger},
      m_fees{std::make_unique<kernel::FeeEstimator>(chain_datadir / "fee_estimates.dat")}
{
    if (auto loaded = m_fees->Load(); !loaded) {
        m_logger.Warning("Fee estimates not loaded: " + loaded.error().message);
    }
    kernel::MempoolCallbacks callbacks;
    callbacks.added = [this, zmq, notifier](const kernel::MempoolEntry& entry) {
        // Transactions with unconfirmed parents confirm on their parents' schedule, and
        // arrivals during initial download say nothing about the fee market.
        m_fees->ProcessTransaction(
            entry.GetTx().GetHash(), entry.GetFee(), entry.GetTxSize(), entry.GetHeight(),
            entry.Parents().empty() && m_chainman && !m_chainman->IsInitialBlockDownload());
        if (zmq) zmq->TransactionAddedToMempool(entry.GetSharedTx(), entry.GetSequence());
        if (notifier) notifier->TransactionAddedToMempool(entry.GetSharedTx());
    };
    callbacks.removed = [this, zmq, notifier](const consensus::TransactionRef& tx,
                                              kernel::RemovalReason reason, uint64_t sequence) {
        if (reason != kernel::RemovalReason::BLOCK) m_fees->RemoveTransaction(tx->GetHash());
        // A confirmation is announced by the block's own "C" message, as in Core.
        if (zmq && reason != kernel::RemovalReason::BLOCK) {
            zmq->TransactionRemovedFromMempool(tx, sequence);
        }
        // Wallets learn of confirmations from the block but also drop the tx from their
        // mempool view here, so they hear every reason.
        if (notifier) notifier->TransactionRemovedFromMempool(tx, reason);
    };
    m_pool = std::make_unique<kernel::TxMemPool>(m_setup.mempool, std::move(callbacks));
}

void MempoolStack::Attach(util::SerialExecutor& validation, kernel::ChainstateManager& chainman)
{
    validation.Run([&] {
        m_chainman = &chainman;
        // The estimator tracks arrivals only once it has seen the current height.
        m_fees->ProcessBlock(static_cast<unsigned>(chainman.Tip()->height), {});
        m_sync = std::make_shared<kernel::MempoolChainSync>(chainman, *m_pool, m_fees.get(),
                                                            m_setup.policy);
        chainman.Signals().Register(m_sync);
    });
    // Loading may take a while; RPC is already up and reports "loaded": false meanwhile.
    validation.Post([this, &chainman] {
        if (m_setup.mempool.persist && std::filesystem::exists(m_dump_file)) {
            kernel::AcceptOptions options;
            options.policy = m_setup.policy;
            auto loaded =
                m_pool->Load(m_dump_file, [&](const consensus::TransactionRef& tx, int64_t time) {
                    options.accept_time = time;
                    return kernel::AcceptToMemoryPool(chainman, *m_pool, tx, options).kind ==
                           kernel::MempoolAcceptResult::Kind::VALID;
                });
            if (loaded) {
                m_logger.Info("Imported mempool transactions from disk: " +
                              std::to_string(*loaded) + " succeeded");
            } else {
                m_logger.Warning("Failed to load mempool from " + m_dump_file.string() + ": " +
                                 loaded.error().message);
            }
        }
        m_pool->SetLoaded();
    });
}

void MempoolStack::Detach(kernel::ChainstateManager& chainman)
{
    if (m_sync) chainman.Signals().Unregister(m_sync.get());
    m_chainman = nullptr;
    if (m_setup.mempool.persist) {
        if (auto dumped = m_pool->Dump(m_dump_file); !dumped) {
            m_logger.Warning("Failed to dump mempool: " + dumped.error().message);
        } else {
            m_logger.Info("Dumped mempool: " + std::to_string(m_pool->Size()) +
                          " transactions to " + m_dump_file.string());
        }
    }
    if (auto flushed = m_fees->Flush(); !flushed) {
        m_logger.Warning("Failed to write fee estimates: " + flushed.error().message);
    }
}

} // namespace node
