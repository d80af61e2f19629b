#include <common/descriptor.h>

#include <common/key_io.h>
#include <common/secp_helpers.h>
#include <consensus/crypto/pubkey.h>
#include <consensus/hash.h>
#include <consensus/script/taproot.h>
#include <util/strings.h>

#include <algorithm>
#include <cstring>
#include <span>

namespace common {

namespace {

using consensus::Script;
using consensus::Uint160;
using consensus::Uint256;

// ---------------------------------------------------------------------------
// BIP380 checksum

constexpr std::string_view INPUT_CHARSET = "0123456789()[],'/*abcdefgh@:$%{}"
                                           "IJKLMNOPQRSTUVWXYZ&+-.;<=>?!^_|~"
                                           "ijklmnopqrstuvwxyzABCDEFGH`#\"\\ ";
constexpr std::string_view CHECKSUM_CHARSET = "qpzry9x8gf2tvdw0s3jn54khce6mua7l";

uint64_t PolyMod(uint64_t c, int val)
{
    const uint8_t c0 = static_cast<uint8_t>(c >> 35);
    c = ((c & 0x7ffffffffULL) << 5) ^ static_cast<uint64_t>(val);
    if (c0 & 1) c ^= 0xf5dee51989ULL;
    if (c0 & 2) c ^= 0xa9fdca3312ULL;
    if (c0 & 4) c ^= 0x1bab10e32dULL;
    if (c0 & 8) c ^= 0x3706b1677aULL;
    if (c0 & 16) c ^= 0x644d626ffdULL;
    return c;
}

// ---------------------------------------------------------------------------
// Small helpers

Uint160 KeyId(std::span<const uint8_t> pubkey)
{
    return consensus::Hash160(pubkey);
}

std::array<uint8_t, 32> XOnly(const std::vector<uint8_t>& pubkey33)
{
    std::array<uint8_t, 32> out{};
    if (pubkey33.size() == 33) std::copy(pubkey33.begin() + 1, pubkey33.end(), out.begin());
    return out;
}

// Core's ParseUInt32: decimal digits with an optional single leading '+'.
std::optional<uint32_t> ParseU32(std::string_view s)
{
    if (!s.empty() && s[0] == '+') s.remove_prefix(1);
    if (s.empty() || s.size() > 10) return std::nullopt;
    uint64_t v = 0;
    for (const char c : s) {
        if (c < '0' || c > '9') return std::nullopt;
        v = v * 10 + static_cast<uint64_t>(c - '0');
    }
    if (v > 0xffffffffULL) return std::nullopt;
    return static_cast<uint32_t>(v);
}

// Core's IsHex: non-empty, even length, hex digits only.
bool IsEvenHex(std::string_view s)
{
    return !s.empty() && s.size() % 2 == 0 && util::IsHex(s);
}

std::vector<std::string_view> Split(std::string_view s, char sep)
{
    std::vector<std::string_view> out;
    size_t start = 0;
    for (size_t i = 0; i <= s.size(); ++i) {
        if (i == s.size() || s[i] == sep) {
            out.push_back(s.substr(start, i - start));
            start = i + 1;
        }
    }
    return out;
}

// Consumes `str` from the front of sp when it is there.
bool Const(std::string_view str, std::string_view& sp)
{
    if (sp.substr(0, str.size()) != str) return false;
    sp.remove_prefix(str.size());
    return true;
}

// Matches "name(...)" spanning all of sp and leaves the arguments in sp.
bool Func(std::string_view name, std::string_view& sp)
{
    if (sp.size() >= name.size() + 2 && sp[name.size()] == '(' && sp.back() == ')' &&
        sp.substr(0, name.size()) == name) {
        sp = sp.substr(name.size() + 1, sp.size() - name.size() - 2);
        return true;
    }
    return false;
}

// The next argument: up to a ',' ')' or '}' outside any brackets.
std::string_view Expr(std::string_view& sp)
{
    int level = 0;
    size_t i = 0;
    for (; i < sp.size(); ++i) {
        const char c = sp[i];
        if (c == '(' || c == '{') {
            ++level;
        } else if (level && (c == ')' || c == '}')) {
            --level;
        } else if (level == 0 && (c == ')' || c == '}' || c == ',')) {
            break;
        }
    }
    std::string_view ret = sp.substr(0, i);
    sp.remove_prefix(i);
    return ret;
}

Script P2PKH(const Uint160& id)
{
    Script s;
    s << consensus::OP_DUP << consensus::OP_HASH160;
    s << std::span<const uint8_t>{id.begin(), 20};
    s << consensus::OP_EQUALVERIFY << consensus::OP_CHECKSIG;
    return s;
}

Script P2WPKH(const Uint160& id)
{
    Script s;
    s << consensus::OP_0 << std::span<const uint8_t>{id.begin(), 20};
    return s;
}

Script P2SH(const Script& redeem)
{
    const Uint160 id = consensus::Hash160(redeem.span());
    Script s;
    s << consensus::OP_HASH160 << std::span<const uint8_t>{id.begin(), 20} << consensus::OP_EQUAL;
    return s;
}

Script P2WSH(const Script& witness_script)
{
    const Uint256 h = consensus::Sha256Hash(witness_script.span());
    Script s;
    s << consensus::OP_0 << std::span<const uint8_t>{h.begin(), 32};
    return s;
}

Script P2TR(std::span<const uint8_t> xonly)
{
    Script s;
    s << consensus::OP_1 << xonly;
    return s;
}

} // namespace

std::string DescriptorChecksum(std::string_view descriptor)
{
    uint64_t c = 1;
    int cls = 0;
    int clscount = 0;
    for (const char ch : descriptor) {
        const auto pos = INPUT_CHARSET.find(ch);
        if (pos == std::string_view::npos) return "";
        c = PolyMod(c, static_cast<int>(pos & 31));
        cls = cls * 3 + static_cast<int>(pos >> 5);
        if (++clscount == 3) {
            c = PolyMod(c, cls);
            cls = 0;
            clscount = 0;
        }
    }
    if (clscount > 0) c = PolyMod(c, cls);
    for (int j = 0; j < 8; ++j)
        c = PolyMod(c, 0);
    c ^= 1;
    std::string ret(8, ' ');
    for (int j = 0; j < 8; ++j)
        ret[static_cast<size_t>(j)] = CHECKSUM_CHARSET[(c >> (5 * (7 - j))) & 31];
    return ret;
}

std::string AddDescriptorChecksum(std::string_view descriptor)
{
    const std::string sum = DescriptorChecksum(descriptor);
    if (sum.empty()) return "";
    return std::string{descriptor} + "#" + sum;
}

namespace {

// Overwrites secret bytes in a way the compiler may not drop as a dead store (the objects
// holding them are about to be destroyed): a locked wallet must not leave keys behind.
void Wipe(std::span<uint8_t> bytes)
{
    volatile uint8_t* p = bytes.data();
    for (size_t i = 0; i < bytes.size(); ++i)
        p[i] = 0;
}

void Wipe(std::optional<std::string>& text)
{
    if (text) Wipe(std::span{reinterpret_cast<uint8_t*>(text->data()), text->size()});
}

} // namespace

DescriptorExpansion::~DescriptorExpansion()
{
    for (auto& [id, secret] : secrets)
        Wipe(secret);
}

// ---------------------------------------------------------------------------
// Key expressions

/// One key derived for a position: its serialization, origin and (maybe) secret.
struct DerivedKey
{
    std::vector<uint8_t> pubkey{}; // 33 or 65 bytes (x-only keys as 0x02||x or their real prefix)
    KeyOriginInfo origin{};
    std::optional<std::array<uint8_t, 32>> secret{};
};

/// A key expression.
class PubkeyProvider
{
public:
    virtual ~PubkeyProvider() = default;
    /// The key at `pos`; an error when a hardened step lacks the secret.
    virtual util::Expected<DerivedKey> Derive(uint32_t pos) const = 0;
    virtual bool IsRange() const = 0;
    /// Serialized size in scripts (33, 65, or 32 for x-only).
    virtual size_t Size() const = 0;
    virtual bool HasSecret() const = 0;
    /// Text form; nullopt for PRIVATE when the secret is missing.
    virtual std::optional<std::string> ToString(DescriptorStringType type) const = 0;
};

namespace {

class ConstKey final : public PubkeyProvider
{
public:
    ConstKey(std::vector<uint8_t> pubkey, bool xonly, std::optional<std::string> wif,
             std::optional<std::array<uint8_t, 32>> secret)
        : m_pubkey{std::move(pubkey)}, m_xonly{xonly}, m_wif{std::move(wif)}, m_secret{
                                                                                  std::move(secret)}
    {}
    ~ConstKey() override
    {
        if (m_secret) Wipe(*m_secret);
        Wipe(m_wif);
    }

