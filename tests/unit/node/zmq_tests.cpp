// ZmqNotifier against real libzmq SUB sockets (ipc and loopback tcp): topics, bodies,
// three-frame layout, per-publisher sequence numbers, option parsing and errors.
#include <node/zmq_notifier.h>

#include <consensus/block.h>
#include <consensus/serialize.h>
#include <kernel/chain.h>
#include <testutil/test_dir.h>
#include <util/args.h>

#include <gtest/gtest.h>
#include <zmq.h>

#include <chrono>
#include <cstdint>
#include <fstream>
#include <iterator>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace {

// A real mainnet block with witness transactions; its hash is its file name.
constexpr const char* BLOCK_HASH{
    "0000000000000000001602407ac49862a7bca9d00f7f402db20b7be2f5de59d2"};

std::vector<uint8_t> ReadFile(const std::string& path)
{
    std::ifstream in{path, std::ios::binary};
    return {std::istreambuf_iterator<char>{in}, std::istreambuf_iterator<char>{}};
}

std::string Bytes(std::span<const uint8_t> b)
{
    return {b.begin(), b.end()};
}

// The 32 bytes a hash notification carries: the hash in display (hex) order.
std::string DisplayBytes(const std::string& hex)
{
    std::string out;
    for (size_t i = 0; i + 1 < hex.size(); i += 2)
        out.push_back(static_cast<char>(std::stoi(hex.substr(i, 2), nullptr, 16)));
    return out;
}

std::string Le32(uint32_t v)
{
    std::string out;
    for (int i = 0; i < 4; ++i)
        out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
    return out;
}

std::string Le64(uint64_t v)
{
    std::string out;
    for (int i = 0; i < 8; ++i)
        out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
    return out;
}

struct Message
{
    std::vector<std::string> frames;
};

// A SUB socket that receives everything from one endpoint.
class Subscriber
{
public:
    explicit Subscriber(const std::string& endpoint)
    {
        m_ctx = zmq_ctx_new();
        m_sock = zmq_socket(m_ctx, ZMQ_SUB);
        const int unlimited = 0;
        zmq_setsockopt(m_sock, ZMQ_RCVHWM, &unlimited, sizeof(unlimited));
        zmq_setsockopt(m_sock, ZMQ_SUBSCRIBE, "", 0);
        EXPECT_EQ(zmq_connect(m_sock, endpoint.c_str()), 0) << zmq_strerror(zmq_errno());
        // Subscriptions reach the publisher asynchronously ("slow joiner").
        std::this_thread::sleep_for(std::chrono::milliseconds{300});
    }
    ~Subscriber()
    {
        const int linger = 0;
        zmq_setsockopt(m_sock, ZMQ_LINGER, &linger, sizeof(linger));
        zmq_close(m_sock);
        zmq_ctx_term(m_ctx);
    }
    Subscriber(const Subscriber&) = delete;
    Subscriber& operator=(const Subscriber&) = delete;

    // The next multipart message, or nullopt after `timeout_ms` of silence.
    std::optional<Message> Receive(int timeout_ms = 3000)
    {
        zmq_pollitem_t item{m_sock, 0, ZMQ_POLLIN, 0};
        if (zmq_poll(&item, 1, timeout_ms) <= 0) return std::nullopt;
        Message msg;
        int more = 1;
        while (more) {
            zmq_msg_t part;
            zmq_msg_init(&part);
            if (zmq_msg_recv(&part, m_sock, 0) < 0) {
                zmq_msg_close(&part);
                return std::nullopt;
            }
            msg.frames.emplace_back(static_cast<const char*>(zmq_msg_data(&part)),
                                    zmq_msg_size(&part));
            more = zmq_msg_more(&part);
            zmq_msg_close(&part);
        }
        return msg;
    }

private:
    void* m_ctx{nullptr};
    void* m_sock{nullptr};
};

// Expects a message with `topic`, `body` and sequence `seq`.
void ExpectMessage(Subscriber& sub, const std::string& topic, const std::string& body, uint32_t seq)
{
    auto msg = sub.Receive();
    ASSERT_TRUE(msg) << "no message, wanted " << topic << " #" << seq;
    ASSERT_EQ(msg->frames.size(), 3u);
    EXPECT_EQ(msg->frames[0], topic);
    EXPECT_EQ(msg->frames[1].size(), body.size()) << topic;
    EXPECT_TRUE(msg->frames[1] == body) << topic << " #" << seq;
    EXPECT_EQ(msg->frames[2], Le32(seq)) << topic;
}

