#include <storage/coin_encoding.h>

#include <storage/layout.h>

#include <consensus/amount.h>
#include <consensus/crypto/key.h>
#include <consensus/crypto/pubkey.h>
#include <consensus/script/script.h>
#include <util/strings.h>

#include <gtest/gtest.h>

#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace {

using consensus::Coin;
using consensus::Script;
using consensus::TxOut;
using storage::BlockUndo;
using storage::TxUndo;

std::vector<uint8_t> Hex(std::string_view hex)
{
    auto bytes = util::TryParseHex(hex);
    EXPECT_TRUE(bytes.has_value()) << hex;
    return bytes.value_or(std::vector<uint8_t>{});
}

std::vector<uint8_t> Compressed(const Script& script)
{
    std::vector<uint8_t> out;
    storage::AppendCompressedScript(out, script);
    return out;
}

// Decodes a compressed script through a zero-amount txout ("00" is amount 0).
util::Expected<Script> DecompressedScript(const std::vector<uint8_t>& compressed)
{
    std::vector<uint8_t> in{0x00};
    in.insert(in.end(), compressed.begin(), compressed.end());
    size_t pos = 0;
    auto out = storage::ReadCompressedTxOut(in, pos);
    if (!out) return out.error();
    EXPECT_EQ(pos, in.size());
    return out->script_pubkey;
}

Script FromHex(std::string_view hex)
{
    return Script{Hex(hex)};
}

std::string Repeat(std::string_view s, size_t n)
{
    std::string out;
    for (size_t i = 0; i < n; ++i)
        out.append(s);
    return out;
}

Coin MakeCoin(uint32_t height, bool coinbase, consensus::Amount value, Script script)
{
    Coin coin;
    coin.height = height;
    coin.coinbase = coinbase;
    coin.out.value = value;
    coin.out.script_pubkey = std::move(script);
    return coin;
}

// The secp256k1 generator G (SEC 2, section 2.4.1).
constexpr std::string_view G_X = "79be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798";
constexpr std::string_view G_Y = "483ada7726a3c4655da4fbfc0e1108a8fd17b448a68554199c47d08ffb10d4b8";

// ---- amounts -------------------------------------------------------------------

