// Transaction decoding: anything that decodes must re-encode to the same bytes
// and yield consistent ids and sizes.
#include <consensus/hash.h>
#include <consensus/serialize.h>
#include <consensus/transaction.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>
#include <vector>

using namespace consensus;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    const std::span<const uint8_t> input{data, size};
    auto tx = DecodeTransaction(input);
    auto mtx = Decode<MutableTransaction>(input);
    // Both entry points must agree on validity.
    if (static_cast<bool>(tx) != static_cast<bool>(mtx)) std::abort();
    if (!tx) return 0;

    const auto encoded = Encode(**tx);
    if (encoded.size() != size || !std::equal(encoded.begin(), encoded.end(), data)) std::abort();
    if (Encode(*mtx) != encoded) std::abort();

    std::vector<uint8_t> stripped;
    Writer w{stripped};
    (*tx)->SerializeWithoutWitness(w);
    if ((*tx)->GetHash() != Hash256(stripped)) std::abort();
    if ((*tx)->GetWitnessHash() != Hash256(encoded)) std::abort();
    if (mtx->GetHash() != (*tx)->GetHash()) std::abort();
    if ((*tx)->GetTotalSize() != size || (*tx)->GetBaseSize() != stripped.size()) std::abort();
    if ((*tx)->GetWeight() != stripped.size() * 3 + size) std::abort();
    if ((*tx)->HasWitness() == (stripped.size() == size)) std::abort();
    (void)(*tx)->GetVirtualSize();
    (void)(*tx)->IsCoinBase();
    return 0;
}
