// RPC authentication as Bitcoin Core does it: the cookie file, -rpcuser/-rpcpassword,
// -rpcauth (salted HMAC-SHA256), HTTP Basic headers and -rpcwhitelist.
#pragma once

#include <util/expected.h>

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace rpc {

/// User name written into the cookie file, as in Bitcoin Core.
inline constexpr std::string_view COOKIE_USER{"__cookie__"};
/// Default cookie file name inside the chain's data directory.
inline constexpr std::string_view COOKIE_FILE_NAME{".cookie"};
/// Realm sent with every 401 reply (WWW-Authenticate header value).
inline constexpr std::string_view WWW_AUTH_HEADER_VALUE{"Basic realm=\"jsonrpc\""};

/// Compares without an early exit, so the time taken does not reveal where the
/// strings differ (it may reveal the length of `expected`).
bool TimingResistantEqual(std::string_view given, std::string_view expected);

/// Lower-case hex of HMAC-SHA256(key, message).
std::string HmacSha256Hex(std::string_view key, std::string_view message);

/// One -rpcauth=<user>:<salt>$<hmac> entry.
struct RpcAuthEntry
{
    std::string user;
    std::string salt;     //!< used as the HMAC key exactly as written (not hex-decoded)
    std::string hmac_hex; //!< HMAC-SHA256(key=salt, msg=password), lower-case hex
};

/// Parses one -rpcauth value; an error for anything but exactly user:salt$hmac.
util::Expected<RpcAuthEntry> ParseRpcAuth(std::string_view value);

/// `dir/.cookie`, the default cookie location.
std::filesystem::path DefaultCookiePath(const std::filesystem::path& dir);

/// Writes a fresh cookie `__cookie__:<64 hex>` (32 random bytes) to `file` with mode
/// 0600, via a temporary file and rename so readers never see a partial cookie.
/// Returns the whole "user:password" line.
util::Expected<std::string> GenerateAuthCookie(const std::filesystem::path& file);

/// Reads "user:password" from a cookie file (for clients such as minibit-cli).
util::Expected<std::string> ReadAuthCookie(const std::filesystem::path& file);

/// Removes the cookie file; a missing file is not an error.
void DeleteAuthCookie(const std::filesystem::path& file);

/// Decides who sent a request from its Authorization header. Configure it on one
/// thread before the server starts; Check() is then safe from any thread.
class Authenticator
{
public:
    /// Accepts `user:password` exactly (the cookie line or -rpcuser/-rpcpassword).
    void AddUserPassword(std::string_view user, std::string_view password);
    /// Accepts a user whose password matches an -rpcauth entry.
    void AddRpcAuth(RpcAuthEntry entry);
    /// True if no credential at all is configured (then every Check() fails).
    bool Empty() const { return m_user_pass.empty() && m_rpcauth.empty(); }

    /// The authenticated user for an Authorization header value ("Basic <base64>"),
    /// or nullopt. Pure and fast: the caller adds the delay after a failure.
    std::optional<std::string> Check(std::string_view authorization) const;

private:
    std::vector<std::string> m_user_pass; // "user:password" lines
    std::vector<RpcAuthEntry> m_rpcauth;
};

/// The -rpcwhitelist / -rpcwhitelistdefault policy. Build once at startup;
/// queries are const and safe from any thread.
class RpcWhitelist
{
public:
    /// Parses every -rpcwhitelist value as Core: "user" or "user:m1,m2 m3" (split on
    /// ',' and ' '); a user listed twice keeps only methods in every list.
    /// `whitelist_default` is -rpcwhitelistdefault if given; unset means "true if any
    /// whitelist was given".
    static RpcWhitelist Parse(const std::vector<std::string>& values,
                              std::optional<bool> whitelist_default);

    /// True if `user` may call `method`. Users without a list may call anything
    /// unless the default is on.
    bool IsMethodAllowed(std::string_view user, std::string_view method) const;
    /// False when Core answers 403 before looking at the method: the user has no
    /// list and the default denies. A user with an empty list passes this check.
    bool IsUserAllowedAny(std::string_view user) const;
    /// The allowed methods of a user, if the user has a list.
    const std::set<std::string>* MethodsOf(std::string_view user) const;
    /// Whether users without a list are refused everything.
    bool DefaultDeny() const { return m_default_deny; }

private:
    std::map<std::string, std::set<std::string>, std::less<>> m_lists;
    bool m_default_deny{false};
};

} // namespace rpc