    util::Expected<DerivedKey> Derive(uint32_t) const override
    {
        DerivedKey out;
        out.pubkey = m_pubkey;
        out.origin.fingerprint = KeyFingerprint(m_pubkey);
        out.secret = m_secret;
        return out;
    }
    bool IsRange() const override { return false; }
    size_t Size() const override { return m_xonly ? 32 : m_pubkey.size(); }
    bool HasSecret() const override { return m_secret.has_value(); }
    std::optional<std::string> ToString(DescriptorStringType type) const override
    {
        if (type == DescriptorStringType::PRIVATE) {
            if (!m_wif) return std::nullopt;
            return *m_wif;
        }
        const std::string hex = util::HexStr(m_pubkey);
        return m_xonly ? hex.substr(2) : hex;
    }

private:
    std::vector<uint8_t> m_pubkey;
    bool m_xonly;
    std::optional<std::string> m_wif;
    std::optional<std::array<uint8_t, 32>> m_secret;
};

enum class DeriveType
{
    NONE,
    UNHARDENED,
    HARDENED,
};

class Bip32Key final : public PubkeyProvider
{
public:
    Bip32Key(ExtPubKey root, std::optional<ExtKey> root_secret, std::string pub_text,
             std::optional<std::string> priv_text, KeyPath path, DeriveType derive, bool apostrophe)
        : m_root{root}, m_root_secret{std::move(root_secret)}, m_pub_text{std::move(pub_text)},
          m_priv_text{std::move(priv_text)}, m_path{std::move(path)}, m_derive{derive},
          m_apostrophe{apostrophe}
    {
        // Ranged keys re-derive the fixed prefix for every index; when it has no hardened
        // step it can be derived once, publicly.
        if (m_derive == DeriveType::UNHARDENED && !m_root_secret) {
            ExtPubKey key = m_root;
            for (const uint32_t step : m_path) {
                auto next = step & BIP32_HARDENED ? std::nullopt : key.Derive(step);
                if (!next) return;
                key = *next;
            }
            m_prefix = key;
        }
    }
    // The root's secret wipes itself (ExtKey); its xprv text does not.
    ~Bip32Key() override { Wipe(m_priv_text); }

    util::Expected<DerivedKey> Derive(uint32_t pos) const override
    {
        KeyPath full = m_path;
        if (m_derive == DeriveType::UNHARDENED) full.push_back(pos & ~BIP32_HARDENED);
        if (m_derive == DeriveType::HARDENED) full.push_back(pos | BIP32_HARDENED);
        DerivedKey out;
        out.origin.fingerprint = m_root.GetFingerprint();
        out.origin.path = full;
        if (m_root_secret) {
            ExtKey key = *m_root_secret;
            for (const uint32_t step : full) {
                auto next = key.Derive(step);
                if (!next) return util::Unexpected("Key derivation failed");
                key = *next;
            }
            const auto pub = key.PubKey();
            out.pubkey.assign(pub.begin(), pub.end());
            out.secret = key.secret;
            return out;
        }
        if (m_prefix) {
            auto child = m_prefix->Derive(full.back());
            if (!child) return util::Unexpected("Key derivation failed");
            out.pubkey.assign(child->pubkey.begin(), child->pubkey.end());
            return out;
        }
        ExtPubKey key = m_root;
        for (const uint32_t step : full) {
            if (step & BIP32_HARDENED) {
                return util::Unexpected("Cannot derive script without private keys");
            }
            auto next = key.Derive(step);
            if (!next) return util::Unexpected("Key derivation failed");
            key = *next;
        }
        out.pubkey.assign(key.pubkey.begin(), key.pubkey.end());
        return out;
    }
    bool IsRange() const override { return m_derive != DeriveType::NONE; }
    size_t Size() const override { return 33; }
    bool HasSecret() const override { return m_root_secret.has_value(); }
    std::optional<std::string> ToString(DescriptorStringType type) const override
    {
        std::string ret;
        if (type == DescriptorStringType::PRIVATE) {
            if (!m_priv_text) return std::nullopt;
            ret = *m_priv_text;
        } else {
            ret = m_pub_text;
        }
        ret += FormatHDKeypath(m_path, m_apostrophe);
        if (m_derive != DeriveType::NONE) {
            ret += "/*";
            if (m_derive == DeriveType::HARDENED) ret += m_apostrophe ? '\'' : 'h';
        }
        return ret;
    }

private:
    ExtPubKey m_root;
    std::optional<ExtKey> m_root_secret;
    std::string m_pub_text;
    std::optional<std::string> m_priv_text;
    KeyPath m_path;
    DeriveType m_derive;
    bool m_apostrophe;
    std::optional<ExtPubKey> m_prefix{}; // the key at m_path, when derivable publicly
};

class OriginKey final : public PubkeyProvider
{
public:
    OriginKey(KeyOriginInfo origin, std::unique_ptr<PubkeyProvider> inner, bool apostrophe)
        : m_origin{std::move(origin)}, m_inner{std::move(inner)}, m_apostrophe{apostrophe}
    {}

