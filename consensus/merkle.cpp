#include <consensus/merkle.h>

#include <consensus/hash.h>

#include <algorithm>

namespace consensus {

Uint256 ComputeMerkleRoot(std::vector<Uint256> leaves, bool* mutated)
{
    bool mutation = false;
    if (leaves.empty()) {
        if (mutated) *mutated = false;
        return Uint256{};
    }
    while (leaves.size() > 1) {
        // A level whose pair (2i, 2i+1) is equal could be the duplicated-last
        // node of a shorter list: flag it before padding.
        for (size_t i = 0; i + 1 < leaves.size(); i += 2) {
            if (leaves[i] == leaves[i + 1]) mutation = true;
        }
        if (leaves.size() % 2) leaves.push_back(leaves.back());
        for (size_t i = 0; i < leaves.size() / 2; ++i) {
            leaves[i] = Hash256(leaves[2 * i], leaves[2 * i + 1]);
        }
        leaves.resize(leaves.size() / 2);
    }
    if (mutated) *mutated = mutation;
    return leaves[0];
}

Uint256 BlockMerkleRoot(const Block& block, bool* mutated)
{
    std::vector<Uint256> leaves;
    leaves.reserve(block.vtx.size());
    for (const auto& tx : block.vtx)
        leaves.push_back(tx->GetHash());
    return ComputeMerkleRoot(std::move(leaves), mutated);
}

Uint256 BlockWitnessMerkleRoot(const Block& block, bool* mutated)
{
    std::vector<Uint256> leaves;
    leaves.reserve(block.vtx.size());
    for (size_t i = 0; i < block.vtx.size(); ++i) {
        leaves.push_back(i == 0 ? Uint256{} : block.vtx[i]->GetWitnessHash());
    }
    return ComputeMerkleRoot(std::move(leaves), mutated);
}

std::optional<size_t> GetWitnessCommitmentIndex(const Block& block)
{
    if (block.vtx.empty()) return std::nullopt;
    std::optional<size_t> index;
    const auto& vout = block.vtx[0]->vout;
    for (size_t i = 0; i < vout.size(); ++i) {
        const auto& spk = vout[i].script_pubkey;
        if (spk.size() >= MIN_WITNESS_COMMITMENT_SIZE &&
            std::equal(std::begin(WITNESS_COMMITMENT_HEADER), std::end(WITNESS_COMMITMENT_HEADER),
                       spk.begin())) {
            index = i;
        }
    }
    return index;
}

Uint256 ComputeWitnessCommitment(const Uint256& witness_root, const Uint256& reserved_value)
{
    return Hash256(witness_root, reserved_value);
}

} // namespace consensus
