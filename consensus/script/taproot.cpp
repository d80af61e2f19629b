#include <consensus/script/taproot.h>

#include <consensus/crypto/pubkey.h>
#include <consensus/hash.h>
#include <consensus/serialize.h>

#include <algorithm>
#include <vector>

namespace consensus {

Uint256 ComputeTapleafHash(uint8_t leaf_version, std::span<const uint8_t> script)
{
    std::vector<uint8_t> prefix;
    Writer w{prefix};
    prefix.push_back(leaf_version);
    WriteCompactSize(w, script.size());
    Sha256 h = TaggedHasher("TapLeaf");
    h.Write(prefix).Write(script);
    return h.Finalize();
}

Uint256 ComputeTapbranchHash(const Uint256& a, const Uint256& b)
{
    Sha256 h = TaggedHasher("TapBranch");
    if (std::lexicographical_compare(a.begin(), a.end(), b.begin(), b.end())) {
        h.Write(a.span()).Write(b.span());
    } else {
        h.Write(b.span()).Write(a.span());
    }
    return h.Finalize();
}

bool IsValidControlBlockSize(size_t size)
{
    return size >= TAPROOT_CONTROL_BASE_SIZE && size <= TAPROOT_CONTROL_MAX_SIZE &&
           (size - TAPROOT_CONTROL_BASE_SIZE) % TAPROOT_CONTROL_NODE_SIZE == 0;
}

Uint256 ComputeTaprootMerkleRoot(std::span<const uint8_t> control, const Uint256& tapleaf_hash)
{
    const size_t path_len =
        (control.size() - TAPROOT_CONTROL_BASE_SIZE) / TAPROOT_CONTROL_NODE_SIZE;
    Uint256 k = tapleaf_hash;
    for (size_t i = 0; i < path_len; ++i) {
        const Uint256 node{control.subspan(
            TAPROOT_CONTROL_BASE_SIZE + TAPROOT_CONTROL_NODE_SIZE * i, TAPROOT_CONTROL_NODE_SIZE)};
        k = ComputeTapbranchHash(k, node);
    }
    return k;
}

bool VerifyTaprootCommitment(std::span<const uint8_t> control, std::span<const uint8_t> program,
                             const Uint256& tapleaf_hash)
{
    const XOnlyPubKey internal{Uint256{control.subspan(1, 32)}};
    const XOnlyPubKey output{Uint256{program.first(32)}};
    const Uint256 merkle_root = ComputeTaprootMerkleRoot(control, tapleaf_hash);
    return output.CheckTapTweak(internal, merkle_root.span(), (control[0] & 1) != 0);
}

} // namespace consensus
