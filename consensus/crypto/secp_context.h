// Access to the libsecp256k1 contexts shared by the crypto files. Internal to
// consensus/crypto; nothing outside this folder should include it.
#pragma once

#include <secp256k1.h>

namespace consensus::secp {

/// The context for verification, parsing and public tweaks: libsecp256k1's
/// immutable static context, self-tested on first use. Any thread.
const secp256k1_context* VerifyContext();

/// The context for signing and key generation: created and randomised once on
/// first use (blinding against side channels), then only read. Any thread.
const secp256k1_context* SignContext();

} // namespace consensus::secp
