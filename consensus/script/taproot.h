// BIP341 script-tree helpers shared by the interpreter and the wallet:
// leaf and branch hashes, control blocks and the commitment check.
#pragma once

#include <consensus/uint256.h>

#include <cstdint>
#include <span>

namespace consensus {

/// Leaf version bits of the control block's first byte (the low bit is the output key parity).
inline constexpr uint8_t TAPROOT_LEAF_MASK = 0xfe;
/// Leaf version of BIP342 tapscript.
inline constexpr uint8_t TAPROOT_LEAF_TAPSCRIPT = 0xc0;
/// Control block: one version/parity byte plus the 32-byte internal key.
inline constexpr size_t TAPROOT_CONTROL_BASE_SIZE = 33;
/// Each merkle path node in a control block.
inline constexpr size_t TAPROOT_CONTROL_NODE_SIZE = 32;
/// Deepest script tree a control block may prove.
inline constexpr size_t TAPROOT_CONTROL_MAX_NODE_COUNT = 128;
inline constexpr size_t TAPROOT_CONTROL_MAX_SIZE =
    TAPROOT_CONTROL_BASE_SIZE + TAPROOT_CONTROL_NODE_SIZE * TAPROOT_CONTROL_MAX_NODE_COUNT;
/// First byte that marks the last witness element as an annex.
inline constexpr uint8_t ANNEX_TAG = 0x50;
/// Size of a taproot witness program (the x-only output key).
inline constexpr size_t WITNESS_V1_TAPROOT_SIZE = 32;
/// Sizes of v0 witness programs.
inline constexpr size_t WITNESS_V0_SCRIPTHASH_SIZE = 32;
inline constexpr size_t WITNESS_V0_KEYHASH_SIZE = 20;

/// TapLeaf tagged hash of leaf_version || compact_size(script) || script.
Uint256 ComputeTapleafHash(uint8_t leaf_version, std::span<const uint8_t> script);
/// TapBranch tagged hash of the two children, smaller first (lexicographic bytes).
Uint256 ComputeTapbranchHash(const Uint256& a, const Uint256& b);
/// True if the control block's size is 33 + 32*k with k <= 128.
bool IsValidControlBlockSize(size_t size);
/// Merkle root from a leaf hash and the path in a control block of valid size.
Uint256 ComputeTaprootMerkleRoot(std::span<const uint8_t> control, const Uint256& tapleaf_hash);
/// True if the 32-byte program is the control block's internal key tweaked
/// with the merkle root implied by the leaf and path, with the stated parity.
bool VerifyTaprootCommitment(std::span<const uint8_t> control, std::span<const uint8_t> program,
                             const Uint256& tapleaf_hash);

} // namespace consensus
