// secp_rate: the raw libsecp256k1 signature verification rate for a mix of
// ECDSA (P2WPKH) and Schnorr (P2TR key path) checks, the floor a node's
// script verification is compared against by contrib/bench/reindex-bench.sh.
//
//   secp_rate [-ecdsa=<n>] [-schnorr=<n>] [-threads=<n>] [-seconds=<s>]
//
// -ecdsa and -schnorr give the mix (counts or weights, default 1:1); -threads
// the thread count of the parallel measurement (default 2); -seconds the
// length of each timed run (default 1). Prints one JSON object on stdout.
//
// Every signature is a distinct valid one over a distinct key and message, and
// each check is confirmed to succeed, so a broken setup reports an error
// instead of a speed. "parsed" times start from a parsed key and signature
// (libsecp256k1 alone); "bytes" times include parsing them from the
// serialized form a script supplies (key decompression, DER parsing); they
// are the bound reindex-bench.sh compares a node with, as every verifier gets
// keys and signatures as bytes. The "parsed" rates are a stricter reference.
// "per_cpu_s" divides by the CPU time used instead of the wall time, which
// other processes on a shared machine disturb much less.
#include <secp256k1.h>
#include <secp256k1_extrakeys.h>
#include <secp256k1_schnorrsig.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace {

// Distinct signatures per kind: enough that no single key or message stays
// hot, few enough that setup takes a fraction of a second.
constexpr size_t SIGNATURES_PER_KIND = 256;
// Rounds of timed runs; the fastest run of each configuration is kept, as
// other load on a shared machine only ever slows a run down.
constexpr int RUNS = 5;

using Clock = std::chrono::steady_clock;

struct EcdsaCase
{
    secp256k1_pubkey key{};
    secp256k1_ecdsa_signature sig{};
    std::array<uint8_t, 32> msg{};
    std::array<uint8_t, 33> key_bytes{};
    std::vector<uint8_t> sig_der;
};

struct SchnorrCase
{
    secp256k1_xonly_pubkey key{};
    std::array<uint8_t, 64> sig{};
    std::array<uint8_t, 32> msg{};
    std::array<uint8_t, 32> key_bytes{};
};

struct Fixture
{
    std::vector<EcdsaCase> ecdsa;
    std::vector<SchnorrCase> schnorr;
};

// A deterministic 32-byte value from a counter (splitmix64), never zero.
std::array<uint8_t, 32> Bytes32(uint64_t seed)
{
    std::array<uint8_t, 32> out{};
    for (size_t i = 0; i < 4; ++i) {
        uint64_t z = (seed * 4 + i + 1) * 0x9e3779b97f4a7c15ULL;
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
        z ^= z >> 31;
        std::memcpy(out.data() + 8 * i, &z, 8);
    }
    out[0] |= 1;
    out[0] &= 0x7f; // stays below the group order
    return out;
}

std::optional<Fixture> BuildFixture(std::string& error)
{
    secp256k1_context* ctx = secp256k1_context_create(SECP256K1_CONTEXT_NONE);
    if (!ctx) {
        error = "cannot create a libsecp256k1 context";
        return std::nullopt;
    }
    Fixture f;
    for (size_t i = 0; i < SIGNATURES_PER_KIND && error.empty(); ++i) {
        const auto secret = Bytes32(2 * i);
        EcdsaCase e;
        e.msg = Bytes32(1'000'000 + i);
        size_t key_len = e.key_bytes.size();
        std::array<uint8_t, 72> der{};
        size_t der_len = der.size();
        if (secp256k1_ec_pubkey_create(ctx, &e.key, secret.data()) != 1 ||
            secp256k1_ec_pubkey_serialize(ctx, e.key_bytes.data(), &key_len, &e.key,
                                          SECP256K1_EC_COMPRESSED) != 1 ||
            secp256k1_ecdsa_sign(ctx, &e.sig, e.msg.data(), secret.data(), nullptr, nullptr) != 1 ||
            secp256k1_ecdsa_signature_serialize_der(ctx, der.data(), &der_len, &e.sig) != 1) {
            error = "ECDSA setup failed";
            break;
        }
        e.sig_der.assign(der.begin(), der.begin() + der_len);
        f.ecdsa.push_back(std::move(e));

        const auto secret2 = Bytes32(2 * i + 1);
        SchnorrCase s;
        s.msg = Bytes32(2'000'000 + i);
        const auto aux = Bytes32(3'000'000 + i);
        secp256k1_keypair keypair;
        if (secp256k1_keypair_create(ctx, &keypair, secret2.data()) != 1 ||
            secp256k1_keypair_xonly_pub(ctx, &s.key, nullptr, &keypair) != 1 ||
            secp256k1_xonly_pubkey_serialize(ctx, s.key_bytes.data(), &s.key) != 1 ||
            secp256k1_schnorrsig_sign32(ctx, s.sig.data(), s.msg.data(), &keypair, aux.data()) !=
                1) {
            error = "Schnorr setup failed";
            break;
        }
        f.schnorr.push_back(s);
    }
    secp256k1_context_destroy(ctx);
    if (!error.empty()) return std::nullopt;
    return f;
}

