#include <rpc/http_auth.h>

#include <util/base64.h>

#include <util/strings.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <fstream>
#include <sys/stat.h>
#include <unistd.h>

namespace rpc {

namespace {

std::string ErrnoText()
{
    return std::strerror(errno);
}

} // namespace

bool TimingResistantEqual(std::string_view given, std::string_view expected)
{
    // Walk all of `given`, folding in the length difference, so the loop length
    // depends only on the attacker's own input.
    size_t diff = given.size() ^ expected.size();
    if (expected.empty()) return given.empty();
    for (size_t i = 0; i < given.size(); ++i) {
        diff |=
            static_cast<uint8_t>(given[i]) ^ static_cast<uint8_t>(expected[i % expected.size()]);
    }
    return diff == 0;
}

std::string HmacSha256Hex(std::string_view key, std::string_view message)
{
    std::array<uint8_t, EVP_MAX_MD_SIZE> out{};
    unsigned int out_len = 0;
    // A key of length 0 still needs a valid pointer for OpenSSL.
    static const uint8_t EMPTY = 0;
    const void* key_ptr = key.empty() ? static_cast<const void*>(&EMPTY) : key.data();
    const uint8_t* msg_ptr =
        message.empty() ? &EMPTY : reinterpret_cast<const uint8_t*>(message.data());
    if (HMAC(EVP_sha256(), key_ptr, static_cast<int>(key.size()), msg_ptr, message.size(),
             out.data(), &out_len) == nullptr) {
        return {};
    }
    return util::HexStr(std::span<const uint8_t>{out.data(), out_len});
}

util::Expected<RpcAuthEntry> ParseRpcAuth(std::string_view value)
{
    const auto fields = util::SplitString(value, ':');
    if (fields.size() != 2) {
        return util::Unexpected("Invalid -rpcauth argument (expected <user>:<salt>$<hash>)");
    }
    const auto salt_hmac = util::SplitString(fields[1], '$');
    if (salt_hmac.size() != 2) {
        return util::Unexpected("Invalid -rpcauth argument (expected <user>:<salt>$<hash>)");
    }
    return RpcAuthEntry{fields[0], salt_hmac[0], salt_hmac[1]};
}

std::filesystem::path DefaultCookiePath(const std::filesystem::path& dir)
{
    return dir / std::string{COOKIE_FILE_NAME};
}

util::Expected<std::string> GenerateAuthCookie(const std::filesystem::path& file)
{
    std::array<uint8_t, 32> secret{};
    if (RAND_bytes(secret.data(), static_cast<int>(secret.size())) != 1) {
        return util::Unexpected("Unable to get random bytes for the RPC auth cookie");
    }
    const std::string line = std::string{COOKIE_USER} + ":" + util::HexStr(secret);

    std::filesystem::path tmp = file;
    tmp += ".tmp";
    // A stale temp file may carry wider permissions; start from nothing.
    ::unlink(tmp.c_str());
    const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0) {
        return util::Unexpected("Unable to open cookie authentication file " + tmp.string() +
                                " for writing: " + ErrnoText());
    }
    bool ok = ::fchmod(fd, 0600) == 0;
    size_t written = 0;
    while (ok && written < line.size()) {
        const ssize_t n = ::write(fd, line.data() + written, line.size() - written);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
            ok = false;
            break;
        }
        written += static_cast<size_t>(n);
    }
    ok = ok && ::fsync(fd) == 0;
    const std::string write_error = ok ? std::string{} : ErrnoText();
    ok = (::close(fd) == 0) && ok;
    if (!ok) {
        ::unlink(tmp.c_str());
        return util::Unexpected("Unable to write cookie authentication file " + tmp.string() +
                                ": " + write_error);
    }
    if (::rename(tmp.c_str(), file.c_str()) != 0) {
        const std::string error = ErrnoText();
        ::unlink(tmp.c_str());
        return util::Unexpected("Unable to rename cookie authentication file " + tmp.string() +
                                " to " + file.string() + ": " + error);
    }
    return line;
}

