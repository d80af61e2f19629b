// Reading what clients send: transactions in hex, as Bitcoin Core's DecodeHexTx
// does (witness or legacy encoding, whichever looks sane).
#pragma once

#include <consensus/script/script.h>
#include <consensus/transaction.h>
#include <rpc/jsonrpc.h>

#include <optional>

namespace rpc {

/// Core's HasValidOps: every opcode parses, is defined and pushes at most 520 bytes.
bool HasValidOps(const consensus::Script& script);

/// Core's DecodeHexTx: tries the extended (witness) and the legacy encoding of a hex string and
/// prefers the one whose scripts parse; nullopt when neither decodes exactly.
std::optional<consensus::MutableTransaction>
DecodeHexTx(const Json& value, bool try_no_witness = true, bool try_witness = true);

} // namespace rpc