std::vector<rpc::ZmqNotification> All(const std::string& address, int hwm)
{
    std::vector<rpc::ZmqNotification> out;
    for (auto topic : node::ZMQ_TOPICS)
        out.push_back({"pub" + std::string{topic}, address, hwm});
    return out;
}

util::Expected<void> Parse(util::ArgsManager& args, const std::vector<std::string>& words)
{
    std::vector<const char*> argv{"minibitd"};
    for (const auto& w : words)
        argv.push_back(w.c_str());
    return args.ParseParameters(static_cast<int>(argv.size()), argv.data());
}

class ZmqTest : public ::testing::Test
{
protected:
    void SetUp() override
    {
        m_raw =
            ReadFile(std::string{MINIBIT_TEST_DATA_DIR} + "/blocks/mainnet-" + BLOCK_HASH + ".blk");
        ASSERT_GT(m_raw.size(), 80u);
        auto block = consensus::Decode<consensus::Block>(m_raw);
        ASSERT_TRUE(block) << block.error().message;
        m_block = std::move(*block);
        ASSERT_EQ(m_block.GetHash().GetHex(), BLOCK_HASH);
        m_parent.hash = m_block.header.prev_block;
        m_parent.height = 99;
        m_index.hash = m_block.GetHash();
        m_index.height = 100;
        m_index.prev = &m_parent;
    }
    std::string Endpoint(const std::string& name)
    {
        return "ipc://" + (m_dir.Path() / name).string();
    }

    testutil::TempDir m_dir;
    std::vector<uint8_t> m_raw;
    consensus::Block m_block;
    kernel::BlockIndex m_parent;
    kernel::BlockIndex m_index;
};

TEST_F(ZmqTest, ConnectPublishesTransactionsSequenceThenBlock)
{
    const std::string ep = Endpoint("all");
    auto notifier = node::ZmqNotifier::Create(All(ep, 100000), nullptr);
    ASSERT_TRUE(notifier) << notifier.error().message;
    Subscriber sub{ep};

    (*notifier)->BlockConnected(m_block, m_index);
    (*notifier)->UpdatedBlockTip(m_index, &m_parent, false);

    // The raw transactions, concatenated, are exactly the block file after header and count.
    const size_t ntx = m_block.vtx.size();
    ASSERT_GT(ntx, 253u); // a three-byte CompactSize count
    size_t offset = 80 + 3;
    for (size_t i = 0; i < ntx; ++i) {
        const auto& tx = *m_block.vtx[i];
        ExpectMessage(sub, "hashtx", DisplayBytes(tx.GetHash().GetHex()), static_cast<uint32_t>(i));
        auto msg = sub.Receive();
        ASSERT_TRUE(msg);
        ASSERT_EQ(msg->frames.size(), 3u);
        EXPECT_EQ(msg->frames[0], "rawtx");
        EXPECT_EQ(msg->frames[2], Le32(static_cast<uint32_t>(i)));
        const std::string& body = msg->frames[1];
        ASSERT_LE(offset + body.size(), m_raw.size());
        ASSERT_TRUE(body == Bytes(std::span{m_raw}.subspan(offset, body.size()))) << "tx " << i;
        offset += body.size();
    }
    EXPECT_EQ(offset, m_raw.size());
    ExpectMessage(sub, "sequence", DisplayBytes(BLOCK_HASH) + "C", 0);
    ExpectMessage(sub, "hashblock", DisplayBytes(BLOCK_HASH), 0);
    ExpectMessage(sub, "rawblock", Bytes(m_raw), 0);
    EXPECT_FALSE(sub.Receive(200));

    // Disconnecting announces the transactions again, then "D"; the tip moving back is not a
    // new block.
    (*notifier)->BlockDisconnected(m_block, m_index);
    (*notifier)->UpdatedBlockTip(m_parent, &m_parent, false);
    ExpectMessage(sub, "hashtx", DisplayBytes(m_block.vtx[0]->GetHash().GetHex()),
                  static_cast<uint32_t>(ntx));
    ExpectMessage(sub, "rawtx", Bytes(consensus::Encode(*m_block.vtx[0])),
                  static_cast<uint32_t>(ntx));
    for (size_t i = 2; i < 2 * ntx; ++i) {
        auto msg = sub.Receive();
        ASSERT_TRUE(msg);
        EXPECT_EQ(msg->frames[0], i % 2 == 0 ? "hashtx" : "rawtx");
    }
    ExpectMessage(sub, "sequence", DisplayBytes(BLOCK_HASH) + "D", 1);
    EXPECT_FALSE(sub.Receive(200));

    // Reconnecting continues every topic's count.
    (*notifier)->BlockConnected(m_block, m_index);
    (*notifier)->UpdatedBlockTip(m_index, &m_parent, false);
    for (size_t i = 0; i < 2 * ntx; ++i)
        ASSERT_TRUE(sub.Receive());
    ExpectMessage(sub, "sequence", DisplayBytes(BLOCK_HASH) + "C", 2);
    ExpectMessage(sub, "hashblock", DisplayBytes(BLOCK_HASH), 1);
    ExpectMessage(sub, "rawblock", Bytes(m_raw), 1);
}

