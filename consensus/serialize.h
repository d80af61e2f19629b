// Bitcoin's wire serialization: one symmetric description per type drives both
// encoding and decoding.
//
// A type opts in with a static member template
//     template <class S, class Self> static void Fields(S& s, Self& self) { s(self.a, self.b); }
// which is called with a Writer (Self const) or a Reader (Self mutable). Types
// with irregular encodings provide Serialize/Unserialize members instead.
//
// Decoding checks every length against the bytes that remain and against the
// protocol caps before allocating, insists on canonical CompactSize and reports
// failure by throwing DecodeError, which never leaves this layer's public entry
// points: Decode<T>() turns it into util::Expected.
#pragma once

#include <consensus/uint256.h>
#include <util/expected.h>

#include <array>
#include <concepts>
#include <cstdint>
#include <cstring>
#include <span>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <vector>

namespace consensus {

/// Largest CompactSize accepted as a length or count (32 MiB, as Bitcoin Core).
inline constexpr uint64_t MAX_SIZE = 0x02000000;

/// Thrown by Reader on malformed input; caught at the decoding boundary.
struct DecodeError : std::runtime_error
{
    using std::runtime_error::runtime_error;
};

class Writer;
class Reader;

template <class T>
concept FieldSerializable = requires(Writer& w, const T& t)
{
    T::Fields(w, t);
};
template <class T>
concept MemberSerializable = requires(Writer& w, const T& t)
{
    t.Serialize(w);
};

/// Appends encoded bytes to a vector. Cannot fail.
class Writer
{
public:
    explicit Writer(std::vector<uint8_t>& out) : m_out{out} {}

    void WriteBytes(std::span<const uint8_t> bytes)
    {
        // resize+memcpy rather than insert: gcc 12 misreports insert with -Wstringop-overflow.
        const size_t old = m_out.size();
        m_out.resize(old + bytes.size());
        if (!bytes.empty()) std::memcpy(m_out.data() + old, bytes.data(), bytes.size());
    }
    template <class... Args>
    void operator()(const Args&... args)
    {
        (Put(args), ...);
    }
    template <class T>
    void Put(const T& v);

private:
    std::vector<uint8_t>& m_out;
};

/// Reads encoded bytes from a span; throws DecodeError on any malformation.
class Reader
{
public:
    explicit Reader(std::span<const uint8_t> data) : m_data{data} {}

