// Framing: header layout, command rules, and the streaming FrameDecoder.
#include <net/protocol.h>

#include <common/chainparams.h>

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

namespace {

std::vector<uint8_t> FromHex(const std::string& hex)
{
    std::vector<uint8_t> out;
    for (size_t i = 0; i + 1 < hex.size(); i += 2)
        out.push_back(static_cast<uint8_t>(std::stoi(hex.substr(i, 2), nullptr, 16)));
    return out;
}

const net::Magic MAINNET{0xf9, 0xbe, 0xb4, 0xd9};
const net::Magic REGTEST{0xfa, 0xbf, 0xb5, 0xda};

// Feeds `stream` in the chunk sizes `next_chunk` picks; collects messages until an error.
template <class F>
std::vector<net::Message> FeedAll(net::FrameDecoder& dec, std::span<const uint8_t> stream,
                                  F next_chunk)
{
    std::vector<net::Message> out;
    size_t pos = 0;
    while (pos < stream.size() && !dec.Error()) {
        auto chunk = stream.subspan(pos, std::min(next_chunk(), stream.size() - pos));
        while (!chunk.empty() && !dec.Error()) {
            const size_t n = dec.Read(chunk);
            chunk = chunk.subspan(n);
            pos += n;
            if (dec.Complete())
                out.push_back(dec.TakeMessage());
            else if (n == 0)
                break;
        }
    }
    return out;
}

TEST(NetProtocol, ChainParamsMagicMatchesKnownBytes)
{
    EXPECT_EQ(common::ChainParams::Main()->GetMessageStart(), MAINNET);
    EXPECT_EQ(common::ChainParams::RegTest()->GetMessageStart(), REGTEST);
}

TEST(NetProtocol, VerackFrameKnownBytes)
{
    // Mainnet verack: empty payload, checksum 5df6e0e2 = SHA256d("")[0:4].
    auto frame = net::EncodeMessage(MAINNET, "verack", {});
    ASSERT_TRUE(frame);
    EXPECT_EQ(*frame, FromHex("f9beb4d976657261636b000000000000000000005df6e0e2"));
}

TEST(NetProtocol, EncodeRejectsBadCommandAndOversize)
{
    EXPECT_FALSE(net::EncodeMessage(MAINNET, "", {}));
    EXPECT_FALSE(net::EncodeMessage(MAINNET, "thirteenchars", {}));
    EXPECT_FALSE(net::EncodeMessage(MAINNET, std::string("ver\0ack", 7), {}));
    EXPECT_TRUE(net::EncodeMessage(MAINNET, "twelve_chars", {}));
    std::vector<uint8_t> big(net::MAX_PROTOCOL_MESSAGE_LENGTH + 1);
    auto over = net::EncodeMessage(MAINNET, "block", big);
    ASSERT_FALSE(over);
    EXPECT_NE(over.error().message.find("4000000"), std::string::npos);
    big.pop_back();
    EXPECT_TRUE(net::EncodeMessage(MAINNET, "block", big));
}

TEST(NetProtocol, CommandValidity)
{
    auto parse = [](const std::string& s) {
        std::array<uint8_t, 12> f{};
        std::copy(s.begin(), s.end(), f.begin());
        return net::ParseCommand(f);
    };
    EXPECT_EQ(parse("version"), "version");
    EXPECT_EQ(parse("twelve_chars"), "twelve_chars");
    EXPECT_FALSE(parse(""));                                   // all padding
    EXPECT_FALSE(parse(std::string("ver\0ack", 7)));           // data after padding
    EXPECT_FALSE(parse(std::string("verack\0\0\0\0\0x", 12))); // junk in the last byte
    EXPECT_FALSE(parse("ver\x01"
                       "ack"));     // control character
    EXPECT_FALSE(parse("ver\x7f")); // DEL
    EXPECT_FALSE(parse("ver\x80")); // non-ASCII
    EXPECT_TRUE(parse("a b~"));     // space and tilde are printable
}

std::vector<uint8_t> Frame(const net::Magic& magic, const std::string& cmd,
                           const std::vector<uint8_t>& payload)
{
    auto f = net::EncodeMessage(magic, cmd, payload);
    EXPECT_TRUE(f);
    return *f;
}

std::vector<uint8_t> ThreeFrames()
{
    std::vector<uint8_t> stream;
    for (const auto& f :
         {Frame(REGTEST, "verack", {}), Frame(REGTEST, "ping", {1, 2, 3, 4, 5, 6, 7, 8}),
          Frame(REGTEST, "tx", std::vector<uint8_t>(1000, 0xab))})
        stream.insert(stream.end(), f.begin(), f.end());
    return stream;
}

void ExpectThreeFrames(const std::vector<net::Message>& msgs)
{
    ASSERT_EQ(msgs.size(), 3u);
    EXPECT_EQ(msgs[0].command, "verack");
    EXPECT_TRUE(msgs[0].payload.empty());
    EXPECT_EQ(msgs[1].command, "ping");
    EXPECT_EQ(msgs[1].payload, (std::vector<uint8_t>{1, 2, 3, 4, 5, 6, 7, 8}));
    EXPECT_EQ(msgs[2].command, "tx");
    EXPECT_EQ(msgs[2].payload, std::vector<uint8_t>(1000, 0xab));
}

TEST(NetFrameDecoder, OneByteAtATime)
{
    const auto stream = ThreeFrames();
    net::FrameDecoder dec{REGTEST};
    auto msgs = FeedAll(dec, stream, [] { return size_t{1}; });
    EXPECT_FALSE(dec.Error());
    ExpectThreeFrames(msgs);
}

TEST(NetFrameDecoder, RandomChunks)
{
    const auto stream = ThreeFrames();
    std::mt19937 rng{12345};
    for (int round = 0; round < 200; ++round) {
        std::uniform_int_distribution<size_t> dist(1, round % 2 ? 40 : stream.size());
        net::FrameDecoder dec{REGTEST};
        auto msgs = FeedAll(dec, stream, [&] { return dist(rng); });
        EXPECT_FALSE(dec.Error());
        ExpectThreeFrames(msgs);
    }
}

TEST(NetFrameDecoder, StopsAtMessageBoundary)
{
    const auto stream = ThreeFrames();
    net::FrameDecoder dec{REGTEST};
    EXPECT_EQ(dec.Read(stream), 24u); // the verack, nothing more
    ASSERT_TRUE(dec.Complete());
    EXPECT_EQ(dec.Read(std::span(stream).subspan(24)), 0u); // waits for TakeMessage
    EXPECT_EQ(dec.TakeMessage().command, "verack");
    EXPECT_EQ(dec.Read(std::span(stream).subspan(24)), 32u);
    EXPECT_TRUE(dec.Complete());
}

TEST(NetFrameDecoder, HeaderAloneAllocatesNothing)
{
    // Declares the maximum length but sends no payload: the decoder must wait
    // without having buffered anything beyond the header.
    auto f = Frame(REGTEST, "block", {});
    f[16] = 0x00;
    f[17] = 0x09;
    f[18] = 0x3d;
    f[19] = 0x00; // 4,000,000
    net::FrameDecoder dec{REGTEST};
    EXPECT_EQ(dec.Read(f), 24u);
    EXPECT_FALSE(dec.Error());
    EXPECT_FALSE(dec.Complete());
    ASSERT_TRUE(dec.Header());
    EXPECT_EQ(dec.Header()->length, 4'000'000u);
}

net::FrameError FeedError(std::vector<uint8_t> frame)
{
    net::FrameDecoder dec{REGTEST};
    auto msgs = FeedAll(dec, frame, [] { return size_t{7}; });
    EXPECT_TRUE(msgs.empty());
    EXPECT_TRUE(dec.Error());
    return dec.Error().value_or(net::FrameError::WRONG_MAGIC);
}

TEST(NetFrameDecoder, WrongMagic)
{
    EXPECT_EQ(FeedError(Frame(MAINNET, "verack", {})), net::FrameError::WRONG_MAGIC);
}

// Feeds `stream` `chunk` bytes at a time, collecting messages and rejected frames in order.
struct Fed
{
    std::vector<std::string> events; // "msg:<command>" or "rej:<error>:<command>:<size>"
    std::vector<net::Message> msgs;
};

Fed FeedCollect(net::FrameDecoder& dec, std::span<const uint8_t> stream, size_t chunk)
{
    Fed out;
    size_t pos = 0;
    while (pos < stream.size() && !dec.Error()) {
        const size_t n = dec.Read(stream.subspan(pos, std::min(chunk, stream.size() - pos)));
        pos += n;
        if (dec.Complete()) {
            out.msgs.push_back(dec.TakeMessage());
            out.events.push_back("msg:" + out.msgs.back().command);
        } else if (dec.Rejected()) {
            const auto rej = dec.TakeRejected();
            EXPECT_FALSE(dec.Rejected());
            out.events.push_back("rej:" + std::string(net::FrameErrorString(rej->error)) + ":" +
                                 rej->command + ":" + std::to_string(rej->raw_size));
        } else if (n == 0) {
            break;
        }
    }
    return out;
}

std::vector<uint8_t> Concat(std::initializer_list<std::vector<uint8_t>> parts)
{
    std::vector<uint8_t> out;
    for (const auto& p : parts)
        out.insert(out.end(), p.begin(), p.end());
    return out;
}

TEST(NetFrameDecoder, BadCommandIsDroppedAndStreamContinues)
{
    auto junk_after_nul = Frame(REGTEST, "verack", {});
    junk_after_nul[4 + 7] = 'x'; // byte after the NUL padding starts
    auto control_char = Frame(REGTEST, "ping", {9, 9, 9});
    control_char[4] = 0x07;
    const auto good = Frame(REGTEST, "pong", {1, 2, 3, 4, 5, 6, 7, 8});
    const auto stream = Concat({junk_after_nul, control_char, good});
    for (size_t chunk : {size_t{1}, size_t{7}, stream.size()}) {
        net::FrameDecoder dec{REGTEST};
        const auto fed = FeedCollect(dec, stream, chunk);
        EXPECT_FALSE(dec.Error());
        // 24 + 0 and 24 + 3 bytes; the command of a malformed frame is not reported.
        EXPECT_EQ(fed.events, (std::vector<std::string>{"rej:malformed command::24",
                                                        "rej:malformed command::27", "msg:pong"}));
        ASSERT_EQ(fed.msgs.size(), 1u);
        EXPECT_EQ(fed.msgs[0].payload, (std::vector<uint8_t>{1, 2, 3, 4, 5, 6, 7, 8}));
    }
}

TEST(NetFrameDecoder, BadCommandPayloadIsNotBuffered)
{
    // A malformed command declaring the maximum length is skipped byte by byte;
    // the decoder reports nothing until the declared payload has gone by.
    auto f = Frame(REGTEST, "block", {});
    f[4] = 0x01;
    f[16] = 0x00;
    f[17] = 0x09;
    f[18] = 0x3d;
    f[19] = 0x00; // 4,000,000
    net::FrameDecoder dec{REGTEST};
    EXPECT_EQ(dec.Read(f), 24u);
    std::vector<uint8_t> body(net::MAX_PROTOCOL_MESSAGE_LENGTH - 1, 0);
    EXPECT_EQ(dec.Read(body), body.size());
    EXPECT_FALSE(dec.Rejected());
    EXPECT_FALSE(dec.Complete());
    const std::vector<uint8_t> last{0};
    EXPECT_EQ(dec.Read(last), 1u);
    ASSERT_TRUE(dec.Rejected());
    EXPECT_EQ(dec.Rejected()->error, net::FrameError::BAD_COMMAND);
    EXPECT_EQ(dec.Rejected()->raw_size, 24u + 4'000'000u);
    EXPECT_FALSE(dec.Error());
}

TEST(NetFrameDecoder, LengthAtLimitAcceptedOneOverRejected)
{
    std::vector<uint8_t> payload(net::MAX_PROTOCOL_MESSAGE_LENGTH, 0x5a);
    auto f = Frame(REGTEST, "block", payload);
    net::FrameDecoder dec{REGTEST};
    EXPECT_EQ(dec.Read(f), f.size());
    ASSERT_TRUE(dec.Complete());
    EXPECT_EQ(dec.TakeMessage().payload.size(), net::MAX_PROTOCOL_MESSAGE_LENGTH);

    auto over = Frame(REGTEST, "block", {});
    over[16] = 0x01;
    over[17] = 0x09;
    over[18] = 0x3d;
    over[19] = 0x00; // 4,000,001
    EXPECT_EQ(FeedError(over), net::FrameError::OVERSIZED);
}

TEST(NetFrameDecoder, BadChecksumIsDroppedAndStreamContinues)
{
    auto bad_payload = Frame(REGTEST, "ping", {1, 2, 3, 4, 5, 6, 7, 8});
    bad_payload.back() ^= 1;
    auto bad_sum = Frame(REGTEST, "verack", {});
    bad_sum[20] ^= 0x80;
    const auto good = Frame(REGTEST, "tx", std::vector<uint8_t>(100, 0xab));
    const auto stream = Concat({bad_payload, bad_sum, good, bad_payload});
    for (size_t chunk : {size_t{1}, size_t{5}, stream.size()}) {
        net::FrameDecoder dec{REGTEST};
        const auto fed = FeedCollect(dec, stream, chunk);
        EXPECT_FALSE(dec.Error());
        EXPECT_EQ(fed.events,
                  (std::vector<std::string>{"rej:payload checksum mismatch:ping:32",
                                            "rej:payload checksum mismatch:verack:24", "msg:tx",
                                            "rej:payload checksum mismatch:ping:32"}));
        ASSERT_EQ(fed.msgs.size(), 1u);
        EXPECT_EQ(fed.msgs[0].payload, std::vector<uint8_t>(100, 0xab));
    }
}

TEST(NetFrameDecoder, UntakenRejectionIsClearedByNextRead)
{
    auto bad = Frame(REGTEST, "ping", {1, 2, 3, 4, 5, 6, 7, 8});
    bad.back() ^= 1;
    const auto good = Frame(REGTEST, "verack", {});
    const auto stream = Concat({bad, good});
    net::FrameDecoder dec{REGTEST};
    EXPECT_EQ(dec.Read(stream), bad.size()); // stops at the rejected frame's end
    EXPECT_TRUE(dec.Rejected());
    EXPECT_FALSE(dec.Complete());
    EXPECT_EQ(dec.Read(std::span(stream).subspan(bad.size())), good.size());
    EXPECT_FALSE(dec.Rejected());
    ASSERT_TRUE(dec.Complete());
    EXPECT_EQ(dec.TakeMessage().command, "verack");
}

TEST(NetFrameDecoder, ErrorIsSticky)
{
    auto bad = Frame(MAINNET, "verack", {});
    auto good = Frame(REGTEST, "verack", {});
    net::FrameDecoder dec{REGTEST};
    dec.Read(bad);
    ASSERT_EQ(dec.Error(), net::FrameError::WRONG_MAGIC);
    EXPECT_EQ(dec.Read(good), 0u);
    EXPECT_FALSE(dec.Complete());
    EXPECT_EQ(net::FrameErrorString(net::FrameError::BAD_CHECKSUM), "payload checksum mismatch");
}

} // namespace
