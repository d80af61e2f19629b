// ZeroMQ publishers with Bitcoin Core's topics and wire format, so existing
// subscribers (electrs, LND, Fulcrum, ...) work unchanged: hashblock, rawblock,
// hashtx, rawtx and sequence, each message three frames (topic, body, 4-byte
// little-endian per-publisher sequence number).
//
// Events arrive on the validation executor (kernel::ValidationEvents); sockets
// are guarded by one mutex, so Shutdown() may run on any thread.
#pragma once

#include <consensus/transaction.h>
#include <kernel/notifications.h>
#include <rpc/services.h>
#include <util/expected.h>

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace util {
class ArgsManager;
class Logger;
} // namespace util

namespace node {

/// -zmqpub<x>hwm default (Core's DEFAULT_ZMQ_SNDHWM).
inline constexpr int DEFAULT_ZMQ_SNDHWM{1000};

/// The notification types in Core's order, without the "pub" prefix.
inline constexpr std::string_view ZMQ_TOPICS[]{"hashblock", "hashtx", "rawblock", "rawtx",
                                               "sequence"};

/// Publishes chain (and later mempool) events on ZMQ PUB sockets.
class ZmqNotifier final : public kernel::ValidationEvents
{
public:
    /// Binds one publisher per entry (type "pubhashblock", ...; address "tcp://host:port",
    /// "ipc://path" or "unix:path"); publishers on the same address share a socket. An error
    /// naming the option when a type is unknown or an address cannot be bound.
    static util::Expected<std::shared_ptr<ZmqNotifier>>
    Create(const std::vector<rpc::ZmqNotification>& publishers, util::Logger* logger);

    ~ZmqNotifier() override;
    ZmqNotifier(const ZmqNotifier&) = delete;
    ZmqNotifier& operator=(const ZmqNotifier&) = delete;

    /// hashtx/rawtx for each transaction, then sequence "C".
    void BlockConnected(const consensus::Block& block, const kernel::BlockIndex& index) override;
    /// hashtx/rawtx for each transaction (they may return to the mempool), then sequence "D".
    void BlockDisconnected(const consensus::Block& block, const kernel::BlockIndex& index) override;
    /// hashblock/rawblock of the new tip, unless in initial download or the tip only moved back.
    void UpdatedBlockTip(const kernel::BlockIndex& new_tip, const kernel::BlockIndex* fork,
                         bool initial_download) override;

    /// For the mempool (issue 6): hashtx/rawtx and sequence "A" with `mempool_sequence`.
    void TransactionAddedToMempool(const consensus::TransactionRef& tx, uint64_t mempool_sequence);
    /// For the mempool (issue 6): sequence "R" for a removal other than block inclusion.
    void TransactionRemovedFromMempool(const consensus::TransactionRef& tx,
                                       uint64_t mempool_sequence);

    /// The publishers as getzmqnotifications lists them (address as bound, e.g. ipc://).
    std::vector<rpc::ZmqNotification> Notifications() const;

    /// Closes every socket without lingering and ends the ZMQ context; later events are
    /// dropped. Idempotent; call after unregistering from the validation signals.
    void Shutdown();

private:
    struct Publisher
    {
        rpc::ZmqNotification info;
        std::string topic;     //!< "hashblock", ...
        void* socket{nullptr}; //!< shared by publishers on the same address
        uint32_t sequence{0};  //!< next message number
    };

    ZmqNotifier(void* context, util::Logger* logger);
    /// Sends topic, body and sequence to every publisher of `topic`. Caller holds m_mutex.
    void Publish(std::string_view topic, std::span<const uint8_t> body);
    void PublishTransaction(const consensus::Transaction& tx);
    void PublishSequence(const consensus::Uint256& hash, char label,
                         std::optional<uint64_t> mempool_sequence);
    bool Has(std::string_view topic) const;

    mutable std::mutex m_mutex;
    void* m_context{nullptr};
    util::Logger* m_logger{nullptr};
    std::vector<Publisher> m_publishers;
    std::vector<void*> m_sockets;
    //! The last connected block, for rawblock when it becomes the tip.
    std::optional<consensus::Block> m_last_connected;
};

/// Registers -zmqpub<x>=<address> and -zmqpub<x>hwm=<n> in the ZMQ help group.
void AddZmqArgs(util::ArgsManager& args);

/// A notifier for the -zmqpub* options, nullptr when none is set; an error on a bad address.
util::Expected<std::shared_ptr<ZmqNotifier>> CreateZmqNotifier(const util::ArgsManager& args,
                                                               util::Logger* logger);

} // namespace node
