// node::ChainNotifier carries chain and mempool events from the validation
// executor to chain clients (the wallet) on a thread of its own, so that a slow
// client never holds up validation and a client may call back into the chain
// (Core's CMainSignals with its scheduler queue).
//
// Threads: events are raised on the validation executor and posted, in the order
// they happened, to the notification thread, which hands each one to every
// subscribed client in turn. Subscribe, WaitForNotifications and the handle's
// destructor may be called from any thread (see each for the exceptions).
#pragma once

#include <consensus/transaction.h>
#include <interfaces/chain.h>
#include <kernel/mempool.h>
#include <kernel/notifications.h>
#include <util/executor.h>

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>

namespace util {
class Logger;
}

namespace node {

/// The MempoolRemoval a chain client is told for a mempool removal reason.
interfaces::MempoolRemoval ToMempoolRemoval(kernel::RemovalReason reason);

/// The notification queue and its subscribers. Create it before the chainstate raises events
/// for clients; Stop() it once no client needs events any more and before the chainstate goes.
class ChainNotifier
{
public:
    /// Starts the notification thread; `logger` (may be null) hears of handlers that throw.
    explicit ChainNotifier(util::Logger* logger = nullptr);
    /// Stop().
    ~ChainNotifier();
    ChainNotifier(const ChainNotifier&) = delete;
    ChainNotifier& operator=(const ChainNotifier&) = delete;

    /// The chainstate subscriber feeding the queue. Register it with ValidationSignals before
    /// the mempool's chain sync, so that a disconnected block is announced before its
    /// transactions return to the pool, as in Core.
    std::shared_ptr<kernel::ValidationEvents> Events() const { return m_events; }

    /// Mempool callback: `tx` entered the pool. Validation executor only.
    void TransactionAddedToMempool(const consensus::TransactionRef& tx);
    /// Mempool callback: `tx` left the pool. BLOCK (and CONFLICT) removals raised while a
    /// block connects are delivered before that block's BlockConnected. Validation executor.
    void TransactionRemovedFromMempool(const consensus::TransactionRef& tx,
                                       kernel::RemovalReason reason);

    /// Subscribes `client` to every event raised from now on. Any thread. After Stop() the
    /// handle is still valid but nothing is delivered. The handle may outlive the notifier;
    /// do not destroy it on the validation executor while its handler may wait for that
    /// executor (a Chain call), which would deadlock.
    std::unique_ptr<interfaces::NotificationHandle>
    Subscribe(std::shared_ptr<interfaces::ChainNotifications> client);

    /// Returns once every event posted before the call was delivered; at once after Stop()
    /// or when called on the notification thread (a handler), which would wait for itself.
    void WaitForNotifications();

    /// Refuses new events, delivers those already queued, joins the notification thread.
    /// Idempotent. Not from the notification thread.
    void Stop();

    /// Clients subscribed now. Any thread.
    size_t ClientCount() const;
    /// Blocks copied for clients so far: a block is copied only while someone listens. Any
    /// thread.
    uint64_t BlockCopies() const { return m_block_copies.load(); }

private:
    struct Shared;
    class Handle;
    class Forwarder;
    enum class BlockEvent
    {
        CONNECTED,
        DISCONNECTED
    };

    /// Raises a block event from the validation executor.
    void OnBlock(BlockEvent kind, const consensus::Block& block, const kernel::BlockIndex& index);
    /// Posts the block event held back for the removals of its own block, if any.
    void FlushHeldBlock();
    /// Posts one delivery task. Caller holds m_post_mutex.
    void PostLocked(std::function<void(interfaces::ChainNotifications&)> call);
    bool HasClients() const;

    // Shared with the handles, which may outlive the notifier.
    std::shared_ptr<Shared> m_shared;
    util::SerialExecutor m_executor;
    std::shared_ptr<kernel::ValidationEvents> m_events;
    std::atomic<uint64_t> m_block_copies{0};
    std::atomic<bool> m_stopped{false};

    /// Orders posts from the validation executor against Stop(); guards m_held.
    std::mutex m_post_mutex;
    /// A BlockConnected waiting for the mempool removals that its own dispatch raises.
    std::function<void(interfaces::ChainNotifications&)> m_held;
};

} // namespace node
