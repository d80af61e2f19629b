// BIP39 mnemonic sentences with the English word list: entropy <-> words, the
// PBKDF2 seed, fresh mnemonics from OS randomness and the BIP32 master key of a
// seed. Every function is pure (apart from GenerateMnemonic's randomness) and may
// be called from any thread.
//
// Limit: BIP39 feeds the mnemonic and passphrase to PBKDF2 in Unicode NFKD. We
// have no Unicode tables, so only ASCII text (already NFKD) is accepted; any
// other byte is refused with an error rather than silently hashed unnormalised,
// which could yield a seed other wallets would not reproduce.
#pragma once

#include <common/bip32.h>
#include <util/expected.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace common {

/// Number of words in a BIP39 word list (2^11: one word per 11-bit group).
inline constexpr size_t BIP39_WORDLIST_SIZE = 2048;
/// PBKDF2-HMAC-SHA512 iterations for the seed, fixed by BIP39.
inline constexpr int BIP39_PBKDF2_ROUNDS = 2048;
/// Size of the seed a mnemonic yields.
inline constexpr size_t BIP39_SEED_SIZE = 64;

/// The BIP39 English word list in its published (sorted) order; immutable, thread-safe.
std::span<const std::string_view, BIP39_WORDLIST_SIZE> Bip39EnglishWordlist();

/// Index of a word in the English list, or -1 if it is not there (exact, case-sensitive match).
int Bip39WordIndex(std::string_view word);

/// A 64-byte BIP39 seed; the bytes are wiped when the object dies.
struct Bip39Seed
{
    std::array<uint8_t, BIP39_SEED_SIZE> bytes{};

    Bip39Seed() = default;
    Bip39Seed(const Bip39Seed&) = default;
    Bip39Seed& operator=(const Bip39Seed&) = default;
    ~Bip39Seed();
};

/// Mnemonic of 16/20/24/28/32 bytes of entropy (12/15/18/21/24 words, single spaces);
/// fails on any other length.
util::Expected<std::string> MnemonicFromEntropy(std::span<const uint8_t> entropy);

/// Normalised form of a typed mnemonic: ASCII only (else an error), words split on ASCII
/// whitespace and joined by single spaces. Case is kept, so "Abandon" stays an unknown word.
util::Expected<std::string> NormalizeMnemonic(std::string_view mnemonic);

/// A passphrase as BIP39 hashes it: returned unchanged if ASCII, else an error (see limit above).
util::Expected<std::string> NormalizePassphrase(std::string_view passphrase);

/// Entropy of a mnemonic (normalised first); errors "invalid word count", "unknown word 'x'",
/// "invalid checksum" or non-ASCII text.
util::Expected<std::vector<uint8_t>> MnemonicToEntropy(std::string_view mnemonic);

/// True if the mnemonic decodes (known words, valid count and checksum).
bool IsValidMnemonic(std::string_view mnemonic);

/// BIP39 seed: PBKDF2-HMAC-SHA512(normalised mnemonic, "mnemonic" + passphrase, 2048 rounds).
/// Refuses a mnemonic that does not decode (bad word, count or checksum) and non-ASCII text.
util::Expected<Bip39Seed> MnemonicToSeed(std::string_view mnemonic,
                                         std::string_view passphrase = {});

/// A fresh mnemonic of 12, 15, 18, 21 or 24 words from the OS random generator; fails on
/// another count or if the generator fails.
util::Expected<std::string> GenerateMnemonic(size_t word_count);

/// BIP32 master key of a seed (HMAC-SHA512 keyed "Bitcoin seed"); fails in the ~2^-127
/// case where the derived secret is invalid.
util::Expected<ExtKey> MasterKeyFromSeed(const Bip39Seed& seed);

/// Convenience: MnemonicToSeed then MasterKeyFromSeed, wiping the seed in between.
util::Expected<ExtKey> MnemonicToMasterKey(std::string_view mnemonic,
                                           std::string_view passphrase = {});

} // namespace common