TEST_F(ZmqTest, NoBlockNotificationDuringInitialDownload)
{
    const std::string ep = Endpoint("ibd");
    auto notifier =
        node::ZmqNotifier::Create({{"pubhashblock", ep, 1000}, {"pubrawblock", ep, 1000}}, nullptr);
    ASSERT_TRUE(notifier) << notifier.error().message;
    Subscriber sub{ep};
    (*notifier)->BlockConnected(m_block, m_index);
    (*notifier)->UpdatedBlockTip(m_index, &m_parent, true);
    EXPECT_FALSE(sub.Receive(300));
    (*notifier)->BlockConnected(m_block, m_index);
    (*notifier)->UpdatedBlockTip(m_index, &m_parent, false);
    ExpectMessage(sub, "hashblock", DisplayBytes(BLOCK_HASH), 0);
    ExpectMessage(sub, "rawblock", Bytes(m_raw), 0);
}

TEST_F(ZmqTest, MempoolEventsCarryMempoolSequence)
{
    const std::string ep = Endpoint("mempool");
    auto notifier =
        node::ZmqNotifier::Create({{"pubsequence", ep, 1000}, {"pubhashtx", ep, 1000}}, nullptr);
    ASSERT_TRUE(notifier) << notifier.error().message;
    Subscriber sub{ep};
    const auto& tx = m_block.vtx[1];
    const std::string txid = DisplayBytes(tx->GetHash().GetHex());
    (*notifier)->TransactionAddedToMempool(tx, 7);
    (*notifier)->TransactionRemovedFromMempool(tx, 0x0102030405060708ULL);
    // hashtx is listed first in Core's order, so it goes out first.
    ExpectMessage(sub, "hashtx", txid, 0);
    ExpectMessage(sub, "sequence", txid + "A" + Le64(7), 0);
    ExpectMessage(sub, "sequence", txid + "R" + Le64(0x0102030405060708ULL), 1);
    EXPECT_FALSE(sub.Receive(200));
}

TEST_F(ZmqTest, TcpLoopbackAndSeparateSockets)
{
    // Two tcp publishers on different ports, picked by libzmq is not possible with a fixed
    // address, so find free ports by binding and closing.
    auto free_port = [] {
        void* ctx = zmq_ctx_new();
        void* s = zmq_socket(ctx, ZMQ_PUB);
        zmq_bind(s, "tcp://127.0.0.1:*");
        char buf[256];
        size_t len = sizeof(buf);
        zmq_getsockopt(s, ZMQ_LAST_ENDPOINT, buf, &len);
        const int linger = 0;
        zmq_setsockopt(s, ZMQ_LINGER, &linger, sizeof(linger));
        zmq_close(s);
        zmq_ctx_term(ctx);
        return std::string{buf};
    };
    const std::string a = free_port();
    std::string b = free_port();
    if (b == a) b = free_port();
    auto notifier =
        node::ZmqNotifier::Create({{"pubhashblock", a, 1000}, {"pubsequence", b, 1000}}, nullptr);
    ASSERT_TRUE(notifier) << notifier.error().message;
    Subscriber sub_a{a};
    Subscriber sub_b{b};
    (*notifier)->BlockConnected(m_block, m_index);
    (*notifier)->UpdatedBlockTip(m_index, &m_parent, false);
    ExpectMessage(sub_a, "hashblock", DisplayBytes(BLOCK_HASH), 0);
    ExpectMessage(sub_b, "sequence", DisplayBytes(BLOCK_HASH) + "C", 0);
    EXPECT_FALSE(sub_a.Receive(100));
    EXPECT_FALSE(sub_b.Receive(100));

    // Binding the same address twice in another notifier fails with a clear error.
    auto clash = node::ZmqNotifier::Create({{"pubhashtx", a, 1000}}, nullptr);
    ASSERT_FALSE(clash);
    EXPECT_NE(clash.error().message.find("-zmqpubhashtx=" + a), std::string::npos)
        << clash.error().message;

    (*notifier)->Shutdown();
    (*notifier)->Shutdown();                       // idempotent
    (*notifier)->BlockConnected(m_block, m_index); // dropped, no crash
    EXPECT_EQ((*notifier)->Notifications().size(), 2u);
}