    size_t Remaining() const { return m_data.size() - m_pos; }
    size_t Position() const { return m_pos; }
    bool Empty() const { return m_pos == m_data.size(); }
    /// Returns the next n bytes and advances; throws if fewer remain.
    std::span<const uint8_t> ReadBytes(size_t n)
    {
        if (n > Remaining()) throw DecodeError("unexpected end of data");
        auto out = m_data.subspan(m_pos, n);
        m_pos += n;
        return out;
    }
    template <class... Args>
    void operator()(Args&... args)
    {
        (Get(args), ...);
    }
    template <class T>
    void Get(T& v);

private:
    std::span<const uint8_t> m_data;
    size_t m_pos{0};
};

// ---- integers -------------------------------------------------------------

template <std::integral T>
void WriteLE(Writer& w, T v)
{
    std::array<uint8_t, sizeof(T)> b;
    using U = std::make_unsigned_t<T>;
    U u = static_cast<U>(v);
    for (size_t i = 0; i < sizeof(T); ++i)
        b[i] = static_cast<uint8_t>(u >> (8 * i));
    w.WriteBytes(b);
}
template <std::integral T>
T ReadLE(Reader& r)
{
    auto b = r.ReadBytes(sizeof(T));
    using U = std::make_unsigned_t<T>;
    U u = 0;
    for (size_t i = 0; i < sizeof(T); ++i)
        u |= static_cast<U>(static_cast<U>(b[i]) << (8 * i));
    return static_cast<T>(u);
}

/// Bytes the CompactSize encoding of n occupies.
inline constexpr size_t CompactSizeLen(uint64_t n)
{
    return n < 253 ? 1 : (n <= 0xffff ? 3 : (n <= 0xffffffff ? 5 : 9));
}
void WriteCompactSize(Writer& w, uint64_t n);
/// Reads a canonical CompactSize; if range_check, also rejects values above MAX_SIZE.
uint64_t ReadCompactSize(Reader& r, bool range_check = true);

/// Reads a count of elements, each at least min_elem_bytes long, and checks
/// that so many could fit in what remains before anything is allocated.
size_t ReadCount(Reader& r, size_t min_elem_bytes);

// ---- generic dispatch -----------------------------------------------------

template <class T>
void Writer::Put(const T& v)
{
    if constexpr (std::is_same_v<T, bool>) {
        WriteLE<uint8_t>(*this, v ? 1 : 0);
    } else if constexpr (std::is_integral_v<T>) {
        WriteLE<T>(*this, v);
    } else if constexpr (requires {
                             T::SIZE;
                             v.span();
                         }) { // Blob<N>
        WriteBytes(v.span());
    } else if constexpr (MemberSerializable<T>) {
        v.Serialize(*this);
    } else if constexpr (std::is_same_v<T, std::vector<uint8_t>>) {
        WriteCompactSize(*this, v.size());
        WriteBytes(v);
    } else if constexpr (requires {
                             typename T::value_type;
                             v.size();
                             v.begin();
                         }) {
        WriteCompactSize(*this, v.size());
        for (const auto& e : v)
            Put(e);
    } else {
        T::Fields(*this, v);
    }
}

/// Lower bound on the encoded size of one T, used to bound counts before allocating.
template <class T>
constexpr size_t MinEncodedSize()
{
    if constexpr (std::is_integral_v<T>) {
        return sizeof(T);
    } else if constexpr (requires { T::SIZE; }) {
        return T::SIZE;
    } else if constexpr (requires { T::MIN_ENCODED_SIZE; }) {
        return T::MIN_ENCODED_SIZE;
    } else {
        return 1;
    }
}

template <class T>
void Reader::Get(T& v)
{
    if constexpr (std::is_same_v<T, bool>) {
        const uint8_t b = ReadLE<uint8_t>(*this);
        if (b > 1) throw DecodeError("non-canonical boolean");
        v = b == 1;
    } else if constexpr (std::is_integral_v<T>) {
        v = ReadLE<T>(*this);
    } else if constexpr (requires {
                             T::SIZE;
                             v.data();
                         }) {
        auto b = ReadBytes(T::SIZE);
        std::memcpy(v.data(), b.data(), T::SIZE);
    } else if constexpr (requires { v.Unserialize(*this); }) {
        v.Unserialize(*this);
    } else if constexpr (std::is_same_v<T, std::vector<uint8_t>>) {
        const size_t n = ReadCount(*this, 1);
        auto b = ReadBytes(n);
        v.assign(b.begin(), b.end());
    } else if constexpr (requires {
                             typename T::value_type;
                             v.size();
                             v.clear();
                             v.emplace_back();
                         }) {
        using E = typename T::value_type;
        const size_t n = ReadCount(*this, MinEncodedSize<E>());
        v.clear();
        v.reserve(n);
        for (size_t i = 0; i < n; ++i)
            Get(v.emplace_back());
    } else {
        T::Fields(*this, v);
    }
}

// ---- boundaries ------------------------------------------------------------

/// Encodes any serializable value.
template <class T>
std::vector<uint8_t> Encode(const T& v)
{
    std::vector<uint8_t> out;
    Writer w{out};
    w.Put(v);
    return out;
}

/// Decodes exactly one T from all of `data`; trailing bytes are an error.
template <class T>
util::Expected<T> Decode(std::span<const uint8_t> data)
{
    try {
        Reader r{data};
        T v{};
        r.Get(v);
        if (!r.Empty()) return util::Unexpected("trailing bytes after data");
        return v;
    } catch (const DecodeError& e) {
        return util::Unexpected(e.what());
    }
}

} // namespace consensus
