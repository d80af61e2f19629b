// The rpc:: names the wallet RPC method files use unqualified, declared once for all of them.
// Include only from wallet/rpc/*.cpp: it brings these names into namespace wallet.
#pragma once

#include <rpc/jsonrpc.h>
#include <rpc/method.h>
#include <rpc/util.h>

namespace wallet {

using rpc::Arg;
using rpc::ArgOptional;
using rpc::ArgOptions;
using rpc::ArgType;
using rpc::DefaultHint;
using rpc::HelpExampleCli;
using rpc::HelpExampleCliNamed;
using rpc::HelpExampleRpc;
using rpc::HelpExampleRpcNamed;
using rpc::Json;
using rpc::Method;
using rpc::Request;
using rpc::Result;
using rpc::ResultDoc;
using rpc::ResultType;
using rpc::ThrowRpc;

/// The bech32 address Core's wallet help examples use.
inline constexpr const char* EXAMPLE_ADDRESS{"bc1q09vm5lfy0j5reeulh4x5752q25uqqvz34hufdl"};
/// Core's help text for the "involvesWatchonly" result fields.
inline constexpr const char* WATCHONLY_HELP{"true for watch-only wallets, otherwise false"};

} // namespace wallet
