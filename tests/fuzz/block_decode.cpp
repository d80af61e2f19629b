// Block decoding: round trip, both merkle roots, the witness commitment lookup
// and weight on whatever decodes.
#include <consensus/block.h>
#include <consensus/merkle.h>
#include <consensus/serialize.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>

using namespace consensus;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    const std::span<const uint8_t> input{data, size};
    auto block = Decode<Block>(input);
    if (!block) return 0;

    const auto encoded = Encode(*block);
    if (encoded.size() != size || !std::equal(encoded.begin(), encoded.end(), data)) std::abort();
    if (Decode<BlockHeader>(input.first(BlockHeader::SIZE))->GetHash() != block->GetHash()) {
        std::abort();
    }

    bool mutated = false;
    (void)BlockMerkleRoot(*block, &mutated);
    bool witness_mutated = false;
    const Uint256 witness_root = BlockWitnessMerkleRoot(*block, &witness_mutated);
    if (auto index = GetWitnessCommitmentIndex(*block)) {
        if (*index >= block->vtx[0]->vout.size()) std::abort();
        (void)ComputeWitnessCommitment(witness_root, Uint256{});
    }

    const size_t stripped = EncodeBlockNoWitness(*block).size();
    if (block->GetWeight() != stripped * 3 + size) std::abort();
    return 0;
}
