// Transactions, scripts and blocks as Bitcoin Core's RPC prints them (TxToUniv,
// ScriptToAsmStr, ScriptPubKeyToUniv, the inferred "desc"). Shared by the
// blockchain and rawtransaction method files.
#pragma once

#include <consensus/amount.h>
#include <consensus/script/script.h>
#include <consensus/transaction.h>
#include <consensus/uint256.h>
#include <interfaces/chain.h>
#include <rpc/jsonrpc.h>

#include <string>
#include <vector>

namespace common {
class ChainParams;
}

namespace rpc {

/// How much of each input TxToJson shows.
enum class TxVerbosity
{
    SHOW_TXID,               //!< (getblock 1 lists txids itself; not used by TxToJson)
    SHOW_DETAILS,            //!< decoded transaction
    SHOW_DETAILS_AND_PREVOUT //!< plus "prevout" of each input (needs the spent coins)
};

/// Core's ScriptToAsmStr; with `decode_sighash`, signature pushes end in [ALL] etc.
std::string ScriptToAsm(const consensus::Script& script, bool decode_sighash = false);

/// Core's "type" names: "pubkey", "pubkeyhash", "scripthash", "multisig", "nulldata",
/// "witness_v0_keyhash", "witness_v0_scripthash", "witness_v1_taproot", "anchor",
/// "witness_unknown", "nonstandard".
std::string ScriptTypeName(const consensus::Script& script);

/// Core's InferDescriptor(...)->ToString() for a bare output script without key knowledge,
/// with its BIP380 checksum ("addr(...)#...", "raw(...)#...", "pk(...)#...", "multi(...)",
/// "rawtr(...)").
std::string InferDescriptor(const consensus::Script& script, const common::ChainParams& params);

/// Core's ScriptPubKeyToUniv: asm, desc, hex, address (when there is one), type.
Json ScriptPubKeyToJson(const consensus::Script& script, const common::ChainParams& params,
                        bool include_hex = true, bool include_address = true);

/// Core's TxToUniv: txid, hash, version, size, vsize, weight, locktime, vin, vout, then
/// "blockhash" when `block_hash` is not null, "fee" and each input's "prevout" when `spent`
/// (one Coin per input) is given for a non-coinbase transaction, and "hex" when asked.
Json TxToJson(const consensus::Transaction& tx, const consensus::Uint256& block_hash,
              const common::ChainParams& params, bool include_hex,
              const std::vector<interfaces::Coin>* spent = nullptr,
              TxVerbosity verbosity = TxVerbosity::SHOW_DETAILS);

} // namespace rpc