bool VerifyEcdsa(const EcdsaCase& e, bool from_bytes)
{
    if (!from_bytes) {
        return secp256k1_ecdsa_verify(secp256k1_context_static, &e.sig, e.msg.data(), &e.key) == 1;
    }
    secp256k1_pubkey key;
    secp256k1_ecdsa_signature sig;
    return secp256k1_ec_pubkey_parse(secp256k1_context_static, &key, e.key_bytes.data(),
                                     e.key_bytes.size()) == 1 &&
           secp256k1_ecdsa_signature_parse_der(secp256k1_context_static, &sig, e.sig_der.data(),
                                               e.sig_der.size()) == 1 &&
           secp256k1_ecdsa_verify(secp256k1_context_static, &sig, e.msg.data(), &key) == 1;
}

bool VerifySchnorr(const SchnorrCase& s, bool from_bytes)
{
    secp256k1_xonly_pubkey parsed;
    const secp256k1_xonly_pubkey* key = &s.key;
    if (from_bytes) {
        if (secp256k1_xonly_pubkey_parse(secp256k1_context_static, &parsed, s.key_bytes.data()) !=
            1) {
            return false;
        }
        key = &parsed;
    }
    return secp256k1_schnorrsig_verify(secp256k1_context_static, s.sig.data(), s.msg.data(),
                                       s.msg.size(), key) == 1;
}

// Runs checks (ECDSA or Schnorr in the given proportion) on one thread until
// the deadline; returns how many succeeded, or nullopt if one failed.
std::optional<uint64_t> RunUntil(const Fixture& f, uint64_t ecdsa_weight, uint64_t schnorr_weight,
                                 bool from_bytes, Clock::time_point deadline, size_t offset)
{
    uint64_t done = 0;
    uint64_t ecdsa_done = 0;
    uint64_t schnorr_done = 0;
    size_t i = offset;
    while (true) {
        // Check the clock only every few operations; each takes tens of microseconds.
        for (int k = 0; k < 16; ++k, ++i) {
            // Keep the running proportion of ECDSA checks at its target.
            const bool ecdsa = schnorr_weight == 0 ||
                               (ecdsa_weight > 0 && ecdsa_done * (ecdsa_weight + schnorr_weight) <=
                                                        done * ecdsa_weight);
            const bool ok = ecdsa ? VerifyEcdsa(f.ecdsa[i % f.ecdsa.size()], from_bytes)
                                  : VerifySchnorr(f.schnorr[i % f.schnorr.size()], from_bytes);
            if (!ok) return std::nullopt;
            ++(ecdsa ? ecdsa_done : schnorr_done);
            ++done;
        }
        if (Clock::now() >= deadline) return done;
    }
}

// CPU time used by every thread of this process so far, in seconds.
double ProcessCpuSeconds()
{
    timespec ts{};
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

// Checks per second of wall time and per CPU-second of the mix on `threads`
// threads, in one timed run.
struct Rate
{
    double per_second{0};
    double per_cpu_second{0};
};

std::optional<Rate> MeasureRate(const Fixture& f, uint64_t ecdsa_weight, uint64_t schnorr_weight,
                                bool from_bytes, unsigned threads, double seconds)
{
    std::vector<uint64_t> counts(threads, 0);
    std::atomic<bool> failed{false};
    const double cpu_start = ProcessCpuSeconds();
    const auto start = Clock::now();
    const auto deadline =
        start + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(seconds));
    std::vector<std::thread> pool;
    for (unsigned t = 0; t < threads; ++t) {
        pool.emplace_back([&, t] {
            const auto n = RunUntil(f, ecdsa_weight, schnorr_weight, from_bytes, deadline,
                                    t * SIGNATURES_PER_KIND / threads);
            if (n) {
                counts[t] = *n;
            } else {
                failed = true;
            }
        });
    }
    for (auto& th : pool)
        th.join();
    const std::chrono::duration<double> took = Clock::now() - start;
    const double cpu = ProcessCpuSeconds() - cpu_start;
    if (failed) return std::nullopt;
    uint64_t total = 0;
    for (uint64_t c : counts)
        total += c;
    return Rate{static_cast<double>(total) / took.count(),
                static_cast<double>(total) / std::max(cpu, 1e-9)};
}

