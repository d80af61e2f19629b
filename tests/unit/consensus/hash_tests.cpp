#include <consensus/hash.h>
#include <consensus/uint256.h>
#include <util/strings.h>

#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <vector>

using namespace consensus;

namespace {

std::span<const uint8_t> Bytes(std::string_view s)
{
    return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

std::vector<uint8_t> Hex(std::string_view hex)
{
    auto bytes = util::TryParseHex(hex);
    EXPECT_TRUE(bytes.has_value()) << hex;
    return bytes.value_or(std::vector<uint8_t>{});
}

template <size_t N>
std::string HexOf(const Blob<N>& blob)
{
    return util::HexStr(blob.span());
}

template <size_t N>
std::string HexOf(const std::array<uint8_t, N>& arr)
{
    return util::HexStr(arr);
}

constexpr std::string_view NIST_448 = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";

} // namespace

TEST(HashSha256, StandardVectors)
{
    EXPECT_EQ(HexOf(Sha256Hash({})),
              "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    EXPECT_EQ(HexOf(Sha256Hash(Bytes("abc"))),
              "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    EXPECT_EQ(HexOf(Sha256Hash(Bytes(NIST_448))),
              "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

TEST(HashSha256, MillionAIncremental)
{
    // Uneven chunk sizes cross the 64-byte block boundary at every offset.
    const std::string chunk(997, 'a');
    Sha256 hasher;
    size_t written = 0;
    while (written < 1'000'000) {
        const size_t n = std::min(chunk.size(), 1'000'000 - written);
        hasher.Write(Bytes(std::string_view{chunk}.substr(0, n)));
        written += n;
    }
    EXPECT_EQ(HexOf(hasher.Finalize()),
              "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

TEST(HashSha256, IncrementalMatchesOneShotAndReset)
{
    Sha256 hasher;
    hasher.Write(Bytes("ab")).Write(Bytes("c"));
    const Uint256 first = hasher.Finalize();
    EXPECT_EQ(first, Sha256Hash(Bytes("abc")));
    hasher.Reset().Write(Bytes(NIST_448));
    std::array<uint8_t, 32> out{};
    hasher.Finalize(out);
    EXPECT_EQ(Uint256{out}, Sha256Hash(Bytes(NIST_448)));
}

TEST(HashSha256, MidstateCopy)
{
    // A copied hasher continues independently from the shared prefix.
    Sha256 prefix;
    prefix.Write(Bytes(NIST_448.substr(0, 40)));
    Sha256 copy = prefix;
    prefix.Write(Bytes(NIST_448.substr(40)));
    copy.Write(Bytes("xyz"));
    EXPECT_EQ(prefix.Finalize(), Sha256Hash(Bytes(NIST_448)));
    EXPECT_EQ(copy.Finalize(), Sha256Hash(Bytes(std::string{NIST_448.substr(0, 40)} + "xyz")));
}

TEST(HashSha256d, Vectors)
{
    EXPECT_EQ(HexOf(Hash256({})),
              "5df6e0e2761359d30a8275058e299fcc0381534545f55cf43e41983f5d4c9456");
    EXPECT_EQ(HexOf(Hash256(Bytes("abc"))),
              "4f8b42c22dd3729b519ba6f68d2da7cc5b2d606d05daed5ad5128cc03e6c6358");
    // The two-argument form hashes the 64-byte concatenation.
    const Uint256 a = Sha256Hash(Bytes("a"));
    const Uint256 b = Sha256Hash(Bytes("b"));
    std::vector<uint8_t> cat(a.begin(), a.end());
    cat.insert(cat.end(), b.begin(), b.end());
    EXPECT_EQ(Hash256(a, b), Hash256(cat));
    EXPECT_NE(Hash256(a, b), Hash256(b, a));
}

TEST(HashRipemd160, StandardVectors)
{
    const std::pair<std::string, std::string_view> cases[] = {
        {"", "9c1185a5c5e9fc54612808977ee8f548b2258d31"},
        {"a", "0bdc9d2d256b3ee9daae347be6f4dc835a467ffe"},
        {"abc", "8eb208f7e05d987a9b044a8e98c6b087f15a0bfc"},
        {"message digest", "5d0689ef49d2fae572b881b123a85ffa21595f36"},
        {"abcdefghijklmnopqrstuvwxyz", "f71c27109c692c1b56bbdceb5b9d2865b3708dbc"},
        {"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
         "12a053384a9c0c88e405a06c27dcf49ada62eb2b"},
        {"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789",
         "b0e20b6e3116640286ed3a87a5713079b21f5189"},
        {std::string(1'000'000, 'a'), "52783243c1697bdbe16d37f97f68f08325dc1528"},
    };
    for (const auto& [msg, expected] : cases) {
        EXPECT_EQ(HexOf(Ripemd160(Bytes(msg))), expected) << "message length " << msg.size();
    }
}

TEST(HashHash160, GeneratorPubKey)
{
    // HASH160 of the compressed generator point, the well-known key hash of privkey 1.
    const auto g = Hex("0279be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798");
    EXPECT_EQ(HexOf(Hash160(g)), "751e76e8199196d454941c45d1b3a323f1433bd6");
    EXPECT_EQ(Hash160(g), Ripemd160(Sha256Hash(g).span()));
}

TEST(HashTagged, MatchesDefinition)
{
    for (const std::string_view tag : {"BIP0340/challenge", "TapLeaf", "TapTweak", ""}) {
        const Uint256 tag_hash = Sha256Hash(Bytes(tag));
        std::vector<uint8_t> preimage(tag_hash.begin(), tag_hash.end());
        preimage.insert(preimage.end(), tag_hash.begin(), tag_hash.end());
        const auto msg = Bytes("minibit");
        preimage.insert(preimage.end(), msg.begin(), msg.end());
        EXPECT_EQ(TaggedHash(tag, msg), Sha256Hash(preimage)) << tag;
        EXPECT_EQ(TaggedHasher(tag).Write(msg).Finalize(), Sha256Hash(preimage)) << tag;
    }
    // Independently computed: SHA256(SHA256(tag) || SHA256(tag) || "minibit").
    EXPECT_EQ(HexOf(TaggedHash("BIP0340/challenge", Bytes("minibit"))),
              "817c8c442d503baf797166c46fb4169e2da2e008f09ccad963a96f7175aba805");
    EXPECT_NE(TaggedHash("TapLeaf", Bytes("x")), TaggedHash("TapBranch", Bytes("x")));
}

namespace {

struct HmacCase
{
    int number;
    std::vector<uint8_t> key;
    std::vector<uint8_t> data;
    std::string_view sha256;
    std::string_view sha512;
};

std::vector<HmacCase> Rfc4231Cases()
{
    const std::string_view tc6 = "Test Using Larger Than Block-Size Key - Hash Key First";
    const std::string_view tc7 = "This is a test using a larger than block-size key and a larger "
                                 "than block-size data. The key "
                                 "needs to be hashed before being used by the HMAC algorithm.";
    auto vec = [](std::string_view s) { return std::vector<uint8_t>(s.begin(), s.end()); };
    std::vector<uint8_t> key4;
    for (uint8_t i = 1; i <= 25; ++i)
        key4.push_back(i);
    return {
        {1, std::vector<uint8_t>(20, 0x0b), vec("Hi There"),
         "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7",
         "87aa7cdea5ef619d4ff0b4241a1d6cb02379f4e2ce4ec2787ad0b30545e17cdedaa833b7d6b8a702038b274ea"
         "ea3f4e4be9d914eeb61f1702e696c203a126854"},
        {2, vec("Jefe"), vec("what do ya want for nothing?"),
         "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",
         "164b7a7bfcf819e2e395fbe73b56e0a387bd64222e831fd610270cd7ea2505549758bf75c05a994a6d034f65f"
         "8f0e6fdcaeab1a34d4a6b4b636e070a38bce737"},
        {3, std::vector<uint8_t>(20, 0xaa), std::vector<uint8_t>(50, 0xdd),
         "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe",
         "fa73b0089d56a284efb0f0756c890be9b1b5dbdd8ee81a3655f83e33b2279d39bf3e848279a722c806b485a47"
         "e67c807b946a337bee8942674278859e13292fb"},
        {4, key4, std::vector<uint8_t>(50, 0xcd),
         "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b",
         "b0ba465637458c6990e5a8c5f61d4af7e576d97ff94b872de76f8050361ee3dba91ca5c11aa25eb4d679275cc"
         "5788063a5f19741120c4f2de2adebeb10a298dd"},
        {6, std::vector<uint8_t>(131, 0xaa), vec(tc6),
         "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54",
         "80b24263c7c1a3ebb71493c1dd7be8b49b46d1f41b4aeec1121b013783f8f3526b56d037e05f2598bd0fd2215"
         "d6a1e5295e64f73f63f0aec8b915a985d786598"},
        {7, std::vector<uint8_t>(131, 0xaa), vec(tc7),
         "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2",
         "e37b6a775dc87dbaa4dfa9f96e5e3ffddebd71f8867289865df5a32d20cdc944b6022cac3c4982b10d5eeb55c"
         "3e4de15134676fb6de0446065c97440fa8c6a58"},
    };
}

} // namespace

TEST(HashHmac, Rfc4231)
{
    for (const auto& tc : Rfc4231Cases()) {
        EXPECT_EQ(HexOf(HmacSha256(tc.key, tc.data)), tc.sha256)
            << "RFC 4231 test case " << tc.number;
        EXPECT_EQ(HexOf(HmacSha512(tc.key, tc.data)), tc.sha512)
            << "RFC 4231 test case " << tc.number;
    }
    // Negative: a one-bit change in the key changes the MAC.
    auto tc = Rfc4231Cases().front();
    tc.key[0] ^= 1;
    EXPECT_NE(HexOf(HmacSha256(tc.key, tc.data)), tc.sha256);
}

namespace {

constexpr uint64_t K0 = 0x0706050403020100ULL;
constexpr uint64_t K1 = 0x0F0E0D0C0B0A0908ULL;

// SipHash-2-4 64-bit outputs from the reference implementation (vectors.h),
// key 00..0f, message 00 01 .. (len-1), read as little-endian words.
constexpr uint64_t SIPHASH_VECTORS[16] = {
    0x726fdb47dd0e0e31ULL, 0x74f839c593dc67fdULL, 0x0d6c8009d9a94f5aULL, 0x85676696d7fb7e2dULL,
    0xcf2794e0277187b7ULL, 0x18765564cd99a68dULL, 0xcbc9466e58fee3ceULL, 0xab0200f58b01d137ULL,
    0x93f5f5799a932462ULL, 0x9e0082df0ba9e4b0ULL, 0x7a5dbbc594ddb9f3ULL, 0xf4b32f46226bada7ULL,
    0x751e8fbc860ee5fbULL, 0x14ea5627c0843d90ULL, 0xf723ca908e7af2eeULL, 0xa129ca6149be45e5ULL,
};

} // namespace

TEST(HashSipHash, ReferenceVectors)
{
    std::vector<uint8_t> msg;
    for (size_t len = 0; len < 16; ++len) {
        EXPECT_EQ(SipHasher(K0, K1).Write(msg).Finalize(), SIPHASH_VECTORS[len])
            << "length " << len;
        // Byte-at-a-time writes carry the partial word between calls.
        SipHasher bytewise(K0, K1);
        for (uint8_t b : msg)
            bytewise.Write(std::span<const uint8_t>{&b, 1});
        EXPECT_EQ(bytewise.Finalize(), SIPHASH_VECTORS[len]) << "bytewise length " << len;
        msg.push_back(static_cast<uint8_t>(len));
    }
    EXPECT_NE(SipHasher(K0, K1 ^ 1).Write({}).Finalize(), SIPHASH_VECTORS[0]);
}

TEST(HashSipHash, WordApiMatchesBytes)
{
    // Words are consumed little-endian, exactly like the corresponding bytes.
    std::vector<uint8_t> bytes(8);
    for (size_t i = 0; i < 8; ++i)
        bytes[i] = static_cast<uint8_t>(i);
    EXPECT_EQ(SipHasher(K0, K1).Write(0x0706050403020100ULL).Finalize(), SIPHASH_VECTORS[8]);
    EXPECT_EQ(SipHasher(K0, K1).Write(0x0706050403020100ULL).Write(Hex("08090a")).Finalize(),
              SIPHASH_VECTORS[11]);

    const Uint256 val{Hex("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f")};
    const uint64_t by_bytes = SipHasher(K0, K1).Write(val.span()).Finalize();
    SipHasher by_words(K0, K1);
    for (size_t i = 0; i < 4; ++i)
        by_words.Write(val.GetUint64(i));
    EXPECT_EQ(by_words.Finalize(), by_bytes);
    EXPECT_EQ(SipHashUint256(K0, K1, val), by_bytes);
    // Reference vector for the 32-byte message 00..1f.
    EXPECT_EQ(by_bytes, 0x7127512f72f27cceULL);
}
