#include <net/netaddress.h>

#include <util/strings.h>

#include <arpa/inet.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <cstring>

namespace net {
namespace {

// ---- SHA3-256 (FIPS 202), only for the Tor v3 address checksum -------------

constexpr std::array<uint64_t, 24> KECCAK_RC{
    0x0000000000000001ULL, 0x0000000000008082ULL, 0x800000000000808aULL, 0x8000000080008000ULL,
    0x000000000000808bULL, 0x0000000080000001ULL, 0x8000000080008081ULL, 0x8000000000008009ULL,
    0x000000000000008aULL, 0x0000000000000088ULL, 0x0000000080008009ULL, 0x000000008000000aULL,
    0x000000008000808bULL, 0x800000000000008bULL, 0x8000000000008089ULL, 0x8000000000008003ULL,
    0x8000000000008002ULL, 0x8000000000000080ULL, 0x000000000000800aULL, 0x800000008000000aULL,
    0x8000000080008081ULL, 0x8000000000008080ULL, 0x0000000080000001ULL, 0x8000000080008008ULL};
constexpr std::array<int, 25> KECCAK_ROT{0,  1,  62, 28, 27, 36, 44, 6,  55, 20, 3,  10, 43,
                                         25, 39, 41, 45, 15, 21, 8,  18, 2,  61, 56, 14};

uint64_t Rotl(uint64_t x, int n)
{
    return n == 0 ? x : (x << n) | (x >> (64 - n));
}

void KeccakF(std::array<uint64_t, 25>& a)
{
    for (uint64_t rc : KECCAK_RC) {
        std::array<uint64_t, 5> c{};
        for (int x = 0; x < 5; ++x)
            c[x] = a[x] ^ a[x + 5] ^ a[x + 10] ^ a[x + 15] ^ a[x + 20];
        for (int x = 0; x < 5; ++x) {
            const uint64_t d = c[(x + 4) % 5] ^ Rotl(c[(x + 1) % 5], 1);
            for (int y = 0; y < 25; y += 5)
                a[y + x] ^= d;
        }
        std::array<uint64_t, 25> b{};
        for (int x = 0; x < 5; ++x)
            for (int y = 0; y < 5; ++y)
                b[y + 5 * ((2 * x + 3 * y) % 5)] = Rotl(a[x + 5 * y], KECCAK_ROT[x + 5 * y]);
        for (int y = 0; y < 25; y += 5)
            for (int x = 0; x < 5; ++x)
                a[y + x] = b[y + x] ^ (~b[y + (x + 1) % 5] & b[y + (x + 2) % 5]);
        a[0] ^= rc;
    }
}

std::array<uint8_t, 32> Sha3_256(std::span<const uint8_t> data)
{
    constexpr size_t RATE = 136;
    std::array<uint64_t, 25> st{};
    std::vector<uint8_t> msg(data.begin(), data.end());
    msg.push_back(0x06);
    while (msg.size() % RATE != 0)
        msg.push_back(0);
    msg.back() |= 0x80;
    for (size_t off = 0; off < msg.size(); off += RATE) {
        for (size_t i = 0; i < RATE / 8; ++i) {
            uint64_t w = 0;
            for (int k = 7; k >= 0; --k)
                w = (w << 8) | msg[off + i * 8 + k];
            st[i] ^= w;
        }
        KeccakF(st);
    }
    std::array<uint8_t, 32> out{};
    for (size_t i = 0; i < 32; ++i)
        out[i] = static_cast<uint8_t>(st[i / 8] >> (8 * (i % 8)));
    return out;
}

// ---- Tor v3 -----------------------------------------------------------------

constexpr std::string_view BASE32_ALPHABET{"abcdefghijklmnopqrstuvwxyz234567"};
constexpr uint8_t TORV3_VERSION = 3;

std::array<uint8_t, 2> TorChecksum(std::span<const uint8_t> pubkey)
{
    static constexpr std::string_view PREFIX{".onion checksum"};
    std::vector<uint8_t> buf(PREFIX.begin(), PREFIX.end());
    buf.insert(buf.end(), pubkey.begin(), pubkey.end());
    buf.push_back(TORV3_VERSION);
    const auto h = Sha3_256(buf);
    return {h[0], h[1]};
}

std::string EncodeBase32(std::span<const uint8_t> data)
{
    std::string out;
    uint32_t acc = 0;
    int bits = 0;
    for (uint8_t b : data) {
        acc = (acc << 8) | b;
        bits += 8;
        while (bits >= 5) {
            bits -= 5;
            out.push_back(BASE32_ALPHABET[(acc >> bits) & 31]);
        }
    }
    if (bits > 0) out.push_back(BASE32_ALPHABET[(acc << (5 - bits)) & 31]);
    return out;
}

std::optional<std::vector<uint8_t>> DecodeBase32(std::string_view text)
{
    std::vector<uint8_t> out;
    uint32_t acc = 0;
    int bits = 0;
    for (char c : text) {
        const char lc = (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
        const size_t v = BASE32_ALPHABET.find(lc);
        if (v == std::string_view::npos) return std::nullopt;
        acc = (acc << 5) | static_cast<uint32_t>(v);
        bits += 5;
        if (bits >= 8) {
            bits -= 8;
            out.push_back(static_cast<uint8_t>(acc >> bits));
        }
    }
    if (bits >= 5 || (acc & ((1u << bits) - 1)) != 0) return std::nullopt; // non-canonical padding
    return out;
}

std::optional<NetAddr> ParseOnion(std::string_view text)
{
    static constexpr std::string_view SUFFIX{".onion"};
    if (text.size() != 56 + SUFFIX.size()) return std::nullopt;
    if (util::ToLower(text.substr(56)) != SUFFIX) return std::nullopt;
    auto raw = DecodeBase32(text.substr(0, 56));
    if (!raw || raw->size() != 35) return std::nullopt;
    const std::span<const uint8_t> pubkey{raw->data(), 32};
    if ((*raw)[34] != TORV3_VERSION) return std::nullopt;
    const auto sum = TorChecksum(pubkey);
    if ((*raw)[32] != sum[0] || (*raw)[33] != sum[1]) return std::nullopt;
    return NetAddr{Network::TORV3, std::vector<uint8_t>(pubkey.begin(), pubkey.end())};
}

// ---- IP helpers ---------------------------------------------------------------

constexpr std::array<uint8_t, 12> IPV4_IN_IPV6_PREFIX{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

NetAddr FromIPv6Bytes(const uint8_t* b)
{
    if (std::equal(IPV4_IN_IPV6_PREFIX.begin(), IPV4_IN_IPV6_PREFIX.end(), b))
        return NetAddr{Network::IPV4, std::vector<uint8_t>(b + 12, b + 16)};
    return NetAddr{Network::IPV6, std::vector<uint8_t>(b, b + 16)};
}

bool HasPrefix(const NetAddr& a, std::initializer_list<uint8_t> prefix)
{
    return a.bytes.size() >= prefix.size() &&
           std::equal(prefix.begin(), prefix.end(), a.bytes.begin());
}

bool IsIPv4(const NetAddr& a)
{
    return a.net == Network::IPV4 && a.bytes.size() == 4;
}
bool IsIPv6(const NetAddr& a)
{
    return a.net == Network::IPV6 && a.bytes.size() == 16;
}

uint8_t B(const NetAddr& a, size_t i)
{
    return i < a.bytes.size() ? a.bytes[i] : 0;
}

bool IsRFC1918(const NetAddr& a)
{
    return IsIPv4(a) && (B(a, 0) == 10 || (B(a, 0) == 192 && B(a, 1) == 168) ||
                         (B(a, 0) == 172 && B(a, 1) >= 16 && B(a, 1) <= 31));
}
bool IsRFC2544(const NetAddr& a)
{
    return IsIPv4(a) && B(a, 0) == 198 && (B(a, 1) & 0xfe) == 18;
}
bool IsRFC3927(const NetAddr& a)
{
    return IsIPv4(a) && HasPrefix(a, {169, 254});
}
bool IsRFC6598(const NetAddr& a)
{
    return IsIPv4(a) && B(a, 0) == 100 && (B(a, 1) & 0xc0) == 64;
}
bool IsRFC5737(const NetAddr& a)
{
    return IsIPv4(a) && (HasPrefix(a, {192, 0, 2}) || HasPrefix(a, {198, 51, 100}) ||
                         HasPrefix(a, {203, 0, 113}));
}
bool IsRFC3849(const NetAddr& a)
{
    return IsIPv6(a) && HasPrefix(a, {0x20, 0x01, 0x0d, 0xb8});
}
bool IsRFC4862(const NetAddr& a)
{
    return IsIPv6(a) && HasPrefix(a, {0xfe, 0x80, 0, 0, 0, 0, 0, 0});
}
bool IsRFC4193(const NetAddr& a)
{
    return IsIPv6(a) && (B(a, 0) & 0xfe) == 0xfc;
}
bool IsRFC4843(const NetAddr& a)
{
    return IsIPv6(a) && HasPrefix(a, {0x20, 0x01, 0x00}) && (B(a, 3) & 0xf0) == 0x10;
}
bool IsRFC7343(const NetAddr& a)
{
    return IsIPv6(a) && HasPrefix(a, {0x20, 0x01, 0x00}) && (B(a, 3) & 0xf0) == 0x20;
}
bool IsHeNet(const NetAddr& a)
{
    return IsIPv6(a) && HasPrefix(a, {0x20, 0x01, 0x04, 0x70});
}
bool IsRFC3964(const NetAddr& a)
{
    return IsIPv6(a) && HasPrefix(a, {0x20, 0x02});
}
bool IsRFC6052(const NetAddr& a)
{
    return IsIPv6(a) && HasPrefix(a, {0x00, 0x64, 0xff, 0x9b, 0, 0, 0, 0, 0, 0, 0, 0});
}
bool IsRFC4380(const NetAddr& a)
{
    return IsIPv6(a) && HasPrefix(a, {0x20, 0x01, 0x00, 0x00});
}
bool IsRFC6145(const NetAddr& a)
{
    return IsIPv6(a) && HasPrefix(a, {0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0, 0});
}

// Core's IsValid: the unusable values no peer can be at.
bool IsValid(const NetAddr& a)
{
    if (a.bytes.size() != AddressLength(a.net)) return false;
    if (IsIPv6(a) && std::all_of(a.bytes.begin(), a.bytes.end(), [](uint8_t b) { return b == 0; }))
        return false;
    if (a.net == Network::CJDNS && B(a, 0) != 0xfc) return false;
    if (IsRFC3849(a)) return false;
    if (IsIPv4(a)) {
        const bool any =
            std::all_of(a.bytes.begin(), a.bytes.end(), [](uint8_t b) { return b == 0; });
        const bool none =
            std::all_of(a.bytes.begin(), a.bytes.end(), [](uint8_t b) { return b == 0xff; });
        if (any || none) return false;
    }
    return true;
}

// The IPv4 address behind IPv4 itself or the IPv6 tunnelling/translation forms.
std::optional<uint32_t> LinkedIPv4(const NetAddr& a)
{
    auto be32 = [&](size_t off) {
        return (uint32_t{B(a, off)} << 24) | (uint32_t{B(a, off + 1)} << 16) |
               (uint32_t{B(a, off + 2)} << 8) | uint32_t{B(a, off + 3)};
    };
    if (IsIPv4(a)) return be32(0);
    if (IsRFC6052(a) || IsRFC6145(a)) return be32(12);
    if (IsRFC3964(a)) return be32(2);
    if (IsRFC4380(a)) return ~be32(12);
    return std::nullopt;
}

std::string IPv6ToString(const std::vector<uint8_t>& b)
{
    std::array<uint16_t, 8> g{};
    for (size_t i = 0; i < 8; ++i)
        g[i] = static_cast<uint16_t>((b[2 * i] << 8) | b[2 * i + 1]);
    // RFC 5952 4.2: compress the longest run (first on ties) of at least two zero groups.
    int best_start = -1, best_len = 0;
    for (int i = 0; i < 8;) {
        if (g[i] != 0) {
            ++i;
            continue;
        }
        int j = i;
        while (j < 8 && g[j] == 0)
            ++j;
        if (j - i > best_len && j - i >= 2) {
            best_start = i;
            best_len = j - i;
        }
        i = j;
    }
    std::string out;
    char buf[8];
    for (int i = 0; i < 8; ++i) {
        if (i == best_start) {
            out += "::";
            i += best_len - 1;
            continue;
        }
        if (!out.empty() && out.back() != ':') out += ':';
        const auto r = std::to_chars(buf, buf + sizeof(buf), g[i], 16);
        out.append(buf, r.ptr);
    }
    return out;
}

std::optional<NetAddr> ParseNumericHost(std::string_view text)
{
    if (text.empty() || text.find('\0') != std::string_view::npos) return std::nullopt;
    if (text.size() >= 2 && text.front() == '[' && text.back() == ']')
        text = text.substr(1, text.size() - 2);
    if (util::ToLower(text) == "localhost") return MakeIPv4(127, 0, 0, 1);
    const std::string s{text};
    uint8_t buf[16];
    if (inet_pton(AF_INET, s.c_str(), buf) == 1) return NetAddr{Network::IPV4, {buf, buf + 4}};
    if (inet_pton(AF_INET6, s.c_str(), buf) == 1) return FromIPv6Bytes(buf);
    return ParseOnion(text);
}

std::optional<uint16_t> ParsePort(std::string_view s)
{
    if (s.empty() || s.size() > 5) return std::nullopt;
    uint32_t v = 0;
    for (char c : s) {
        if (c < '0' || c > '9') return std::nullopt;
        v = v * 10 + static_cast<uint32_t>(c - '0');
    }
    if (v > 65535) return std::nullopt;
    return static_cast<uint16_t>(v);
}

// Number of leading one bits of a contiguous netmask, nullopt if not contiguous.
std::optional<int> NetmaskLength(std::span<const uint8_t> mask)
{
    int len = 0;
    bool zeros = false;
    for (uint8_t b : mask) {
        for (int bit = 7; bit >= 0; --bit) {
            const bool one = (b >> bit) & 1;
            if (one && zeros) return std::nullopt;
            if (one)
                ++len;
            else
                zeros = true;
        }
    }
    return len;
}

void ClearHostBits(NetAddr& addr, int prefix_len)
{
    for (size_t i = 0; i < addr.bytes.size(); ++i) {
        const int bits_here = std::clamp(prefix_len - static_cast<int>(i) * 8, 0, 8);
        const uint8_t keep = bits_here == 0 ? 0 : static_cast<uint8_t>(0xff << (8 - bits_here));
        addr.bytes[i] &= keep;
    }
}

// Core's Network enum values, which its network groups start with.
constexpr uint8_t CORE_NET_UNROUTABLE = 0;
constexpr uint8_t CORE_NET_IPV4 = 1;
constexpr uint8_t CORE_NET_IPV6 = 2;
constexpr uint8_t CORE_NET_ONION = 3;
constexpr uint8_t CORE_NET_I2P = 4;
constexpr uint8_t CORE_NET_CJDNS = 5;

uint8_t CoreNetClass(const NetAddr& a)
{
    if (!IsRoutable(a)) return CORE_NET_UNROUTABLE;
    if (LinkedIPv4(a)) return CORE_NET_IPV4;
    switch (a.net) {
    case Network::IPV4:
        return CORE_NET_IPV4;
    case Network::IPV6:
        return CORE_NET_IPV6;
    case Network::TORV3:
        return CORE_NET_ONION;
    case Network::I2P:
        return CORE_NET_I2P;
    case Network::CJDNS:
        return CORE_NET_CJDNS;
    }
    return CORE_NET_UNROUTABLE;
}

} // namespace

NetAddr MakeIPv4(uint8_t a, uint8_t b, uint8_t c, uint8_t d)
{
    return NetAddr{Network::IPV4, {a, b, c, d}};
}

std::optional<NetAddr> ParseNetAddr(std::string_view text)
{
    return ParseNumericHost(text);
}

std::optional<Service> ParseService(std::string_view in, uint16_t default_port)
{
    if (in.empty() || in.find('\0') != std::string_view::npos) return std::nullopt;
    // Core's SplitHostPort: a colon is a port separator after "[...]" or when it is the only one.
    uint16_t port = default_port;
    const size_t colon = in.find_last_of(':');
    if (colon != std::string_view::npos) {
        const bool bracketed = colon > 0 && in.front() == '[' && in[colon - 1] == ']';
        const bool multi = colon != 0 && in.find_last_of(':', colon - 1) != std::string_view::npos;
        if (colon == 0 || bracketed || !multi) {
            const auto p = ParsePort(in.substr(colon + 1));
            if (!p || *p == 0) return std::nullopt;
            port = *p;
            in = in.substr(0, colon);
        }
    }
    if (!in.empty() && in.front() == '[') {
        if (in.back() != ']') return std::nullopt;
    } else if (!in.empty() && in.back() == ']') {
        return std::nullopt;
    }
    auto addr = ParseNumericHost(in);
    if (!addr) return std::nullopt;
    return Service{std::move(*addr), port};
}

std::optional<Subnet> ParseSubnet(std::string_view text)
{
    if (text.empty() || text.find('\0') != std::string_view::npos) return std::nullopt;
    const size_t slash = text.find_last_of('/');
    auto addr = ParseNumericHost(text.substr(0, slash));
    if (!addr) return std::nullopt;
    const bool ip = addr->net == Network::IPV4 || addr->net == Network::IPV6;
    const int max_len = static_cast<int>(addr->bytes.size() * 8);
    if (slash == std::string_view::npos) {
        if (!ip) return Subnet{std::move(*addr), 0}; // a single Tor host; prefix unused
        return Subnet{std::move(*addr), static_cast<uint8_t>(max_len)};
    }
    if (!ip) return std::nullopt;
    const std::string_view suffix = text.substr(slash + 1);
    int len = -1;
    if (!suffix.empty() && suffix.size() <= 3 &&
        std::all_of(suffix.begin(), suffix.end(), [](char c) { return c >= '0' && c <= '9'; })) {
        len = std::stoi(std::string{suffix});
        if (len > max_len) return std::nullopt;
    } else {
        const auto mask = ParseNumericHost(suffix);
        if (!mask || mask->net != addr->net) return std::nullopt;
        const auto l = NetmaskLength(mask->bytes);
        if (!l) return std::nullopt;
        len = *l;
    }
    ClearHostBits(*addr, len);
    return Subnet{std::move(*addr), static_cast<uint8_t>(len)};
}

std::string ToString(const NetAddr& addr)
{
    if (addr.bytes.size() != AddressLength(addr.net)) return "[invalid]";
    switch (addr.net) {
    case Network::IPV4:
        return std::to_string(addr.bytes[0]) + "." + std::to_string(addr.bytes[1]) + "." +
               std::to_string(addr.bytes[2]) + "." + std::to_string(addr.bytes[3]);
    case Network::IPV6:
    case Network::CJDNS:
        return IPv6ToString(addr.bytes);
    case Network::TORV3: {
        std::vector<uint8_t> raw = addr.bytes;
        const auto sum = TorChecksum(addr.bytes);
        raw.push_back(sum[0]);
        raw.push_back(sum[1]);
        raw.push_back(TORV3_VERSION);
        return EncodeBase32(raw) + ".onion";
    }
    case Network::I2P: {
        std::string s = EncodeBase32(addr.bytes);
        return s + ".b32.i2p";
    }
    }
    return "[invalid]";
}

std::string ToString(const Service& service)
{
    const bool brackets = service.addr.net == Network::IPV6 || service.addr.net == Network::CJDNS;
    std::string s;
    if (brackets) s.push_back('[');
    s.append(ToString(service.addr));
    if (brackets) s.push_back(']');
    s.push_back(':');
    s.append(std::to_string(service.port));
    return s;
}

std::string ToString(const Subnet& subnet)
{
    std::string s = ToString(subnet.addr);
    if (subnet.addr.net == Network::IPV4 || subnet.addr.net == Network::IPV6) {
        s.push_back('/');
        s.append(std::to_string(subnet.prefix_len));
    }
    return s;
}

std::string_view NetworkName(Network net)
{
    switch (net) {
    case Network::IPV4:
        return "ipv4";
    case Network::IPV6:
        return "ipv6";
    case Network::TORV3:
        return "onion";
    case Network::I2P:
        return "i2p";
    case Network::CJDNS:
        return "cjdns";
    }
    return "unknown";
}

std::optional<Network> ParseNetworkName(std::string_view name)
{
    const std::string n = util::ToLower(name);
    for (Network net : {Network::IPV4, Network::IPV6, Network::TORV3, Network::I2P, Network::CJDNS})
        if (NetworkName(net) == n) return net;
    return std::nullopt;
}

bool Match(const Subnet& subnet, const NetAddr& addr)
{
    if (subnet.addr.net != addr.net || subnet.addr.bytes.size() != addr.bytes.size()) return false;
    if (subnet.addr.net != Network::IPV4 && subnet.addr.net != Network::IPV6)
        return subnet.addr.bytes == addr.bytes;
    NetAddr masked = addr;
    ClearHostBits(masked, subnet.prefix_len);
    return masked.bytes == subnet.addr.bytes;
}

bool IsLocal(const NetAddr& addr)
{
    if (IsIPv4(addr)) return addr.bytes[0] == 127 || addr.bytes[0] == 0;
    if (IsIPv6(addr)) {
        static constexpr std::array<uint8_t, 16> LOOPBACK{0, 0, 0, 0, 0, 0, 0, 0,
                                                          0, 0, 0, 0, 0, 0, 0, 1};
        return std::equal(LOOPBACK.begin(), LOOPBACK.end(), addr.bytes.begin());
    }
    return false;
}

bool IsRoutable(const NetAddr& a)
{
    return IsValid(a) &&
           !(IsRFC1918(a) || IsRFC2544(a) || IsRFC3927(a) || IsRFC4862(a) || IsRFC6598(a) ||
             IsRFC5737(a) || IsRFC4193(a) || IsRFC4843(a) || IsRFC7343(a) || IsLocal(a));
}

std::vector<uint8_t> NetGroup(const NetAddr& addr)
{
    // Core's NetGroupManager::GetGroup without an asmap.
    std::vector<uint8_t> out{CoreNetClass(addr)};
    int bits = 0;
    if (IsLocal(addr) || !IsRoutable(addr)) {
        // Core: every local address is one group, every other unroutable address another.
        return out;
    }
    if (const auto v4 = LinkedIPv4(addr)) {
        out.push_back(static_cast<uint8_t>(*v4 >> 24));
        out.push_back(static_cast<uint8_t>(*v4 >> 16));
        return out;
    }
    if (addr.net == Network::TORV3 || addr.net == Network::I2P)
        bits = 4;
    else if (addr.net == Network::CJDNS)
        bits = 12;
    else if (IsHeNet(addr))
        bits = 36;
    else
        bits = 32;
    const size_t whole = static_cast<size_t>(bits / 8);
    out.insert(out.end(), addr.bytes.begin(), addr.bytes.begin() + static_cast<long>(whole));
    bits %= 8;
    if (bits > 0 && whole < addr.bytes.size())
        out.push_back(static_cast<uint8_t>(addr.bytes[whole] | ((1 << (8 - bits)) - 1)));
    return out;
}

Service ToService(const AddrEntry& entry)
{
    if (entry.net == Network::IPV6 && entry.addr.size() == 16) {
        return Service{FromIPv6Bytes(entry.addr.data()), entry.port};
    }
    return Service{NetAddr{entry.net, entry.addr}, entry.port};
}

AddrEntry ToAddrEntry(const Service& service, uint64_t services, uint32_t time)
{
    AddrEntry e;
    e.time = time;
    e.services = services;
    e.net = service.addr.net;
    e.addr = service.addr.bytes;
    e.port = service.port;
    return e;
}

} // namespace net
