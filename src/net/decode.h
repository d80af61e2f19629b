// Helpers the message decoders of this folder share (internal to src/net).
#pragma once

#include <consensus/serialize.h>
#include <util/expected.h>

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace net {

/// Runs `parse` over the whole payload, turning malformation and leftovers into an Error.
template <class T, class F>
util::Expected<T> DecodeWhole(std::span<const uint8_t> payload, std::string_view what, F parse)
{
    try {
        consensus::Reader r{payload};
        T out{};
        parse(r, out);
        if (!r.Empty()) throw consensus::DecodeError("trailing bytes");
        return out;
    } catch (const consensus::DecodeError& e) {
        return util::Unexpected(std::string(what) + ": " + e.what());
    }
}

/// Reads a CompactSize element count and refuses it when it exceeds `cap` or
/// could not fit in the bytes left, before anyone allocates for it.
inline size_t ReadBoundedCount(consensus::Reader& r, size_t cap, size_t min_elem_bytes)
{
    const uint64_t n = consensus::ReadCompactSize(r, /*range_check=*/false);
    if (n > cap)
        throw consensus::DecodeError("too many entries (" + std::to_string(n) + " > " +
                                     std::to_string(cap) + ")");
    if (n * min_elem_bytes > r.Remaining())
        throw consensus::DecodeError("entry count exceeds data");
    return static_cast<size_t>(n);
}

} // namespace net
