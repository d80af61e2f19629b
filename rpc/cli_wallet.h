// minibit-cli's wallet features, kept apart from the transport so they can be tested against
// canned replies: -generate (getnewaddress then generatetoaddress) and the wallet part of
// -getinfo (getwalletinfo, getbalances, and every wallet's balance via listwallets), with
// the rules and text of Bitcoin Core v28's bitcoin-cli. Any thread may call these; they
// touch nothing but their arguments and the calls they make through `call`.
#pragma once

#include <rpc/cli.h>
#include <rpc/jsonrpc.h>

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace rpc::cli {

/// Sends one JSON-RPC request to the default endpoint (wallet nullopt) or to
/// /wallet/<name>, and returns the reply object ({"result": ..., "error": ...}). It may throw
/// on transport failures; the functions below let those exceptions pass.
using WalletCall = std::function<Json(std::string_view method, Json params,
                                      const std::optional<std::string>& wallet)>;

/// Core's -generate [nblocks] [maxtries]: getnewaddress on `wallet`, then generatetoaddress
/// nblocks (default 1) address [maxtries] on the same endpoint, printing
/// {"address": ..., "blocks": ...} indented by 2 ("blocks" is null if generatetoaddress
/// failed, as in Core). A getnewaddress error is printed as a server error; bad arguments
/// are "error: ..." with status 1.
CliOutput GenerateToNewAddress(const WalletCall& call, std::vector<std::string> args,
                               const std::optional<std::string>& wallet);

/// Adds Core's -getinfo wallet fields to `info` from the getwalletinfo and getbalances batch
/// replies: has_wallet, keypoolsize, walletname, unlocked_until (if set) and paytxfee when
/// getwalletinfo has a result; balance (mine.trusted) when getbalances has one.
void AddGetInfoWallet(Json& info, const Json& walletinfo_reply, const Json& balances_reply);

/// Core's GetWalletBalances: with more than one wallet loaded, {"<name>": mine.trusted, ...}
/// in listwallets order (null for a wallet whose getbalances failed); nullopt when
/// listwallets fails or lists at most one wallet.
std::optional<Json> GetWalletBalances(const WalletCall& call);

/// The wallet lines of the -getinfo text: "Wallet", "Keypool size", "Unlocked until",
/// "Transaction fee rate (-paytxfee)", then "Balance" and the "Balances" table, each part only
/// when its field is in `info`. Colours (ANSI) only when `color`.
std::string FormatGetInfoWallet(const Json& info, bool color);

} // namespace rpc::cli
