#include <storage/coin_encoding.h>

#include <consensus/crypto/pubkey.h>
#include <consensus/crypto/secp_context.h>
#include <consensus/script/script.h>
#include <consensus/serialize.h>
#include <storage/layout.h>

#include <array>
#include <cstring>
#include <limits>
#include <string>

namespace storage {

namespace {

using consensus::DecodeError;
using consensus::Script;

/// Script sizes 0..5 name the special forms; a raw script stores size + 6.
constexpr uint64_t SPECIAL_SCRIPTS = 6;
constexpr size_t HASH160_SIZE = 20;
constexpr size_t PUBKEY_X_SIZE = 32;
/// Smallest encoded coin: one byte each for code, amount and script size.
constexpr size_t MIN_COIN_BYTES = 3;

bool IsP2PKH(const Script& s)
{
    return s.size() == 25 && s[0] == consensus::OP_DUP && s[1] == consensus::OP_HASH160 &&
           s[2] == HASH160_SIZE && s[23] == consensus::OP_EQUALVERIFY &&
           s[24] == consensus::OP_CHECKSIG;
}

bool IsCompressedP2PK(const Script& s)
{
    // Core stores these specially without checking the point: the bytes are
    // copied back unchanged, so the form round-trips whatever x is.
    return s.size() == 35 && s[0] == consensus::COMPRESSED_PUBKEY_SIZE &&
           s[34] == consensus::OP_CHECKSIG && (s[1] == 0x02 || s[1] == 0x03);
}

bool IsUncompressedP2PK(const Script& s)
{
    // Only a point on the curve can be rebuilt from x and the parity of y.
    return s.size() == 67 && s[0] == consensus::UNCOMPRESSED_PUBKEY_SIZE &&
           s[66] == consensus::OP_CHECKSIG && s[1] == 0x04 &&
           consensus::IsFullyValidPubKey(s.span().subspan(1, consensus::UNCOMPRESSED_PUBKEY_SIZE));
}

uint64_t NeedVarInt(std::span<const uint8_t> in, size_t& pos, const char* what)
{
    const auto v = layout::ReadVarInt(in, pos);
    if (!v) throw DecodeError(std::string{"truncated or oversized VARINT ("} + what + ")");
    return *v;
}

uint32_t NeedVarInt32(std::span<const uint8_t> in, size_t& pos, const char* what)
{
    const uint64_t v = NeedVarInt(in, pos, what);
    if (v > std::numeric_limits<uint32_t>::max()) {
        throw DecodeError(std::string{"VARINT out of range ("} + what + ")");
    }
    return static_cast<uint32_t>(v);
}

std::span<const uint8_t> NeedBytes(std::span<const uint8_t> in, size_t& pos, uint64_t n,
                                   const char* what)
{
    if (n > in.size() - pos)
        throw DecodeError(std::string{"unexpected end of data ("} + what + ")");
    const auto out = in.subspan(pos, static_cast<size_t>(n));
    pos += static_cast<size_t>(n);
    return out;
}

/// Reads a count with CompactSize, checked against the bytes left at min_elem each.
size_t NeedCount(std::span<const uint8_t> in, size_t& pos, size_t min_elem)
{
    consensus::Reader r{in.subspan(pos)};
    const size_t n = consensus::ReadCount(r, min_elem);
    pos += r.Position();
    return n;
}

Script DecompressP2PK(uint64_t kind, std::span<const uint8_t> x)
{
    Script script;
    auto& bytes = script.bytes();
    if (kind == 0x02 || kind == 0x03) {
        bytes.reserve(35);
        bytes.push_back(consensus::COMPRESSED_PUBKEY_SIZE);
        bytes.push_back(static_cast<uint8_t>(kind));
        bytes.insert(bytes.end(), x.begin(), x.end());
        bytes.push_back(consensus::OP_CHECKSIG);
        return script;
    }
    // 0x04/0x05 carry the parity of y; recover y from the curve equation.
    std::array<uint8_t, consensus::COMPRESSED_PUBKEY_SIZE> compressed{};
    compressed[0] = static_cast<uint8_t>(kind - 2);
    std::memcpy(compressed.data() + 1, x.data(), PUBKEY_X_SIZE);
    const secp256k1_context* ctx = consensus::secp::VerifyContext();
    secp256k1_pubkey point;
    if (secp256k1_ec_pubkey_parse(ctx, &point, compressed.data(), compressed.size()) != 1) {
        throw DecodeError("P2PK key: x is not on the curve");
    }
    std::array<uint8_t, consensus::UNCOMPRESSED_PUBKEY_SIZE> full{};
    size_t len = full.size();
    (void)secp256k1_ec_pubkey_serialize(ctx, full.data(), &len, &point, SECP256K1_EC_UNCOMPRESSED);
    bytes.reserve(67);
    bytes.push_back(consensus::UNCOMPRESSED_PUBKEY_SIZE);
    bytes.insert(bytes.end(), full.begin(), full.end());
    bytes.push_back(consensus::OP_CHECKSIG);
    return script;
}

Script ReadCompressedScript(std::span<const uint8_t> in, size_t& pos)
{
    const uint64_t size = NeedVarInt(in, pos, "script size");
    if (size < SPECIAL_SCRIPTS) {
        const size_t payload = size < 2 ? HASH160_SIZE : PUBKEY_X_SIZE;
        const auto body = NeedBytes(in, pos, payload, "special script");
        Script script;
        auto& bytes = script.bytes();
        if (size == 0) {
            bytes = {consensus::OP_DUP, consensus::OP_HASH160, HASH160_SIZE};
            bytes.insert(bytes.end(), body.begin(), body.end());
            bytes.push_back(consensus::OP_EQUALVERIFY);
            bytes.push_back(consensus::OP_CHECKSIG);
        } else if (size == 1) {
            bytes = {consensus::OP_HASH160, HASH160_SIZE};
            bytes.insert(bytes.end(), body.begin(), body.end());
            bytes.push_back(consensus::OP_EQUAL);
        } else {
            script = DecompressP2PK(size, body);
        }
        return script;
    }
    const uint64_t raw_size = size - SPECIAL_SCRIPTS;
    const auto body = NeedBytes(in, pos, raw_size, "script");
    if (raw_size > consensus::MAX_SCRIPT_SIZE) {
        // Never spendable anyway; Core keeps only a marker to save memory.
        return Script{std::vector<uint8_t>{consensus::OP_RETURN}};
    }
    return Script{std::vector<uint8_t>(body.begin(), body.end())};
}

consensus::TxOut ReadTxOut(std::span<const uint8_t> in, size_t& pos)
{
    consensus::TxOut out;
    const uint64_t compressed = NeedVarInt(in, pos, "amount");
    const uint64_t amount = DecompressAmount(compressed);
    // No valid output exceeds MAX_MONEY; a compressed value that does not come
    // back unchanged overflowed 64 bits on the way (only damaged data does that).
    if (amount > static_cast<uint64_t>(consensus::MAX_MONEY) ||
        CompressAmount(amount) != compressed) {
        throw DecodeError("amount out of range");
    }
    out.value = static_cast<consensus::Amount>(amount);
    out.script_pubkey = ReadCompressedScript(in, pos);
    return out;
}

uint64_t CoinCode(const consensus::Coin& coin)
{
    return uint64_t{coin.height} * 2 + (coin.coinbase ? 1 : 0);
}

void SetFromCode(consensus::Coin& coin, uint32_t code)
{
    coin.height = code >> 1;
    coin.coinbase = (code & 1) != 0;
}

consensus::Coin ReadCoin(std::span<const uint8_t> in, size_t& pos)
{
    consensus::Coin coin;
    SetFromCode(coin, NeedVarInt32(in, pos, "coin height"));
    coin.out = ReadTxOut(in, pos);
    return coin;
}

consensus::Coin ReadTxInUndo(std::span<const uint8_t> in, size_t& pos)
{
    consensus::Coin coin;
    SetFromCode(coin, NeedVarInt32(in, pos, "undo height"));
    // Pre-0.15 undo data stored the spending tx's version here; it carries no meaning now.
    if (coin.height > 0) (void)NeedVarInt32(in, pos, "undo version");
    coin.out = ReadTxOut(in, pos);
    return coin;
}

util::Error DecodeFailure(const char* what, const std::exception& e)
{
    return util::Error{std::string{"Cannot decode "} + what + ": " + e.what()};
}

} // namespace

uint64_t CompressAmount(uint64_t amount)
{
    if (amount == 0) return 0;
    uint64_t exponent = 0;
    while (amount % 10 == 0 && exponent < 9) {
        amount /= 10;
        ++exponent;
    }
    if (exponent < 9) {
        const uint64_t last_digit = amount % 10; // 1..9 here
        amount /= 10;
        return 1 + (amount * 9 + last_digit - 1) * 10 + exponent;
    }
    return 1 + (amount - 1) * 10 + 9;
}

uint64_t DecompressAmount(uint64_t compressed)
{
    if (compressed == 0) return 0;
    uint64_t x = compressed - 1;
    uint64_t exponent = x % 10;
    x /= 10;
    uint64_t amount = 0;
    if (exponent < 9) {
        const uint64_t last_digit = x % 9 + 1;
        x /= 9;
        amount = x * 10 + last_digit;
    } else {
        amount = x + 1;
    }
    for (; exponent > 0; --exponent)
        amount *= 10;
    return amount;
}

void AppendCompressedScript(std::vector<uint8_t>& out, const consensus::Script& script)
{
    if (IsP2PKH(script)) {
        out.push_back(0x00);
        out.insert(out.end(), script.begin() + 3, script.begin() + 3 + HASH160_SIZE);
    } else if (script.IsPayToScriptHash()) {
        out.push_back(0x01);
        out.insert(out.end(), script.begin() + 2, script.begin() + 2 + HASH160_SIZE);
    } else if (IsCompressedP2PK(script)) {
        out.push_back(script[1]);
        out.insert(out.end(), script.begin() + 2, script.begin() + 2 + PUBKEY_X_SIZE);
    } else if (IsUncompressedP2PK(script)) {
        out.push_back(static_cast<uint8_t>(0x04 | (script[65] & 0x01)));
        out.insert(out.end(), script.begin() + 2, script.begin() + 2 + PUBKEY_X_SIZE);
    } else {
        layout::AppendVarInt(out, script.size() + SPECIAL_SCRIPTS);
        out.insert(out.end(), script.begin(), script.end());
    }
}

void AppendCompressedTxOut(std::vector<uint8_t>& out, const consensus::TxOut& txout)
{
    layout::AppendVarInt(out, CompressAmount(static_cast<uint64_t>(txout.value)));
    AppendCompressedScript(out, txout.script_pubkey);
}

util::Expected<consensus::TxOut> ReadCompressedTxOut(std::span<const uint8_t> in, size_t& pos)
{
    if (pos > in.size()) return util::Unexpected("Cannot decode txout: position past the end");
    try {
        return ReadTxOut(in, pos);
    } catch (const DecodeError& e) {
        return DecodeFailure("txout", e);
    }
}

std::vector<uint8_t> EncodeCoin(const consensus::Coin& coin)
{
    std::vector<uint8_t> out;
    layout::AppendVarInt(out, CoinCode(coin));
    AppendCompressedTxOut(out, coin.out);
    return out;
}

util::Expected<consensus::Coin> DecodeCoin(std::span<const uint8_t> value)
{
    try {
        size_t pos = 0;
        consensus::Coin coin = ReadCoin(value, pos);
        if (pos != value.size()) return util::Unexpected("Cannot decode coin: trailing bytes");
        return coin;
    } catch (const DecodeError& e) {
        return DecodeFailure("coin", e);
    }
}

std::vector<uint8_t> EncodeBlockUndo(const BlockUndo& undo)
{
    std::vector<uint8_t> out;
    consensus::Writer w{out};
    consensus::WriteCompactSize(w, undo.txs.size());
    for (const TxUndo& tx : undo.txs) {
        consensus::WriteCompactSize(w, tx.prevouts.size());
        for (const consensus::Coin& coin : tx.prevouts) {
            layout::AppendVarInt(out, CoinCode(coin));
            if (coin.height > 0) out.push_back(0x00);
            AppendCompressedTxOut(out, coin.out);
        }
    }
    return out;
}

util::Expected<BlockUndo> DecodeBlockUndo(std::span<const uint8_t> bytes)
{
    try {
        size_t pos = 0;
        BlockUndo undo;
        const size_t tx_count = NeedCount(bytes, pos, 1);
        undo.txs.resize(tx_count);
        for (TxUndo& tx : undo.txs) {
            const size_t coin_count = NeedCount(bytes, pos, MIN_COIN_BYTES);
            tx.prevouts.reserve(coin_count);
            for (size_t i = 0; i < coin_count; ++i)
                tx.prevouts.push_back(ReadTxInUndo(bytes, pos));
        }
        if (pos != bytes.size())
            return util::Unexpected("Cannot decode block undo: trailing bytes");
        return undo;
    } catch (const DecodeError& e) {
        return DecodeFailure("block undo", e);
    }
}

} // namespace storage
