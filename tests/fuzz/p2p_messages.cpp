// Every P2P payload decoder of src/net and the frame decoder. The first input
// byte picks the decoder, the rest is its input. Where the format is simple
// enough, an independent reading of the bytes decides what must be accepted;
// whatever decodes must re-encode to the same bytes unless the input used one
// of the few non-canonical forms the decoders tolerate (listed in README.md);
// and no decoder may make a single allocation far larger than its input, so a
// small payload claiming 2^32 entries cannot reserve gigabytes.
#include <consensus/block.h>
#include <consensus/serialize.h>
#include <consensus/transaction.h>
#include <net/blockmessages.h>
#include <net/messages.h>
#include <net/protocol.h>

#include "fuzz_util.h"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <new>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace {

// ---- allocation watch ----------------------------------------------------------------
// The largest single operator-new request while a decoder runs. Replacing the
// global operator new is the one portable way to see it under both drivers.
thread_local bool g_watching = false;
thread_local size_t g_largest = 0;

void* Allocate(size_t n)
{
    if (g_watching && n > g_largest) g_largest = n;
    if (void* p = std::malloc(n == 0 ? 1 : n)) return p;
    throw std::bad_alloc{};
}

} // namespace

void* operator new(size_t n)
{
    return Allocate(n);
}
void* operator new[](size_t n)
{
    return Allocate(n);
}
// Every non-aligned form is replaced, so no pointer from a sanitizer's own
// operator new reaches our delete (ASan reports such pairs as mismatched).
void* operator new(size_t n, const std::nothrow_t&) noexcept
{
    try {
        return Allocate(n);
    } catch (const std::bad_alloc&) {
        return nullptr;
    }
}
void* operator new[](size_t n, const std::nothrow_t&) noexcept
{
    try {
        return Allocate(n);
    } catch (const std::bad_alloc&) {
        return nullptr;
    }
}
void operator delete(void* p, const std::nothrow_t&) noexcept
{
    std::free(p);
}
void operator delete[](void* p, const std::nothrow_t&) noexcept
{
    std::free(p);
}
void operator delete(void* p) noexcept
{
    std::free(p);
}
void operator delete[](void* p) noexcept
{
    std::free(p);
}
void operator delete(void* p, size_t) noexcept
{
    std::free(p);
}
void operator delete[](void* p, size_t) noexcept
{
    std::free(p);
}

namespace {

using consensus::Uint256;

using fuzz::Check;

bool Same(std::span<const uint8_t> a, std::span<const uint8_t> b)
{
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin());
}

// ---- an independent reader for the reference checks ---------------------------------

struct Ref
{
    std::span<const uint8_t> d;
    size_t pos{0};
    bool ok{true};

    size_t Left() const { return d.size() - pos; }
    bool Skip(size_t n)
    {
        if (!ok || Left() < n) return ok = false;
        pos += n;
        return true;
    }
    uint64_t Le(size_t n)
    {
        if (!ok || Left() < n) {
            ok = false;
            return 0;
        }
        uint64_t v = 0;
        for (size_t i = 0; i < n; ++i)
            v |= uint64_t{d[pos + i]} << (8 * i);
        pos += n;
        return v;
    }
    /// CompactSize as Bitcoin defines it; non-canonical forms fail.
    uint64_t Compact()
    {
        const uint64_t first = Le(1);
        if (!ok || first < 253) return first;
        const size_t width = first == 253 ? 2 : first == 254 ? 4 : 8;
        const uint64_t v = Le(width);
        const uint64_t min = width == 2 ? 253 : width == 4 ? 0x10000 : 0x100000000ULL;
        if (ok && v < min) ok = false;
        return v;
    }
    /// A count that must be <= cap and fit `elem` bytes per entry in what is left.
    uint64_t Count(uint64_t cap, uint64_t elem)
    {
        const uint64_t n = Compact();
        if (ok && (n > cap || n * elem > Left())) ok = false;
        return ok ? n : 0;
    }
    bool Done() const { return ok && pos == d.size(); }
};

// ---- per-decoder checks -------------------------------------------------------------

void FuzzEmpty(std::span<const uint8_t> in)
{
    Check(static_cast<bool>(net::DecodeEmpty(in)) == in.empty());
}

