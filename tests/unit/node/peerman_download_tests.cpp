// PeerManager block download across peers: the moving window, Core's staller
// rule (a peer holding the window's first block is dropped and its blocks
// fetched from another peer), and a longer fork fetched from its fork point.
#include "peerman_fixture.h"

namespace peerman_test {
namespace {

TEST(PeerManDownloadTest, StallerIsDisconnectedAndOthersFinishTheSync)
{
    auto params = common::ChainParams::RegTest();
    testutil::ChainBuilder builder{*params, 11};
    // More than the 1,024-block window, so the window can fill up behind the staller.
    std::vector<consensus::Block> blocks;
    for (int i = 0; i < 1100; ++i) {
        auto block = builder.BuildBlock();
        ASSERT_TRUE(block);
        blocks.push_back(*block);
    }
    net::HeadersMessage headers;
    for (const auto& b : blocks)
        headers.headers.push_back(b.header);

    TestNode node{*params, params->GenesisBlock().header.time + 3 * 3600};
    RawPeer staller{*params};
    ASSERT_TRUE(staller.Connect(node.Address()));
    ASSERT_TRUE(staller.Handshake());
    staller.Send(net::msgtype::HEADERS, net::Encode(headers));
    // The node asks the first peer for the first blocks; it never answers.
    auto first = staller.WaitFor(net::msgtype::GETDATA);
    ASSERT_TRUE(first);
    auto asked = net::DecodeInv(first->payload);
    ASSERT_TRUE(asked);
    ASSERT_FALSE(asked->entries.empty());
    EXPECT_EQ(asked->entries[0].hash, blocks[0].GetHash());
    EXPECT_LE(asked->entries.size(), 16u);

    RawPeer helper{*params};
    ASSERT_TRUE(helper.Connect(node.Address()));
    ASSERT_TRUE(helper.Handshake());
    helper.Send(net::msgtype::HEADERS, net::Encode(headers));
    const auto want = blocks.back().GetHash();
    helper.ServeBlocks(
        blocks, [&] { return node.TipHash() == want; }, 90s);
    EXPECT_TRUE(staller.WaitDisconnected(1s));
    EXPECT_EQ(node.TipHash(), want);
    EXPECT_EQ(node.Height(), 1100);
    // Stalling is slowness, not misbehaviour.
    EXPECT_FALSE(node.Punished());
    EXPECT_FALSE(helper.Disconnected());
}

TEST(PeerManDownloadTest, LongerForkIsDownloadedFromTheForkPoint)
{
    auto params = common::ChainParams::RegTest();
    testutil::ChainBuilder builder{*params, 12};
    // Our chain: blocks 1..5. The peer's: 1..2 shared, then 3'..7'.
    std::vector<consensus::Block> ours;
    for (int i = 0; i < 5; ++i) {
        auto block = builder.BuildBlock();
        ASSERT_TRUE(block);
        ours.push_back(*block);
    }
    ASSERT_TRUE(builder.SetTip(ours[1].GetHash()));
    std::vector<consensus::Block> fork;
    for (int i = 0; i < 5; ++i) {
        auto block = builder.BuildBlock();
        ASSERT_TRUE(block);
        fork.push_back(*block);
    }
    ASSERT_EQ(fork[0].header.prev_block, ours[1].GetHash());

    TestNode node{*params, params->GenesisBlock().header.time + 3 * 3600};
    node.Feed(ours);
    ASSERT_EQ(node.TipHash(), ours.back().GetHash());

    RawPeer peer{*params};
    ASSERT_TRUE(peer.Connect(node.Address()));
    ASSERT_TRUE(peer.Handshake());
    net::HeadersMessage headers;
    for (const auto& b : fork)
        headers.headers.push_back(b.header);
    peer.Send(net::msgtype::HEADERS, net::Encode(headers));
    // The fork blocks below our height (3', 4', 5') are needed too, not just 6' and 7'.
    std::vector<consensus::Block> shared_and_fork{ours[0], ours[1]};
    shared_and_fork.insert(shared_and_fork.end(), fork.begin(), fork.end());
    const auto want = fork.back().GetHash();
    peer.ServeBlocks(shared_and_fork, [&] { return node.TipHash() == want; });
    EXPECT_EQ(node.TipHash(), want);
    EXPECT_EQ(node.Height(), 7);
}

} // namespace
} // namespace peerman_test
