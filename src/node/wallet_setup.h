// The wallet options (-wallet, -walletdir, -disablewallet, -keypool, fees, ...)
// and the node-side life of the WalletManager: made before the RPC server so its
// methods can be registered, given the chain once it is loaded, and unloaded
// before the chain goes away.
#pragma once

#include <util/args.h>
#include <util/expected.h>
#include <wallet/context.h>

#include <filesystem>
#include <memory>

namespace util {
class Logger;
}

namespace node {

/// Registers the wallet options for -help and parsing.
void AddWalletArgs(util::ArgsManager& args);

/// The manager's options from the arguments; nullopt when -disablewallet. `min_relay_fee`
/// is the node's -minrelaytxfee (sat/kvB). Errors name the bad option.
util::Expected<std::optional<wallet::WalletManagerOptions>>
WalletOptionsFromArgs(const util::ArgsManager& args, const std::filesystem::path& chain_datadir,
                      consensus::Amount min_relay_fee);

} // namespace node
