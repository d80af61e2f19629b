// Every decoder gets a truncation test (DESIGN.md §7): each strict prefix of a
// valid encoding fails cleanly, the full encoding succeeds, one extra byte is
// rejected as trailing data, and absurd length prefixes fail before anything
// large is allocated.
#include <consensus/block.h>
#include <consensus/serialize.h>
#include <consensus/transaction.h>
#include <util/strings.h>

#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <new>
#include <string>
#include <vector>

using namespace consensus;

// ---- allocation probe -------------------------------------------------------
//
// To prove that oversized length prefixes are rejected *before* allocating, the
// test binary's global operator new records the largest request made while a
// probe is armed on the current thread. It forwards to malloc and free.

namespace {
thread_local bool g_probe_armed = false;
thread_local size_t g_probe_largest = 0;
} // namespace

void* operator new(size_t size)
{
    if (g_probe_armed && size > g_probe_largest) g_probe_largest = size;
    if (void* p = std::malloc(size == 0 ? 1 : size)) return p;
    throw std::bad_alloc{};
}
// Releasing with free pairs with the malloc above; sanitizers that track the
// allocation family (ASan's alloc-dealloc-mismatch) need both sides replaced.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
#endif
void operator delete(void* p) noexcept
{
    std::free(p);
}
void operator delete(void* p, size_t) noexcept
{
    std::free(p);
}
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif

namespace {

// Runs f and returns the largest single allocation it made.
template <class F>
size_t LargestAllocation(F&& f)
{
    g_probe_largest = 0;
    g_probe_armed = true;
    f();
    g_probe_armed = false;
    return g_probe_largest;
}

const std::string BLOCKS_DIR = std::string{MINIBIT_TEST_DATA_DIR} + "/blocks/";
constexpr char SEGWIT_BLOCK[] =
    "mainnet-0000000000000000001602407ac49862a7bca9d00f7f402db20b7be2f5de59d2.blk";

std::vector<uint8_t> ReadFileBytes(const std::string& path)
{
    std::ifstream f{path, std::ios::binary};
    return {std::istreambuf_iterator<char>{f}, std::istreambuf_iterator<char>{}};
}

const Block& RealSegwitBlock()
{
    static const Block block = [] {
        auto b = Decode<Block>(ReadFileBytes(BLOCKS_DIR + SEGWIT_BLOCK));
        return b ? std::move(*b) : Block{};
    }();
    return block;
}

// Decodes with `decode` (returning something testable as bool with error())
// every strict prefix, the whole input and the input plus one byte.
template <class DecodeFn>
void CheckPrefixes(const std::vector<uint8_t>& bytes, DecodeFn decode, const std::string& what)
{
    SCOPED_TRACE(what + " (" + std::to_string(bytes.size()) + " bytes)");
    ASSERT_FALSE(bytes.empty());
    for (size_t len = 0; len < bytes.size(); ++len) {
        auto r = decode(std::span<const uint8_t>{bytes.data(), len});
        EXPECT_FALSE(r) << "prefix of length " << len << " decoded";
        if (!r) {
            EXPECT_FALSE(r.error().message.empty()) << "prefix " << len;
        }
    }
    auto full = decode(std::span<const uint8_t>{bytes});
    EXPECT_TRUE(full) << (full ? "" : full.error().message);
    std::vector<uint8_t> longer = bytes;
    longer.push_back(0x00);
    auto extra = decode(std::span<const uint8_t>{longer});
    ASSERT_FALSE(extra) << "trailing byte accepted";
    EXPECT_NE(extra.error().message.find("trailing"), std::string::npos) << extra.error().message;
}

template <class T>
void CheckDecoder(const std::vector<uint8_t>& bytes, const std::string& what)
{
    CheckPrefixes(
        bytes, [](std::span<const uint8_t> d) { return Decode<T>(d); }, what);
}

void CheckTransaction(const Transaction& tx, const std::string& what)
{
    const auto bytes = Encode(tx);
    CheckDecoder<MutableTransaction>(bytes, what + " as MutableTransaction");
    CheckPrefixes(
        bytes, [](std::span<const uint8_t> d) { return DecodeTransaction(d); },
        what + " as TransactionRef");
}

// A block made of a real header, coinbase and a few witness transactions: small
// enough that every prefix can be tried.
Block SmallSegwitBlock()
{
    const Block& real = RealSegwitBlock();
    Block small;
    small.header = real.header;
    for (const auto& tx : real.vtx) {
        if (small.vtx.empty() || (tx->HasWitness() && small.vtx.size() < 4))
            small.vtx.push_back(tx);
    }
    return small;
}

} // namespace