void FuzzVersion(std::span<const uint8_t> in)
{
    const auto msg = net::DecodeVersion(in);
    Ref r{in};
    r.Skip(4 + 8 + 8 + 26 + 26 + 8);
    const uint64_t ua_len = r.Count(net::MAX_SUBVERSION_LENGTH, 1);
    r.Skip(ua_len);
    r.Skip(4);
    const bool has_relay = r.ok && r.Left() >= 1;
    if (has_relay) r.Skip(1);
    Check(static_cast<bool>(msg) == r.Done());
    if (!msg) return;
    Check(msg->user_agent.size() == ua_len);
    Check(msg->relay == (!has_relay || in.back() != 0));
    const auto encoded = net::Encode(*msg);
    // Non-canonical: a missing relay flag (written as 1) or a flag byte other than 0/1.
    std::vector<uint8_t> expected{in.begin(), in.end()};
    if (!has_relay)
        expected.push_back(1);
    else if (expected.back() > 1)
        expected.back() = 1;
    Check(Same(encoded, expected));
    const auto again = net::DecodeVersion(encoded);
    Check(again && *again == *msg);
}

void FuzzFixed8(std::span<const uint8_t> in)
{
    const auto ping = net::DecodePing(in);
    const auto fee = net::DecodeFeeFilter(in);
    Check(static_cast<bool>(ping) == (in.size() == 8));
    Check(static_cast<bool>(fee) == (in.size() == 8));
    if (!ping) return;
    Ref r{in};
    const uint64_t v = r.Le(8);
    Check(ping->nonce == v && static_cast<uint64_t>(fee->fee_rate) == v);
    Check(Same(net::Encode(*ping), in) && Same(net::Encode(*fee), in));
}

void FuzzSendCmpct(std::span<const uint8_t> in)
{
    const auto msg = net::DecodeSendCmpct(in);
    Check(static_cast<bool>(msg) == (in.size() == 9));
    if (!msg) return;
    Check(msg->high_bandwidth == (in[0] != 0));
    Ref r{in.subspan(1)};
    Check(msg->version == r.Le(8));
    // Non-canonical: a flag byte other than 0/1 (Core reads any non-zero as true).
    std::vector<uint8_t> expected{in.begin(), in.end()};
    if (expected[0] > 1) expected[0] = 1;
    Check(Same(net::Encode(*msg), expected));
}

void FuzzInv(std::span<const uint8_t> in)
{
    const auto msg = net::DecodeInv(in);
    Ref r{in};
    const uint64_t n = r.Count(net::MAX_INV_SZ, 36);
    r.Skip(n * 36);
    Check(static_cast<bool>(msg) == r.Done());
    if (!msg) return;
    Check(msg->entries.size() == n);
    Check(Same(net::Encode(*msg), in));
}

void FuzzGetHeaders(std::span<const uint8_t> in)
{
    const auto msg = net::DecodeGetHeaders(in);
    Ref r{in};
    r.Skip(4);
    const uint64_t n = r.Count(net::MAX_LOCATOR_SZ, 32);
    r.Skip(n * 32 + 32);
    Check(static_cast<bool>(msg) == r.Done());
    if (!msg) return;
    Check(msg->locator.size() == n);
    Check(Same(net::Encode(*msg), in));
}

void FuzzHeaders(std::span<const uint8_t> in)
{
    const auto msg = net::DecodeHeaders(in);
    Ref r{in};
    const uint64_t n = r.Count(net::MAX_HEADERS_RESULTS, 81);
    bool zero_counts = true;
    for (uint64_t i = 0; i < n && r.ok; ++i) {
        r.Skip(80);
        const uint64_t txs = r.Compact();
        if (r.ok && txs > consensus::MAX_SIZE) r.ok = false;
        zero_counts = zero_counts && txs == 0;
    }
    Check(static_cast<bool>(msg) == r.Done());
    if (!msg) return;
    Check(msg->headers.size() == n);
    const auto encoded = net::Encode(*msg);
    // Non-canonical: a non-zero transaction count after a header (read and ignored).
    Check(Same(encoded, in) == zero_counts);
    const auto again = net::DecodeHeaders(encoded);
    Check(again && *again == *msg);
}

