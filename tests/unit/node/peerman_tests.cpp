// PeerManager over real sockets: handshake, headers-first sync from a scripted
// peer, serving headers and blocks, punishment (oversized headers, invalid and
// mutated blocks) with the real block still accepted, compact block reconstruction,
// and two PeerManager nodes syncing from each other.
#include "peerman_fixture.h"

#include <consensus/merkle.h>
#include <kernel/mempool_accept.h>

namespace peerman_test {
namespace {

class PeerManTest : public ::testing::Test
{
protected:
    std::unique_ptr<const common::ChainParams> params{common::ChainParams::RegTest()};
    /// A few hours after regtest genesis: ChainBuilder's blocks count as recent (not IBD).
    int64_t Time() const { return params->GenesisBlock().header.time + 3 * 3600; }

    std::vector<consensus::Block> Build(testutil::ChainBuilder& builder, int n)
    {
        std::vector<consensus::Block> blocks;
        for (int i = 0; i < n; ++i) {
            auto block = builder.BuildBlock();
            EXPECT_TRUE(block) << (block ? "" : block.error().message);
            if (!block) break;
            blocks.push_back(*block);
        }
        return blocks;
    }

    static consensus::MutableTransaction ToMutable(const consensus::Transaction& tx)
    {
        consensus::MutableTransaction m;
        m.version = tx.version;
        m.vin = tx.vin;
        m.vout = tx.vout;
        m.locktime = tx.locktime;
        return m;
    }