TEST(Truncation, RealBlockIsAvailable)
{
    ASSERT_GT(RealSegwitBlock().vtx.size(), 100U);
}

TEST(Truncation, CompactSize)
{
    for (uint64_t n :
         {0ULL, 252ULL, 253ULL, 0xffffULL, 0x10000ULL, 0xffffffffULL, 0x100000000ULL, ~0ULL}) {
        std::vector<uint8_t> bytes;
        Writer w{bytes};
        WriteCompactSize(w, n);
        for (size_t len = 0; len < bytes.size(); ++len) {
            Reader r{std::span<const uint8_t>{bytes.data(), len}};
            EXPECT_THROW(ReadCompactSize(r, false), DecodeError) << n << " prefix " << len;
        }
        Reader r{bytes};
        EXPECT_EQ(ReadCompactSize(r, false), n);
        EXPECT_TRUE(r.Empty());
    }
}

TEST(Truncation, ByteVector)
{
    CheckDecoder<std::vector<uint8_t>>({0x00}, "empty vector");
    CheckDecoder<std::vector<uint8_t>>({0x03, 0x01, 0x02, 0x03}, "3-byte vector");
    // 300 bytes behind a 3-byte CompactSize.
    std::vector<uint8_t> big(3 + 300, 0xab);
    big[0] = 0xfd;
    big[1] = 0x2c;
    big[2] = 0x01;
    CheckDecoder<std::vector<uint8_t>>(big, "300-byte vector");
}

TEST(Truncation, ScriptOutPointTxInTxOut)
{
    const Block& block = RealSegwitBlock();
    ASSERT_GT(block.vtx.size(), 2U);
    const Transaction& tx = *block.vtx[1];
    CheckDecoder<Script>(Encode(tx.vout[0].script_pubkey), "scriptPubKey");
    CheckDecoder<Script>(Encode(Script{}), "empty script");
    CheckDecoder<OutPoint>(Encode(tx.vin[0].prevout), "outpoint");
    CheckDecoder<TxIn>(Encode(tx.vin[0]), "txin");
    CheckDecoder<TxIn>(Encode(block.vtx[0]->vin[0]), "coinbase txin");
    CheckDecoder<TxOut>(Encode(tx.vout[0]), "txout");
    CheckDecoder<BlockHeader>(Encode(block.header), "header");
}

TEST(Truncation, Transactions)
{
    const Block& block = RealSegwitBlock();
    size_t witness = 0;
    size_t legacy = 0;
    for (const auto& tx : block.vtx) {
        // A handful of each kind covers every field; prefixes are quadratic in size.
        if (Encode(*tx).size() > 2000) continue;
        if (tx->HasWitness() && witness < 4) {
            CheckTransaction(*tx, "witness tx " + tx->GetHash().GetHex());
            ++witness;
            // The same transaction without its witness is a legacy encoding.
            std::vector<uint8_t> stripped;
            Writer w{stripped};
            tx->SerializeWithoutWitness(w);
            CheckDecoder<MutableTransaction>(stripped, "stripped " + tx->GetHash().GetHex());
        } else if (!tx->HasWitness() && legacy < 2) {
            CheckTransaction(*tx, "legacy tx " + tx->GetHash().GetHex());
            ++legacy;
        }
    }
    EXPECT_EQ(witness, 4U);
    EXPECT_EQ(legacy, 2U);
    // The coinbase (witness reserved value) and an empty transaction.
    CheckTransaction(*block.vtx[0], "coinbase");
    CheckTransaction(Transaction{}, "empty tx");
}

TEST(Truncation, SmallSegwitBlockEveryPrefix)
{
    const Block small = SmallSegwitBlock();
    ASSERT_EQ(small.vtx.size(), 4U);
    CheckDecoder<Block>(Encode(small), "small segwit block");
}

