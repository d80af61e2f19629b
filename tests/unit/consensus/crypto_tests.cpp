#include <consensus/crypto/key.h>
#include <consensus/crypto/pubkey.h>
#include <consensus/hash.h>
#include <consensus/uint256.h>
#include <util/strings.h>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <atomic>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

using namespace consensus;

namespace {

using Bytes = std::vector<uint8_t>;

Bytes Hex(std::string_view hex)
{
    auto bytes = util::TryParseHex(hex);
    EXPECT_TRUE(bytes.has_value()) << "bad hex in test: " << hex;
    return bytes.value_or(Bytes{});
}

// Byte-order (not display-order) 32-byte value from hex.
Uint256 U256(std::string_view hex)
{
    const Bytes bytes = Hex(hex);
    EXPECT_EQ(bytes.size(), 32U) << hex;
    return bytes.size() == 32 ? Uint256{bytes} : Uint256{};
}

std::string HexOf(std::span<const uint8_t> bytes)
{
    return util::HexStr(bytes);
}

PrivKey KeyFromSeed(std::string_view seed, bool compressed = true)
{
    const Uint256 secret = Sha256Hash({reinterpret_cast<const uint8_t*>(seed.data()), seed.size()});
    auto key = PrivKey::FromBytes(secret.span(), compressed);
    EXPECT_TRUE(key.has_value());
    return *key;
}

Uint256 HashOf(std::string_view text)
{
    return Sha256Hash({reinterpret_cast<const uint8_t*>(text.data()), text.size()});
}

// Splits a strict DER signature (as libsecp256k1 emits) into 32-byte R and S.
struct RawSig
{
    std::array<uint8_t, 32> r{};
    std::array<uint8_t, 32> s{};
};

RawSig SplitDer(const Bytes& der)
{
    RawSig out;
    const size_t rlen = der.at(3);
    const size_t slen = der.at(5 + rlen);
    auto copy = [](std::span<const uint8_t> v, std::array<uint8_t, 32>& dst) {
        while (!v.empty() && v.front() == 0)
            v = v.subspan(1);
        std::copy(v.begin(), v.end(), dst.end() - v.size());
    };
    copy(std::span{der}.subspan(4, rlen), out.r);
    copy(std::span{der}.subspan(6 + rlen, slen), out.s);
    return out;
}

// Minimal two's-complement-positive DER integer body.
Bytes IntegerBody(const std::array<uint8_t, 32>& v)
{
    auto it = std::find_if(v.begin(), v.end(), [](uint8_t b) { return b != 0; });
    Bytes body(it, v.end());
    if (body.empty() || (body.front() & 0x80) != 0) body.insert(body.begin(), 0x00);
    return body;
}

Bytes EncodeDer(const Bytes& r_body, const Bytes& s_body)
{
    Bytes out{0x30, static_cast<uint8_t>(4 + r_body.size() + s_body.size()), 0x02,
              static_cast<uint8_t>(r_body.size())};
    out.insert(out.end(), r_body.begin(), r_body.end());
    out.push_back(0x02);
    out.push_back(static_cast<uint8_t>(s_body.size()));
    out.insert(out.end(), s_body.begin(), s_body.end());
    return out;
}

// n - v for the secp256k1 group order n (v nonzero and below n).
std::array<uint8_t, 32> NegateModN(const std::array<uint8_t, 32>& v)
{
    const Bytes n = Hex("fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141");
    std::array<uint8_t, 32> out{};
    int borrow = 0;
    for (int i = 31; i >= 0; --i) {
        int d = int{n[i]} - int{v[i]} - borrow;
        borrow = d < 0 ? 1 : 0;
        out[i] = static_cast<uint8_t>(d + (borrow ? 256 : 0));
    }
    return out;
}

std::string ReadFile(const std::string& path)
{
    std::ifstream in{path, std::ios::binary};
    EXPECT_TRUE(in.good()) << "cannot open " << path;
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

const std::string DATA_DIR = MINIBIT_TEST_DATA_DIR;

} // namespace

// ---- ECDSA ----------------------------------------------------------------

TEST(CryptoEcdsa, SignVerifyRoundTrip)
{
    for (bool compressed : {true, false}) {
        const PrivKey key = KeyFromSeed("ecdsa round trip", compressed);
        const PrivKey other = KeyFromSeed("someone else", compressed);
        const Bytes pub = key.GetPubKey();
        EXPECT_EQ(pub.size(), compressed ? COMPRESSED_PUBKEY_SIZE : UNCOMPRESSED_PUBKEY_SIZE);
        EXPECT_TRUE(IsPubKeyEncodingPlausible(pub));
        EXPECT_TRUE(IsFullyValidPubKey(pub));
        for (int i = 0; i < 8; ++i) {
            const Uint256 hash = HashOf("message " + std::to_string(i));
            for (bool grind : {true, false}) {
                const Bytes sig = key.SignEcdsa(hash, grind);
                SCOPED_TRACE("compressed=" + std::to_string(compressed) +
                             " i=" + std::to_string(i) + " grind=" + std::to_string(grind));
                EXPECT_TRUE(VerifyEcdsa(pub, sig, hash));
                EXPECT_TRUE(IsLowDerSignature(sig));
                EXPECT_FALSE(VerifyEcdsa(pub, sig, HashOf("different")));
                EXPECT_FALSE(VerifyEcdsa(other.GetPubKey(), sig, hash));
                // The library's signatures are deterministic (RFC 6979).
                EXPECT_EQ(key.SignEcdsa(hash, grind), sig);
            }
        }
    }
}

TEST(CryptoEcdsa, Rfc6979KnownAnswer)
{
    // Widely published RFC 6979 secp256k1 vectors: private key 1, SHA-256 of the text.
    std::array<uint8_t, 32> one{};
    one[31] = 1;
    const auto key = PrivKey::FromBytes(one);
    ASSERT_TRUE(key.has_value());
    EXPECT_EQ(HexOf(key->GetPubKey()),
              "0279be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798");
    const RawSig sig = SplitDer(key->SignEcdsa(HashOf("Satoshi Nakamoto"), false));
    EXPECT_EQ(HexOf(sig.r), "934b1ea10a4b3c1757e2b0c017d0b6143ce3c9a7e6a4a49860d7a6ab210ee3d8");
    EXPECT_EQ(HexOf(sig.s), "2442ce9d2b916064108014783e923ec36b49743e2ffa1c4496f01a512aafd9e5");
}

TEST(CryptoEcdsa, LowRGrinding)
{
    const PrivKey key = KeyFromSeed("grinding");
    int high_r_without_grinding = 0;
    for (int i = 0; i < 32; ++i) {
        const Uint256 hash = HashOf("grind " + std::to_string(i));
        const Bytes ground = key.SignEcdsa(hash, true);
        SCOPED_TRACE(i);
        // R fits in 32 bytes with no sign pad.
        EXPECT_LE(ground.at(3), 32);
        EXPECT_LT(ground.at(4), 0x80);
        EXPECT_LE(ground.size(), 71U);
        EXPECT_TRUE(VerifyEcdsa(key.GetPubKey(), ground, hash));
        const Bytes plain = key.SignEcdsa(hash, false);
        if (plain.at(3) == 33) {
            ++high_r_without_grinding;
            EXPECT_NE(plain, ground);
        } else {
            // Grinding starts from the plain RFC 6979 nonce.
            EXPECT_EQ(plain, ground);
        }
    }
    // About half of plain signatures need the pad; with 32 fixed inputs some do.
    EXPECT_GT(high_r_without_grinding, 0);
}

TEST(CryptoEcdsa, HighSIsNormalised)
{
    const PrivKey key = KeyFromSeed("high s");
    const Bytes pub = key.GetPubKey();
    const Uint256 hash = HashOf("high s message");
    const Bytes sig = key.SignEcdsa(hash);
    const RawSig raw = SplitDer(sig);
    const Bytes high = EncodeDer(IntegerBody(raw.r), IntegerBody(NegateModN(raw.s)));
    EXPECT_TRUE(IsLowDerSignature(sig));
    EXPECT_FALSE(IsLowDerSignature(high));
    EXPECT_TRUE(VerifyEcdsa(pub, high, hash));
    EXPECT_FALSE(VerifyEcdsa(pub, high, HashOf("other")));
}

TEST(CryptoEcdsa, HybridPubKeys)
{
    const PrivKey key = KeyFromSeed("hybrid", false);
    const Uint256 hash = HashOf("hybrid message");
    const Bytes sig = key.SignEcdsa(hash);
    Bytes hybrid = key.GetPubKey();
    const bool odd_y = (hybrid.back() & 1) != 0;
    hybrid[0] = odd_y ? 0x07 : 0x06;
    EXPECT_FALSE(IsPubKeyEncodingPlausible(hybrid));
    EXPECT_TRUE(IsFullyValidPubKey(hybrid));
    EXPECT_TRUE(VerifyEcdsa(hybrid, sig, hash));
    // The prefix must agree with the parity of y.
    hybrid[0] = odd_y ? 0x06 : 0x07;
    EXPECT_FALSE(IsFullyValidPubKey(hybrid));
    EXPECT_FALSE(VerifyEcdsa(hybrid, sig, hash));
}

TEST(CryptoEcdsa, LaxDerEncodings)
{
    const PrivKey key = KeyFromSeed("lax der");
    const Bytes pub = key.GetPubKey();
    // Find a message whose plain RFC 6979 R has its top bit set, to exercise
    // the "negative integer" case too.
    Uint256 hash;
    Bytes sig;
    for (int i = 0;; ++i) {
        hash = HashOf("lax " + std::to_string(i));
        sig = key.SignEcdsa(hash, false);
        if (sig.at(3) == 33) break;
    }
    const RawSig raw = SplitDer(sig);
    const Bytes r = IntegerBody(raw.r);
    const Bytes s = IntegerBody(raw.s);
    const Bytes r_nopad(raw.r.begin(), raw.r.end()); // top bit set: reads as negative in strict DER
    auto cat = [](std::initializer_list<Bytes> parts) {
        Bytes out;
        for (const auto& p : parts)
            out.insert(out.end(), p.begin(), p.end());
        return out;
    };
    auto u8 = [](size_t v) { return static_cast<uint8_t>(v); };
    Bytes padded_r = r;
    padded_r.insert(padded_r.begin(), {0x00, 0x00, 0x00});

    struct Case
    {
        std::string name;
        Bytes sig;
        bool valid;
    };
    const std::vector<Case> accepted = {
        {"strict", sig, true},
        {"excess zero padding on R", EncodeDer(padded_r, s), true},
        {"negative R (no sign pad)", EncodeDer(r_nopad, s), true},
        {"garbage after S", cat({sig, {0xde, 0xad, 0xbe, 0xef}}), true},
        {"sequence length wrong", cat({{0x30, 0x00}, Bytes(sig.begin() + 2, sig.end())}), true},
        {"sequence long-form length",
         cat({{0x30, 0x84, 0xff, 0xff, 0xff, 0xff}, Bytes(sig.begin() + 2, sig.end())}), true},
        {"R long-form length",
         cat({{0x30, 0x00, 0x02, 0x81, u8(r.size())}, r, {0x02, u8(s.size())}, s}), true},
        {"R and S lengths with leading zero bytes",
         cat({{0x30, 0x00, 0x02, 0x84, 0x00, 0x00, 0x00, u8(r.size())},
              r,
              {0x02, 0x82, 0x00, u8(s.size())},
              s}),
         true},
        {"R of 33 significant bytes",
         EncodeDer(cat({{0x01}, Bytes(raw.r.begin(), raw.r.end())}), s), false},
        {"R of zero length (long form 0x80)",
         cat({{0x30, 0x00, 0x02, 0x80, 0x02, u8(s.size())}, s}), false},
        {"R equal to all ones (>= n)", EncodeDer(cat({{0x00}, Bytes(32, 0xff)}), s), false},
        {"S zero", EncodeDer(r, {0x00}), false},
    };
    for (const auto& c : accepted) {
        EXPECT_EQ(VerifyEcdsa(pub, c.sig, hash), c.valid) << c.name << ": " << HexOf(c.sig);
        EXPECT_FALSE(VerifyEcdsa(pub, c.sig, HashOf("other"))) << c.name;
    }
    // An unparseable R/S degrades to a zero signature, which counts as low S.
    EXPECT_TRUE(IsLowDerSignature(accepted[8].sig));

    const std::vector<std::pair<std::string, Bytes>> rejected = {
        {"empty", {}},
        {"only sequence tag", {0x30}},
        {"wrong sequence tag", cat({{0x31}, Bytes(sig.begin() + 1, sig.end())})},
        {"wrong R tag",
         cat({Bytes(sig.begin(), sig.begin() + 2), {0x03}, Bytes(sig.begin() + 3, sig.end())})},
        {"sequence length bytes missing", {0x30, 0x84, 0x00}},
        {"R longer than input", cat({{0x30, 0x00, 0x02, 0x7f}, r})},
        {"R length needs four bytes", cat({{0x30, 0x00, 0x02, 0x84, 0x01, 0x00, 0x00, 0x00}, r})},
        {"R length bytes missing", {0x30, 0x00, 0x02, 0x84, 0x00}},
        {"S missing", cat({{0x30, 0x00, 0x02, u8(r.size())}, r})},
        {"S tag wrong", cat({{0x30, 0x00, 0x02, u8(r.size())}, r, {0x05, u8(s.size())}, s})},
    };
    for (const auto& [name, bad] : rejected) {
        EXPECT_FALSE(VerifyEcdsa(pub, bad, hash)) << name;
        EXPECT_FALSE(IsLowDerSignature(bad)) << name;
    }
    // Every proper prefix of a valid signature fails cleanly.
    for (size_t len = 0; len < sig.size(); ++len) {
        const Bytes prefix(sig.begin(), sig.begin() + len);
        EXPECT_FALSE(VerifyEcdsa(pub, prefix, hash)) << "prefix length " << len;
        EXPECT_FALSE(IsLowDerSignature(prefix)) << "prefix length " << len;
    }
}

TEST(CryptoEcdsa, GarbageInputsAreRejected)
{
    const PrivKey key = KeyFromSeed("garbage");
    const Uint256 hash = HashOf("garbage message");
    const Bytes sig = key.SignEcdsa(hash);
    Bytes pub = key.GetPubKey();
    ASSERT_TRUE(VerifyEcdsa(pub, sig, hash));

    for (size_t size : {0, 1, 32, 34, 64, 66, 100}) {
        Bytes wrong(size, 0x02);
        if (size >= pub.size()) std::copy(pub.begin(), pub.end(), wrong.begin());
        EXPECT_FALSE(VerifyEcdsa(wrong, sig, hash)) << "pubkey size " << size;
        EXPECT_FALSE(IsFullyValidPubKey(wrong)) << "pubkey size " << size;
        EXPECT_FALSE(IsPubKeyEncodingPlausible(wrong)) << "pubkey size " << size;
    }
    Bytes bad_prefix = pub;
    bad_prefix[0] = 0x04; // 33 bytes cannot be uncompressed
    EXPECT_FALSE(IsPubKeyEncodingPlausible(bad_prefix));
    EXPECT_FALSE(VerifyEcdsa(bad_prefix, sig, hash));
    Bytes off_curve = pub;
    off_curve[0] = 0x02;
    std::fill(off_curve.begin() + 1, off_curve.end(), 0xff); // x >= p
    EXPECT_TRUE(IsPubKeyEncodingPlausible(off_curve));
    EXPECT_FALSE(IsFullyValidPubKey(off_curve));
    EXPECT_FALSE(VerifyEcdsa(off_curve, sig, hash));

    // Deterministic pseudo-random junk of many lengths, as signature and key.
    uint64_t state = 0x9e3779b97f4a7c15ULL;
    for (size_t len = 0; len < 200; ++len) {
        Bytes junk(len);
        for (auto& b : junk) {
            state = state * 6364136223846793005ULL + 1442695040888963407ULL;
            b = static_cast<uint8_t>(state >> 56);
        }
        EXPECT_FALSE(VerifyEcdsa(pub, junk, hash)) << len;
        EXPECT_FALSE(VerifyEcdsa(junk, sig, hash)) << len;
        (void)IsLowDerSignature(junk);
        (void)IsFullyValidPubKey(junk);
    }
}

// ---- Keys -----------------------------------------------------------------

TEST(CryptoKey, FromBytesRange)
{
    const Bytes zero(32, 0);
    const Bytes order = Hex("fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141");
    const Bytes order_minus_one =
        Hex("fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364140");
    const Bytes all_ones(32, 0xff);
    EXPECT_FALSE(PrivKey::FromBytes(std::span<const uint8_t, 32>{zero.data(), 32}).has_value());
    EXPECT_FALSE(PrivKey::FromBytes(std::span<const uint8_t, 32>{order.data(), 32}).has_value());
    EXPECT_FALSE(PrivKey::FromBytes(std::span<const uint8_t, 32>{all_ones.data(), 32}).has_value());
    const auto top =
        PrivKey::FromBytes(std::span<const uint8_t, 32>{order_minus_one.data(), 32}, false);
    ASSERT_TRUE(top.has_value());
    EXPECT_FALSE(top->IsCompressed());
    EXPECT_TRUE(std::equal(top->Secret().begin(), top->Secret().end(), order_minus_one.begin()));
    // n-1 = -1, so its public key is -G: the generator's x with odd y.
    EXPECT_EQ(HexOf(top->GetPubKey()).substr(0, 66),
              "0479be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798");
}

TEST(CryptoKey, GenerateAndCopy)
{
    const PrivKey a = PrivKey::Generate();
    const PrivKey b = PrivKey::Generate(false);
    EXPECT_TRUE(a.IsCompressed());
    EXPECT_FALSE(b.IsCompressed());
    EXPECT_NE(HexOf(a.Secret()), HexOf(b.Secret()));
    EXPECT_EQ(a.GetPubKey().size(), 33U);
    EXPECT_EQ(b.GetPubKey().size(), 65U);
    PrivKey c = a;
    EXPECT_EQ(c.GetPubKey(), a.GetPubKey());
    c = b;
    EXPECT_EQ(c.GetPubKey(), b.GetPubKey());
    // The x-only key is the x coordinate of the full key.
    const Bytes full = a.GetPubKey();
    EXPECT_EQ(HexOf(a.GetXOnlyPubKey().bytes().span()), HexOf(std::span{full}.subspan(1)));
}

// ---- Schnorr / x-only -----------------------------------------------------

TEST(CryptoSchnorr, XOnlyValidityAndSizes)
{
    const PrivKey key = KeyFromSeed("schnorr");
    const XOnlyPubKey xonly = key.GetXOnlyPubKey();
    EXPECT_TRUE(xonly.IsFullyValid());
    EXPECT_FALSE(
        XOnlyPubKey{U256("ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff")}
            .IsFullyValid());
    // x = 5 is not on the curve (5^3 + 7 = 132 is a non-residue mod p).
    EXPECT_FALSE(
        XOnlyPubKey{U256("0000000000000000000000000000000000000000000000000000000000000005")}
            .IsFullyValid());
    const Uint256 msg = HashOf("schnorr message");
    const std::array<uint8_t, 32> aux{};
    const auto sig = key.SignSchnorr(msg, aux);
    EXPECT_TRUE(xonly.VerifySchnorr(msg, sig));
    for (size_t size : {0, 63, 65, 128}) {
        Bytes wrong(size, 0);
        std::copy_n(sig.begin(), std::min<size_t>(size, 64), wrong.begin());
        EXPECT_FALSE(xonly.VerifySchnorr(msg, wrong)) << size;
    }
    auto flipped = sig;
    flipped[10] ^= 0x01;
    EXPECT_FALSE(xonly.VerifySchnorr(msg, flipped));
    EXPECT_FALSE(xonly.VerifySchnorr(HashOf("other"), sig));
}

TEST(CryptoSchnorr, TweakedSigning)
{
    const PrivKey key = KeyFromSeed("taproot key");
    const XOnlyPubKey internal = key.GetXOnlyPubKey();
    const Uint256 msg = HashOf("spend");
    std::array<uint8_t, 32> aux{};
    aux[0] = 7;
    const Uint256 root = HashOf("some script tree");
    const Uint256 zero_root{};

    const auto key_path = internal.CreateTapTweak(nullptr);
    const auto with_root = internal.CreateTapTweak(&root);
    const auto with_zero_root = internal.CreateTapTweak(&zero_root);
    ASSERT_TRUE(key_path && with_root && with_zero_root);
    // A zero merkle root is a real root, distinct from "no scripts".
    EXPECT_NE(key_path->first, with_zero_root->first);

    const auto bip86_sig = key.SignSchnorr(msg, aux, nullptr, true);
    EXPECT_TRUE(key_path->first.VerifySchnorr(msg, bip86_sig));
    EXPECT_FALSE(internal.VerifySchnorr(msg, bip86_sig));
    const auto root_sig = key.SignSchnorr(msg, aux, &root);
    EXPECT_TRUE(with_root->first.VerifySchnorr(msg, root_sig));
    EXPECT_FALSE(key_path->first.VerifySchnorr(msg, root_sig));
    // A merkle root takes precedence over key_path_tweak.
    EXPECT_EQ(key.SignSchnorr(msg, aux, &root, true), root_sig);
    const auto zero_root_sig = key.SignSchnorr(msg, aux, &zero_root);
    EXPECT_TRUE(with_zero_root->first.VerifySchnorr(msg, zero_root_sig));

    EXPECT_TRUE(with_root->first.CheckTapTweak(internal, root.span(), with_root->second));
    EXPECT_FALSE(with_root->first.CheckTapTweak(internal, root.span(), !with_root->second));
    EXPECT_TRUE(key_path->first.CheckTapTweak(internal, {}, key_path->second));
    EXPECT_FALSE(key_path->first.CheckTapTweak(internal, root.span(), key_path->second));
    EXPECT_FALSE(
        with_root->first.CheckTapTweak(internal, std::span{root.data(), 31}, with_root->second));
    EXPECT_FALSE(
        XOnlyPubKey{U256("ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff")}
            .CreateTapTweak(nullptr)
            .has_value());
}

// ---- BIP340 vectors -------------------------------------------------------

TEST(Bip340, Vectors)
{
    std::istringstream csv{ReadFile(DATA_DIR + "/bips/bip340-test-vectors.csv")};
    std::string line;
    ASSERT_TRUE(std::getline(csv, line)); // header
    int rows = 0, signing_rows = 0, valid_rows = 0, invalid_rows = 0;
    while (std::getline(csv, line)) {
        if (!line.empty() && line.back() == '\r') line.pop_back();
        if (line.empty()) continue;
        auto fields = util::SplitString(line, ',');
        ASSERT_GE(fields.size(), 7U) << line;
        const std::string& index = fields[0];
        SCOPED_TRACE("BIP340 vector " + index + (fields.size() > 7 ? " (" + fields[7] + ")" : ""));
        ASSERT_EQ(std::stoi(index), rows) << "rows must be consecutive";
        ++rows;
        const XOnlyPubKey pubkey{U256(fields[2])};
        const Bytes msg = Hex(fields[4]);
        const Bytes sig = Hex(fields[5]);
        ASSERT_TRUE(fields[6] == "TRUE" || fields[6] == "FALSE");
        const bool expected = fields[6] == "TRUE";
        (expected ? valid_rows : invalid_rows)++;
        EXPECT_EQ(pubkey.VerifySchnorr(msg, sig), expected);
        if (msg.size() == 32) {
            EXPECT_EQ(pubkey.VerifySchnorr(Uint256{msg}, sig), expected);
        }

        if (!fields[1].empty()) {
            ++signing_rows;
            const Uint256 secret = U256(fields[1]);
            const auto key = PrivKey::FromBytes(secret.span());
            ASSERT_TRUE(key.has_value());
            EXPECT_EQ(key->GetXOnlyPubKey(), pubkey);
            const Uint256 aux = U256(fields[3]);
            const auto produced = key->SignSchnorr(std::span<const uint8_t>{msg}, aux.span());
            EXPECT_EQ(HexOf(produced), HexOf(sig));
            if (msg.size() == 32) {
                EXPECT_EQ(HexOf(key->SignSchnorr(Uint256{msg}, aux.span())), HexOf(sig));
            }
        }
    }
    EXPECT_GT(rows, 0);
    EXPECT_GT(signing_rows, 0);
    EXPECT_GT(valid_rows, 0);
    EXPECT_GT(invalid_rows, 0);
}

// ---- BIP341 wallet vectors ------------------------------------------------

namespace {

nlohmann::json LoadBip341()
{
    return nlohmann::json::parse(ReadFile(DATA_DIR + "/bips/bip341-wallet-test-vectors.json"));
}

std::optional<Uint256> OptionalRoot(const nlohmann::json& value)
{
    if (value.is_null()) return std::nullopt;
    return U256(value.get<std::string>());
}

} // namespace

TEST(Bip341, ScriptPubKeys)
{
    const auto vectors = LoadBip341();
    const auto& cases = vectors.at("scriptPubKey");
    ASSERT_FALSE(cases.empty());
    for (size_t i = 0; i < cases.size(); ++i) {
        SCOPED_TRACE("scriptPubKey case " + std::to_string(i));
        const auto& c = cases[i];
        const XOnlyPubKey internal{U256(c.at("given").at("internalPubkey").get<std::string>())};
        const auto& inter = c.at("intermediary");
        const std::optional<Uint256> root = OptionalRoot(inter.at("merkleRoot"));
        const Uint256* root_ptr = root ? &*root : nullptr;

        EXPECT_TRUE(internal.IsFullyValid());
        EXPECT_EQ(HexOf(ComputeTapTweakHash(internal, root_ptr).span()),
                  inter.at("tweak").get<std::string>());
        const auto tweaked = internal.CreateTapTweak(root_ptr);
        ASSERT_TRUE(tweaked.has_value());
        EXPECT_EQ(HexOf(tweaked->first.bytes().span()),
                  inter.at("tweakedPubkey").get<std::string>());
        Bytes spk{0x51, 0x20};
        spk.insert(spk.end(), tweaked->first.bytes().begin(), tweaked->first.bytes().end());
        EXPECT_EQ(HexOf(spk), c.at("expected").at("scriptPubKey").get<std::string>());

        const std::span<const uint8_t> root_span =
            root ? std::span<const uint8_t>{root->data(), 32} : std::span<const uint8_t>{};
        EXPECT_TRUE(tweaked->first.CheckTapTweak(internal, root_span, tweaked->second));
        EXPECT_FALSE(tweaked->first.CheckTapTweak(internal, root_span, !tweaked->second));
        EXPECT_FALSE(internal.CheckTapTweak(internal, root_span, tweaked->second));
        // The control blocks carry the output key's parity in their first byte.
        const auto& expected = c.at("expected");
        if (expected.contains("scriptPathControlBlocks")) {
            for (const auto& cb_hex : expected.at("scriptPathControlBlocks")) {
                const Bytes cb = Hex(cb_hex.get<std::string>());
                ASSERT_GE(cb.size(), 33U);
                EXPECT_EQ((cb[0] & 1) != 0, tweaked->second) << cb_hex;
                EXPECT_TRUE(std::equal(cb.begin() + 1, cb.begin() + 33, internal.bytes().begin()));
            }
        }
    }
}

TEST(Bip341, KeyPathSpending)
{
    const auto vectors = LoadBip341();
    int inputs = 0;
    for (const auto& spending : vectors.at("keyPathSpending")) {
        const auto& utxos = spending.at("given").at("utxosSpent");
        for (const auto& input : spending.at("inputSpending")) {
            const auto& given = input.at("given");
            const auto& inter = input.at("intermediary");
            const size_t txin = given.at("txinIndex").get<size_t>();
            SCOPED_TRACE("keyPathSpending input " + std::to_string(txin));
            ++inputs;
            const Uint256 secret = U256(given.at("internalPrivkey").get<std::string>());
            const auto key = PrivKey::FromBytes(secret.span());
            ASSERT_TRUE(key.has_value());
            const XOnlyPubKey internal = key->GetXOnlyPubKey();
            EXPECT_EQ(HexOf(internal.bytes().span()),
                      inter.at("internalPubkey").get<std::string>());
            const std::optional<Uint256> root = OptionalRoot(given.at("merkleRoot"));
            const Uint256* root_ptr = root ? &*root : nullptr;
            EXPECT_EQ(HexOf(ComputeTapTweakHash(internal, root_ptr).span()),
                      inter.at("tweak").get<std::string>());

            const auto tweaked = internal.CreateTapTweak(root_ptr);
            ASSERT_TRUE(tweaked.has_value());
            Bytes spk{0x51, 0x20};
            spk.insert(spk.end(), tweaked->first.bytes().begin(), tweaked->first.bytes().end());
            EXPECT_EQ(HexOf(spk), utxos.at(txin).at("scriptPubKey").get<std::string>());

            // internal secret + tweak (after BIP340 negation) is the given tweaked secret.
            const Uint256 tweaked_secret = U256(inter.at("tweakedPrivkey").get<std::string>());
            const auto tweaked_key = PrivKey::FromBytes(tweaked_secret.span());
            ASSERT_TRUE(tweaked_key.has_value());
            EXPECT_EQ(tweaked_key->GetXOnlyPubKey(), tweaked->first);

            const Uint256 sighash = U256(inter.at("sigHash").get<std::string>());
            const Bytes witness_sig =
                Hex(input.at("expected").at("witness").at(0).get<std::string>());
            ASSERT_TRUE(witness_sig.size() == 64 || witness_sig.size() == 65);
            // A 65th byte is the explicit hash type.
            EXPECT_EQ(witness_sig.size() == 65, given.at("hashType").get<int>() != 0);
            const std::span<const uint8_t> sig64{witness_sig.data(), 64};
            EXPECT_TRUE(tweaked->first.VerifySchnorr(sighash, sig64));
            EXPECT_FALSE(internal.VerifySchnorr(sighash, sig64));

            // The vectors were made with all-zero auxiliary randomness, so
            // signing through the tweak reproduces them exactly.
            const std::array<uint8_t, 32> zero_aux{};
            EXPECT_EQ(HexOf(key->SignSchnorr(sighash, zero_aux, root_ptr, root_ptr == nullptr)),
                      HexOf(sig64));

            // Signing through the tweak equals signing with the tweaked secret.
            std::array<uint8_t, 32> aux{};
            aux[31] = static_cast<uint8_t>(txin);
            const auto via_tweak = key->SignSchnorr(sighash, aux, root_ptr, root_ptr == nullptr);
            EXPECT_EQ(HexOf(via_tweak), HexOf(tweaked_key->SignSchnorr(sighash, aux)));
            EXPECT_TRUE(tweaked->first.VerifySchnorr(sighash, via_tweak));
        }
    }
    EXPECT_GT(inputs, 0);
}

// ---- Signature cache ------------------------------------------------------

TEST(SigCache, InsertContainsErase)
{
    SignatureCache cache;
    const Uint256 hash = HashOf("cached");
    const Bytes sig = {0x30, 0x01, 0x02};
    const Bytes pub = Hex("0279be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798");
    const Uint256 entry = cache.EcdsaEntry(hash, sig, pub);
    EXPECT_EQ(cache.EcdsaEntry(hash, sig, pub), entry);
    EXPECT_FALSE(cache.Contains(entry, false));
    cache.Insert(entry);
    cache.Insert(entry); // duplicates are stored once
    EXPECT_EQ(cache.Size(), 1U);
    EXPECT_TRUE(cache.Contains(entry, false));
    EXPECT_TRUE(cache.Contains(entry, true));
    EXPECT_FALSE(cache.Contains(entry, false));
    EXPECT_FALSE(cache.Contains(entry, true));
    EXPECT_EQ(cache.Size(), 0U);
}

TEST(SigCache, EntriesAreSaltedAndSeparated)
{
    SignatureCache a;
    SignatureCache b;
    const Uint256 hash = HashOf("salt");
    const XOnlyPubKey xonly{HashOf("x")};
    const Bytes sig(64, 0x11);
    const Bytes xbytes(xonly.bytes().begin(), xonly.bytes().end());
    // Different caches, different salts.
    EXPECT_NE(a.EcdsaEntry(hash, sig, xbytes), b.EcdsaEntry(hash, sig, xbytes));
    EXPECT_NE(a.SchnorrEntry(hash, sig, xonly), b.SchnorrEntry(hash, sig, xonly));
    // Same bytes in the ECDSA and Schnorr domains never collide.
    EXPECT_NE(a.EcdsaEntry(hash, sig, xbytes), a.SchnorrEntry(hash, sig, xonly));
    // Moving a byte from the key into the signature changes the entry.
    const Bytes pub33(33, 0x02);
    Bytes sig_longer = sig;
    sig_longer.insert(sig_longer.begin(), 0x02);
    const Bytes pub32(32, 0x02);
    EXPECT_NE(a.EcdsaEntry(hash, sig, pub33), a.EcdsaEntry(hash, sig_longer, pub32));
    EXPECT_NE(a.EcdsaEntry(hash, sig, pub33), a.EcdsaEntry(HashOf("other"), sig, pub33));
}

TEST(SigCache, BoundIsRespected)
{
    constexpr size_t MAX_ENTRIES = 10;
    SignatureCache cache{MAX_ENTRIES * 32};
    std::vector<Uint256> entries;
    for (int i = 0; i < 100; ++i) {
        entries.push_back(HashOf("entry " + std::to_string(i)));
        cache.Insert(entries.back());
        EXPECT_LE(cache.Size(), MAX_ENTRIES);
    }
    EXPECT_EQ(cache.Size(), MAX_ENTRIES);
    size_t present = 0;
    for (const auto& e : entries)
        present += cache.Contains(e, false) ? 1 : 0;
    EXPECT_EQ(present, MAX_ENTRIES);
    // The newest entry always survives its own insertion.
    EXPECT_TRUE(cache.Contains(entries.back(), false));

    SignatureCache tiny{0};
    tiny.Insert(entries[0]);
    tiny.Insert(entries[1]);
    EXPECT_EQ(tiny.Size(), 1U);
    EXPECT_TRUE(tiny.Contains(entries[1], false));
}

TEST(SigCache, ConcurrentUse)
{
    SignatureCache cache{64 * 32};
    std::atomic<int> hits{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t) {
        threads.emplace_back([&, t] {
            for (int i = 0; i < 500; ++i) {
                const Uint256 e = HashOf(std::to_string(t) + "/" + std::to_string(i));
                cache.Insert(e);
                if (cache.Contains(e, i % 2 == 0)) ++hits;
            }
        });
    }
    for (auto& th : threads)
        th.join();
    EXPECT_LE(cache.Size(), 64U);
    EXPECT_GT(hits.load(), 0);
}
