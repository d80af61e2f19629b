#include <consensus/crypto/muhash.h>

#include <consensus/crypto/chacha20.h>
#include <consensus/hash.h>

#include <openssl/bn.h>
#include <openssl/err.h>

#include <new>

namespace consensus {

namespace {

// OpenSSL reports allocation failure by returning null; surface it the way
// operator new would rather than continue with a broken number.
BIGNUM* Check(BIGNUM* bn)
{
    if (bn == nullptr) throw std::bad_alloc();
    return bn;
}

void CheckOk(int ok)
{
    if (ok != 1) throw std::bad_alloc();
}

constexpr int MODULUS_BITS = 3072;
constexpr BN_ULONG MODULUS_DIFF = 1103717;

// 2^3072 - 1103717, the largest 3072-bit safe prime (Core's modulus).
const BIGNUM* Modulus()
{
    static const BIGNUM* const modulus = [] {
        BIGNUM* m = Check(BN_new());
        CheckOk(BN_set_bit(m, MODULUS_BITS));
        CheckOk(BN_sub_word(m, MODULUS_DIFF));
        return m;
    }();
    return modulus;
}

BIGNUM* FromLE(std::span<const uint8_t> bytes)
{
    return Check(BN_lebin2bn(bytes.data(), static_cast<int>(bytes.size()), nullptr));
}

BIGNUM* One()
{
    BIGNUM* one = Check(BN_new());
    CheckOk(BN_one(one));
    return one;
}

} // namespace

struct MuHash3072::State
{
    BIGNUM* numerator{nullptr};
    BIGNUM* denominator{nullptr};
    BN_CTX* ctx{nullptr};

    State(BIGNUM* num, BIGNUM* den) : numerator{num}, denominator{den}, ctx{BN_CTX_new()}
    {
        if (ctx == nullptr) {
            BN_free(numerator);
            BN_free(denominator);
            throw std::bad_alloc();
        }
    }
    State(const State&) = delete;
    State& operator=(const State&) = delete;
    ~State()
    {
        BN_free(numerator);
        BN_free(denominator);
        BN_CTX_free(ctx);
    }