    util::Expected<DerivedKey> Derive(uint32_t pos) const override
    {
        auto key = m_inner->Derive(pos);
        if (!key) return key.error();
        // The origin's path leads to the inner key; the inner key's own steps follow it.
        KeyPath path = m_origin.path;
        path.insert(path.end(), key->origin.path.begin(), key->origin.path.end());
        key->origin.fingerprint = m_origin.fingerprint;
        key->origin.path = std::move(path);
        return key;
    }
    bool IsRange() const override { return m_inner->IsRange(); }
    size_t Size() const override { return m_inner->Size(); }
    bool HasSecret() const override { return m_inner->HasSecret(); }
    std::optional<std::string> ToString(DescriptorStringType type) const override
    {
        auto inner = m_inner->ToString(type);
        if (!inner) return std::nullopt;
        return "[" + util::HexStr(m_origin.fingerprint) +
               FormatHDKeypath(m_origin.path, m_apostrophe) + "]" + *inner;
    }

private:
    KeyOriginInfo m_origin;
    std::unique_ptr<PubkeyProvider> m_inner;
    bool m_apostrophe;
};

} // namespace

// ---------------------------------------------------------------------------
// Script expressions

enum class NodeKind
{
    PK,
    PKH,
    WPKH,
    COMBO,
    MULTI,
    SORTEDMULTI,
    MULTI_A,
    SORTEDMULTI_A,
    SH,
    WSH,
    TR,
    RAWTR,
    ADDR,
    RAW,
};

/// One script expression with its keys and sub-expressions.
class DescriptorNode
{
public:
    NodeKind kind{NodeKind::RAW};
    bool tapscript{false}; // inside tr(): keys are x-only
    uint32_t threshold{0};
    std::vector<std::unique_ptr<PubkeyProvider>> keys{};
    std::vector<std::unique_ptr<DescriptorNode>> subs{};
    std::vector<int> depths{}; // tr(): depth of each sub
    Script script{};           // raw()/addr() output
    std::string address{};     // addr() text
    std::optional<DescriptorOutputType> addr_type{};

    std::string_view Name() const
    {
        switch (kind) {
        case NodeKind::PK:
            return "pk";
        case NodeKind::PKH:
            return "pkh";
        case NodeKind::WPKH:
            return "wpkh";
        case NodeKind::COMBO:
            return "combo";
        case NodeKind::MULTI:
            return "multi";
        case NodeKind::SORTEDMULTI:
            return "sortedmulti";
        case NodeKind::MULTI_A:
            return "multi_a";
        case NodeKind::SORTEDMULTI_A:
            return "sortedmulti_a";
        case NodeKind::SH:
            return "sh";
        case NodeKind::WSH:
            return "wsh";
        case NodeKind::TR:
            return "tr";
        case NodeKind::RAWTR:
            return "rawtr";
        case NodeKind::ADDR:
            return "addr";
        case NodeKind::RAW:
            return "raw";
        }
        return "";
    }

    bool IsRange() const
    {
        return std::any_of(keys.begin(), keys.end(), [](const auto& k) { return k->IsRange(); }) ||
               std::any_of(subs.begin(), subs.end(), [](const auto& s) { return s->IsRange(); });
    }
    bool HasSecret() const
    {
        return std::any_of(keys.begin(), keys.end(),
                           [](const auto& k) { return k->HasSecret(); }) ||
               std::any_of(subs.begin(), subs.end(), [](const auto& s) { return s->HasSecret(); });
    }
    bool IsSolvable() const
    {
        if (kind == NodeKind::ADDR || kind == NodeKind::RAW) return false;
        return std::all_of(subs.begin(), subs.end(), [](const auto& s) { return s->IsSolvable(); });
    }

    std::optional<std::string> ToString(DescriptorStringType type) const
    {
        std::string ret{Name()};
        ret += '(';
        if (kind == NodeKind::ADDR) return ret + address + ")";
        if (kind == NodeKind::RAW) return ret + util::HexStr(script.span()) + ")";
        bool first = true;
        const auto sep = [&] {
            if (!first) ret += ',';
            first = false;
        };
        if (kind == NodeKind::MULTI || kind == NodeKind::SORTEDMULTI || kind == NodeKind::MULTI_A ||
            kind == NodeKind::SORTEDMULTI_A) {
            sep();
            ret += std::to_string(threshold);
        }
        for (const auto& key : keys) {
            auto text = key->ToString(type);
            if (!text) return std::nullopt;
            sep();
            ret += *text;
        }
        if (kind == NodeKind::TR) {
            if (!subs.empty()) {
                ret += ',';
                // Rebuild the braces from the leaf depths, as Core prints trees.
                std::vector<bool> path;
                for (size_t pos = 0; pos < subs.size(); ++pos) {
                    if (pos) ret += ',';
                    while (static_cast<int>(path.size()) <= depths[pos]) {
                        if (!path.empty()) ret += '{';
                        path.push_back(false);
                    }
                    auto text = subs[pos]->ToString(type);
                    if (!text) return std::nullopt;
                    ret += *text;
                    while (!path.empty() && path.back()) {
                        if (path.size() > 1) ret += '}';
                        path.pop_back();
                    }
                    if (!path.empty()) path.back() = true;
                }
            }
        } else {
            for (const auto& sub : subs) {
                auto text = sub->ToString(type);
                if (!text) return std::nullopt;
                sep();
                ret += *text;
            }
        }
        return ret + ")";
    }

