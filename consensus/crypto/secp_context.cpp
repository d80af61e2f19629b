#include <consensus/crypto/secp_context.h>

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <memory>

namespace consensus::secp {

const secp256k1_context* VerifyContext()
{
    // The static context skips the library's own startup checks, so run them
    // once before trusting it.
    static const bool self_tested = [] {
        secp256k1_selftest();
        return true;
    }();
    (void)self_tested;
    return secp256k1_context_static;
}

namespace {

struct ContextDeleter
{
    void operator()(secp256k1_context* ctx) const { secp256k1_context_destroy(ctx); }
};

secp256k1_context* CreateRandomisedContext()
{
    secp256k1_context* ctx = secp256k1_context_create(SECP256K1_CONTEXT_NONE);
    std::array<unsigned char, 32> seed{};
    // Without randomness the context still signs correctly; blinding is a
    // defence in depth, so a failing RNG here is a broken system, not an input.
    if (ctx == nullptr || RAND_bytes(seed.data(), static_cast<int>(seed.size())) != 1 ||
        secp256k1_context_randomize(ctx, seed.data()) != 1) {
        std::fputs("minibit: cannot initialise the secp256k1 signing context\n", stderr);
        std::abort();
    }
    OPENSSL_cleanse(seed.data(), seed.size());
    return ctx;
}

} // namespace

const secp256k1_context* SignContext()
{
    static const std::unique_ptr<secp256k1_context, ContextDeleter> ctx{CreateRandomisedContext()};
    return ctx.get();
}

} // namespace consensus::secp