TEST(ZmqArgs, NoOptionsGivesNoNotifier)
{
    util::ArgsManager args;
    node::AddZmqArgs(args);
    ASSERT_TRUE(Parse(args, {}));
    auto notifier = node::CreateZmqNotifier(args, nullptr);
    ASSERT_TRUE(notifier);
    EXPECT_EQ(*notifier, nullptr);
}

TEST(ZmqArgs, OptionsAreListedInZmqHelp)
{
    util::ArgsManager args;
    node::AddZmqArgs(args);
    const std::string help = args.GetHelpMessage();
    EXPECT_NE(help.find("ZeroMQ notification options:"), std::string::npos);
    for (const char* name :
         {"-zmqpubhashblock=<address>", "-zmqpubhashtx=<address>", "-zmqpubrawblock=<address>",
          "-zmqpubrawtx=<address>", "-zmqpubsequence=<address>", "-zmqpubhashblockhwm=<n>",
          "-zmqpubsequencehwm=<n>"}) {
        EXPECT_NE(help.find(name), std::string::npos) << name;
    }
}

TEST(ZmqArgs, BadAddressIsAnError)
{
    util::ArgsManager args;
    node::AddZmqArgs(args);
    ASSERT_TRUE(Parse(args, {"-zmqpubrawtx=notanaddress"}));
    auto notifier = node::CreateZmqNotifier(args, nullptr);
    ASSERT_FALSE(notifier);
    EXPECT_NE(notifier.error().message.find("-zmqpubrawtx=notanaddress"), std::string::npos)
        << notifier.error().message;

    util::ArgsManager args2;
    node::AddZmqArgs(args2);
    ASSERT_TRUE(Parse(args2, {"-zmqpubhashblock=tcp://256.1.1.1:28332"}));
    EXPECT_FALSE(node::CreateZmqNotifier(args2, nullptr));
}

TEST(ZmqArgs, UnknownTypeIsAnError)
{
    auto notifier = node::ZmqNotifier::Create({{"pubfoo", "ipc:///tmp/x", 1000}}, nullptr);
    ASSERT_FALSE(notifier);
    EXPECT_NE(notifier.error().message.find("pubfoo"), std::string::npos);
}

TEST(ZmqArgs, NotificationsListTypesAddressesAndHwm)
{
    testutil::TempDir dir;
    const std::string p1 = (dir.Path() / "a").string();
    const std::string p2 = (dir.Path() / "b").string();
    util::ArgsManager args;
    node::AddZmqArgs(args);
    ASSERT_TRUE(
        Parse(args, {"-zmqpubrawtx=unix:" + p1, "-zmqpubhashblock=ipc://" + p2, "-zmqpubrawtxhwm=5",
                     "-zmqpubhashtx=ipc://" + p2, "-zmqpubhashblockhwm=-3"}));
    auto notifier = node::CreateZmqNotifier(args, nullptr);
    ASSERT_TRUE(notifier) << notifier.error().message;
    ASSERT_NE(*notifier, nullptr);
    const auto list = (*notifier)->Notifications();
    ASSERT_EQ(list.size(), 3u);
    // Core's order: pubhashblock, pubhashtx, pubrawblock, pubrawtx, pubsequence.
    EXPECT_EQ(list[0].type, "pubhashblock");
    EXPECT_EQ(list[0].address, "ipc://" + p2);
    EXPECT_EQ(list[0].hwm, 1000); // negative keeps the default, as Core
    EXPECT_EQ(list[1].type, "pubhashtx");
    EXPECT_EQ(list[1].hwm, 1000);
    EXPECT_EQ(list[2].type, "pubrawtx");
    EXPECT_EQ(list[2].address, "ipc://" + p1); // "unix:" becomes libzmq's ipc://
    EXPECT_EQ(list[2].hwm, 5);
}

} // namespace