    // target = target * factor mod p, for factors below 2^3072 (above p is fine).
    // With p = 2^3072 - c, a product hi * 2^3072 + lo is congruent to hi * c + lo;
    // two folds and one subtraction reduce it, several times faster than
    // BN_mod_mul's long division.
    void MulInto(BIGNUM* target, const BIGNUM* factor)
    {
        BN_CTX_start(ctx);
        BIGNUM* high = BN_CTX_get(ctx);
        if (high == nullptr) {
            BN_CTX_end(ctx);
            throw std::bad_alloc();
        }
        bool ok = BN_mul(target, target, factor, ctx) == 1;
        for (int fold = 0; ok && fold < 2; ++fold) {
            ok = BN_rshift(high, target, MODULUS_BITS) == 1 &&
                 (BN_num_bits(target) <= MODULUS_BITS || BN_mask_bits(target, MODULUS_BITS) == 1) &&
                 BN_mul_word(high, MODULUS_DIFF) == 1 && BN_add(target, target, high) == 1;
        }
        if (ok && BN_cmp(target, Modulus()) >= 0) ok = BN_sub(target, target, Modulus()) == 1;
        BN_CTX_end(ctx);
        CheckOk(ok ? 1 : 0);
    }
};

MuHash3072::MuHash3072() : m_state{std::make_unique<State>(One(), One())} {}

MuHash3072::MuHash3072(std::span<const uint8_t> element)
    : m_state{std::make_unique<State>(FromLE(ElementBytes(element)), One())}
{}

MuHash3072::MuHash3072(const MuHash3072& other)
    : m_state{std::make_unique<State>(Check(BN_dup(other.m_state->numerator)),
                                      Check(BN_dup(other.m_state->denominator)))}
{}

MuHash3072& MuHash3072::operator=(const MuHash3072& other)
{
    if (this != &other) {
        CheckOk(BN_copy(m_state->numerator, other.m_state->numerator) != nullptr);
        CheckOk(BN_copy(m_state->denominator, other.m_state->denominator) != nullptr);
    }
    return *this;
}

MuHash3072::~MuHash3072() = default;

std::array<uint8_t, MuHash3072::NUM_BYTES>
MuHash3072::ElementBytes(std::span<const uint8_t> element)
{
    const Uint256 key = Sha256Hash(element);
    static constexpr std::array<uint8_t, 12> ZERO_NONCE{};
    std::array<uint8_t, NUM_BYTES> out;
    ChaCha20Keystream(key.span(), ZERO_NONCE, 0, out);
    return out;
}

MuHash3072& MuHash3072::Insert(std::span<const uint8_t> element)
{
    BIGNUM* value = FromLE(ElementBytes(element));
    m_state->MulInto(m_state->numerator, value);
    BN_free(value);
    return *this;
}

MuHash3072& MuHash3072::Remove(std::span<const uint8_t> element)
{
    BIGNUM* value = FromLE(ElementBytes(element));
    m_state->MulInto(m_state->denominator, value);
    BN_free(value);
    return *this;
}

MuHash3072& MuHash3072::operator*=(const MuHash3072& other)
{
    m_state->MulInto(m_state->numerator, other.m_state->numerator);
    m_state->MulInto(m_state->denominator, other.m_state->denominator);
    return *this;
}

MuHash3072& MuHash3072::operator/=(const MuHash3072& other)
{
    // Copy first: `other` may be *this, and its numerator must be read unchanged.
    const MuHash3072 divisor{other};
    m_state->MulInto(m_state->numerator, divisor.m_state->denominator);
    m_state->MulInto(m_state->denominator, divisor.m_state->numerator);
    return *this;
}

void MuHash3072::Finalize(Uint256& out)
{
    State& s = *m_state;
    BIGNUM* inverse = BN_mod_inverse(nullptr, s.denominator, Modulus(), s.ctx);
    if (inverse == nullptr) {
        // Only a denominator divisible by the prime has no inverse (never from
        // hashed elements); Core's inversion yields zero there, and so do we.
        ERR_clear_error();
        inverse = Check(BN_new());
        BN_zero(inverse);
    }
    s.MulInto(s.numerator, inverse);
    BN_free(inverse);
    CheckOk(BN_one(s.denominator));

    std::array<uint8_t, NUM_BYTES> bytes;
    CheckOk(BN_bn2lebinpad(s.numerator, bytes.data(), static_cast<int>(bytes.size())) ==
            static_cast<int>(bytes.size()));
    out = Sha256Hash(bytes);
}

Uint256 MuHash3072::Finalize()
{
    Uint256 out;
    Finalize(out);
    return out;
}

std::array<uint8_t, MuHash3072::SERIALIZED_SIZE> MuHash3072::Serialize() const
{
    std::array<uint8_t, SERIALIZED_SIZE> out;
    // Both numbers stay below 2^3072: products are reduced, deserialized ones
    // came from 384 bytes.
    CheckOk(BN_bn2lebinpad(m_state->numerator, out.data(), static_cast<int>(NUM_BYTES)) ==
            static_cast<int>(NUM_BYTES));
    CheckOk(BN_bn2lebinpad(m_state->denominator, out.data() + NUM_BYTES,
                           static_cast<int>(NUM_BYTES)) == static_cast<int>(NUM_BYTES));
    return out;
}

MuHash3072 MuHash3072::Deserialize(std::span<const uint8_t, SERIALIZED_SIZE> bytes)
{
    MuHash3072 result;
    CheckOk(BN_lebin2bn(bytes.data(), static_cast<int>(NUM_BYTES), result.m_state->numerator) !=
            nullptr);
    CheckOk(BN_lebin2bn(bytes.data() + NUM_BYTES, static_cast<int>(NUM_BYTES),
                        result.m_state->denominator) != nullptr);
    return result;
}

} // namespace consensus
