// Internal to the PSBT method files (psbt.cpp, psbt_decode.cpp, psbt_walk.cpp,
// psbt_analyze.cpp, psbt_update.cpp): parameter helpers, the method factories, and the walk over
// an output script that analyzepsbt and utxoupdatepsbt share (Core's ProduceSignature with
// placeholder signatures and a key-less provider). Not an API for other files.
#pragma once

#include <common/descriptor.h>
#include <common/psbt.h>
#include <consensus/script/script.h>
#include <consensus/uint256.h>
#include <rpc/jsonrpc.h>
#include <rpc/method.h>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace rpc {

struct Services;

namespace psbt_internal {

using Bytes = std::vector<uint8_t>;
// The names the PSBT method files use unqualified.
using common::Psbt;
using common::PsbtInput;
using common::PsbtOutput;
using consensus::MutableTransaction;
using consensus::Script;
using consensus::Uint160;
using consensus::Uint256;

/// The string in `value`; -3 "JSON value of type x is not of expected type string" otherwise.
const std::string& StringParam(const Json& value);
/// Decodes a base64 PSBT parameter; -22 "TX decode failed <reason>" as Core answers.
common::Psbt DecodePsbtParam(const Json& value);

/// Keys, origins and scripts an updater learnt from descriptors (Core's FlatSigningProvider
/// with its secrets hidden).
struct Provider
{
    std::map<consensus::Uint160, Bytes> pubkeys;
    std::map<consensus::Uint160, common::KeyOriginInfo> origins;
    std::map<consensus::Uint160, consensus::Script> scripts;
    std::map<consensus::Uint256, common::TaprootSpendData> taproot;
};

/// What walking an output script with the data at hand found, as Core's SignatureData does.
struct WalkResult
{
    bool solved{false};
    bool witness{false};          //!< the spend reached a witness program
    bool have_sigs{true};         //!< every signature the spend needs is present
    consensus::Script script_sig; //!< with placeholder signatures where missing
    std::vector<Bytes> wit;       //!< likewise
    std::vector<consensus::Uint160> missing_pubkeys;
    std::vector<consensus::Uint160> missing_sigs;
    std::optional<consensus::Uint160> missing_redeem;
    std::optional<consensus::Uint256> missing_witness;
    consensus::Script redeem_script;
    consensus::Script witness_script;
    std::map<Bytes, common::KeyOrigin, common::BytesLess> origins;
    /// Taproot: what the provider knows of the output key.
    std::optional<common::TaprootSpendData> tap;
};

/// Where signatures and scripts already in the PSBT come from.
struct Known
{
    const common::PsbtByteMap* partial_sigs{nullptr};
    std::vector<const std::map<Bytes, common::KeyOrigin, common::BytesLess>*> derivs;
    std::vector<consensus::Script> scripts;
    const Provider* provider{nullptr};
    const common::PsbtInput* input{nullptr};
};

/// Core's ProduceSignature over `spk` with what `known` holds: the unlocking data with
/// placeholder signatures where they are absent, and what is missing.
WalkResult Walk(const consensus::Script& spk, const Known& known);
/// What an input itself carries (partial signatures, key paths, scripts), plus `provider`.
Known KnownFromInput(const common::PsbtInput& input, const Provider* provider);
/// Each leaf's merkle path (sibling hashes from the leaf up) in a depth-first leaf list; nullopt
/// if the depths do not make one complete tree.
std::optional<std::vector<std::vector<consensus::Uint256>>>
LeafPaths(const std::vector<common::TaprootLeaf>& leaves);

/// decodepsbt (psbt_decode.cpp).
Method DecodePsbtMethod(const Services& services);
/// analyzepsbt (psbt_analyze.cpp).
Method AnalyzePsbtMethod();
/// utxoupdatepsbt (psbt_update.cpp).
Method UtxoUpdatePsbtMethod(const Services& services);

} // namespace psbt_internal

} // namespace rpc