void FuzzAddr(std::span<const uint8_t> in)
{
    const auto msg = net::DecodeAddr(in);
    Ref r{in};
    const uint64_t n = r.Count(net::MAX_ADDR_TO_SEND, 30);
    r.Skip(n * 30);
    Check(static_cast<bool>(msg) == r.Done());
    if (!msg) return;
    Check(msg->entries.size() == n);
    for (const auto& e : msg->entries)
        Check(e.addr.size() == net::AddressLength(e.net) &&
              (e.net == net::Network::IPV4 || e.net == net::Network::IPV6));
    Check(Same(net::EncodeAddr(*msg), in));
}

void FuzzAddrV2(std::span<const uint8_t> in)
{
    const auto msg = net::DecodeAddrV2(in);
    Ref r{in};
    const uint64_t n = r.Count(net::MAX_ADDR_TO_SEND, 9);
    size_t kept = 0;
    for (uint64_t i = 0; i < n && r.ok; ++i) {
        r.Skip(4);
        (void)r.Compact(); // services: any canonical value
        const uint64_t net_id = r.Le(1);
        const uint64_t len = r.Compact();
        if (r.ok && len > net::MAX_ADDRV2_SIZE) r.ok = false;
        r.Skip(len);
        r.Skip(2);
        if (!r.ok) break;
        size_t want = 0;
        if (net_id == 1)
            want = 4;
        else if (net_id == 2 || net_id == 6)
            want = 16;
        else if (net_id == 4 || net_id == 5)
            want = 32;
        if (want == 0) continue;
        if (len != want) r.ok = false;
        ++kept;
    }
    Check(static_cast<bool>(msg) == r.Done());
    if (!msg) return;
    Check(msg->entries.size() == kept);
    const auto encoded = net::EncodeAddrV2(*msg);
    // Non-canonical: entries on networks we do not know are dropped.
    Check(Same(encoded, in) == (kept == n));
    const auto again = net::DecodeAddrV2(encoded);
    Check(again && *again == *msg);
}

void FuzzBlock(std::span<const uint8_t> in)
{
    const auto block = net::DecodeBlock(in);
    Check(static_cast<bool>(block) == static_cast<bool>(consensus::Decode<consensus::Block>(in)));
    if (!block) return;
    Check(Same(net::EncodeBlock(*block), in));
}

void FuzzTx(std::span<const uint8_t> in)
{
    const auto tx = net::DecodeTx(in);
    if (!tx) return;
    Check(*tx != nullptr);
    Check(Same(net::EncodeTx(**tx), in));
}

bool Increasing(const std::vector<uint16_t>& v)
{
    return std::adjacent_find(v.begin(), v.end(), [](uint16_t a, uint16_t b) { return a >= b; }) ==
           v.end();
}

void FuzzCompactBlock(std::span<const uint8_t> in)
{
    const auto msg = net::DecodeCompactBlock(in);
    if (!msg) return;
    Check(msg->short_ids.size() + msg->prefilled.size() <= net::MAX_COMPACT_BLOCK_TXS);
    std::vector<uint16_t> indexes;
    for (const auto& p : msg->prefilled) {
        Check(p.tx != nullptr);
        indexes.push_back(p.index);
    }
    Check(Increasing(indexes));
    for (uint64_t id : msg->short_ids)
        Check(id <= net::MAX_SHORT_TXID);
    const auto encoded = net::Encode(*msg);
    Check(encoded && Same(*encoded, in));
}

void FuzzGetBlockTxn(std::span<const uint8_t> in)
{
    const auto msg = net::DecodeGetBlockTxn(in);
    Ref r{in};
    r.Skip(32);
    const uint64_t n = r.Count(uint64_t{net::MAX_BLOCK_TX_INDEX} + 1, 1);
    uint64_t next = 0;
    for (uint64_t i = 0; i < n && r.ok; ++i) {
        const uint64_t delta = r.Compact();
        if (r.ok && (next > net::MAX_BLOCK_TX_INDEX || delta > net::MAX_BLOCK_TX_INDEX - next))
            r.ok = false;
        next += delta + 1;
    }
    Check(static_cast<bool>(msg) == r.Done());
    if (!msg) return;
    Check(msg->indexes.size() == n && Increasing(msg->indexes));
    const auto encoded = net::Encode(*msg);
    Check(encoded && Same(*encoded, in));
}

