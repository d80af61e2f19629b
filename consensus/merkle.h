// Merkle roots of blocks (txid and wtxid trees) and the BIP141 witness commitment.
#pragma once

#include <consensus/block.h>
#include <consensus/uint256.h>

#include <optional>
#include <vector>

namespace consensus {

/// Merkle root of the leaves, Bitcoin style (odd levels duplicate their last
/// node). If `mutated` is given it is set when two equal siblings were hashed
/// together, the ambiguity of CVE-2012-2459 that lets a different transaction
/// list produce the same root.
Uint256 ComputeMerkleRoot(std::vector<Uint256> leaves, bool* mutated = nullptr);

/// Merkle root of the block's txids.
Uint256 BlockMerkleRoot(const Block& block, bool* mutated = nullptr);

/// Merkle root of the block's wtxids, with the coinbase's taken as zero.
Uint256 BlockWitnessMerkleRoot(const Block& block, bool* mutated = nullptr);

/// The 6 bytes that open a witness commitment output script: OP_RETURN, push 36, 0xaa21a9ed.
inline constexpr uint8_t WITNESS_COMMITMENT_HEADER[6] = {0x6a, 0x24, 0xaa, 0x21, 0xa9, 0xed};
/// Smallest script that can hold a witness commitment.
inline constexpr size_t MIN_WITNESS_COMMITMENT_SIZE = 38;

/// Index of the coinbase output holding the witness commitment (the last
/// matching one, per BIP141), or nullopt if there is none.
std::optional<size_t> GetWitnessCommitmentIndex(const Block& block);

/// The commitment value: SHA-256d(witness root || witness reserved value).
Uint256 ComputeWitnessCommitment(const Uint256& witness_root, const Uint256& reserved_value);

} // namespace consensus