util::Expected<std::string> ReadAuthCookie(const std::filesystem::path& file)
{
    std::ifstream in{file, std::ios::binary};
    if (!in) return util::Unexpected("Could not open cookie file " + file.string());
    std::string line;
    std::getline(in, line);
    if (line.find(':') == std::string::npos) {
        return util::Unexpected("Malformed cookie file " + file.string());
    }
    return line;
}

void DeleteAuthCookie(const std::filesystem::path& file)
{
    std::error_code ec;
    std::filesystem::remove(file, ec);
}

void Authenticator::AddUserPassword(std::string_view user, std::string_view password)
{
    std::string line{user};
    line += ':';
    line += password;
    m_user_pass.push_back(std::move(line));
}

void Authenticator::AddRpcAuth(RpcAuthEntry entry)
{
    m_rpcauth.push_back(std::move(entry));
}

std::optional<std::string> Authenticator::Check(std::string_view authorization) const
{
    constexpr std::string_view PREFIX{"Basic "};
    if (authorization.substr(0, PREFIX.size()) != PREFIX) return std::nullopt;
    const auto decoded = util::DecodeBase64(util::TrimString(authorization.substr(PREFIX.size())));
    if (!decoded) return std::nullopt;
    const std::optional<std::string> user_pass{std::string(decoded->begin(), decoded->end())};
    const size_t colon = user_pass->find(':');
    if (colon == std::string::npos) return std::nullopt;
    const std::string_view user = std::string_view{*user_pass}.substr(0, colon);
    const std::string_view password = std::string_view{*user_pass}.substr(colon + 1);

    bool ok = false;
    // Check every credential instead of stopping at the first match, so timing does
    // not tell which kind of credential exists.
    for (const auto& expected : m_user_pass) {
        ok |= TimingResistantEqual(*user_pass, expected);
    }
    for (const auto& entry : m_rpcauth) {
        if (!TimingResistantEqual(user, entry.user)) continue;
        ok |= TimingResistantEqual(HmacSha256Hex(entry.salt, password), entry.hmac_hex);
    }
    if (!ok) return std::nullopt;
    return std::string{user};
}

RpcWhitelist RpcWhitelist::Parse(const std::vector<std::string>& values,
                                 std::optional<bool> whitelist_default)
{
    RpcWhitelist result;
    for (const auto& value : values) {
        const size_t colon = value.find(':');
        const std::string user = value.substr(0, colon);
        std::set<std::string> methods;
        if (colon != std::string::npos) {
            std::string_view rest = std::string_view{value}.substr(colon + 1);
            size_t start = 0;
            while (start <= rest.size()) {
                size_t end = rest.find_first_of(", ", start);
                if (end == std::string_view::npos) end = rest.size();
                // Empty pieces (", ") name no method; dropping them changes nothing.
                if (end > start) methods.emplace(rest.substr(start, end - start));
                start = end + 1;
            }
        }
        auto it = result.m_lists.find(user);
        if (it == result.m_lists.end()) {
            result.m_lists.emplace(user, std::move(methods));
        } else {
            std::set<std::string> both;
            for (const auto& m : it->second) {
                if (methods.count(m)) both.insert(m);
            }
            it->second = std::move(both);
        }
    }
    result.m_default_deny = whitelist_default.value_or(!values.empty());
    return result;
}

const std::set<std::string>* RpcWhitelist::MethodsOf(std::string_view user) const
{
    const auto it = m_lists.find(user);
    return it == m_lists.end() ? nullptr : &it->second;
}

bool RpcWhitelist::IsUserAllowedAny(std::string_view user) const
{
    return MethodsOf(user) != nullptr || !m_default_deny;
}

bool RpcWhitelist::IsMethodAllowed(std::string_view user, std::string_view method) const
{
    const auto* methods = MethodsOf(user);
    if (methods == nullptr) return !m_default_deny;
    return methods->count(std::string{method}) > 0;
}

} // namespace rpc
