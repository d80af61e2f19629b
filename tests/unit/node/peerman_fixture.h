// Helpers of the PeerManager tests: a whole node (chainstate in a temp dir,
// mempool, PeerManager and a real ConnMan on 127.0.0.1) and a scripted "raw
// peer" (a second ConnMan with a recording handler) that speaks the protocol
// message by message.
#pragma once

#include <node/peerman.h>

#include <common/chainparams.h>
#include <consensus/block.h>
#include <kernel/chainstate.h>
#include <kernel/mempool.h>
#include <kernel/policy.h>
#include <net/addrman.h>
#include <net/banman.h>
#include <net/blockmessages.h>
#include <net/connman.h>
#include <net/messages.h>
#include <net/netaddress.h>
#include <testutil/chain_builder.h>
#include <testutil/node_stack.h>
#include <testutil/test_dir.h>
#include <util/executor.h>
#include <util/logging.h>

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <fstream>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

namespace peerman_test {

using namespace std::chrono_literals;

/// Polls `pred` every 10 ms for up to `timeout`; true as soon as it holds.
inline bool WaitUntil(const std::function<bool()>& pred, std::chrono::milliseconds timeout = 20s)
{
    const auto end = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < end) {
        if (pred()) return true;
        std::this_thread::sleep_for(10ms);
    }
    return pred();
}

/// A node: chainstate, mempool, PeerManager (testutil::NodeStack) and a listening ConnMan.
class TestNode : public testutil::NodeStack
{
public:
    /// Opens the chainstate with a clock `time` (so the test chain is recent, not IBD).
    TestNode(const common::ChainParams& params, int64_t time, bool compact_blocks = true)
        : m_params{params}, m_time{time}
    {
        logger.EnableCategory("net");
        EXPECT_TRUE(logger.Start(util::LogOptions{.file = dir.Path() / "debug.log"}));
        testutil::NodeStackOptions options;
        options.params = &params;
        options.data_dir = dir.Path();
        options.clock = [this] { return m_time.load(); };
        options.log = true;
        options.compact_blocks = compact_blocks;
        auto opened = Open(options);
        EXPECT_TRUE(opened) << (opened ? "" : opened.error().message);
        if (!opened) return;
        net::ConnManOptions conn_options;
        conn_options.magic = params.GetMessageStart();
        conn_options.listen = true;
        conn_options.bind = {net::Service{net::MakeIPv4(127, 0, 0, 1), 0}};
        conn_options.accept_inbound = [this](const net::Service& remote) {
            return !banman->IsBanned(remote.addr);
        };
        connman = std::make_unique<net::ConnMan>(conn_options, *peerman);
        peerman->Start(*connman);
        auto started = connman->Start();
        EXPECT_TRUE(started) << (started ? "" : started.error().message);
        const auto listening = connman->ListeningOn();
        if (!listening.empty()) port = listening.front().port;
    }
    ~TestNode()
    {
        // The ConnMan stops first; the PeerManager it drives still exists.
        if (connman) connman->Stop();
        Close();
    }

    /// Feeds blocks straight into the chainstate (as if mined locally).
    void Feed(const std::vector<consensus::Block>& blocks)
    {
        executor.Run([&] {
            for (const auto& block : blocks) {
                consensus::BlockValidationState state;
                EXPECT_TRUE(chainman->ProcessNewBlock(
                    std::make_shared<const consensus::Block>(block), state))
                    << state.ToString();
            }
        });
    }
    /// Hash and height of the active tip.
    consensus::Uint256 TipHash()
    {
        return executor.Run([&] { return chainman->Tip()->hash; });
    }
    int Height()
    {
        return executor.Run([&] { return chainman->Tip()->height; });
    }
    net::Service Address() const { return net::Service{net::MakeIPv4(127, 0, 0, 1), port}; }
    /// True once a peer was punished. Loopback peers are disconnected but, as in Core,
    /// not discouraged, so the log is what tells: Core's "Misbehaving: peer=N" line.
    bool Punished()
    {
        std::ifstream log{dir.Path() / "debug.log"};
        const std::string text{std::istreambuf_iterator<char>{log}, {}};
        return text.find("Misbehaving: peer=") != std::string::npos &&
               !banman->IsDiscouraged(net::MakeIPv4(127, 0, 0, 1));
    }

    const common::ChainParams& m_params;
    std::atomic<int64_t> m_time;
    testutil::TempDir dir;
    std::unique_ptr<net::ConnMan> connman;
    uint16_t port{0};
};

/// A scripted peer: records what it receives; the test sends by hand.
class RawPeer final : public net::MessageHandler
{
public:
    explicit RawPeer(const common::ChainParams& params) : m_params{params}
    {
        net::ConnManOptions options;
        options.magic = params.GetMessageStart();
        options.listen = false;
        m_connman = std::make_unique<net::ConnMan>(options, *this);
        auto started = m_connman->Start();
        EXPECT_TRUE(started);
    }
    ~RawPeer() override { m_connman->Stop(); }

