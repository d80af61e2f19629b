// Core's Solver: which standard template an output script matches, and the
// data it carries (keys, hashes, witness programs). Used by relay policy,
// RPC's "type" fields and, later, the wallet. Pure functions; any thread.
#pragma once

#include <consensus/script/script.h>

#include <cstdint>
#include <string>
#include <vector>

namespace common {

/// The output templates, as Core's TxoutType.
enum class TxoutType
{
    NONSTANDARD,
    ANCHOR, //!< P2A: OP_1 <0x4e73>
    PUBKEY,
    PUBKEYHASH,
    SCRIPTHASH,
    MULTISIG,
    NULL_DATA, //!< unspendable OP_RETURN script carrying data
    WITNESS_V0_SCRIPTHASH,
    WITNESS_V0_KEYHASH,
    WITNESS_V1_TAPROOT,
    WITNESS_UNKNOWN, //!< a witness program of an unknown version
};

/// Core's names: "nonstandard", "anchor", "pubkey", "pubkeyhash", "scripthash", "multisig",
/// "nulldata", "witness_v0_scripthash", "witness_v0_keyhash", "witness_v1_taproot",
/// "witness_unknown".
std::string TxoutTypeName(TxoutType type);

/// Matches `script` against the templates. `solutions` receives what Core's Solver returns:
/// the pubkey (PUBKEY), the 20-byte hash (PUBKEYHASH, SCRIPTHASH, WITNESS_V0_KEYHASH), the
/// 32-byte program (WITNESS_V0_SCRIPTHASH, WITNESS_V1_TAPROOT), {version byte, program}
/// (WITNESS_UNKNOWN), {m, keys..., n} with m and n as one-byte vectors (MULTISIG); nothing
/// otherwise.
TxoutType Solver(const consensus::Script& script, std::vector<std::vector<uint8_t>>& solutions);

} // namespace common
