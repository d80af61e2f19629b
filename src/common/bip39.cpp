#include <common/bip39.h>

#include <consensus/hash.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include <algorithm>
#include <iterator>

namespace common {
namespace {

constexpr size_t BITS_PER_WORD = 11;
constexpr size_t MIN_ENTROPY_BYTES = 16;
constexpr size_t MAX_ENTROPY_BYTES = 32;
// Longest word we echo back in an error, so a pasted blob does not flood logs.
constexpr size_t MAX_ECHOED_WORD = 24;

// Wipes a buffer holding secret material when it leaves scope, on every return path.
template <typename T>
class Wipe
{
public:
    explicit Wipe(T& obj) : m_obj{obj} {}
    Wipe(const Wipe&) = delete;
    Wipe& operator=(const Wipe&) = delete;
    ~Wipe() { OPENSSL_cleanse(std::data(m_obj), std::size(m_obj) * sizeof(*std::data(m_obj))); }

private:
    T& m_obj;
};

bool ValidEntropySize(size_t bytes)
{
    return bytes >= MIN_ENTROPY_BYTES && bytes <= MAX_ENTROPY_BYTES && bytes % 4 == 0;
}

// 12..24 words in steps of 3: each 3 words carry 32 bits of entropy plus 1 checksum bit.
bool ValidWordCount(size_t words)
{
    return words >= 12 && words <= 24 && words % 3 == 0;
}

bool IsAsciiWhitespace(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

util::Expected<void> CheckAscii(std::string_view text, std::string_view what)
{
    const bool ascii = std::all_of(text.begin(), text.end(),
                                   [](char c) { return static_cast<unsigned char>(c) < 0x80; });
    if (ascii) return {};
    return util::Unexpected(std::string{what} +
                            " contains non-ASCII characters; only ASCII is supported because "
                            "BIP39 requires Unicode NFKD normalisation, which is not implemented");
}

// Splits on runs of ASCII whitespace; the views point into `text`.
std::vector<std::string_view> SplitWords(std::string_view text)
{
    std::vector<std::string_view> words;
    size_t pos = 0;
    while (pos < text.size()) {
        while (pos < text.size() && IsAsciiWhitespace(text[pos]))
            ++pos;
        const size_t start = pos;
        while (pos < text.size() && !IsAsciiWhitespace(text[pos]))
            ++pos;
        if (pos > start) words.push_back(text.substr(start, pos - start));
    }
    return words;
}

// Bit `index` of `buf`, most significant bit of each byte first.
bool GetBit(std::span<const uint8_t> buf, size_t index)
{
    return (buf[index / 8] >> (7 - index % 8)) & 1;
}

void SetBit(std::span<uint8_t> buf, size_t index)
{
    buf[index / 8] |= static_cast<uint8_t>(1U << (7 - index % 8));
}

std::string EchoWord(std::string_view word)
{
    if (word.size() <= MAX_ECHOED_WORD) return std::string{word};
    return std::string{word.substr(0, MAX_ECHOED_WORD)} + "...";
}

} // namespace

Bip39Seed::~Bip39Seed()
{
    OPENSSL_cleanse(bytes.data(), bytes.size());
}

int Bip39WordIndex(std::string_view word)
{
    const auto list = Bip39EnglishWordlist();
    // The published list is sorted (a BIP39 requirement), so binary search is exact.
    const auto it = std::lower_bound(list.begin(), list.end(), word);
    if (it == list.end() || *it != word) return -1;
    return static_cast<int>(it - list.begin());
}

util::Expected<std::string> MnemonicFromEntropy(std::span<const uint8_t> entropy)
{
    if (!ValidEntropySize(entropy.size())) {
        return util::Unexpected("invalid entropy length " + std::to_string(entropy.size()) +
                                " bytes (expected 16, 20, 24, 28 or 32)");
    }
    // Entropy followed by the first byte of its SHA-256, of which ENT/32 bits are used.
    std::array<uint8_t, MAX_ENTROPY_BYTES + 1> bits{};
    const Wipe wipe_bits{bits};
    std::copy(entropy.begin(), entropy.end(), bits.begin());
    consensus::Uint256 digest = consensus::Sha256Hash(entropy);
    bits[entropy.size()] = digest.data()[0];
    OPENSSL_cleanse(digest.data(), 32);

    const size_t total_bits = entropy.size() * 8 + entropy.size() / 4;
    const size_t word_count = total_bits / BITS_PER_WORD;
    const auto list = Bip39EnglishWordlist();
    std::string mnemonic;
    mnemonic.reserve(word_count * 9);
    for (size_t w = 0; w < word_count; ++w) {
        size_t index = 0;
        for (size_t b = 0; b < BITS_PER_WORD; ++b) {
            index = (index << 1) | (GetBit(bits, w * BITS_PER_WORD + b) ? 1 : 0);
        }
        if (w > 0) mnemonic += ' ';
        mnemonic += list[index];
    }
    return mnemonic;
}

util::Expected<std::string> NormalizeMnemonic(std::string_view mnemonic)
{
    if (auto ok = CheckAscii(mnemonic, "mnemonic"); !ok) return ok.error();
    std::string out;
    out.reserve(mnemonic.size());
    for (const std::string_view word : SplitWords(mnemonic)) {
        if (!out.empty()) out += ' ';
        out += word;
    }
    return out;
}

util::Expected<std::string> NormalizePassphrase(std::string_view passphrase)
{
    if (auto ok = CheckAscii(passphrase, "passphrase"); !ok) return ok.error();
    return std::string{passphrase};
}

util::Expected<std::vector<uint8_t>> MnemonicToEntropy(std::string_view mnemonic)
{
    if (auto ok = CheckAscii(mnemonic, "mnemonic"); !ok) return ok.error();
    const std::vector<std::string_view> words = SplitWords(mnemonic);
    if (!ValidWordCount(words.size())) {
        return util::Unexpected("invalid word count " + std::to_string(words.size()) +
                                " (expected 12, 15, 18, 21 or 24)");
    }
    std::array<uint8_t, MAX_ENTROPY_BYTES + 1> bits{};
    const Wipe wipe_bits{bits};
    for (size_t w = 0; w < words.size(); ++w) {
        const int index = Bip39WordIndex(words[w]);
        if (index < 0) return util::Unexpected("unknown word '" + EchoWord(words[w]) + "'");
        for (size_t b = 0; b < BITS_PER_WORD; ++b) {
            if ((static_cast<unsigned>(index) >> (BITS_PER_WORD - 1 - b)) & 1) {
                SetBit(bits, w * BITS_PER_WORD + b);
            }
        }
    }
    const size_t total_bits = words.size() * BITS_PER_WORD;
    const size_t checksum_bits = total_bits / 33;
    const size_t entropy_bytes = (total_bits - checksum_bits) / 8;
    const std::span<const uint8_t> entropy{bits.data(), entropy_bytes};

    consensus::Uint256 digest = consensus::Sha256Hash(entropy);
    const unsigned expected = digest.data()[0] >> (8 - checksum_bits);
    OPENSSL_cleanse(digest.data(), 32);
    const unsigned actual = bits[entropy_bytes] >> (8 - checksum_bits);
    if (expected != actual) return util::Unexpected("invalid checksum");
    return std::vector<uint8_t>(entropy.begin(), entropy.end());
}

bool IsValidMnemonic(std::string_view mnemonic)
{
    auto entropy = MnemonicToEntropy(mnemonic);
    if (!entropy) return false;
    OPENSSL_cleanse(entropy->data(), entropy->size());
    return true;
}

util::Expected<Bip39Seed> MnemonicToSeed(std::string_view mnemonic, std::string_view passphrase)
{
    // Decoding checks ASCII, the words and the checksum; the entropy itself is not needed.
    auto entropy = MnemonicToEntropy(mnemonic);
    if (!entropy) return entropy.error();
    OPENSSL_cleanse(entropy->data(), entropy->size());
    if (auto ok = CheckAscii(passphrase, "passphrase"); !ok) return ok.error();

    auto normalized = NormalizeMnemonic(mnemonic);
    if (!normalized) return normalized.error();
    std::string password = std::move(*normalized);
    const Wipe wipe_password{password};
    std::string salt;
    const Wipe wipe_salt{salt};
    // Reserve first so appending the passphrase never leaves a copy in a freed buffer.
    salt.reserve(8 + passphrase.size());
    salt.append("mnemonic").append(passphrase);

    Bip39Seed seed;
    if (PKCS5_PBKDF2_HMAC(password.data(), static_cast<int>(password.size()),
                          reinterpret_cast<const unsigned char*>(salt.data()),
                          static_cast<int>(salt.size()), BIP39_PBKDF2_ROUNDS, EVP_sha512(),
                          static_cast<int>(seed.bytes.size()), seed.bytes.data()) != 1) {
        return util::Unexpected("PBKDF2-HMAC-SHA512 failed");
    }
    return seed;
}

util::Expected<std::string> GenerateMnemonic(size_t word_count)
{
    if (!ValidWordCount(word_count)) {
        return util::Unexpected("invalid word count " + std::to_string(word_count) +
                                " (expected 12, 15, 18, 21 or 24)");
    }
    std::array<uint8_t, MAX_ENTROPY_BYTES> entropy{};
    const Wipe wipe_entropy{entropy};
    const size_t entropy_bytes = word_count * 4 / 3;
    if (RAND_bytes(entropy.data(), static_cast<int>(entropy_bytes)) != 1) {
        return util::Unexpected("the system random number generator failed");
    }
    return MnemonicFromEntropy(std::span<const uint8_t>{entropy.data(), entropy_bytes});
}

util::Expected<ExtKey> MasterKeyFromSeed(const Bip39Seed& seed)
{
    auto key = ExtKey::FromSeed(seed.bytes);
    if (!key) return util::Unexpected("seed gives an invalid BIP32 master key; use another");
    return std::move(*key);
}

util::Expected<ExtKey> MnemonicToMasterKey(std::string_view mnemonic, std::string_view passphrase)
{
    // The seed is a Bip39Seed, so it is wiped when it goes out of scope here.
    auto seed = MnemonicToSeed(mnemonic, passphrase);
    if (!seed) return seed.error();
    return MasterKeyFromSeed(*seed);
}

} // namespace common