    /// Opens a connection to `node` (the node sees an inbound peer); false on failure.
    bool Connect(const net::Service& node)
    {
        m_connman->Connect(node, net::ConnectionType::OUTBOUND_FULL_RELAY);
        return WaitUntil([&] {
            std::lock_guard lock{m_mutex};
            return m_id.has_value();
        });
    }

    void OnConnected(const net::ConnectionInfo& info) override
    {
        std::lock_guard lock{m_mutex};
        m_id = info.id;
        m_cv.notify_all();
    }
    void OnMessage(net::NodeId id, net::Message message) override
    {
        m_connman->MessageProcessed(id, message.payload.size());
        std::lock_guard lock{m_mutex};
        m_received.push_back(std::move(message));
        m_cv.notify_all();
    }
    void OnDisconnected(net::NodeId) override
    {
        std::lock_guard lock{m_mutex};
        m_disconnected = true;
        m_cv.notify_all();
    }

    bool Send(std::string_view command, std::vector<uint8_t> payload)
    {
        std::optional<net::NodeId> id;
        {
            std::lock_guard lock{m_mutex};
            id = m_id;
        }
        return id && m_connman->Send(*id, command, std::move(payload));
    }

    /// Removes and returns the first received message of `command`, waiting up to `timeout`.
    std::optional<net::Message> WaitFor(std::string_view command,
                                        std::chrono::milliseconds timeout = 10s)
    {
        std::unique_lock lock{m_mutex};
        std::optional<net::Message> found;
        m_cv.wait_for(lock, timeout, [&] {
            for (auto it = m_received.begin(); it != m_received.end(); ++it) {
                if (it->command == command) {
                    found = std::move(*it);
                    m_received.erase(it);
                    return true;
                }
            }
            return false;
        });
        return found;
    }
    /// True if a message of `command` is waiting (without waiting).
    bool Has(std::string_view command)
    {
        std::lock_guard lock{m_mutex};
        for (const auto& m : m_received) {
            if (m.command == command) return true;
        }
        return false;
    }
    bool WaitDisconnected(std::chrono::milliseconds timeout = 10s)
    {
        std::unique_lock lock{m_mutex};
        return m_cv.wait_for(lock, timeout, [&] { return m_disconnected; });
    }
    bool Disconnected()
    {
        std::lock_guard lock{m_mutex};
        return m_disconnected;
    }

    /// version -> (their version, verack) -> verack. False if the node did not answer.
    bool Handshake(uint64_t services = net::NODE_NETWORK | net::NODE_WITNESS)
    {
        net::VersionMessage version;
        version.version = 70016;
        version.services = services;
        version.timestamp = 1296688602;
        version.nonce = 0x1234567890abcdefULL;
        version.user_agent = "/raw:1.0/";
        version.start_height = 0;
        version.relay = true;
        if (!Send(net::msgtype::VERSION, net::Encode(version))) return false;
        auto theirs = WaitFor(net::msgtype::VERSION);
        if (!theirs) return false;
        auto decoded = net::DecodeVersion(theirs->payload);
        if (!decoded) return false;
        their_version = *decoded;
        if (!WaitFor(net::msgtype::VERACK)) return false;
        Send(net::msgtype::WTXIDRELAY, {});
        return Send(net::msgtype::VERACK, {});
    }

    /// Answers the node's block requests from `blocks` until `done` or the timeout.
    void ServeBlocks(const std::vector<consensus::Block>& blocks, const std::function<bool()>& done,
                     std::chrono::milliseconds timeout = 20s)
    {
        const auto end = std::chrono::steady_clock::now() + timeout;
        while (!done() && std::chrono::steady_clock::now() < end) {
            auto getdata = WaitFor(net::msgtype::GETDATA, 200ms);
            if (!getdata) continue;
            auto inv = net::DecodeInv(getdata->payload);
            if (!inv) continue;
            for (const auto& item : inv->entries) {
                for (const auto& block : blocks) {
                    if (block.GetHash() == item.hash)
                        Send(net::msgtype::BLOCK, net::EncodeBlock(block));
                }
            }
        }
    }

    net::VersionMessage their_version;

private:
    const common::ChainParams& m_params;
    std::unique_ptr<net::ConnMan> m_connman;
    std::mutex m_mutex;
    std::condition_variable m_cv;
    std::optional<net::NodeId> m_id;     // guarded by m_mutex
    std::deque<net::Message> m_received; // guarded by m_mutex
    bool m_disconnected{false};          // guarded by m_mutex
};

} // namespace peerman_test