    /// Output scripts at pos, recording keys and scripts in `out`.
    util::Expected<std::vector<Script>> Expand(uint32_t pos, DescriptorExpansion& out) const
    {
        std::vector<std::vector<uint8_t>> pubkeys;
        for (const auto& key : keys) {
            auto derived = key->Derive(pos);
            if (!derived) return derived.error();
            const Uint160 id = KeyId(derived->pubkey);
            out.pubkeys[id] = derived->pubkey;
            out.origins[id] = derived->origin;
            if (derived->secret) out.secrets[id] = *derived->secret;
            pubkeys.push_back(std::move(derived->pubkey));
        }
        std::vector<Script> sub_scripts;
        if (kind != NodeKind::TR) {
            for (const auto& sub : subs) {
                auto scripts = sub->Expand(pos, out);
                if (!scripts) return scripts.error();
                sub_scripts.insert(sub_scripts.end(), scripts->begin(), scripts->end());
            }
        }
        switch (kind) {
        case NodeKind::PK: {
            Script s;
            if (tapscript) {
                s << std::span<const uint8_t>{XOnly(pubkeys[0])};
            } else {
                s << pubkeys[0];
            }
            s << consensus::OP_CHECKSIG;
            return std::vector<Script>{s};
        }
        case NodeKind::PKH: {
            if (tapscript) {
                const auto x = XOnly(pubkeys[0]);
                return std::vector<Script>{P2PKH(KeyId(x))};
            }
            return std::vector<Script>{P2PKH(KeyId(pubkeys[0]))};
        }
        case NodeKind::WPKH: {
            const Script s = P2WPKH(KeyId(pubkeys[0]));
            return std::vector<Script>{s};
        }
        case NodeKind::COMBO: {
            std::vector<Script> ret;
            Script pk;
            pk << pubkeys[0] << consensus::OP_CHECKSIG;
            ret.push_back(pk);
            const Uint160 id = KeyId(pubkeys[0]);
            ret.push_back(P2PKH(id));
            if (pubkeys[0].size() == 33) {
                const Script wpkh = P2WPKH(id);
                out.scripts[consensus::Hash160(wpkh.span())] = wpkh;
                ret.push_back(wpkh);
                ret.push_back(P2SH(wpkh));
            }
            return ret;
        }
        case NodeKind::MULTI:
        case NodeKind::SORTEDMULTI: {
            if (kind == NodeKind::SORTEDMULTI) {
                // A plain loop: gcc 12 misreports the memcmp in vector's operator< here.
                std::sort(pubkeys.begin(), pubkeys.end(), [](const auto& a, const auto& b) {
                    const size_t n = std::min(a.size(), b.size());
                    for (size_t i = 0; i < n; ++i) {
                        if (a[i] != b[i]) return a[i] < b[i];
                    }
                    return a.size() < b.size();
                });
            }
            Script s;
            s.PushInt(threshold);
            for (const auto& pk : pubkeys)
                s << pk;
            s.PushInt(static_cast<int64_t>(pubkeys.size()));
            s << consensus::OP_CHECKMULTISIG;
            return std::vector<Script>{s};
        }
        case NodeKind::MULTI_A:
        case NodeKind::SORTEDMULTI_A: {
            std::vector<std::array<uint8_t, 32>> xs;
            for (const auto& pk : pubkeys)
                xs.push_back(XOnly(pk));
            if (kind == NodeKind::SORTEDMULTI_A) std::sort(xs.begin(), xs.end());
            Script s;
            for (size_t i = 0; i < xs.size(); ++i) {
                s << std::span<const uint8_t>{xs[i]};
                s << (i == 0 ? consensus::OP_CHECKSIG : consensus::OP_CHECKSIGADD);
            }
            s.PushInt(threshold);
            s << consensus::OP_NUMEQUAL;
            return std::vector<Script>{s};
        }
        case NodeKind::SH: {
            const Script& redeem = sub_scripts.at(0);
            out.scripts[consensus::Hash160(redeem.span())] = redeem;
            return std::vector<Script>{P2SH(redeem)};
        }
        case NodeKind::WSH: {
            const Script& ws = sub_scripts.at(0);
            out.scripts[consensus::Hash160(ws.span())] = ws;
            return std::vector<Script>{P2WSH(ws)};
        }
        case NodeKind::TR:
            return ExpandTaproot(pos, pubkeys[0], out);
        case NodeKind::RAWTR: {
            const auto x = XOnly(pubkeys[0]);
            return std::vector<Script>{P2TR(x)};
        }
        case NodeKind::ADDR:
        case NodeKind::RAW:
            return std::vector<Script>{script};
        }
        return util::Unexpected("unknown descriptor");
    }

private:
    util::Expected<std::vector<Script>> ExpandTaproot(uint32_t pos,
                                                      const std::vector<uint8_t>& internal,
                                                      DescriptorExpansion& out) const
    {
        TaprootSpendData data;
        const auto x = XOnly(internal);
        data.internal_key = Uint256{std::span<const uint8_t>{x}};
        // Fold leaf hashes into the root: equal-depth neighbours combine, as in BIP341.
        std::vector<std::pair<int, Uint256>> stack;
        for (size_t i = 0; i < subs.size(); ++i) {
            auto scripts = subs[i]->Expand(pos, out);
            if (!scripts) return scripts.error();
            const Script& leaf = scripts->at(0);
            data.leaves.push_back(TaprootLeaf{depths[i], consensus::TAPROOT_LEAF_TAPSCRIPT, leaf});
            stack.emplace_back(depths[i], consensus::ComputeTapleafHash(
                                              consensus::TAPROOT_LEAF_TAPSCRIPT, leaf.span()));
            while (stack.size() >= 2 && stack.back().first == stack[stack.size() - 2].first) {
                const auto right = stack.back();
                stack.pop_back();
                auto& left = stack.back();
                left.second = consensus::ComputeTapbranchHash(left.second, right.second);
                left.first -= 1;
            }
        }
        if (!subs.empty()) {
            if (stack.size() != 1 || stack[0].first != 0) {
                return util::Unexpected("Invalid taproot tree");
            }
            data.merkle_root = stack[0].second;
        }
        const consensus::XOnlyPubKey internal_key{data.internal_key};
        const auto tweaked =
            internal_key.CreateTapTweak(data.merkle_root ? &*data.merkle_root : nullptr);
        if (!tweaked) return util::Unexpected("Taproot tweak failed");
        data.output_key = tweaked->first.bytes();
        data.output_parity = tweaked->second;
        const Script spk = P2TR(std::span<const uint8_t>{data.output_key.begin(), 32});
        out.taproot[data.output_key] = std::move(data);
        return std::vector<Script>{spk};
    }
};

// ---------------------------------------------------------------------------
// Descriptor

Descriptor::Descriptor(std::unique_ptr<DescriptorNode> root) : m_root{std::move(root)} {}
Descriptor::~Descriptor() = default;

bool Descriptor::IsRange() const
{
    return m_root->IsRange();
}
bool Descriptor::IsSolvable() const
{
    return m_root->IsSolvable();
}
bool Descriptor::HasPrivateKeys() const
{
    return m_root->HasSecret();
}
bool Descriptor::IsSingleType() const
{
    return m_root->kind != NodeKind::COMBO;
}

std::optional<DescriptorOutputType> Descriptor::GetOutputType() const
{
    switch (m_root->kind) {
    case NodeKind::PKH:
        return DescriptorOutputType::LEGACY;
    case NodeKind::WPKH:
    case NodeKind::WSH:
        return DescriptorOutputType::BECH32;
    case NodeKind::TR:
    case NodeKind::RAWTR:
        return DescriptorOutputType::BECH32M;
    case NodeKind::SH: {
        const NodeKind inner = m_root->subs.at(0)->kind;
        if (inner == NodeKind::WPKH || inner == NodeKind::WSH) {
            return DescriptorOutputType::P2SH_SEGWIT;
        }
        return DescriptorOutputType::LEGACY;
    }
    case NodeKind::ADDR:
    case NodeKind::RAW:
        return m_root->addr_type;
    default:
        return std::nullopt;
    }
}

std::optional<std::string> Descriptor::ToString(DescriptorStringType type) const
{
    auto text = m_root->ToString(type);
    if (!text) return std::nullopt;
    return AddDescriptorChecksum(*text);
}

util::Expected<DescriptorExpansion> Descriptor::Expand(uint32_t pos) const
{
    DescriptorExpansion out;
    auto scripts = m_root->Expand(pos, out);
    if (!scripts) return scripts.error();
    out.output_scripts = std::move(*scripts);
    return out;
}

// ---------------------------------------------------------------------------
// Parser

namespace {

enum class Ctx
{
    TOP,
    P2SH,
    P2WPKH,
    P2WSH,
    P2TR,
};

std::optional<DescriptorOutputType> OutputTypeOf(const Destination& dest)
{
    if (std::holds_alternative<PKHash>(dest)) return DescriptorOutputType::LEGACY;
    if (std::holds_alternative<ScriptHash>(dest)) return DescriptorOutputType::LEGACY;
    if (std::holds_alternative<WitnessV0KeyHash>(dest) ||
        std::holds_alternative<WitnessV0ScriptHash>(dest)) {
        return DescriptorOutputType::BECH32;
    }
    if (std::holds_alternative<WitnessV1Taproot>(dest) ||
        std::holds_alternative<WitnessUnknown>(dest) || std::holds_alternative<PayToAnchor>(dest)) {
        return DescriptorOutputType::BECH32M;
    }
    return std::nullopt;
}

class Parser
{
public:
    explicit Parser(const ChainParams& params) : m_params{params} {}