TEST(CoinEncodingTest, CompressAmountKnownValues)
{
    // 1 + 10*(9*n + d - 1) + e after stripping e trailing zeros (e <= 9) and the last digit d.
    EXPECT_EQ(storage::CompressAmount(0), 0u);
    EXPECT_EQ(storage::CompressAmount(1), 1u);                            // n=0 d=1 e=0
    EXPECT_EQ(storage::CompressAmount(1'000'000), 7u);                    // CENT: n=0 d=1 e=6
    EXPECT_EQ(storage::CompressAmount(consensus::COIN), 9u);              // n=0 d=1 e=8
    EXPECT_EQ(storage::CompressAmount(50 * consensus::COIN), 0x32u);      // e=9: 1 + 10*(5-1) + 9
    EXPECT_EQ(storage::CompressAmount(consensus::MAX_MONEY), 0x1406f40u); // e=9, n=2100000
    EXPECT_EQ(storage::CompressAmount(123), 1 + 10 * (9 * 12 + 3 - 1) + 0u);
    EXPECT_EQ(storage::CompressAmount(12'300), 1 + 10 * (9 * 12 + 3 - 1) + 2u);

    EXPECT_EQ(storage::DecompressAmount(0), 0u);
    EXPECT_EQ(storage::DecompressAmount(1), 1u);
    EXPECT_EQ(storage::DecompressAmount(7), 1'000'000u);
    EXPECT_EQ(storage::DecompressAmount(9), uint64_t{consensus::COIN});
    EXPECT_EQ(storage::DecompressAmount(0x32), uint64_t{50 * consensus::COIN});
    EXPECT_EQ(storage::DecompressAmount(0x1406f40), uint64_t{consensus::MAX_MONEY});
}

TEST(CoinEncodingTest, CompressAmountRoundTrip)
{
    for (uint64_t i = 0; i <= 100'000; ++i) {
        ASSERT_EQ(storage::DecompressAmount(storage::CompressAmount(i)), i) << i;
    }
    for (uint64_t i = 1; i <= 10'000; ++i) {
        const uint64_t cents = i * 1'000'000;
        ASSERT_EQ(storage::DecompressAmount(storage::CompressAmount(cents)), cents);
        const uint64_t coins = i * consensus::COIN;
        ASSERT_EQ(storage::DecompressAmount(storage::CompressAmount(coins)), coins);
    }
    // The mapping is a bijection on small numbers in both directions.
    for (uint64_t x = 0; x <= 100'000; ++x) {
        ASSERT_EQ(storage::CompressAmount(storage::DecompressAmount(x)), x) << x;
    }
    const uint64_t max = static_cast<uint64_t>(consensus::MAX_MONEY);
    // Values whose compressed form still fits 64 bits (roughly below 2^64 / 9).
    for (uint64_t v : {max - 1, max + 1, uint64_t{1'000'000'000'000'000'007}}) {
        EXPECT_EQ(storage::DecompressAmount(storage::CompressAmount(v)), v);
    }
}

// ---- scripts ---------------------------------------------------------------------

TEST(CoinEncodingTest, P2PKHIsSpecialForm0)
{
    const std::string hash = "816115944e077fe7c803cfa57f29b36bf87c1d35";
    const Script script = FromHex("76a914" + hash + "88ac");
    EXPECT_EQ(Compressed(script), Hex("00" + hash));
    auto back = DecompressedScript(Compressed(script));
    ASSERT_TRUE(back) << back.error().message;
    EXPECT_EQ(*back, script);
}

TEST(CoinEncodingTest, P2SHIsSpecialForm1)
{
    const std::string hash = "8c988f1a4a4de2161e0f50aac7f17e7f9555caa4";
    const Script script = FromHex("a914" + hash + "87");
    EXPECT_EQ(Compressed(script), Hex("01" + hash));
    auto back = DecompressedScript(Compressed(script));
    ASSERT_TRUE(back) << back.error().message;
    EXPECT_EQ(*back, script);
}

TEST(CoinEncodingTest, CompressedP2PKIsSpecialForm2And3)
{
    for (const std::string prefix : {"02", "03"}) {
        const Script script = FromHex("21" + prefix + std::string{G_X} + "ac");
        EXPECT_EQ(Compressed(script), Hex(prefix + std::string{G_X}));
        auto back = DecompressedScript(Compressed(script));
        ASSERT_TRUE(back) << back.error().message;
        EXPECT_EQ(*back, script);
    }
}

TEST(CoinEncodingTest, CompressedP2PKOffCurveStillSpecialAsInCore)
{
    // Core stores any 02/03-prefixed 33-byte key specially (the bytes come back
    // unchanged); only the uncompressed forms need a point on the curve.
    const std::string x = Repeat("ff", 32); // >= the field prime: no such point
    ASSERT_FALSE(consensus::IsFullyValidPubKey(Hex("02" + x)));
    const Script script = FromHex("2102" + x + "ac");
    EXPECT_EQ(Compressed(script), Hex("02" + x));
    auto back = DecompressedScript(Compressed(script));
    ASSERT_TRUE(back) << back.error().message;
    EXPECT_EQ(*back, script);
}

TEST(CoinEncodingTest, UncompressedP2PKKnownPoint)
{
    // G has an even y, so it is form 4; decompression must rebuild y exactly.
    const Script script = FromHex("4104" + std::string{G_X} + std::string{G_Y} + "ac");
    EXPECT_EQ(Compressed(script), Hex("04" + std::string{G_X}));
    auto back = DecompressedScript(Hex("04" + std::string{G_X}));
    ASSERT_TRUE(back) << back.error().message;
    EXPECT_EQ(*back, script);
}

TEST(CoinEncodingTest, UncompressedP2PKBothParitiesRoundTrip)
{
    bool seen[2] = {false, false};
    for (uint8_t i = 1; i < 64 && !(seen[0] && seen[1]); ++i) {
        std::array<uint8_t, 32> secret{};
        secret[31] = i;
        auto key = consensus::PrivKey::FromBytes(secret, /*compressed=*/false);
        ASSERT_TRUE(key.has_value());
        const std::vector<uint8_t> pub = key->GetPubKey();
        ASSERT_EQ(pub.size(), 65u);
        const int parity = pub[64] & 1;
        seen[parity] = true;

        Script script{std::vector<uint8_t>{65}};
        script.Append(pub);
        script << consensus::OP_CHECKSIG;
        const std::vector<uint8_t> compressed = Compressed(script);
        ASSERT_EQ(compressed.size(), 33u);
        EXPECT_EQ(compressed[0], 4 + parity);
        EXPECT_TRUE(std::equal(compressed.begin() + 1, compressed.end(), pub.begin() + 1));
        auto back = DecompressedScript(compressed);
        ASSERT_TRUE(back) << back.error().message;
        EXPECT_EQ(*back, script);
    }
    EXPECT_TRUE(seen[0] && seen[1]);
}

TEST(CoinEncodingTest, UncompressedP2PKOffCurveIsStoredRaw)
{
    // Changing y takes G off the curve: the special form could not restore it.
    std::string bad_y{G_Y};
    bad_y.back() = '9';
    const Script script = FromHex("4104" + std::string{G_X} + bad_y + "ac");
    ASSERT_FALSE(consensus::IsFullyValidPubKey(script.span().subspan(1, 65)));
    std::vector<uint8_t> expected{67 + 6};
    expected.insert(expected.end(), script.begin(), script.end());
    EXPECT_EQ(Compressed(script), expected);
    auto back = DecompressedScript(expected);
    ASSERT_TRUE(back) << back.error().message;
    EXPECT_EQ(*back, script);
}

TEST(CoinEncodingTest, SpecialForm4WithXOffCurveFailsToDecode)
{
    for (const std::string form : {"04", "05"}) {
        auto back = DecompressedScript(Hex(form + Repeat("ff", 32)));
        EXPECT_FALSE(back) << form;
    }
}

TEST(CoinEncodingTest, NonSpecialScriptsAreSizePlusSix)
{
    // P2WPKH, near misses of the special templates, and the empty script.
    const std::vector<std::string> scripts = {
        "0014" + Repeat("ab", 20),
        "76a914" + Repeat("ab", 20) + "88ad", // OP_CHECKSIGVERIFY instead of OP_CHECKSIG
        "a914" + Repeat("ab", 20) + "88",     // OP_EQUALVERIFY instead of OP_EQUAL
        "2104" + Repeat("ab", 32) + "ac",     // 04 prefix in a 33-byte push
        "",
        "6a",
    };
    for (const std::string& hex : scripts) {
        const Script script = FromHex(hex);
        std::vector<uint8_t> expected{static_cast<uint8_t>(script.size() + 6)};
        expected.insert(expected.end(), script.begin(), script.end());
        EXPECT_EQ(Compressed(script), expected) << hex;
        auto back = DecompressedScript(expected);
        ASSERT_TRUE(back) << back.error().message;
        EXPECT_EQ(*back, script) << hex;
    }
}

TEST(CoinEncodingTest, LongestScriptRoundTrips)
{
    const Script script{std::vector<uint8_t>(consensus::MAX_SCRIPT_SIZE, 0x51)};
    const std::vector<uint8_t> compressed = Compressed(script);
    // VARINT(10006): 10006 = 78 * 128 + 22, written as 0x80|(78-1), 22.
    ASSERT_GE(compressed.size(), 2u);
    EXPECT_EQ(compressed[0], 0x80 | 77);
    EXPECT_EQ(compressed[1], 22);
    EXPECT_EQ(compressed.size(), 2 + consensus::MAX_SCRIPT_SIZE);
    auto back = DecompressedScript(compressed);
    ASSERT_TRUE(back) << back.error().message;
    EXPECT_EQ(*back, script);
}

TEST(CoinEncodingTest, OversizedScriptDecodesAsOpReturn)
{
    const Script script{std::vector<uint8_t>(consensus::MAX_SCRIPT_SIZE + 1, 0x51)};
    const std::vector<uint8_t> compressed = Compressed(script);
    ASSERT_GE(compressed.size(), 2u);
    EXPECT_EQ(compressed[0], 0x80 | 77); // VARINT(10007)
    EXPECT_EQ(compressed[1], 23);
    EXPECT_EQ(compressed.size(), 2 + consensus::MAX_SCRIPT_SIZE + 1);
    auto back = DecompressedScript(compressed); // also checks every byte was consumed
    ASSERT_TRUE(back) << back.error().message;
    EXPECT_EQ(*back, Script{std::vector<uint8_t>{consensus::OP_RETURN}});
    EXPECT_TRUE(back->IsUnspendable());

    // The skipped bytes must still be there.
    std::vector<uint8_t> short_body(compressed.begin(), compressed.end() - 1);
    EXPECT_FALSE(DecompressedScript(short_body));
}

TEST(CoinEncodingTest, HugeScriptSizeFailsWithoutAllocating)
{
    // 0x8a95c0bb00 is VARINT(3'000'000'000): far more than the bytes present.
    EXPECT_FALSE(DecompressedScript(Hex("8a95c0bb00")));
    EXPECT_FALSE(DecompressedScript(Hex("ffffffffffffffffffff7f")));
}

TEST(CoinEncodingTest, ReadCompressedTxOutAdvancesPosition)
{
    TxOut a;
    a.value = 5000;
    a.script_pubkey = FromHex("a914" + Repeat("11", 20) + "87");
    TxOut b;
    b.value = 0;
    b.script_pubkey = FromHex("6a0401020304");
    std::vector<uint8_t> buf{0xee}; // a byte before the first output
    storage::AppendCompressedTxOut(buf, a);
    const size_t second = buf.size();
    storage::AppendCompressedTxOut(buf, b);

    size_t pos = 1;
    auto first = storage::ReadCompressedTxOut(buf, pos);
    ASSERT_TRUE(first) << first.error().message;
    EXPECT_EQ(*first, a);
    EXPECT_EQ(pos, second);
    auto next = storage::ReadCompressedTxOut(buf, pos);
    ASSERT_TRUE(next) << next.error().message;
    EXPECT_EQ(*next, b);
    EXPECT_EQ(pos, buf.size());
    EXPECT_FALSE(storage::ReadCompressedTxOut(buf, pos)); // nothing left
    size_t past_end = buf.size() + 5;
    EXPECT_FALSE(storage::ReadCompressedTxOut(buf, past_end));
}

// ---- coins ---------------------------------------------------------------------

TEST(CoinEncodingTest, CoreCoinVectors)
{
    // Serialized coins from Bitcoin Core's coins_tests (ccoins_serialization).
    auto c1 = storage::DecodeCoin(Hex("97f23c835800816115944e077fe7c803cfa57f29b36bf87c1d35"));
    ASSERT_TRUE(c1) << c1.error().message;
    EXPECT_FALSE(c1->coinbase);
    EXPECT_EQ(c1->height, 203998u);
    EXPECT_EQ(c1->out.value, 60'000'000'000);
    EXPECT_EQ(c1->out.script_pubkey, FromHex("76a914816115944e077fe7c803cfa57f29b36bf87c1d3588ac"));

    auto c2 = storage::DecodeCoin(Hex("8ddf77bbd123008c988f1a4a4de2161e0f50aac7f17e7f9555caa4"));
    ASSERT_TRUE(c2) << c2.error().message;
    EXPECT_TRUE(c2->coinbase);
    EXPECT_EQ(c2->height, 120891u);
    EXPECT_EQ(c2->out.value, 110397);
    EXPECT_EQ(c2->out.script_pubkey, FromHex("76a9148c988f1a4a4de2161e0f50aac7f17e7f9555caa488ac"));

    auto c3 = storage::DecodeCoin(Hex("000006"));
    ASSERT_TRUE(c3) << c3.error().message;
    EXPECT_FALSE(c3->coinbase);
    EXPECT_EQ(c3->height, 0u);
    EXPECT_EQ(c3->out.value, 0);
    EXPECT_TRUE(c3->out.script_pubkey.empty());

    EXPECT_FALSE(storage::DecodeCoin(Hex("000007"))); // one script byte promised, none given
    EXPECT_FALSE(storage::DecodeCoin(Hex("00008a95c0bb00")));

    // Encoding gives the same bytes back.
    EXPECT_EQ(storage::EncodeCoin(*c1),
              Hex("97f23c835800816115944e077fe7c803cfa57f29b36bf87c1d35"));
    EXPECT_EQ(storage::EncodeCoin(*c2),
              Hex("8ddf77bbd123008c988f1a4a4de2161e0f50aac7f17e7f9555caa4"));
    EXPECT_EQ(storage::EncodeCoin(*c3), Hex("000006"));
}

TEST(CoinEncodingTest, CoinRoundTrips)
{
    const std::vector<Coin> coins = {
        MakeCoin(0, false, 0, Script{}),
        MakeCoin(1, true, 50 * consensus::COIN,
                 FromHex("4104" + std::string{G_X} + std::string{G_Y} + "ac")),
        MakeCoin(840'000, false, 1234, FromHex("5120" + Repeat("cd", 32))),
        MakeCoin(0x7fffffff, true, consensus::MAX_MONEY, FromHex("a914" + Repeat("01", 20) + "87")),
    };
    for (const Coin& coin : coins) {
        auto back = storage::DecodeCoin(storage::EncodeCoin(coin));
        ASSERT_TRUE(back) << back.error().message;
        EXPECT_EQ(*back, coin);
    }
}

TEST(CoinEncodingTest, CoinRejectsTrailingBytesAndBadCodes)
{
    std::vector<uint8_t> bytes = storage::EncodeCoin(MakeCoin(7, false, 1, Script{}));
    bytes.push_back(0x00);
    EXPECT_FALSE(storage::DecodeCoin(bytes));
    // A height code above 32 bits (VARINT 2^32 = 8e fe fe ff 00) is out of range.
    EXPECT_FALSE(storage::DecodeCoin(Hex("8efefeff00"
                                         "00"
                                         "06")));
    EXPECT_FALSE(storage::DecodeCoin({}));
}

TEST(CoinEncodingTest, CoinTruncatedAtEveryPrefixFails)
{
    const Coin coin = MakeCoin(123'456, true, 987'654'321, FromHex("0014" + Repeat("ab", 20)));
    const std::vector<uint8_t> bytes = storage::EncodeCoin(coin);
    for (size_t len = 0; len < bytes.size(); ++len) {
        EXPECT_FALSE(storage::DecodeCoin(std::span{bytes}.first(len))) << len;
    }
    EXPECT_TRUE(storage::DecodeCoin(bytes));
}

// ---- undo ------------------------------------------------------------------------

BlockUndo SampleUndo()
{
    BlockUndo undo;
    undo.txs.push_back(TxUndo{{MakeCoin(0, false, 0, Script{}), MakeCoin(1, true, 1, Script{})}});
    undo.txs.push_back(TxUndo{});
    undo.txs.push_back(TxUndo{
        {MakeCoin(500'000, false, 2 * consensus::COIN,
                  FromHex("76a914" + Repeat("22", 20) + "88ac")),
         MakeCoin(77, false, 31337, FromHex("4104" + std::string{G_X} + std::string{G_Y} + "ac")),
         MakeCoin(3, false, 546, FromHex("0020" + Repeat("33", 32)))}});
    return undo;
}

TEST(CoinEncodingTest, UndoKnownBytes)
{
    BlockUndo undo;
    undo.txs.push_back(TxUndo{{MakeCoin(0, false, 0, Script{}), MakeCoin(1, true, 1, Script{})}});
    // tx count 1, coin count 2; height 0: code 0, no version, amount 0, empty script (6);
    // height 1 coinbase: code 3, legacy version 0, amount 1, empty script.
    EXPECT_EQ(storage::EncodeBlockUndo(undo), Hex("01"
                                                  "02"
                                                  "000006"
                                                  "03000106"));
    EXPECT_EQ(storage::EncodeBlockUndo(BlockUndo{}), Hex("00"));
}

TEST(CoinEncodingTest, UndoAcceptsLegacyVersionValues)
{
    // Old undo data carries the spending transaction's version instead of 0.
    auto undo = storage::DecodeBlockUndo(Hex("01"
                                             "01"
                                             "03"
                                             "02"
                                             "01"
                                             "06"));
    ASSERT_TRUE(undo) << undo.error().message;
    ASSERT_EQ(undo->txs.size(), 1u);
    ASSERT_EQ(undo->txs[0].prevouts.size(), 1u);
    EXPECT_EQ(undo->txs[0].prevouts[0], MakeCoin(1, true, 1, Script{}));
    // A version that does not fit 32 bits is malformed.
    EXPECT_FALSE(storage::DecodeBlockUndo(Hex("01"
                                              "01"
                                              "03"
                                              "8efefeff00"
                                              "01"
                                              "06")));
}

TEST(CoinEncodingTest, UndoRoundTrips)
{
    const BlockUndo undo = SampleUndo();
    auto back = storage::DecodeBlockUndo(storage::EncodeBlockUndo(undo));
    ASSERT_TRUE(back) << back.error().message;
    EXPECT_EQ(*back, undo);

    auto empty = storage::DecodeBlockUndo(storage::EncodeBlockUndo(BlockUndo{}));
    ASSERT_TRUE(empty) << empty.error().message;
    EXPECT_TRUE(empty->txs.empty());
}

TEST(CoinEncodingTest, UndoTruncatedAtEveryPrefixFails)
{
    const std::vector<uint8_t> bytes = storage::EncodeBlockUndo(SampleUndo());
    for (size_t len = 0; len < bytes.size(); ++len) {
        EXPECT_FALSE(storage::DecodeBlockUndo(std::span{bytes}.first(len))) << len;
    }
    std::vector<uint8_t> trailing = bytes;
    trailing.push_back(0);
    EXPECT_FALSE(storage::DecodeBlockUndo(trailing));
}

TEST(CoinEncodingTest, UndoCountsBoundedByRemainingBytes)
{
    // 0x01ffffff transactions (within CompactSize's cap) in five bytes.
    EXPECT_FALSE(storage::DecodeBlockUndo(Hex("feffffff01")));
    // One transaction claiming 253 coins with a few bytes behind it.
    EXPECT_FALSE(storage::DecodeBlockUndo(Hex("01fdfd00000006")));
    // Non-canonical CompactSize for the transaction count.
    EXPECT_FALSE(storage::DecodeBlockUndo(Hex("fd0100"
                                              "00")));
}

TEST(CoinEncodingTest, AmountsAboveMaxMoneyOrOverflowingAreRefused)
{
    // Height 0, not coinbase; the amount VARINT; an empty raw script (size code 6).
    auto coin_with = [](uint64_t compressed) {
        std::vector<uint8_t> bytes{0x00};
        storage::layout::AppendVarInt(bytes, compressed);
        bytes.push_back(0x06);
        return bytes;
    };
    const uint64_t max_money = static_cast<uint64_t>(consensus::MAX_MONEY);
    auto at_max = storage::DecodeCoin(coin_with(storage::CompressAmount(max_money)));
    ASSERT_TRUE(at_max);
    EXPECT_EQ(at_max->out.value, consensus::MAX_MONEY);
    EXPECT_FALSE(storage::DecodeCoin(coin_with(storage::CompressAmount(max_money + 1))));
    // Found by fuzzing: decompresses past 2^64 and wrapped to a smaller number,
    // which re-encoded to a different coin.
    const std::vector<uint8_t> wraps{0x00, 0x85, 0x9d, 0xf9, 0x84, 0xdf, 0x64, 0x06};
    EXPECT_FALSE(storage::DecodeCoin(wraps));
    const std::vector<uint8_t> undo{0x01, 0x01, 0x00, 0x85, 0x9d, 0xf9, 0x84, 0xdf, 0x64, 0x06};
    EXPECT_FALSE(storage::DecodeBlockUndo(undo));
}

} // namespace