    /// getheaders from genesis, as a peer that knows nothing.
    std::vector<uint8_t> GetHeadersFromGenesis()
    {
        net::GetHeadersMessage msg;
        msg.version = 70016;
        msg.locator = {params->GenesisBlock().GetHash()};
        return net::Encode(msg);
    }
};

TEST_F(PeerManTest, HandshakeSendsVersionVerackAndFollowUps)
{
    TestNode node{*params, Time()};
    RawPeer peer{*params};
    ASSERT_TRUE(peer.Connect(node.Address()));
    ASSERT_TRUE(peer.Handshake());
    EXPECT_EQ(peer.their_version.version, node::PROTOCOL_VERSION);
    EXPECT_EQ(peer.their_version.user_agent, "/minibit-test:0.1/");
    EXPECT_EQ(peer.their_version.services, net::NODE_NETWORK | net::NODE_WITNESS);
    EXPECT_NE(peer.their_version.nonce, 0u);
    // After our verack: BIP130 and BIP152 preferences, then a getheaders to start syncing.
    EXPECT_TRUE(peer.WaitFor(net::msgtype::SENDHEADERS));
    auto cmpct = peer.WaitFor(net::msgtype::SENDCMPCT);
    ASSERT_TRUE(cmpct);
    auto decoded = net::DecodeSendCmpct(cmpct->payload);
    ASSERT_TRUE(decoded);
    EXPECT_EQ(decoded->version, 2u);
    EXPECT_FALSE(decoded->high_bandwidth);
    EXPECT_TRUE(peer.WaitFor(net::msgtype::GETHEADERS));
    ASSERT_TRUE(WaitUntil([&] {
        auto stats = node.peerman->GetPeerStats();
        return stats.size() == 1 && stats[0].handshake_complete;
    }));
    const auto stats = node.peerman->GetPeerStats();
    EXPECT_EQ(stats[0].user_agent, "/raw:1.0/");
    EXPECT_EQ(stats[0].version, 70016);
    EXPECT_TRUE(stats[0].wtxid_relay);

    // A ping is answered with the same nonce.
    peer.Send(net::msgtype::PING, net::Encode(net::PingMessage{0xfeedbeef}));
    auto pong = peer.WaitFor(net::msgtype::PONG);
    ASSERT_TRUE(pong);
    auto nonce = net::DecodePing(pong->payload);
    ASSERT_TRUE(nonce);
    EXPECT_EQ(nonce->nonce, 0xfeedbeefu);
}

TEST_F(PeerManTest, PingsMeasureRoundTripAndSilenceDisconnects)
{
    TestNode node{*params, Time()};
    RawPeer peer{*params};
    ASSERT_TRUE(peer.Connect(node.Address()));
    ASSERT_TRUE(peer.Handshake());
    // The first ping goes out right after the handshake.
    auto ping = peer.WaitFor(net::msgtype::PING);
    ASSERT_TRUE(ping);
    auto nonce = net::DecodePing(ping->payload);
    ASSERT_TRUE(nonce);
    EXPECT_NE(nonce->nonce, 0u);
    peer.Send(net::msgtype::PONG, net::Encode(*nonce));
    ASSERT_TRUE(WaitUntil([&] {
        auto stats = node.peerman->GetPeerStats();
        return stats.size() == 1 && stats[0].ping_usec.has_value();
    }));
    auto stats = node.peerman->GetPeerStats();
    EXPECT_TRUE(stats[0].min_ping_usec.has_value());
    EXPECT_FALSE(stats[0].ping_wait_usec.has_value());

    // Two minutes later the next ping; unanswered for 20 minutes, the peer is dropped.
    node.m_time += 2 * 60 + 1;
    ASSERT_TRUE(peer.WaitFor(net::msgtype::PING));
    EXPECT_FALSE(peer.Disconnected());
    node.m_time += 20 * 60 + 1;
    EXPECT_TRUE(peer.WaitDisconnected());
    EXPECT_FALSE(node.Punished());
}

TEST_F(PeerManTest, MessagesBeforeVersionAreIgnored)
{
    TestNode node{*params, Time()};
    RawPeer peer{*params};
    ASSERT_TRUE(peer.Connect(node.Address()));
    peer.Send(net::msgtype::PING, net::Encode(net::PingMessage{1}));
    ASSERT_TRUE(peer.Handshake());
    // The early ping got no pong; the connection stays and the peer is not punished.
    peer.Send(net::msgtype::PING, net::Encode(net::PingMessage{2}));
    auto pong = peer.WaitFor(net::msgtype::PONG);
    ASSERT_TRUE(pong);
    EXPECT_EQ(net::DecodePing(pong->payload)->nonce, 2u);
    EXPECT_FALSE(peer.Has(net::msgtype::PONG));
    EXPECT_FALSE(node.Punished());
}

TEST_F(PeerManTest, ObsoleteVersionIsDisconnected)
{
    TestNode node{*params, Time()};
    RawPeer peer{*params};
    ASSERT_TRUE(peer.Connect(node.Address()));
    net::VersionMessage version;
    version.version = 31799; // one below MIN_PEER_PROTO_VERSION
    version.services = net::NODE_NETWORK | net::NODE_WITNESS;
    version.nonce = 5;
    peer.Send(net::msgtype::VERSION, net::Encode(version));
    EXPECT_TRUE(peer.WaitDisconnected());
    EXPECT_FALSE(node.Punished());
}

TEST_F(PeerManTest, SyncsHeadersAndBlocksFromPeer)
{
    testutil::ChainBuilder builder{*params, 1};
    const auto blocks = Build(builder, 30);
    TestNode node{*params, Time()};
    RawPeer peer{*params};
    ASSERT_TRUE(peer.Connect(node.Address()));
    ASSERT_TRUE(peer.Handshake());
    auto getheaders = peer.WaitFor(net::msgtype::GETHEADERS);
    ASSERT_TRUE(getheaders);
    auto request = net::DecodeGetHeaders(getheaders->payload);
    ASSERT_TRUE(request);
    ASSERT_FALSE(request->locator.empty());
    EXPECT_EQ(request->locator.back(), params->GenesisBlock().GetHash());

    net::HeadersMessage headers;
    for (const auto& b : blocks)
        headers.headers.push_back(b.header);
    peer.Send(net::msgtype::HEADERS, net::Encode(headers));
    const auto want = builder.Tip().hash;
    peer.ServeBlocks(blocks, [&] { return node.TipHash() == want; });
    EXPECT_EQ(node.TipHash(), want);
    EXPECT_EQ(node.Height(), 30);
    EXPECT_FALSE(node.Punished());
    const auto stats = node.peerman->GetPeerStats();
    ASSERT_EQ(stats.size(), 1u);
    EXPECT_EQ(stats[0].synced_headers, 30);
    EXPECT_GT(stats[0].last_block_time, 0);
}

TEST_F(PeerManTest, ServesHeadersBlocksAndNotFound)
{
    testutil::ChainBuilder builder{*params, 2};
    const auto blocks = Build(builder, 10);
    TestNode node{*params, Time()};
    node.Feed(blocks);
    ASSERT_EQ(node.Height(), 10);
    RawPeer peer{*params};
    ASSERT_TRUE(peer.Connect(node.Address()));
    ASSERT_TRUE(peer.Handshake());

    peer.Send(net::msgtype::GETHEADERS, GetHeadersFromGenesis());
    auto reply = peer.WaitFor(net::msgtype::HEADERS);
    ASSERT_TRUE(reply);
    auto headers = net::DecodeHeaders(reply->payload);
    ASSERT_TRUE(headers);
    ASSERT_EQ(headers->headers.size(), 10u);
    for (size_t i = 0; i < 10; ++i)
        EXPECT_EQ(headers->headers[i].GetHash(), blocks[i].GetHash());

    // The stop hash ends the answer early.
    net::GetHeadersMessage stop;
    stop.version = 70016;
    stop.locator = {params->GenesisBlock().GetHash()};
    stop.stop_hash = blocks[3].GetHash();
    peer.Send(net::msgtype::GETHEADERS, net::Encode(stop));
    reply = peer.WaitFor(net::msgtype::HEADERS);
    ASSERT_TRUE(reply);
    headers = net::DecodeHeaders(reply->payload);
    ASSERT_TRUE(headers);
    EXPECT_EQ(headers->headers.size(), 4u);

    net::InvMessage getdata;
    getdata.entries.push_back(
        net::Inv{net::MSG_BLOCK | net::MSG_WITNESS_FLAG, blocks[4].GetHash()});
    consensus::Uint256 unknown;
    unknown.data()[0] = 0x42;
    getdata.entries.push_back(net::Inv{net::MSG_BLOCK | net::MSG_WITNESS_FLAG, unknown});
    peer.Send(net::msgtype::GETDATA, net::Encode(getdata));
    auto block_msg = peer.WaitFor(net::msgtype::BLOCK);
    ASSERT_TRUE(block_msg);
    auto block = net::DecodeBlock(block_msg->payload);
    ASSERT_TRUE(block);
    EXPECT_EQ(block->GetHash(), blocks[4].GetHash());
    auto notfound = peer.WaitFor(net::msgtype::NOTFOUND);
    ASSERT_TRUE(notfound);
    auto missing = net::DecodeInv(notfound->payload);
    ASSERT_TRUE(missing);
    ASSERT_EQ(missing->entries.size(), 1u);
    EXPECT_EQ(missing->entries[0].hash, unknown);

    // getblocks answers with an inv of the hashes after the fork point.
    peer.Send(net::msgtype::GETBLOCKS, GetHeadersFromGenesis());
    auto inv = peer.WaitFor(net::msgtype::INV);
    ASSERT_TRUE(inv);
    auto items = net::DecodeInv(inv->payload);
    ASSERT_TRUE(items);
    ASSERT_EQ(items->entries.size(), 10u);
    EXPECT_EQ(items->entries[9].hash, blocks[9].GetHash());
}

TEST_F(PeerManTest, OversizedHeadersAreDiscouraged)
{
    TestNode node{*params, Time()};
    RawPeer peer{*params};
    ASSERT_TRUE(peer.Connect(node.Address()));
    ASSERT_TRUE(peer.Handshake());
    // 2,001 headers (each 80 bytes plus a zero tx count).
    std::vector<uint8_t> payload{0xfd, 0xd1, 0x07};
    payload.resize(3 + 2001 * 81, 0);
    peer.Send(net::msgtype::HEADERS, payload);
    EXPECT_TRUE(peer.WaitDisconnected());
    EXPECT_TRUE(WaitUntil([&] { return node.Punished(); }));
}

TEST_F(PeerManTest, OversizedGetDataIsDiscouragedButTruncatedIsNot)
{
    TestNode node{*params, Time()};
    {
        RawPeer peer{*params};
        ASSERT_TRUE(peer.Connect(node.Address()));
        ASSERT_TRUE(peer.Handshake());
        // A truncated inv is a decode failure: dropped, nobody punished.
        peer.Send(net::msgtype::INV, {0x02, 0x01, 0x00});
        peer.Send(net::msgtype::PING, net::Encode(net::PingMessage{9}));
        ASSERT_TRUE(peer.WaitFor(net::msgtype::PONG));
        EXPECT_FALSE(node.Punished());
        // 50,001 entries: "getdata message size = 50001".
        std::vector<uint8_t> payload{0xfe, 0x51, 0xc3, 0x00, 0x00};
        payload.resize(5 + 50'001 * 36, 0);
        peer.Send(net::msgtype::GETDATA, payload);
        EXPECT_TRUE(peer.WaitDisconnected());
    }
    EXPECT_TRUE(WaitUntil([&] { return node.Punished(); }));
}

TEST_F(PeerManTest, InvalidBlockIsDiscouraged)
{
    testutil::ChainBuilder builder{*params, 3};
    const auto blocks = Build(builder, 5);
    TestNode node{*params, Time()};
    node.Feed(blocks);
    auto next = builder.BuildBlock();
    ASSERT_TRUE(next);
    consensus::Block bad = *next;
    // The coinbase claims one satoshi more than subsidy plus fees: bad-cb-amount.
    auto coinbase = ToMutable(*bad.vtx[0]);
    coinbase.vout[0].value += 1;
    bad.vtx[0] = consensus::MakeTransactionRef(std::move(coinbase));
    ASSERT_TRUE(testutil::FinalizeBlock(bad, params->GetConsensus()));

    RawPeer peer{*params};
    ASSERT_TRUE(peer.Connect(node.Address()));
    ASSERT_TRUE(peer.Handshake());
    peer.Send(net::msgtype::BLOCK, net::EncodeBlock(bad));
    EXPECT_TRUE(peer.WaitDisconnected());
    EXPECT_TRUE(WaitUntil([&] { return node.Punished(); }));
    EXPECT_EQ(node.Height(), 5);
}

TEST_F(PeerManTest, MutatedBlockIsPunishedAndRealOneIsAccepted)
{
    testutil::ChainBuilder builder{*params, 4};
    const auto blocks = Build(builder, 5);
    TestNode node{*params, Time()};
    node.Feed(blocks);
    auto next = builder.BuildBlock();
    ASSERT_TRUE(next);
    consensus::Block mutated = *next;
    // Same header (same hash, valid work) but a coinbase it does not commit to.
    auto coinbase = ToMutable(*mutated.vtx[0]);
    coinbase.vout[0].value -= 1;
    mutated.vtx[0] = consensus::MakeTransactionRef(std::move(coinbase));
    ASSERT_EQ(mutated.GetHash(), next->GetHash());
    ASSERT_NE(consensus::BlockMerkleRoot(mutated), mutated.header.merkle_root);

    RawPeer peer{*params};
    ASSERT_TRUE(peer.Connect(node.Address()));
    ASSERT_TRUE(peer.Handshake());
    peer.Send(net::msgtype::BLOCK, net::EncodeBlock(mutated));
    // Core v27+: "mutated block" is misbehaviour, caught before validation.
    EXPECT_TRUE(WaitUntil([&] { return peer.Disconnected(); }));
    EXPECT_TRUE(node.Punished());
    EXPECT_EQ(node.Height(), 5);

    // The hash was not marked invalid: the real block from another peer becomes the tip.
    RawPeer honest{*params};
    ASSERT_TRUE(honest.Connect(node.Address()));
    ASSERT_TRUE(honest.Handshake());
    honest.Send(net::msgtype::BLOCK, net::EncodeBlock(*next));
    EXPECT_TRUE(WaitUntil([&] { return node.TipHash() == next->GetHash(); }));
    EXPECT_FALSE(honest.Disconnected());
}

TEST_F(PeerManTest, NonContinuousHeadersAreDiscouraged)
{
    testutil::ChainBuilder builder{*params, 5};
    const auto blocks = Build(builder, 3);
    TestNode node{*params, Time()};
    RawPeer peer{*params};
    ASSERT_TRUE(peer.Connect(node.Address()));
    ASSERT_TRUE(peer.Handshake());
    net::HeadersMessage headers;
    headers.headers = {blocks[0].header, blocks[2].header};
    peer.Send(net::msgtype::HEADERS, net::Encode(headers));
    EXPECT_TRUE(peer.WaitDisconnected());
    EXPECT_TRUE(WaitUntil([&] { return node.Punished(); }));
}

TEST_F(PeerManTest, UnconnectingHeadersAskForMoreWithoutPunishment)
{
    testutil::ChainBuilder builder{*params, 6};
    const auto blocks = Build(builder, 4);
    TestNode node{*params, Time()};
    RawPeer peer{*params};
    ASSERT_TRUE(peer.Connect(node.Address()));
    ASSERT_TRUE(peer.Handshake());
    ASSERT_TRUE(peer.WaitFor(net::msgtype::GETHEADERS)); // the initial one
    net::HeadersMessage headers;
    headers.headers = {blocks[3].header}; // parent unknown to the node
    // An empty headers answer clears the outstanding request first.
    peer.Send(net::msgtype::HEADERS, net::Encode(net::HeadersMessage{}));
    peer.Send(net::msgtype::HEADERS, net::Encode(headers));
    EXPECT_TRUE(peer.WaitFor(net::msgtype::GETHEADERS));
    EXPECT_FALSE(peer.Disconnected());
    EXPECT_FALSE(node.Punished());
}

class CompactBlockTest : public PeerManTest
{
protected:
    /// A node with 110 blocks, a mempool transaction, and the block that confirms it.
    void SetUpChain(TestNode& node, testutil::ChainBuilder& builder, consensus::Block& block,
                    bool put_tx_in_mempool)
    {
        const auto blocks = Build(builder, 110);
        node.Feed(blocks);
        const auto coins = builder.SpendableCoins(111);
        ASSERT_FALSE(coins.empty());
        auto tx =
            builder.CreateSpend(std::span{coins.data(), 1}, 1, testutil::OutputKind::P2WPKH, 1000);
        ASSERT_TRUE(tx);
        if (put_tx_in_mempool) {
            auto result = node.executor.Run([&] {
                return kernel::AcceptToMemoryPool(*node.chainman, *node.mempool, *tx,
                                                  kernel::AcceptOptions{});
            });
            ASSERT_EQ(result.kind, kernel::MempoolAcceptResult::Kind::VALID)
                << result.state.ToString();
        }
        testutil::BlockOptions options;
        options.fees = 1000;
        auto built = builder.BuildBlock({*tx}, options);
        ASSERT_TRUE(built);
        block = *built;
    }
};

TEST_F(CompactBlockTest, ReconstructedFromMempoolWithoutGetBlockTxn)
{
    testutil::ChainBuilder builder{*params, 7};
    TestNode node{*params, Time()};
    consensus::Block block;
    SetUpChain(node, builder, block, true);
    ASSERT_EQ(block.vtx.size(), 2u);
    RawPeer peer{*params};
    ASSERT_TRUE(peer.Connect(node.Address()));
    ASSERT_TRUE(peer.Handshake());
    auto payload = net::Encode(net::MakeCompactBlock(block, 77));
    ASSERT_TRUE(payload);
    peer.Send(net::msgtype::CMPCTBLOCK, *payload);
    ASSERT_TRUE(WaitUntil([&] { return node.TipHash() == block.GetHash(); }));
    EXPECT_FALSE(peer.Has(net::msgtype::GETBLOCKTXN));
    const auto stats = node.peerman->GetPeerStats();
    ASSERT_EQ(stats.size(), 1u);
    EXPECT_EQ(stats[0].compact_blocks_reconstructed, 1u);
    EXPECT_EQ(stats[0].compact_blocks_fetched_missing, 0u);
}

TEST_F(CompactBlockTest, MissingTransactionIsFetchedWithGetBlockTxn)
{
    testutil::ChainBuilder builder{*params, 8};
    TestNode node{*params, Time()};
    consensus::Block block;
    SetUpChain(node, builder, block, false);
    RawPeer peer{*params};
    ASSERT_TRUE(peer.Connect(node.Address()));
    ASSERT_TRUE(peer.Handshake());
    auto payload = net::Encode(net::MakeCompactBlock(block, 78));
    ASSERT_TRUE(payload);
    peer.Send(net::msgtype::CMPCTBLOCK, *payload);
    auto request = peer.WaitFor(net::msgtype::GETBLOCKTXN);
    ASSERT_TRUE(request);
    auto decoded = net::DecodeGetBlockTxn(request->payload);
    ASSERT_TRUE(decoded);
    EXPECT_EQ(decoded->block_hash, block.GetHash());
    ASSERT_EQ(decoded->indexes, std::vector<uint16_t>{1});
    net::BlockTxnMessage reply;
    reply.block_hash = block.GetHash();
    reply.txs = {block.vtx[1]};
    auto reply_payload = net::Encode(reply);
    ASSERT_TRUE(reply_payload);
    peer.Send(net::msgtype::BLOCKTXN, *reply_payload);
    ASSERT_TRUE(WaitUntil([&] { return node.TipHash() == block.GetHash(); }));
    const auto stats = node.peerman->GetPeerStats();
    ASSERT_EQ(stats.size(), 1u);
    EXPECT_EQ(stats[0].compact_blocks_fetched_missing, 1u);
    EXPECT_EQ(stats[0].compact_blocks_reconstructed, 0u);
}

TEST_F(PeerManTest, AnnouncesNewBlocksAsEachPeerAsked)
{
    testutil::ChainBuilder builder{*params, 10};
    const auto blocks = Build(builder, 5);
    TestNode node{*params, Time()};
    node.Feed(blocks);
    RawPeer inv_peer{*params};
    RawPeer headers_peer{*params};
    RawPeer cmpct_peer{*params};
    for (RawPeer* peer : {&inv_peer, &headers_peer, &cmpct_peer}) {
        ASSERT_TRUE(peer->Connect(node.Address()));
        ASSERT_TRUE(peer->Handshake());
    }
    headers_peer.Send(net::msgtype::SENDHEADERS, {});
    cmpct_peer.Send(net::msgtype::SENDCMPCT,
                    net::Encode(net::SendCmpctMessage{.high_bandwidth = true, .version = 2}));
    // Headers and compact blocks are only announced to peers known to have the parent.
    for (RawPeer* peer : {&inv_peer, &headers_peer, &cmpct_peer}) {
        peer->Send(net::msgtype::GETHEADERS, GetHeadersFromGenesis());
        ASSERT_TRUE(peer->WaitFor(net::msgtype::HEADERS));
    }
    auto next = builder.BuildBlock();
    ASSERT_TRUE(next);
    node.Feed({*next});

    auto inv = inv_peer.WaitFor(net::msgtype::INV);
    ASSERT_TRUE(inv);
    auto items = net::DecodeInv(inv->payload);
    ASSERT_TRUE(items);
    ASSERT_EQ(items->entries.size(), 1u);
    EXPECT_EQ(items->entries[0].type, net::MSG_BLOCK);
    EXPECT_EQ(items->entries[0].hash, next->GetHash());

    auto headers = headers_peer.WaitFor(net::msgtype::HEADERS);
    ASSERT_TRUE(headers);
    auto decoded = net::DecodeHeaders(headers->payload);
    ASSERT_TRUE(decoded);
    ASSERT_EQ(decoded->headers.size(), 1u);
    EXPECT_EQ(decoded->headers[0].GetHash(), next->GetHash());
    EXPECT_FALSE(headers_peer.Has(net::msgtype::INV));

    auto cmpct = cmpct_peer.WaitFor(net::msgtype::CMPCTBLOCK);
    ASSERT_TRUE(cmpct);
    auto compact = net::DecodeCompactBlock(cmpct->payload);
    ASSERT_TRUE(compact);
    EXPECT_EQ(compact->header.GetHash(), next->GetHash());
    ASSERT_EQ(compact->prefilled.size(), 1u); // the coinbase
    EXPECT_EQ(compact->prefilled[0].tx->GetHash(), next->vtx[0]->GetHash());
    const auto stats = node.peerman->GetPeerStats();
    EXPECT_EQ(std::count_if(stats.begin(), stats.end(),
                            [](const node::PeerStats& s) { return s.bip152_hb_from; }),
              1);
}

TEST_F(PeerManTest, HeadersAnnouncementFromCompactPeerIsFetchedAsCompactBlock)
{
    testutil::ChainBuilder builder{*params, 13};
    const auto blocks = Build(builder, 5);
    TestNode node{*params, Time()};
    node.Feed(blocks);
    RawPeer peer{*params};
    ASSERT_TRUE(peer.Connect(node.Address()));
    ASSERT_TRUE(peer.Handshake());
    peer.Send(net::msgtype::SENDCMPCT,
              net::Encode(net::SendCmpctMessage{.high_bandwidth = false, .version = 2}));
    auto next = builder.BuildBlock();
    ASSERT_TRUE(next);
    net::HeadersMessage headers;
    headers.headers = {next->header};
    peer.Send(net::msgtype::HEADERS, net::Encode(headers));
    auto getdata = peer.WaitFor(net::msgtype::GETDATA);
    ASSERT_TRUE(getdata);
    auto items = net::DecodeInv(getdata->payload);
    ASSERT_TRUE(items);
    ASSERT_EQ(items->entries.size(), 1u);
    EXPECT_EQ(items->entries[0].type, net::MSG_CMPCT_BLOCK);
    EXPECT_EQ(items->entries[0].hash, next->GetHash());
    auto payload = net::Encode(net::MakeCompactBlock(*next, 5));
    ASSERT_TRUE(payload);
    peer.Send(net::msgtype::CMPCTBLOCK, *payload);
    ASSERT_TRUE(WaitUntil([&] { return node.TipHash() == next->GetHash(); }));
    const auto stats = node.peerman->GetPeerStats();
    ASSERT_EQ(stats.size(), 1u);
    EXPECT_EQ(stats[0].compact_blocks_reconstructed, 1u);
}

TEST_F(PeerManTest, FetchBlockRequestsAKnownHeader)
{
    testutil::ChainBuilder builder{*params, 12};
    const auto blocks = Build(builder, 3);
    TestNode node{*params, Time()};
    RawPeer peer{*params};
    ASSERT_TRUE(peer.Connect(node.Address()));
    ASSERT_TRUE(peer.Handshake());
    consensus::Uint256 unknown;
    unknown.data()[1] = 7;
    auto missing = node.peerman->FetchBlock(1'000'000, unknown);
    ASSERT_FALSE(missing);
    EXPECT_EQ(missing.error().message, "Peer does not exist");
    ASSERT_TRUE(WaitUntil([&] {
        auto stats = node.peerman->GetPeerStats();
        return !stats.empty() && stats[0].handshake_complete;
    }));
    const net::NodeId id = node.peerman->GetPeerStats()[0].id;
    auto no_header = node.peerman->FetchBlock(id, unknown);
    ASSERT_FALSE(no_header);
    EXPECT_EQ(no_header.error().message, "Block header missing");
    // A known header whose block we lack: a getdata for it goes to that peer.
    net::HeadersMessage headers;
    headers.headers = {blocks[0].header};
    peer.Send(net::msgtype::HEADERS, net::Encode(headers));
    ASSERT_TRUE(peer.WaitFor(net::msgtype::GETDATA)); // the node's own download
    auto fetched = node.peerman->FetchBlock(id, blocks[0].GetHash());
    EXPECT_TRUE(fetched) << (fetched ? "" : fetched.error().message);
    auto getdata = peer.WaitFor(net::msgtype::GETDATA);
    ASSERT_TRUE(getdata);
    auto items = net::DecodeInv(getdata->payload);
    ASSERT_TRUE(items);
    ASSERT_EQ(items->entries.size(), 1u);
    EXPECT_EQ(items->entries[0].hash, blocks[0].GetHash());
    EXPECT_EQ(items->entries[0].type, net::MSG_BLOCK | net::MSG_WITNESS_FLAG);
    node.Feed({blocks[0]});
    auto have = node.peerman->FetchBlock(id, blocks[0].GetHash());
    ASSERT_FALSE(have);
    EXPECT_EQ(have.error().message, "Block already downloaded");
}

TEST_F(PeerManTest, TwoNodesSyncAndRelayNewBlocks)
{
    testutil::ChainBuilder builder{*params, 9};
    const auto blocks = Build(builder, 40);
    TestNode a{*params, Time()};
    TestNode b{*params, Time()};
    a.Feed(blocks);
    ASSERT_EQ(a.Height(), 40);
    b.connman->Connect(a.Address(), net::ConnectionType::OUTBOUND_FULL_RELAY);
    ASSERT_TRUE(WaitUntil([&] { return b.TipHash() == a.TipHash(); }));
    EXPECT_EQ(b.Height(), 40);

    // A new block on A is announced to B (headers or compact block) and fetched.
    auto next = builder.BuildBlock();
    ASSERT_TRUE(next);
    a.Feed({*next});
    EXPECT_TRUE(WaitUntil([&] { return b.TipHash() == next->GetHash(); }));
    EXPECT_FALSE(a.Punished());
    EXPECT_FALSE(b.Punished());

    // And the other way round: B mines, A follows.
    auto third = builder.BuildBlock();
    ASSERT_TRUE(third);
    b.Feed({*third});
    EXPECT_TRUE(WaitUntil([&] { return a.TipHash() == third->GetHash(); }));
}

} // namespace
} // namespace peerman_test