    std::string error;

    // Core's ParseKeyPath: elements after the first; the last hardened marker seen decides
    // `apostrophe`.
    bool ParseKeyPath(const std::vector<std::string_view>& split, KeyPath& out, bool& apostrophe)
    {
        for (size_t i = 1; i < split.size(); ++i) {
            std::string_view elem = split[i];
            bool hardened = false;
            if (!elem.empty() && (elem.back() == '\'' || elem.back() == 'h')) {
                apostrophe = elem.back() == '\'';
                elem.remove_suffix(1);
                hardened = true;
            }
            const auto value = ParseU32(elem);
            if (!value) {
                error = "Key path value '" + std::string{elem} + "' is not a valid uint32";
                return false;
            }
            if (*value > 0x7fffffffU) {
                error = "Key path value " + std::to_string(*value) + " is out of range";
                return false;
            }
            out.push_back(*value | (hardened ? BIP32_HARDENED : 0));
        }
        return true;
    }

    std::unique_ptr<PubkeyProvider> ParsePubkeyInner(std::string_view sp, Ctx ctx, bool& apostrophe)
    {
        const bool permit_uncompressed = ctx == Ctx::TOP || ctx == Ctx::P2SH;
        std::vector<std::string_view> split = Split(sp, '/');
        const std::string str{split[0]};
        if (str.empty()) {
            error = "No key provided";
            return nullptr;
        }
        const auto is_space = [](char c) {
            return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
        };
        if (is_space(str.front()) || is_space(str.back())) {
            error = "Key '" + str + "' is invalid due to whitespace";
            return nullptr;
        }
        if (split.size() == 1) {
            if (IsEvenHex(str)) {
                const auto data = *util::TryParseHex(str);
                if ((data.size() == 33 || data.size() == 65) &&
                    consensus::IsFullyValidPubKey(data)) {
                    if (data[0] == 0x06 || data[0] == 0x07) {
                        error = "Hybrid public keys are not allowed";
                        return nullptr;
                    }
                    if (permit_uncompressed || data.size() == 33) {
                        return std::make_unique<ConstKey>(data, false, std::nullopt, std::nullopt);
                    }
                    error = "Uncompressed keys are not allowed";
                    return nullptr;
                }
                if (data.size() == 32 && ctx == Ctx::P2TR) {
                    std::vector<uint8_t> full{0x02};
                    full.insert(full.end(), data.begin(), data.end());
                    if (consensus::IsFullyValidPubKey(full)) {
                        return std::make_unique<ConstKey>(full, true, std::nullopt, std::nullopt);
                    }
                }
                error = "Pubkey '" + str + "' is invalid";
                return nullptr;
            }
            if (auto wif = DecodeSecret(str, m_params)) {
                if (permit_uncompressed || wif->compressed) {
                    auto pub = secp::PubKeyFromSecret(wif->secret, wif->compressed);
                    if (!pub) {
                        error = "key '" + str + "' is not valid";
                        return nullptr;
                    }
                    return std::make_unique<ConstKey>(*pub, ctx == Ctx::P2TR,
                                                      EncodeSecret(*wif, m_params), wif->secret);
                }
                error = "Uncompressed keys are not allowed";
                return nullptr;
            }
        }
        std::optional<ExtKey> xprv;
        std::optional<ExtPubKey> xpub;
        if (auto k = DecodeExtKey(str, m_params)) {
            xprv = *k;
            xpub = k->Neuter();
        } else if (auto p = DecodeExtPubKey(str, m_params)) {
            xpub = *p;
        }
        if (!xpub) {
            error = "key '" + str + "' is not valid";
            return nullptr;
        }
        DeriveType type = DeriveType::NONE;
        if (split.back() == "*") {
            split.pop_back();
            type = DeriveType::UNHARDENED;
        } else if (split.back() == "*'" || split.back() == "*h") {
            apostrophe = split.back() == "*'";
            split.pop_back();
            type = DeriveType::HARDENED;
        }
        KeyPath path;
        if (!ParseKeyPath(split, path, apostrophe)) return nullptr;
        std::optional<std::string> priv_text;
        if (xprv) priv_text = EncodeExtKey(*xprv, m_params);
        return std::make_unique<Bip32Key>(*xpub, xprv, EncodeExtPubKey(*xpub, m_params),
                                          std::move(priv_text), std::move(path), type, apostrophe);
    }

    std::unique_ptr<PubkeyProvider> ParsePubkey(std::string_view sp, Ctx ctx)
    {
        const std::vector<std::string_view> origin_split = Split(sp, ']');
        if (origin_split.size() > 2) {
            error = "Multiple ']' characters found for a single pubkey";
            return nullptr;
        }
        bool apostrophe = false;
        if (origin_split.size() == 1) return ParsePubkeyInner(origin_split[0], ctx, apostrophe);
        if (origin_split[0].empty() || origin_split[0][0] != '[') {
            const char got = origin_split[0].empty() ? ']' : origin_split[0][0];
            error = std::string{"Key origin start '[ character expected but not found, got '"} +
                    got + "' instead";
            return nullptr;
        }
        const std::vector<std::string_view> slash_split = Split(origin_split[0].substr(1), '/');
        if (slash_split[0].size() != 8) {
            error = "Fingerprint is not 4 bytes (" + std::to_string(slash_split[0].size()) +
                    " characters instead of 8 characters)";
            return nullptr;
        }
        const std::string fpr_hex{slash_split[0]};
        if (!IsEvenHex(fpr_hex)) {
            error = "Fingerprint '" + fpr_hex + "' is not hex";
            return nullptr;
        }
        KeyOriginInfo info;
        const auto fpr = *util::TryParseHex(fpr_hex);
        std::copy(fpr.begin(), fpr.end(), info.fingerprint.begin());
        if (!ParseKeyPath(slash_split, info.path, apostrophe)) return nullptr;
        auto inner = ParsePubkeyInner(origin_split[1], ctx, apostrophe);
        if (!inner) return nullptr;
        return std::make_unique<OriginKey>(std::move(info), std::move(inner), apostrophe);
    }

