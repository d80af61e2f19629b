// An independent reading of Core's compact coin format for the storage fuzz
// targets: it splits the input into fields without calling the code under
// test, so the targets can demand that decoder and reference agree on which
// inputs are valid and that every decoded field matches the bytes it came from.
#pragma once

#include <consensus/amount.h>
#include <consensus/coins.h>
#include <consensus/crypto/pubkey.h>
#include <consensus/script/script.h>
#include <storage/coin_encoding.h>
#include <storage/layout.h>

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <limits>
#include <optional>
#include <span>
#include <vector>

namespace fuzz {

using U128 = unsigned __int128;

inline constexpr uint64_t U32_MAX = std::numeric_limits<uint32_t>::max();

/// Core's VARINT read in 128-bit arithmetic: nullopt if truncated or above 2^64 - 1.
inline std::optional<uint64_t> RefReadVarInt(std::span<const uint8_t> in, size_t& pos)
{
    constexpr U128 LIMIT = std::numeric_limits<uint64_t>::max();
    U128 n = 0;
    while (pos < in.size()) {
        const uint8_t ch = in[pos++];
        n = (n << 7) | (ch & 0x7f);
        // The value only grows from here, so once over the limit it stays over.
        if (n > LIMIT) return std::nullopt;
        if ((ch & 0x80) == 0) return static_cast<uint64_t>(n);
        ++n;
    }
    return std::nullopt;
}

/// The amount a compressed value stands for, without the 64-bit wrap-around.
inline U128 RefDecompressAmount(uint64_t compressed)
{
    if (compressed == 0) return 0;
    U128 x = compressed - 1;
    unsigned exponent = static_cast<unsigned>(x % 10);
    x /= 10;
    U128 amount = 0;
    if (exponent < 9) {
        const U128 last_digit = x % 9 + 1;
        amount = x / 9 * 10 + last_digit;
    } else {
        amount = x + 1;
    }
    while (exponent-- > 0)
        amount *= 10;
    return amount;
}

/// The fields of one encoded coin as the reference split them.
struct RefCoin
{
    uint64_t code{0};                //!< height * 2 + coinbase
    std::optional<uint64_t> version; //!< legacy undo field, present when height > 0
    U128 exact_amount{0};            //!< decompressed without wrap-around
    std::span<const uint8_t> amount; //!< the amount VARINT as stored
    uint64_t script_tag{0};          //!< special form 0..5, or raw size + 6
    std::span<const uint8_t> script; //!< tag VARINT and payload as stored
    std::span<const uint8_t> body;   //!< payload only
};

/// Reads one coin at pos (with the undo version field when `undo`); nullopt
/// exactly when the storage decoder must refuse it.
inline std::optional<RefCoin> RefReadCoin(std::span<const uint8_t> in, size_t& pos, bool undo)
{
    RefCoin coin;
    const auto code = RefReadVarInt(in, pos);
    if (!code || *code > U32_MAX) return std::nullopt;
    coin.code = *code;
    if (undo && (coin.code >> 1) > 0) {
        coin.version = RefReadVarInt(in, pos);
        if (!coin.version || *coin.version > U32_MAX) return std::nullopt;
    }
    const size_t amount_start = pos;
    const auto compressed = RefReadVarInt(in, pos);
    if (!compressed) return std::nullopt;
    coin.amount = in.subspan(amount_start, pos - amount_start);
    coin.exact_amount = RefDecompressAmount(*compressed);
    // No stored coin may exceed MAX_MONEY (checked on the exact value, so a wrap-around
    // past 2^64 cannot sneak back into range).
    if (coin.exact_amount > static_cast<U128>(consensus::MAX_MONEY)) return std::nullopt;

    const size_t script_start = pos;
    const auto tag = RefReadVarInt(in, pos);
    if (!tag) return std::nullopt;
    coin.script_tag = *tag;
    const uint64_t body_size = *tag < 2 ? 20 : *tag < 6 ? 32 : *tag - 6;
    if (body_size > in.size() - pos) return std::nullopt;
    coin.body = in.subspan(pos, static_cast<size_t>(body_size));
    pos += static_cast<size_t>(body_size);
    coin.script = in.subspan(script_start, pos - script_start);
    if (*tag == 4 || *tag == 5) {
        // Only an x on the curve can be expanded back into an uncompressed key.
        std::array<uint8_t, 33> key{};
        key[0] = static_cast<uint8_t>(*tag - 2);
        std::copy(coin.body.begin(), coin.body.end(), key.begin() + 1);
        if (!consensus::IsFullyValidPubKey(key)) return std::nullopt;
    }
    return coin;
}

inline bool SameBytes(std::span<const uint8_t> a, std::span<const uint8_t> b)
{
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin());
}

