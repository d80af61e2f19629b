#include <consensus/serialize.h>

namespace consensus {

void WriteCompactSize(Writer& w, uint64_t n)
{
    if (n < 253) {
        WriteLE<uint8_t>(w, static_cast<uint8_t>(n));
    } else if (n <= 0xffff) {
        WriteLE<uint8_t>(w, 253);
        WriteLE<uint16_t>(w, static_cast<uint16_t>(n));
    } else if (n <= 0xffffffff) {
        WriteLE<uint8_t>(w, 254);
        WriteLE<uint32_t>(w, static_cast<uint32_t>(n));
    } else {
        WriteLE<uint8_t>(w, 255);
        WriteLE<uint64_t>(w, n);
    }
}

uint64_t ReadCompactSize(Reader& r, bool range_check)
{
    const uint8_t first = ReadLE<uint8_t>(r);
    uint64_t n;
    if (first < 253) {
        n = first;
    } else if (first == 253) {
        n = ReadLE<uint16_t>(r);
        if (n < 253) throw DecodeError("non-canonical CompactSize");
    } else if (first == 254) {
        n = ReadLE<uint32_t>(r);
        if (n < 0x10000) throw DecodeError("non-canonical CompactSize");
    } else {
        n = ReadLE<uint64_t>(r);
        if (n < 0x100000000ULL) throw DecodeError("non-canonical CompactSize");
    }
    if (range_check && n > MAX_SIZE) throw DecodeError("CompactSize exceeds maximum size");
    return n;
}

size_t ReadCount(Reader& r, size_t min_elem_bytes)
{
    const uint64_t n = ReadCompactSize(r);
    if (min_elem_bytes > 0 && n > r.Remaining() / min_elem_bytes) {
        throw DecodeError("length exceeds the remaining data");
    }
    return static_cast<size_t>(n);
}

} // namespace consensus
