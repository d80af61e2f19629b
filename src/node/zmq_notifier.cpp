#include <node/zmq_notifier.h>

#include <consensus/block.h>
#include <consensus/serialize.h>
#include <kernel/chain.h>
#include <util/args.h>
#include <util/logging.h>

#include <zmq.h>

#include <algorithm>
#include <array>
#include <climits>
#include <map>

namespace node {
namespace {

// libzmq names UNIX domain sockets "ipc://"; Core also accepts "unix:" for them.
constexpr std::string_view ADDR_PREFIX_UNIX{"unix:"};
constexpr std::string_view ADDR_PREFIX_IPC{"ipc://"};

std::string NormalizeAddress(std::string address)
{
    if (address.starts_with(ADDR_PREFIX_UNIX)) {
        address.replace(0, ADDR_PREFIX_UNIX.size(), ADDR_PREFIX_IPC);
    }
    return address;
}

// libzmq refuses IPv6 endpoints unless ZMQ_IPV6 is set on the socket.
bool IsIpv6Address(std::string_view address)
{
    constexpr std::string_view tcp{"tcp://"};
    if (!address.starts_with(tcp)) return false;
    const std::string_view rest = address.substr(tcp.size());
    return rest.starts_with('[') || std::count(rest.begin(), rest.end(), ':') > 1;
}

std::array<uint8_t, 32> ReversedHash(const consensus::Uint256& hash)
{
    std::array<uint8_t, 32> out{};
    std::reverse_copy(hash.begin(), hash.end(), out.begin());
    return out;
}

void CloseSocket(void* socket)
{
    // Pending messages must not keep shutdown waiting for slow subscribers.
    const int linger = 0;
    zmq_setsockopt(socket, ZMQ_LINGER, &linger, sizeof(linger));
    zmq_close(socket);
}

} // namespace

ZmqNotifier::ZmqNotifier(void* context, util::Logger* logger) : m_context{context}, m_logger{logger}
{}

ZmqNotifier::~ZmqNotifier()
{
    Shutdown();
}

util::Expected<std::shared_ptr<ZmqNotifier>>
ZmqNotifier::Create(const std::vector<rpc::ZmqNotification>& publishers, util::Logger* logger)
{
    void* context = zmq_ctx_new();
    if (!context) {
        return util::Unexpected(std::string{"Unable to create the ZMQ context: "} +
                                zmq_strerror(zmq_errno()));
    }
    std::shared_ptr<ZmqNotifier> notifier{new ZmqNotifier(context, logger)};
    std::map<std::string, void*> by_address;
    for (const auto& entry : publishers) {
        const std::string_view type{entry.type};
        const bool known =
            type.starts_with("pub") && std::find(std::begin(ZMQ_TOPICS), std::end(ZMQ_TOPICS),
                                                 type.substr(3)) != std::end(ZMQ_TOPICS);
        if (!known) return util::Unexpected("Unknown ZMQ notification type '" + entry.type + "'");
        Publisher pub;
        pub.info = entry;
        pub.info.address = NormalizeAddress(entry.address);
        pub.topic = std::string{type.substr(3)};
        auto it = by_address.find(pub.info.address);
        if (it != by_address.end()) {
            pub.socket = it->second;
        } else {
            void* socket = zmq_socket(context, ZMQ_PUB);
            if (!socket) {
                return util::Unexpected(std::string{"Unable to create a ZMQ socket: "} +
                                        zmq_strerror(zmq_errno()));
            }
            notifier->m_sockets.push_back(socket);
            const int hwm = entry.hwm;
            const int keepalive = 1;
            const int ipv6 = IsIpv6Address(pub.info.address) ? 1 : 0;
            if (zmq_setsockopt(socket, ZMQ_SNDHWM, &hwm, sizeof(hwm)) != 0 ||
                zmq_setsockopt(socket, ZMQ_TCP_KEEPALIVE, &keepalive, sizeof(keepalive)) != 0 ||
                zmq_setsockopt(socket, ZMQ_IPV6, &ipv6, sizeof(ipv6)) != 0) {
                return util::Unexpected("Unable to configure the ZMQ socket for -zmq" + entry.type +
                                        "=" + entry.address + ": " + zmq_strerror(zmq_errno()));
            }
            if (zmq_bind(socket, pub.info.address.c_str()) != 0) {
                return util::Unexpected("Unable to bind ZMQ socket for -zmq" + entry.type + "=" +
                                        entry.address + ": " + zmq_strerror(zmq_errno()));
            }
            by_address.emplace(pub.info.address, socket);
            pub.socket = socket;
        }
        if (logger) {
            logger->Info("zmq: Publishing " + pub.topic + " on " + pub.info.address + " (hwm " +
                         std::to_string(pub.info.hwm) + ")");
        }
        notifier->m_publishers.push_back(std::move(pub));
    }
    return notifier;
}

bool ZmqNotifier::Has(std::string_view topic) const
{
    return std::any_of(m_publishers.begin(), m_publishers.end(),
                       [&](const Publisher& p) { return p.topic == topic; });
}

void ZmqNotifier::Publish(std::string_view topic, std::span<const uint8_t> body)
{
    for (Publisher& pub : m_publishers) {
        if (pub.topic != topic || !pub.socket) continue;
        std::array<uint8_t, 4> seq{};
        for (size_t i = 0; i < seq.size(); ++i)
            seq[i] = static_cast<uint8_t>(pub.sequence >> (8 * i));
        // A PUB socket drops rather than blocks at the high-water mark, so these calls
        // never stall validation.
        const bool sent = zmq_send(pub.socket, topic.data(), topic.size(), ZMQ_SNDMORE) >= 0 &&
                          zmq_send(pub.socket, body.data(), body.size(), ZMQ_SNDMORE) >= 0 &&
                          zmq_send(pub.socket, seq.data(), seq.size(), 0) >= 0;
        if (sent) {
            ++pub.sequence;
        } else if (m_logger) {
            m_logger->Warning("zmq: Unable to publish " + pub.topic + " on " + pub.info.address +
                              ": " + zmq_strerror(zmq_errno()));
        }
    }
}

void ZmqNotifier::PublishTransaction(const consensus::Transaction& tx)
{
    if (Has("hashtx")) Publish("hashtx", ReversedHash(tx.GetHash()));
    if (Has("rawtx")) Publish("rawtx", consensus::Encode(tx));
}

void ZmqNotifier::PublishSequence(const consensus::Uint256& hash, char label,
                                  std::optional<uint64_t> mempool_sequence)
{
    if (!Has("sequence")) return;
    std::vector<uint8_t> body;
    body.reserve(32 + 1 + 8);
    const auto reversed = ReversedHash(hash);
    body.insert(body.end(), reversed.begin(), reversed.end());
    body.push_back(static_cast<uint8_t>(label));
    if (mempool_sequence) {
        for (size_t i = 0; i < 8; ++i)
            body.push_back(static_cast<uint8_t>(*mempool_sequence >> (8 * i)));
    }
    Publish("sequence", body);
}

void ZmqNotifier::BlockConnected(const consensus::Block& block, const kernel::BlockIndex& index)
{
    std::lock_guard lock{m_mutex};
    if (!m_context) return;
    for (const auto& tx : block.vtx)
        PublishTransaction(*tx);
    PublishSequence(index.hash, 'C', std::nullopt);
    // Copying shares the transactions, so keeping the block for rawblock is cheap.
    if (Has("rawblock")) m_last_connected = block;
}

void ZmqNotifier::BlockDisconnected(const consensus::Block& block, const kernel::BlockIndex& index)
{
    std::lock_guard lock{m_mutex};
    if (!m_context) return;
    for (const auto& tx : block.vtx)
        PublishTransaction(*tx);
    PublishSequence(index.hash, 'D', std::nullopt);
}

void ZmqNotifier::UpdatedBlockTip(const kernel::BlockIndex& new_tip, const kernel::BlockIndex* fork,
                                  bool initial_download)
{
    std::lock_guard lock{m_mutex};
    if (!m_context) return;
    std::optional<consensus::Block> block = std::move(m_last_connected);
    m_last_connected.reset();
    // As Core: nothing during initial download, nor when the tip merely moved back.
    if (initial_download || &new_tip == fork) return;
    if (Has("hashblock")) Publish("hashblock", ReversedHash(new_tip.hash));
    if (Has("rawblock")) {
        if (block && block->GetHash() == new_tip.hash) {
            Publish("rawblock", consensus::Encode(*block));
        } else if (m_logger) {
            m_logger->Warning("zmq: rawblock skipped, block " + new_tip.hash.GetHex() +
                              " was not seen connecting");
        }
    }
}

void ZmqNotifier::TransactionAddedToMempool(const consensus::TransactionRef& tx,
                                            uint64_t mempool_sequence)
{
    std::lock_guard lock{m_mutex};
    if (!m_context || !tx) return;
    PublishTransaction(*tx);
    PublishSequence(tx->GetHash(), 'A', mempool_sequence);
}

void ZmqNotifier::TransactionRemovedFromMempool(const consensus::TransactionRef& tx,
                                                uint64_t mempool_sequence)
{
    std::lock_guard lock{m_mutex};
    if (!m_context || !tx) return;
    PublishSequence(tx->GetHash(), 'R', mempool_sequence);
}

std::vector<rpc::ZmqNotification> ZmqNotifier::Notifications() const
{
    std::lock_guard lock{m_mutex};
    std::vector<rpc::ZmqNotification> out;
    out.reserve(m_publishers.size());
    for (const auto& pub : m_publishers)
        out.push_back(pub.info);
    return out;
}

void ZmqNotifier::Shutdown()
{
    std::lock_guard lock{m_mutex};
    if (!m_context) return;
    for (void* socket : m_sockets)
        CloseSocket(socket);
    m_sockets.clear();
    for (auto& pub : m_publishers)
        pub.socket = nullptr;
    zmq_ctx_term(m_context);
    m_context = nullptr;
    m_last_connected.reset();
}

void AddZmqArgs(util::ArgsManager& args)
{
    using util::ArgType;
    using util::OptionsCategory;
    const std::pair<std::string_view, std::string_view> topics[]{
        {"hashblock", "the hash of each new tip block"},
        {"hashtx", "the txid of each transaction of a connected or disconnected block (and, with a "
                   "mempool, each one it accepts)"},
        {"rawblock", "each new tip block in serialized form"},
        {"rawtx", "each transaction hashtx announces, in serialized form"},
        {"sequence", "block connect/disconnect and mempool add/remove events (hash and label)"},
    };
    for (const auto& [topic, what] : topics) {
        const std::string name{topic};
        args.AddArg("-zmqpub" + name + "=<address>",
                    "Publish " + std::string{what} + " on <address> (may be repeated)",
                    ArgType::LIST, OptionsCategory::ZMQ);
        args.AddArg("-zmqpub" + name + "hwm=<n>",
                    "Outbound message high-water mark of the " + name +
                        " publisher (default: " + std::to_string(DEFAULT_ZMQ_SNDHWM) + ")",
                    ArgType::INT, OptionsCategory::ZMQ);
    }
}

util::Expected<std::shared_ptr<ZmqNotifier>> CreateZmqNotifier(const util::ArgsManager& args,
                                                               util::Logger* logger)
{
    std::vector<rpc::ZmqNotification> publishers;
    for (std::string_view topic : ZMQ_TOPICS) {
        const std::string type = "pub" + std::string{topic};
        const int64_t hwm = args.GetIntArg("-zmq" + type + "hwm", DEFAULT_ZMQ_SNDHWM);
        for (const std::string& address : args.GetArgs("-zmq" + type)) {
            rpc::ZmqNotification entry;
            entry.type = type;
            entry.address = address;
            // As Core: a negative value leaves the default; clamp what libzmq cannot take.
            entry.hwm =
                hwm < 0 ? DEFAULT_ZMQ_SNDHWM : static_cast<int>(std::min<int64_t>(hwm, INT_MAX));
            publishers.push_back(std::move(entry));
        }
    }
    if (publishers.empty()) return std::shared_ptr<ZmqNotifier>{};
    return ZmqNotifier::Create(publishers, logger);
}

} // namespace node
