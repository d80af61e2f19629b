#include <node/chain_notifier.h>

#include <kernel/chain.h>
#include <util/logging.h>

#include <algorithm>
#include <condition_variable>
#include <exception>
#include <future>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace node {

interfaces::MempoolRemoval ToMempoolRemoval(kernel::RemovalReason reason)
{
    using interfaces::MempoolRemoval;
    switch (reason) {
    case kernel::RemovalReason::EXPIRY:
        return MempoolRemoval::EXPIRY;
    case kernel::RemovalReason::SIZELIMIT:
        return MempoolRemoval::SIZELIMIT;
    case kernel::RemovalReason::REORG:
        return MempoolRemoval::REORG;
    case kernel::RemovalReason::BLOCK:
        return MempoolRemoval::BLOCK;
    case kernel::RemovalReason::CONFLICT:
        return MempoolRemoval::CONFLICT;
    case kernel::RemovalReason::REPLACED:
        return MempoolRemoval::REPLACED;
    }
    return MempoolRemoval::CONFLICT;
}

namespace {

// One subscription. `target` is cleared when the handle goes so the client is released even
// while a delivery task still holds this record.
struct Client
{
    std::shared_ptr<interfaces::ChainNotifications> target;
    bool active{true};
};

} // namespace

// State the handles share with the notifier: they may be destroyed after it.
struct ChainNotifier::Shared
{
    mutable std::mutex mutex;
    std::condition_variable idle;
    std::vector<std::shared_ptr<Client>> clients; // guarded by mutex
    const Client* running{nullptr};               // whose handler runs now; guarded by mutex
    std::thread::id thread_id{};                  // the notification thread; set once
    util::Logger* logger{nullptr};

    // Hands one event to every client subscribed when the event is delivered, one at a time.
    void Deliver(const std::function<void(interfaces::ChainNotifications&)>& call)
    {
        std::vector<std::shared_ptr<Client>> snapshot;
        {
            std::lock_guard lock{mutex};
            snapshot = clients;
        }
        for (const auto& client : snapshot) {
            std::shared_ptr<interfaces::ChainNotifications> target;
            {
                std::lock_guard lock{mutex};
                // Unsubscribed since the snapshot: it must not hear anything more.
                if (!client->active) continue;
                target = client->target;
                running = client.get();
            }
            try {
                call(*target);
            } catch (const std::exception& e) {
                if (logger)
                    logger->Error(std::string{"Chain notification handler threw: "} + e.what());
            } catch (...) {
                if (logger) logger->Error("Chain notification handler threw");
            }
            {
                std::lock_guard lock{mutex};
                running = nullptr;
            }
            idle.notify_all();
        }
    }
};

// Unsubscribes on destruction and waits out a handler of its client that is running.
class ChainNotifier::Handle final : public interfaces::NotificationHandle
{
public:
    Handle(std::shared_ptr<Shared> shared, std::shared_ptr<Client> client)
        : m_shared{std::move(shared)}, m_client{std::move(client)}
    {}
    ~Handle() override
    {
        std::shared_ptr<interfaces::ChainNotifications> released;
        {
            std::unique_lock lock{m_shared->mutex};
            m_client->active = false;
            std::erase(m_shared->clients, m_client);
            released = std::move(m_client->target);
            // On the notification thread the running handler is either this client's (which
            // called us, and waiting would be waiting for ourselves) or another's: nothing of
            // this client runs concurrently.
            if (std::this_thread::get_id() != m_shared->thread_id) {
                m_shared->idle.wait(lock, [&] { return m_shared->running != m_client.get(); });
            }
        }
        // The client may be destroyed here, outside the lock, in case its destructor
        // subscribes or unsubscribes something else.
        released.reset();
    }

private:
    std::shared_ptr<Shared> m_shared;
    std::shared_ptr<Client> m_client;
};

// Forwards the chainstate's events into the queue.
class ChainNotifier::Forwarder final : public kernel::ValidationEvents
{
public:
    explicit Forwarder(ChainNotifier& owner) : m_owner{owner} {}
    void BlockConnected(const consensus::Block& block, const kernel::BlockIndex& index) override
    {
        m_owner.OnBlock(BlockEvent::CONNECTED, block, index);
    }
    void BlockDisconnected(const consensus::Block& block, const kernel::BlockIndex& index) override
    {
        m_owner.OnBlock(BlockEvent::DISCONNECTED, block, index);
    }
    // Either ends the dispatch of a connected block: its removals were all raised by then.
    void UpdatedBlockTip(const kernel::BlockIndex&, const kernel::BlockIndex*, bool) override
    {
        m_owner.FlushHeldBlock();
    }
    void BlockChecked(const consensus::Block&, const consensus::BlockValidationState&) override
    {
        m_owner.FlushHeldBlock();
    }

private:
    ChainNotifier& m_owner;
};