/// The script a special form or raw payload must decode to.
inline bool ScriptMatches(const consensus::Script& script, const RefCoin& ref)
{
    const auto& s = script.bytes();
    const auto body = ref.body;
    const auto body_at = [&](size_t offset) {
        return s.size() >= offset + body.size() &&
               std::equal(body.begin(), body.end(),
                          s.begin() + static_cast<std::ptrdiff_t>(offset));
    };
    switch (ref.script_tag) {
    case 0:
        return s.size() == 25 && s[0] == 0x76 && s[1] == 0xa9 && s[2] == 0x14 && body_at(3) &&
               s[23] == 0x88 && s[24] == 0xac;
    case 1:
        return s.size() == 23 && s[0] == 0xa9 && s[1] == 0x14 && body_at(2) && s[22] == 0x87;
    case 2:
    case 3:
        return s.size() == 35 && s[0] == 0x21 && s[1] == ref.script_tag && body_at(2) &&
               s[34] == 0xac;
    case 4:
    case 5:
        return s.size() == 67 && s[0] == 0x41 && s[1] == 0x04 && body_at(2) &&
               (s[65] & 1) == (ref.script_tag & 1) && s[66] == 0xac &&
               consensus::IsFullyValidPubKey(std::span<const uint8_t>{s}.subspan(1, 65));
    default:
        if (ref.script_tag - 6 > consensus::MAX_SCRIPT_SIZE) {
            return s.size() == 1 && s[0] == 0x6a; // oversized: kept as an OP_RETURN marker
        }
        return SameBytes(s, body);
    }
}

/// Aborts unless `coin` is what `ref` describes; returns whether the stored
/// bytes are the canonical encoding (the encoder would write them again).
inline bool CheckCoin(const consensus::Coin& coin, const RefCoin& ref)
{
    if (coin.height != (ref.code >> 1) || coin.coinbase != ((ref.code & 1) != 0)) std::abort();
    if (static_cast<uint64_t>(coin.out.value) != static_cast<uint64_t>(ref.exact_amount)) {
        std::abort();
    }
    if (!ScriptMatches(coin.out.script_pubkey, ref)) std::abort();

    // Every amount up to MAX_MONEY has exactly one compressed form.
    std::vector<uint8_t> amount;
    storage::layout::AppendVarInt(amount,
                                  storage::CompressAmount(static_cast<uint64_t>(coin.out.value)));
    if (!SameBytes(amount, ref.amount)) std::abort();

    std::vector<uint8_t> script;
    storage::AppendCompressedScript(script, coin.out.script_pubkey);
    bool script_canonical = SameBytes(script, ref.script);
    if (ref.script_tag < 6) {
        if (!script_canonical) std::abort(); // special forms are their own canonical form
    } else if (ref.script_tag - 6 > consensus::MAX_SCRIPT_SIZE) {
        if (script != std::vector<uint8_t>{0x07, 0x6a}) std::abort();
        script_canonical = false;
    } else if (!script_canonical && (script.empty() || script[0] >= 6)) {
        // A raw script may only be re-encoded differently by taking a special form.
        std::abort();
    }
    const bool version_canonical = !ref.version || *ref.version == 0;
    return script_canonical && version_canonical;
}

} // namespace fuzz