    // Parses one key argument of a function, prefixing errors with "name(): ".
    std::unique_ptr<PubkeyProvider> KeyArg(std::string_view name, std::string_view sp, Ctx ctx)
    {
        auto key = ParsePubkey(sp, ctx);
        if (!key) error = std::string{name} + "(): " + error;
        return key;
    }

    std::unique_ptr<DescriptorNode> Make(NodeKind kind, Ctx ctx)
    {
        auto node = std::make_unique<DescriptorNode>();
        node->kind = kind;
        node->tapscript = ctx == Ctx::P2TR;
        return node;
    }

    std::unique_ptr<DescriptorNode> ParseMulti(std::string_view expr, Ctx ctx, NodeKind kind)
    {
        const bool is_a = kind == NodeKind::MULTI_A || kind == NodeKind::SORTEDMULTI_A;
        const std::string_view threshold_text = Expr(expr);
        const auto threshold = ParseU32(threshold_text);
        if (!threshold) {
            error = "Multi threshold '" + std::string{threshold_text} + "' is not valid";
            return nullptr;
        }
        auto node = Make(kind, ctx);
        node->threshold = *threshold;
        size_t script_size = 0;
        while (!expr.empty()) {
            if (!Const(",", expr)) {
                error = std::string{"Multi: expected ',', got '"} + expr[0] + "'";
                return nullptr;
            }
            const std::string_view arg = Expr(expr);
            auto key = ParsePubkey(arg, ctx);
            if (!key) {
                error = "Multi: " + error;
                return nullptr;
            }
            const size_t size = key->Size();
            script_size += size + (size < 0x4c ? 1 : 2);
            node->keys.push_back(std::move(key));
        }
        const size_t n = node->keys.size();
        const size_t max_keys =
            is_a ? 999 : static_cast<size_t>(consensus::MAX_PUBKEYS_PER_MULTISIG);
        if (n == 0 || n > max_keys) {
            error = "Cannot have " + std::to_string(n) + " keys in " +
                    (is_a ? "multi_a" : "multisig") + "; must have between 1 and " +
                    std::to_string(max_keys) + " keys, inclusive";
            return nullptr;
        }
        if (*threshold < 1) {
            error = "Multisig threshold cannot be " + std::to_string(*threshold) +
                    ", must be at least 1";
            return nullptr;
        }
        if (*threshold > n) {
            error = "Multisig threshold cannot be larger than the number of keys; threshold is " +
                    std::to_string(*threshold) + " but only " + std::to_string(n) +
                    " keys specified";
            return nullptr;
        }
        if (ctx == Ctx::TOP && n > 3) {
            error = "Cannot have " + std::to_string(n) +
                    " pubkeys in bare multisig; only at most 3 pubkeys";
            return nullptr;
        }
        if (ctx == Ctx::P2SH && script_size + 3 > 520) {
            error = "P2SH script is too large, " + std::to_string(script_size + 3) +
                    " bytes is larger than 520 bytes";
            return nullptr;
        }
        return node;
    }

    std::unique_ptr<DescriptorNode> ParseTr(std::string_view expr)
    {
        const std::string_view arg = Expr(expr);
        auto internal = KeyArg("tr", arg, Ctx::P2TR);
        if (!internal) return nullptr;
        auto node = Make(NodeKind::TR, Ctx::TOP);
        node->keys.push_back(std::move(internal));
        if (expr.empty()) return node;
        if (!Const(",", expr)) {
            error = std::string{"tr: expected ',', got '"} + expr[0] + "'";
            return nullptr;
        }
        // branches[i]: false while in the left child at depth i, true in the right one.
        std::vector<bool> branches;
        do {
            while (Const("{", expr)) {
                branches.push_back(false);
                if (branches.size() > consensus::TAPROOT_CONTROL_MAX_NODE_COUNT) {
                    error = "tr() supports at most " +
                            std::to_string(consensus::TAPROOT_CONTROL_MAX_NODE_COUNT) +
                            " nesting levels";
                    return nullptr;
                }
            }
            const std::string_view sarg = Expr(expr);
            auto leaf = ParseScript(sarg, Ctx::P2TR);
            if (!leaf) return nullptr;
            node->subs.push_back(std::move(leaf));
            node->depths.push_back(static_cast<int>(branches.size()));
            while (!branches.empty() && branches.back()) {
                if (!Const("}", expr)) {
                    error = "tr(): expected '}' after script expression";
                    return nullptr;
                }
                branches.pop_back();
            }
            if (!branches.empty() && !branches.back()) {
                if (!Const(",", expr)) {
                    error = "tr(): expected ',' after script expression";
                    return nullptr;
                }
                branches.back() = true;
            }
        } while (!branches.empty());
        if (!expr.empty()) {
            error = "tr(): expected ')' after script expression";
            return nullptr;
        }
        return node;
    }