void FuzzBlockTxn(std::span<const uint8_t> in)
{
    const auto msg = net::DecodeBlockTxn(in);
    if (!msg) return;
    Check(msg->txs.size() <= size_t{net::MAX_BLOCK_TX_INDEX} + 1);
    for (const auto& tx : msg->txs)
        Check(tx != nullptr);
    const auto encoded = net::Encode(*msg);
    Check(encoded && Same(*encoded, in));
}

// ---- framing ------------------------------------------------------------------------

const net::Magic MAGIC{0xf9, 0xbe, 0xb4, 0xd9};

/// What a stream of frames yields, in order.
struct Event
{
    enum Kind
    {
        MESSAGE,
        REJECTED,
        FATAL
    } kind;
    net::FrameError error{net::FrameError::BAD_CHECKSUM};
    std::string command;
    std::vector<uint8_t> payload;
    size_t raw_size{0};
    friend bool operator==(const Event&, const Event&) = default;
};

Event Fatal(net::FrameError error)
{
    return Event{Event::FATAL, error, {}, {}, 0};
}

/// The frame format read independently of FrameDecoder.
std::vector<Event> ReferenceFrames(std::span<const uint8_t> s, uint32_t max_len)
{
    std::vector<Event> out;
    size_t pos = 0;
    while (s.size() - pos >= net::MESSAGE_HEADER_SIZE) {
        const uint8_t* h = s.data() + pos;
        if (!std::equal(MAGIC.begin(), MAGIC.end(), h)) {
            out.push_back(Fatal(net::FrameError::WRONG_MAGIC));
            return out;
        }
        const uint32_t len =
            uint32_t{h[16]} | uint32_t{h[17]} << 8 | uint32_t{h[18]} << 16 | uint32_t{h[19]} << 24;
        if (len > max_len) {
            out.push_back(Fatal(net::FrameError::OVERSIZED));
            return out;
        }
        if (s.size() - pos - net::MESSAGE_HEADER_SIZE < len) return out;
        size_t cmd_len = 0;
        while (cmd_len < 12 && h[4 + cmd_len] != 0)
            ++cmd_len;
        bool cmd_ok = cmd_len > 0;
        for (size_t i = 0; i < 12; ++i) {
            const uint8_t c = h[4 + i];
            if (i < cmd_len ? (c < 0x20 || c > 0x7e) : c != 0) cmd_ok = false;
        }
        const auto payload = s.subspan(pos + net::MESSAGE_HEADER_SIZE, len);
        const size_t raw = net::MESSAGE_HEADER_SIZE + len;
        const std::string command(reinterpret_cast<const char*>(h + 4), cmd_len);
        if (!cmd_ok) {
            out.push_back({Event::REJECTED, net::FrameError::BAD_COMMAND, "", {}, raw});
        } else if (!std::equal(h + 20, h + 24, net::Checksum(payload).begin())) {
            out.push_back({Event::REJECTED, net::FrameError::BAD_CHECKSUM, command, {}, raw});
        } else {
            out.push_back({Event::MESSAGE,
                           net::FrameError::BAD_CHECKSUM,
                           command,
                           {payload.begin(), payload.end()},
                           0});
        }
        pos += raw;
    }
    return out;
}

/// Feeds `s` to a FrameDecoder in chunks whose sizes come from `chunks`.
std::vector<Event> DecodeFrames(std::span<const uint8_t> s, std::span<const uint8_t> chunks,
                                uint32_t max_len)
{
    net::FrameDecoder decoder{MAGIC, max_len};
    std::vector<Event> out;
    size_t pos = 0, next_chunk = 0;
    // Each Read consumes at least one byte or completes/fails, so this terminates;
    // the bound catches a decoder that stalls.
    for (size_t rounds = 0; rounds < 4 * s.size() + 16; ++rounds) {
        if (decoder.Error()) {
            out.push_back(Fatal(*decoder.Error()));
            Check(decoder.Read(s.subspan(pos)) == 0);
            return out;
        }
        if (decoder.Complete()) {
            auto msg = decoder.TakeMessage();
            Check(!decoder.Complete());
            out.push_back({Event::MESSAGE, net::FrameError::BAD_CHECKSUM, std::move(msg.command),
                           std::move(msg.payload), 0});
            continue;
        }
        if (pos == s.size()) return out;
        size_t want = s.size() - pos;
        if (!chunks.empty()) {
            want = std::min<size_t>(want, 1 + chunks[next_chunk++ % chunks.size()]);
        }
        const size_t used = decoder.Read(s.subspan(pos, want));
        Check(used <= want);
        pos += used;
        if (auto rejected = decoder.TakeRejected()) {
            Check(!decoder.Rejected());
            out.push_back(
                {Event::REJECTED, rejected->error, rejected->command, {}, rejected->raw_size});
        } else if (used == 0) {
            Check(decoder.Complete() || decoder.Error());
        }
    }
    std::abort(); // the decoder stopped making progress
}

