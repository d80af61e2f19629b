#include <storage/layout.h>

#include <cstring>
#include <limits>

namespace storage::layout {

namespace {

Key WithHash(uint8_t prefix, const consensus::Uint256& hash)
{
    // resize+memcpy: gcc 12 misreports vector::insert here with -Warray-bounds.
    Key key(1 + consensus::Uint256::SIZE);
    key[0] = prefix;
    std::memcpy(key.data() + 1, hash.data(), consensus::Uint256::SIZE);
    return key;
}

} // namespace

Key BlockIndexKey(const consensus::Uint256& block_hash)
{
    return WithHash(DB_BLOCK_INDEX, block_hash);
}

Key BlockFileInfoKey(int file)
{
    const auto u = static_cast<uint32_t>(file);
    return Key{DB_BLOCK_FILES, static_cast<uint8_t>(u), static_cast<uint8_t>(u >> 8),
               static_cast<uint8_t>(u >> 16), static_cast<uint8_t>(u >> 24)};
}

Key LastBlockFileKey()
{
    return Key{DB_LAST_BLOCK};
}

Key ReindexFlagKey()
{
    return Key{DB_REINDEX_FLAG};
}

Key FlagKey(std::string_view name)
{
    // The name is a serialized std::string: CompactSize length, then the bytes.
    Key key{DB_FLAG};
    const uint64_t n = name.size();
    if (n < 253) {
        key.push_back(static_cast<uint8_t>(n));
    } else if (n <= 0xffff) {
        key.push_back(253);
        for (int i = 0; i < 2; ++i)
            key.push_back(static_cast<uint8_t>(n >> (8 * i)));
    } else {
        key.push_back(254);
        for (int i = 0; i < 4; ++i)
            key.push_back(static_cast<uint8_t>(n >> (8 * i)));
    }
    const size_t head = key.size();
    key.resize(head + name.size());
    if (!name.empty()) std::memcpy(key.data() + head, name.data(), name.size());
    return key;
}

Key TxIndexKey(const consensus::Uint256& txid)
{
    return WithHash(DB_TXINDEX, txid);
}

Key CoinKey(const consensus::OutPoint& outpoint)
{
    Key key = WithHash(DB_COIN, outpoint.hash);
    AppendVarInt(key, outpoint.n);
    return key;
}

std::optional<consensus::OutPoint> ParseCoinKey(std::span<const uint8_t> key)
{
    if (key.size() < 1 + consensus::Uint256::SIZE + 1 || key[0] != DB_COIN) return std::nullopt;
    consensus::OutPoint out;
    out.hash = consensus::Uint256{key.subspan(1, consensus::Uint256::SIZE)};
    size_t pos = 1 + consensus::Uint256::SIZE;
    const auto n = ReadVarInt(key, pos);
    if (!n || *n > std::numeric_limits<uint32_t>::max() || pos != key.size()) return std::nullopt;
    out.n = static_cast<uint32_t>(*n);
    return out;
}

Key BestBlockKey()
{
    return Key{DB_BEST_BLOCK};
}

Key HeadBlocksKey()
{
    return Key{DB_HEAD_BLOCKS};
}

Key Prefix(uint8_t prefix)
{
    return Key{prefix};
}

void AppendVarInt(std::vector<uint8_t>& out, uint64_t n)
{
    // Groups are produced least significant first, then emitted in reverse.
    uint8_t tmp[10];
    size_t len = 0;
    while (true) {
        tmp[len] = static_cast<uint8_t>((n & 0x7f) | (len ? 0x80 : 0x00));
        if (n <= 0x7f) break;
        n = (n >> 7) - 1;
        ++len;
    }
    for (size_t i = len + 1; i-- > 0;)
        out.push_back(tmp[i]);
}

std::optional<uint64_t> ReadVarInt(std::span<const uint8_t> in, size_t& pos)
{
    constexpr uint64_t MAX = std::numeric_limits<uint64_t>::max();
    uint64_t n = 0;
    while (pos < in.size()) {
        const uint8_t ch = in[pos++];
        if (n > (MAX >> 7)) return std::nullopt;
        n = (n << 7) | (ch & 0x7f);
        if ((ch & 0x80) == 0) return n;
        if (n == MAX) return std::nullopt;
        ++n;
    }
    return std::nullopt;
}

} // namespace storage::layout