ChainNotifier::ChainNotifier(util::Logger* logger)
    : m_shared{std::make_shared<Shared>()},
      m_executor{"minibit-notify"}, m_events{std::make_shared<Forwarder>(*this)}
{
    m_shared->logger = logger;
    m_shared->thread_id = m_executor.Run([] { return std::this_thread::get_id(); });
}

ChainNotifier::~ChainNotifier()
{
    Stop();
}

bool ChainNotifier::HasClients() const
{
    std::lock_guard lock{m_shared->mutex};
    return !m_shared->clients.empty();
}

size_t ChainNotifier::ClientCount() const
{
    std::lock_guard lock{m_shared->mutex};
    return m_shared->clients.size();
}

void ChainNotifier::PostLocked(std::function<void(interfaces::ChainNotifications&)> call)
{
    m_executor.Post([shared = m_shared, call = std::move(call)] { shared->Deliver(call); });
}

void ChainNotifier::FlushHeldBlock()
{
    std::lock_guard lock{m_post_mutex};
    if (m_held) PostLocked(std::exchange(m_held, nullptr));
}

void ChainNotifier::OnBlock(BlockEvent kind, const consensus::Block& block,
                            const kernel::BlockIndex& index)
{
    FlushHeldBlock();
    // Copying a block is the expensive part; skip it when nobody listens (most nodes).
    if (m_stopped.load() || !HasClients()) return;
    interfaces::BlockNotification event;
    event.block = std::make_shared<const consensus::Block>(block);
    event.hash = index.hash;
    event.height = index.height;
    event.time = index.time;
    m_block_copies.fetch_add(1);
    std::lock_guard lock{m_post_mutex};
    if (kind == BlockEvent::DISCONNECTED) {
        PostLocked([event](interfaces::ChainNotifications& c) { c.BlockDisconnected(event); });
    } else {
        // Held until the other subscribers of this dispatch ran: the mempool's removes the
        // block's transactions then, and clients hear of that first (Core's order).
        m_held = [event](interfaces::ChainNotifications& c) { c.BlockConnected(event); };
    }
}

void ChainNotifier::TransactionAddedToMempool(const consensus::TransactionRef& tx)
{
    FlushHeldBlock();
    if (m_stopped.load() || !HasClients()) return;
    std::lock_guard lock{m_post_mutex};
    PostLocked([tx](interfaces::ChainNotifications& c) { c.TransactionAddedToMempool(tx); });
}

void ChainNotifier::TransactionRemovedFromMempool(const consensus::TransactionRef& tx,
                                                  kernel::RemovalReason reason)
{
    if (m_stopped.load() || !HasClients()) return;
    const interfaces::MempoolRemoval removal = ToMempoolRemoval(reason);
    std::lock_guard lock{m_post_mutex};
    PostLocked([tx, removal](interfaces::ChainNotifications& c) {
        c.TransactionRemovedFromMempool(tx, removal);
    });
}

std::unique_ptr<interfaces::NotificationHandle>
ChainNotifier::Subscribe(std::shared_ptr<interfaces::ChainNotifications> client)
{
    auto record = std::make_shared<Client>();
    record->target = std::move(client);
    {
        std::lock_guard lock{m_shared->mutex};
        m_shared->clients.push_back(record);
    }
    return std::make_unique<Handle>(m_shared, std::move(record));
}

void ChainNotifier::WaitForNotifications()
{
    if (std::this_thread::get_id() == m_shared->thread_id) return;
    auto marker = std::make_shared<std::promise<void>>();
    std::future<void> reached = marker->get_future();
    if (!m_executor.Post([marker] { marker->set_value(); })) return;
    reached.wait();
}

void ChainNotifier::Stop()
{
    {
        std::lock_guard lock{m_post_mutex};
        if (m_stopped.exchange(true)) return;
        // A block whose dispatch never finished (a fatal error) still happened.
        if (m_held) PostLocked(std::exchange(m_held, nullptr));
    }
    m_executor.Stop();
}

} // namespace node