void FuzzFraming(std::span<const uint8_t> in)
{
    if (in.size() < 3) return;
    // A small limit now and then reaches the oversize path cheaply.
    const uint32_t max_len = in[0] < 32 ? in[0] * 8u : net::MAX_PROTOCOL_MESSAGE_LENGTH;
    const size_t n_chunks = in[1] % 8;
    if (in.size() < 2 + n_chunks) return;
    const auto chunks = in.subspan(2, n_chunks);
    const auto stream = in.subspan(2 + n_chunks);
    const auto expected = ReferenceFrames(stream, max_len);
    Check(DecodeFrames(stream, {}, max_len) == expected);
    Check(DecodeFrames(stream, chunks, max_len) == expected);
    // Every accepted frame is reproduced exactly by EncodeMessage.
    size_t pos = 0;
    for (const auto& e : expected) {
        if (e.kind == Event::FATAL) break;
        if (e.kind == Event::REJECTED) {
            pos += e.raw_size;
            continue;
        }
        const auto framed = net::EncodeMessage(MAGIC, e.command, e.payload);
        Check(framed && Same(*framed, stream.subspan(pos, framed->size())));
        pos += framed->size();
    }
}

/// The command field on its own, and EncodeMessage's refusal of bad commands.
void FuzzCommand(std::span<const uint8_t> in)
{
    if (in.size() < net::COMMAND_SIZE) return;
    const auto cmd = net::ParseCommand(in.first<net::COMMAND_SIZE>());
    if (cmd) {
        Check(net::IsValidCommand(*cmd));
        const auto framed = net::EncodeMessage(MAGIC, *cmd, in.subspan(net::COMMAND_SIZE));
        Check(framed &&
              Same(std::span(*framed).subspan(4, net::COMMAND_SIZE), in.first(net::COMMAND_SIZE)));
    }
    const std::string text(reinterpret_cast<const char*>(in.data()), net::COMMAND_SIZE);
    Check(static_cast<bool>(net::EncodeMessage(MAGIC, text, {})) == net::IsValidCommand(text));
}

using Target = void (*)(std::span<const uint8_t>);
constexpr Target TARGETS[] = {
    FuzzEmpty,        // 0  verack, sendheaders, wtxidrelay, sendaddrv2, getaddr
    FuzzVersion,      // 1  version
    FuzzFixed8,       // 2  ping, pong, feefilter
    FuzzSendCmpct,    // 3  sendcmpct
    FuzzInv,          // 4  inv, getdata, notfound
    FuzzGetHeaders,   // 5  getheaders, getblocks
    FuzzHeaders,      // 6  headers
    FuzzAddr,         // 7  addr
    FuzzAddrV2,       // 8  addrv2
    FuzzBlock,        // 9  block
    FuzzTx,           // 10 tx
    FuzzCompactBlock, // 11 cmpctblock
    FuzzGetBlockTxn,  // 12 getblocktxn
    FuzzBlockTxn,     // 13 blocktxn
    FuzzFraming,      // 14 frame header, checksum, stream reassembly
    FuzzCommand,      // 15 command field
};
constexpr size_t N_TARGETS = sizeof(TARGETS) / sizeof(TARGETS[0]);

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    if (size == 0) return 0;
    const std::span<const uint8_t> in{data + 1, size - 1};
    g_largest = 0;
    g_watching = true;
    TARGETS[data[0] % N_TARGETS](in);
    g_watching = false;
    // The biggest per-wire-byte growth is a vector header (24 bytes) per
    // one-byte witness item, so 32 bytes per input byte is generous; anything
    // beyond that plus slack means a count was trusted before its data.
    Check(g_largest <= 32 * size + 64 * 1024);
    return 0;
}