TEST(Truncation, RealSegwitBlockSampledPrefixes)
{
    // Every prefix of a 1.2 MB block would be quadratic; try every transaction
    // boundary (and one byte either side) of the first 30 transactions, plus
    // evenly spread cut points.
    const auto bytes = ReadFileBytes(BLOCKS_DIR + SEGWIT_BLOCK);
    ASSERT_TRUE(Decode<Block>(bytes));
    std::vector<size_t> cuts{0, 1, 79, 80, 81, bytes.size() - 1};
    size_t pos = BlockHeader::SIZE + CompactSizeLen(RealSegwitBlock().vtx.size());
    for (size_t i = 0; i < 30; ++i) {
        pos += Encode(*RealSegwitBlock().vtx[i]).size();
        cuts.insert(cuts.end(), {pos - 1, pos, pos + 1});
    }
    for (size_t i = 1; i < 40; ++i)
        cuts.push_back(bytes.size() * i / 40);
    for (size_t len : cuts) {
        ASSERT_LT(len, bytes.size());
        auto r = Decode<Block>(std::span<const uint8_t>{bytes.data(), len});
        EXPECT_FALSE(r) << "prefix of length " << len << " decoded";
    }
    auto longer = bytes;
    longer.push_back(0);
    EXPECT_FALSE(Decode<Block>(longer));
}

// ---- oversized counts ------------------------------------------------------

namespace {

std::vector<uint8_t> CompactSizeBytes(uint64_t n)
{
    std::vector<uint8_t> out;
    Writer w{out};
    WriteCompactSize(w, n);
    return out;
}

std::vector<uint8_t> Concat(std::initializer_list<std::vector<uint8_t>> parts)
{
    std::vector<uint8_t> out;
    for (const auto& p : parts)
        out.insert(out.end(), p.begin(), p.end());
    return out;
}

} // namespace

TEST(Truncation, OversizedCountsFailWithoutAllocating)
{
    const std::vector<uint8_t> version{0x02, 0x00, 0x00, 0x00};
    const std::vector<uint8_t> ten(10, 0x00);
    const std::vector<uint8_t> input =
        Concat({std::vector<uint8_t>(36, 0x11), {0x00}, {0xff, 0xff, 0xff, 0xff}});
    const std::vector<uint8_t> output = {0x01, 0, 0, 0, 0, 0, 0, 0, 0x00};
    struct Case
    {
        std::string what;
        std::vector<uint8_t> bytes;
        bool is_block;
    };
    std::vector<Case> cases;
    for (uint64_t n :
         {uint64_t{MAX_SIZE}, uint64_t{MAX_SIZE} + 1, uint64_t{0xffffffff}, ~uint64_t{0}}) {
        const auto count = CompactSizeBytes(n);
        const std::string tag = " count " + std::to_string(n);
        cases.push_back({"vin" + tag, Concat({version, count, ten}), false});
        cases.push_back({"witness vin" + tag, Concat({version, {0x00, 0x01}, count, ten}), false});
        cases.push_back({"vout" + tag, Concat({version, {0x01}, input, count, ten}), false});
        cases.push_back({"scriptSig" + tag,
                         Concat({version, {0x01}, std::vector<uint8_t>(36, 0x11), count, ten}),
                         false});
        cases.push_back({"witness stack" + tag,
                         Concat({version, {0x00, 0x01, 0x01}, input, {0x01}, output, count, ten}),
                         false});
        cases.push_back(
            {"witness item" + tag,
             Concat({version, {0x00, 0x01, 0x01}, input, {0x01}, output, {0x01}, count, ten}),
             false});
        cases.push_back(
            {"block txs" + tag, Concat({std::vector<uint8_t>(80, 0x01), count, ten}), true});
    }
    for (const auto& c : cases) {
        SCOPED_TRACE(c.what);
        bool ok = true;
        const size_t largest = LargestAllocation([&] {
            if (c.is_block) {
                ok = static_cast<bool>(Decode<Block>(c.bytes));
            } else {
                ok = static_cast<bool>(DecodeTransaction(c.bytes)) ||
                     static_cast<bool>(Decode<MutableTransaction>(c.bytes));
            }
        });
        EXPECT_FALSE(ok);
        // Error strings and small vectors only; nothing proportional to the claimed count.
        EXPECT_LT(largest, 4096U);
    }
    // The probe itself works: a legitimate large decode is seen.
    std::vector<uint8_t> big =
        Concat({CompactSizeBytes(100'000), std::vector<uint8_t>(100'000, 7)});
    const size_t seen = LargestAllocation([&] { EXPECT_TRUE(Decode<std::vector<uint8_t>>(big)); });
    EXPECT_GE(seen, 100'000U);
}