    std::unique_ptr<DescriptorNode> ParseScript(std::string_view expr, Ctx ctx)
    {
        const std::string_view whole = expr;
        if (Func("pk", expr)) {
            auto key = KeyArg("pk", expr, ctx);
            if (!key) return nullptr;
            auto node = Make(NodeKind::PK, ctx);
            node->keys.push_back(std::move(key));
            return node;
        }
        if (Func("pkh", expr)) {
            if (ctx == Ctx::P2WPKH) {
                error = "Can only have pkh at top level, in sh(), wsh(), or in tr()";
                return nullptr;
            }
            auto key = KeyArg("pkh", expr, ctx);
            if (!key) return nullptr;
            auto node = Make(NodeKind::PKH, ctx);
            node->keys.push_back(std::move(key));
            return node;
        }
        if (Func("combo", expr)) {
            if (ctx != Ctx::TOP) {
                error = "Can only have combo() at top level";
                return nullptr;
            }
            auto key = KeyArg("combo", expr, ctx);
            if (!key) return nullptr;
            auto node = Make(NodeKind::COMBO, ctx);
            node->keys.push_back(std::move(key));
            return node;
        }
        for (const auto& [name, kind] :
             {std::pair{std::string_view{"multi"}, NodeKind::MULTI},
              std::pair{std::string_view{"sortedmulti"}, NodeKind::SORTEDMULTI}}) {
            if (Func(name, expr)) {
                if (ctx != Ctx::TOP && ctx != Ctx::P2SH && ctx != Ctx::P2WSH) {
                    error = "Can only have multi/sortedmulti at top level, in sh(), or in wsh()";
                    return nullptr;
                }
                return ParseMulti(expr, ctx, kind);
            }
        }
        for (const auto& [name, kind] :
             {std::pair{std::string_view{"multi_a"}, NodeKind::MULTI_A},
              std::pair{std::string_view{"sortedmulti_a"}, NodeKind::SORTEDMULTI_A}}) {
            if (Func(name, expr)) {
                if (ctx != Ctx::P2TR) {
                    error = "Can only have multi_a/sortedmulti_a inside tr()";
                    return nullptr;
                }
                return ParseMulti(expr, ctx, kind);
            }
        }
        if (Func("wpkh", expr)) {
            if (ctx != Ctx::TOP && ctx != Ctx::P2SH) {
                error = "Can only have wpkh() at top level or inside sh()";
                return nullptr;
            }
            auto key = KeyArg("wpkh", expr, Ctx::P2WPKH);
            if (!key) return nullptr;
            auto node = Make(NodeKind::WPKH, ctx);
            node->keys.push_back(std::move(key));
            return node;
        }
        if (Func("sh", expr)) {
            if (ctx != Ctx::TOP) {
                error = "Can only have sh() at top level";
                return nullptr;
            }
            auto sub = ParseScript(expr, Ctx::P2SH);
            if (!sub) return nullptr;
            auto node = Make(NodeKind::SH, ctx);
            node->subs.push_back(std::move(sub));
            return node;
        }
        if (Func("wsh", expr)) {
            if (ctx != Ctx::TOP && ctx != Ctx::P2SH) {
                error = "Can only have wsh() at top level or inside sh()";
                return nullptr;
            }
            auto sub = ParseScript(expr, Ctx::P2WSH);
            if (!sub) return nullptr;
            auto node = Make(NodeKind::WSH, ctx);
            node->subs.push_back(std::move(sub));
            return node;
        }
        if (Func("addr", expr)) {
            if (ctx != Ctx::TOP) {
                error = "Can only have addr() at top level";
                return nullptr;
            }
            auto dest = DecodeDestination(expr, m_params);
            if (!dest || !IsValidDestination(*dest)) {
                error = "Address is not valid";
                return nullptr;
            }
            auto node = Make(NodeKind::ADDR, ctx);
            node->script = GetScriptForDestination(*dest);
            node->address = EncodeDestination(*dest, m_params);
            node->addr_type = OutputTypeOf(*dest);
            return node;
        }
        if (Func("tr", expr)) {
            if (ctx != Ctx::TOP) {
                error = "Can only have tr at top level";
                return nullptr;
            }
            return ParseTr(expr);
        }
        if (Func("rawtr", expr)) {
            if (ctx != Ctx::TOP) {
                error = "Can only have rawtr at top level";
                return nullptr;
            }
            auto key = KeyArg("rawtr", expr, Ctx::P2TR);
            if (!key) return nullptr;
            auto node = Make(NodeKind::RAWTR, ctx);
            node->keys.push_back(std::move(key));
            return node;
        }
        if (Func("raw", expr)) {
            if (ctx != Ctx::TOP) {
                error = "Can only have raw() at top level";
                return nullptr;
            }
            if (!IsEvenHex(expr)) {
                error = "Raw script is not hex";
                return nullptr;
            }
            auto node = Make(NodeKind::RAW, ctx);
            node->script = Script{*util::TryParseHex(expr)};
            if (auto dest = ExtractDestination(node->script)) node->addr_type = OutputTypeOf(*dest);
            return node;
        }
        if (ctx == Ctx::P2SH) {
            error = "A function is needed within P2SH";
            return nullptr;
        }
        if (ctx == Ctx::P2WSH) {
            error = "A function is needed within P2WSH";
            return nullptr;
        }
        error = "'" + std::string{whole} + "' is not a valid descriptor function";
        return nullptr;
    }

private:
    const ChainParams& m_params;
};

// Core's CheckChecksum: splits off and verifies "#checksum"; leaves the payload in sp.
bool CheckChecksum(std::string_view& sp, bool require_checksum, std::string& error)
{
    const std::vector<std::string_view> check_split = Split(sp, '#');
    if (check_split.size() > 2) {
        error = "Multiple '#' symbols";
        return false;
    }
    if (check_split.size() == 1 && require_checksum) {
        error = "Missing checksum";
        return false;
    }
    if (check_split.size() == 2 && check_split[1].size() != 8) {
        error = "Expected 8 character checksum, not " + std::to_string(check_split[1].size()) +
                " characters";
        return false;
    }
    const std::string checksum = DescriptorChecksum(check_split[0]);
    if (checksum.empty()) {
        error = "Invalid characters in payload";
        return false;
    }
    if (check_split.size() == 2 && check_split[1] != checksum) {
        error = "Provided checksum '" + std::string{check_split[1]} +
                "' does not match computed checksum '" + checksum + "'";
        return false;
    }
    sp = check_split[0];
    return true;
}

} // namespace

util::Expected<std::unique_ptr<Descriptor>>
ParseDescriptor(std::string_view text, const ChainParams& params, bool require_checksum)
{
    std::string error;
    if (!CheckChecksum(text, require_checksum, error)) return util::Unexpected(error);
    Parser parser{params};
    auto root = parser.ParseScript(text, Ctx::TOP);
    if (!root) return util::Unexpected(parser.error);
    return std::make_unique<Descriptor>(std::move(root));
}

// ---------------------------------------------------------------------------
// Inference

namespace {

std::string KeyText(const std::vector<uint8_t>& pubkey, const DescriptorExpansion& known,
                    bool xonly)
{
    std::string hex = util::HexStr(pubkey);
    if (xonly && hex.size() == 66) hex = hex.substr(2);
    const auto it = known.origins.find(KeyId(pubkey));
    if (it == known.origins.end()) return hex;
    return "[" + util::HexStr(it->second.fingerprint) + FormatHDKeypath(it->second.path) + "]" +
           hex;
}

// Returns the pubkey of an x-only key known to the expansion (either parity), if any.
std::optional<std::vector<uint8_t>> FindXOnly(std::span<const uint8_t> x,
                                              const DescriptorExpansion& known)
{
    for (const uint8_t prefix : {uint8_t{0x02}, uint8_t{0x03}}) {
        std::vector<uint8_t> full{prefix};
        full.insert(full.end(), x.begin(), x.end());
        if (known.pubkeys.count(KeyId(full))) return full;
    }
    return std::nullopt;
}

// A tapscript leaf as pk() or pkh() of a known x-only key, else nullopt.
std::optional<std::string> InferTapLeaf(const Script& script, const DescriptorExpansion& known)
{
    const auto& b = script.bytes();
    if (b.size() == 34 && b[0] == 32 && b[33] == consensus::OP_CHECKSIG) {
        const std::span<const uint8_t> x{b.data() + 1, 32};
        const auto key = FindXOnly(x, known);
        return "pk(" + (key ? KeyText(*key, known, true) : util::HexStr(x)) + ")";
    }
    if (b.size() == 25 && b[0] == consensus::OP_DUP && b[1] == consensus::OP_HASH160 &&
        b[2] == 20 && b[23] == consensus::OP_EQUALVERIFY && b[24] == consensus::OP_CHECKSIG) {
        const Uint160 target{std::span<const uint8_t>{b.data() + 3, 20}};
        for (const auto& [id, pub] : known.pubkeys) {
            if (pub.size() != 33) continue;
            const auto x = XOnly(pub);
            if (KeyId(x) == target) return "pkh(" + KeyText(pub, known, true) + ")";
        }
    }
    return std::nullopt;
}

std::optional<std::string> InferInner(const Script& script, const DescriptorExpansion& known,
                                      const ChainParams& params, Ctx ctx);

std::optional<std::string> InferMultisig(const Script& script, const DescriptorExpansion& known)
{
    // m <keys> n CHECKMULTISIG
    std::vector<std::vector<uint8_t>> pushes;
    std::vector<consensus::Opcode> ops;
    auto pc = script.begin();
    consensus::Opcode op;
    std::vector<uint8_t> data;
    while (pc != script.end()) {
        if (!script.GetOp(pc, op, &data)) return std::nullopt;
        ops.push_back(op);
        pushes.push_back(data);
    }
    if (ops.size() < 4 || ops.back() != consensus::OP_CHECKMULTISIG) return std::nullopt;
    const consensus::Opcode m_op = ops.front();
    const consensus::Opcode n_op = ops[ops.size() - 2];
    if (m_op < consensus::OP_1 || m_op > consensus::OP_16 || n_op < consensus::OP_1 ||
        n_op > consensus::OP_16) {
        return std::nullopt;
    }
    const int m = consensus::DecodeOpN(m_op);
    const int n = consensus::DecodeOpN(n_op);
    if (static_cast<size_t>(n) + 3 != ops.size() || m > n) return std::nullopt;
    std::string ret = "multi(" + std::to_string(m);
    for (size_t i = 1; i + 2 < ops.size(); ++i) {
        if (!consensus::IsPubKeyEncodingPlausible(pushes[i])) return std::nullopt;
        ret += "," + KeyText(pushes[i], known, false);
    }
    return ret + ")";
}

std::optional<std::string> InferInner(const Script& script, const DescriptorExpansion& known,
                                      const ChainParams& params, Ctx ctx)
{
    const auto dest = ExtractDestination(script);
    if (dest) {
        if (const auto* pk = std::get_if<PubKeyDestination>(&*dest)) {
            // Core never infers a descriptor for a hybrid (06/07) key.
            const bool hybrid = !pk->pubkey.empty() && (pk->pubkey[0] == 6 || pk->pubkey[0] == 7);
            if (!hybrid && (ctx != Ctx::P2WSH || pk->pubkey.size() == 33)) {
                return "pk(" + KeyText(pk->pubkey, known, false) + ")";
            }
        }
        if (const auto* pkh = std::get_if<PKHash>(&*dest)) {
            const auto it = known.pubkeys.find(pkh->hash);
            if (it != known.pubkeys.end() && (ctx != Ctx::P2WSH || it->second.size() == 33)) {
                return "pkh(" + KeyText(it->second, known, false) + ")";
            }
        }
        if (const auto* wpkh = std::get_if<WitnessV0KeyHash>(&*dest);
            wpkh && (ctx == Ctx::TOP || ctx == Ctx::P2SH)) {
            const auto it = known.pubkeys.find(wpkh->hash);
            if (it != known.pubkeys.end() && it->second.size() == 33) {
                return "wpkh(" + KeyText(it->second, known, false) + ")";
            }
        }
        if (const auto* sh = std::get_if<ScriptHash>(&*dest); sh && ctx == Ctx::TOP) {
            const auto it = known.scripts.find(sh->hash);
            if (it != known.scripts.end()) {
                if (auto inner = InferInner(it->second, known, params, Ctx::P2SH)) {
                    return "sh(" + *inner + ")";
                }
            }
        }
        if (const auto* wsh = std::get_if<WitnessV0ScriptHash>(&*dest);
            wsh && (ctx == Ctx::TOP || ctx == Ctx::P2SH)) {
            // Scripts are indexed by HASH160, which is RIPEMD-160 of the P2WSH program.
            const auto it = known.scripts.find(
                consensus::Ripemd160(std::span<const uint8_t>{wsh->hash.begin(), 32}));
            if (it != known.scripts.end()) {
                if (auto inner = InferInner(it->second, known, params, Ctx::P2WSH)) {
                    return "wsh(" + *inner + ")";
                }
            }
        }
        if (const auto* tr = std::get_if<WitnessV1Taproot>(&*dest); tr && ctx == Ctx::TOP) {
            const auto it = known.taproot.find(tr->output_key);
            if (it != known.taproot.end()) {
                const TaprootSpendData& data = it->second;
                const auto internal =
                    FindXOnly(std::span<const uint8_t>{data.internal_key.begin(), 32}, known);
                std::string ret = "tr(" + (internal ? KeyText(*internal, known, true)
                                                    : util::HexStr(std::span<const uint8_t>{
                                                          data.internal_key.begin(), 32}));
                bool ok = true;
                if (!data.leaves.empty()) {
                    ret += ',';
                    std::vector<bool> path;
                    for (size_t pos = 0; pos < data.leaves.size() && ok; ++pos) {
                        if (pos) ret += ',';
                        while (static_cast<int>(path.size()) <= data.leaves[pos].depth) {
                            if (!path.empty()) ret += '{';
                            path.push_back(false);
                        }
                        auto leaf = InferTapLeaf(data.leaves[pos].script, known);
                        if (!leaf) {
                            ok = false;
                            break;
                        }
                        ret += *leaf;
                        while (!path.empty() && path.back()) {
                            if (path.size() > 1) ret += '}';
                            path.pop_back();
                        }
                        if (!path.empty()) path.back() = true;
                    }
                }
                if (ok) return ret + ")";
            }
            if (auto key = FindXOnly(std::span<const uint8_t>{tr->output_key.begin(), 32}, known)) {
                return "rawtr(" + KeyText(*key, known, true) + ")";
            }
            // Without key knowledge, a valid output key still gives rawtr() in Core.
            if (consensus::XOnlyPubKey{tr->output_key}.IsFullyValid()) {
                return "rawtr(" +
                       util::HexStr(std::span<const uint8_t>{tr->output_key.begin(), 32}) + ")";
            }
        }
    }
    if (ctx != Ctx::P2WPKH) {
        if (auto multi = InferMultisig(script, known)) return multi;
    }
    if (ctx == Ctx::TOP && dest && IsValidDestination(*dest)) {
        return "addr(" + EncodeDestination(*dest, params) + ")";
    }
    if (ctx == Ctx::TOP) return "raw(" + util::HexStr(script.span()) + ")";
    return std::nullopt;
}

} // namespace

std::string InferDescriptorString(const Script& script, const DescriptorExpansion& known,
                                  const ChainParams& params)
{
    auto text = InferInner(script, known, params, Ctx::TOP);
    return AddDescriptorChecksum(text ? *text : "raw(" + util::HexStr(script.span()) + ")");
}

} // namespace common