std::optional<uint64_t> ParseCount(std::string_view text)
{
    if (text.empty() || text.size() > 18) return std::nullopt;
    uint64_t value = 0;
    for (char c : text) {
        if (c < '0' || c > '9') return std::nullopt;
        value = value * 10 + static_cast<uint64_t>(c - '0');
    }
    return value;
}

int Usage(const char* message)
{
    std::fprintf(stderr,
                 "Error: %s\nUsage: secp_rate [-ecdsa=<n>] [-schnorr=<n>] [-threads=<n>] "
                 "[-seconds=<s>]\n",
                 message);
    return 2;
}

} // namespace

int main(int argc, char** argv)
{
    uint64_t ecdsa_weight = 1;
    uint64_t schnorr_weight = 1;
    uint64_t threads = 2;
    double seconds = 1.0;
    for (int i = 1; i < argc; ++i) {
        const std::string_view arg{argv[i]};
        const size_t eq = arg.find('=');
        if (eq == std::string_view::npos) return Usage("options take the form -name=value");
        const std::string_view name = arg.substr(0, eq);
        const std::string_view value = arg.substr(eq + 1);
        if (name == "-seconds") {
            char* end = nullptr;
            const std::string copy{value};
            seconds = std::strtod(copy.c_str(), &end);
            if (copy.empty() || *end != '\0' || !(seconds > 0.01 && seconds < 3600)) {
                return Usage("-seconds must be a number between 0.01 and 3600");
            }
            continue;
        }
        const auto count = ParseCount(value);
        if (!count) return Usage("counts must be non-negative whole numbers");
        if (name == "-ecdsa") {
            ecdsa_weight = *count;
        } else if (name == "-schnorr") {
            schnorr_weight = *count;
        } else if (name == "-threads") {
            threads = *count;
        } else {
            return Usage("unknown option");
        }
    }
    if (ecdsa_weight == 0 && schnorr_weight == 0) return Usage("the mix is empty");
    if (threads < 1 || threads > 64) return Usage("-threads must be 1 to 64");

    std::string error;
    const auto fixture = BuildFixture(error);
    if (!fixture) {
        std::fprintf(stderr, "Error: %s\n", error.c_str());
        return 1;
    }
    const auto t = static_cast<unsigned>(threads);
    // Each round measures every configuration in turn and the best rate of
    // each is kept, so a burst of load from other processes hits them alike.
    struct Config
    {
        uint64_t ecdsa;
        uint64_t schnorr;
        bool from_bytes;
        unsigned threads;
    };
    const std::array<Config, 6> configs{{{1, 0, false, 1},
                                         {0, 1, false, 1},
                                         {ecdsa_weight, schnorr_weight, false, 1},
                                         {ecdsa_weight, schnorr_weight, true, 1},
                                         {ecdsa_weight, schnorr_weight, false, t},
                                         {ecdsa_weight, schnorr_weight, true, t}}};
    std::array<double, configs.size()> best{};
    std::array<double, configs.size()> best_cpu{}; // per CPU-second
    for (int round = 0; round < RUNS; ++round) {
        for (size_t i = 0; i < configs.size(); ++i) {
            const Config& c = configs[i];
            const auto rate =
                MeasureRate(*fixture, c.ecdsa, c.schnorr, c.from_bytes, c.threads, seconds);
            if (!rate) {
                std::fprintf(stderr, "Error: a signature failed to verify while measuring\n");
                return 1;
            }
            best[i] = std::max(best[i], rate->per_second);
            best_cpu[i] = std::max(best_cpu[i], rate->per_cpu_second);
        }
    }
    std::printf("{\"ecdsa_weight\": %llu, \"schnorr_weight\": %llu, \"threads\": %u, "
                "\"ecdsa_per_s_1t\": %.1f, \"schnorr_per_s_1t\": %.1f, "
                "\"mix_per_s_1t\": %.1f, \"mix_from_bytes_per_s_1t\": %.1f, "
                "\"mix_per_s_nt\": %.1f, \"mix_from_bytes_per_s_nt\": %.1f, "
                "\"mix_per_cpu_s_1t\": %.1f, \"mix_from_bytes_per_cpu_s_1t\": %.1f}\n",
                static_cast<unsigned long long>(ecdsa_weight),
                static_cast<unsigned long long>(schnorr_weight), t, best[0], best[1], best[2],
                best[3], best[4], best[5], best_cpu[2], best_cpu[3]);
    return 0;
}
