#include <rpc/http_auth.h>

#include <util/base64.h>

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <sys/stat.h>
#include <unistd.h>

namespace {

// Made once with Python's standard library (not with the code under test):
//   python3 -c "import hmac; salt='cb77f0957de88ff388cf817ddbc7273';
//     print(hmac.new(salt.encode(), b'correct horse battery staple', 'SHA256').hexdigest())"
// (one line)
// which is what share/rpcauth/rpcauth.py computes for -rpcauth.
constexpr const char* VECTOR_USER{"alice"};
constexpr const char* VECTOR_SALT{"cb77f0957de88ff388cf817ddbc7273"};
constexpr const char* VECTOR_PASSWORD{"correct horse battery staple"};
constexpr const char* VECTOR_HMAC{
    "f999788ac20669fa67006417b45ebf9992f5bae7724e8b686878983436507d51"};
// python3 -c "import base64; print(base64.b64encode(b'alice:correct horse battery staple'))"
constexpr const char* VECTOR_BASIC{"YWxpY2U6Y29ycmVjdCBob3JzZSBiYXR0ZXJ5IHN0YXBsZQ=="};

std::string RpcAuthLine()
{
    return std::string{VECTOR_USER} + ":" + VECTOR_SALT + "$" + VECTOR_HMAC;
}

class TempDir
{
public:
    TempDir()
    {
        std::string tmpl = (std::filesystem::temp_directory_path() / "rpc_auth_XXXXXX").string();
        m_path = ::mkdtemp(tmpl.data());
    }
    ~TempDir()
    {
        std::error_code ec;
        std::filesystem::remove_all(m_path, ec);
    }
    const std::filesystem::path& Path() const { return m_path; }

private:
    std::filesystem::path m_path;
};

} // namespace

TEST(HttpAuth, HmacSha256KnownVector)
{
    // RFC 2104 example widely published (Wikipedia), checked with Python's hmac.
    EXPECT_EQ(rpc::HmacSha256Hex("key", "The quick brown fox jumps over the lazy dog"),
              "f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8");
    EXPECT_EQ(rpc::HmacSha256Hex(VECTOR_SALT, VECTOR_PASSWORD), VECTOR_HMAC);
    EXPECT_NE(rpc::HmacSha256Hex(VECTOR_SALT, "correct horse battery stapl"), VECTOR_HMAC);
}

TEST(HttpAuth, BasicCredentialsAreBase64)
{
    const auto decoded = util::DecodeBase64(VECTOR_BASIC);
    ASSERT_TRUE(decoded.has_value());
    EXPECT_EQ(std::string(decoded->begin(), decoded->end()), "alice:correct horse battery staple");
}

TEST(HttpAuth, TimingResistantEqual)
{
    EXPECT_TRUE(rpc::TimingResistantEqual("", ""));
    EXPECT_TRUE(rpc::TimingResistantEqual("abc", "abc"));
    EXPECT_FALSE(rpc::TimingResistantEqual("abc", "abd"));
    EXPECT_FALSE(rpc::TimingResistantEqual("abc", "abcabc"));
    EXPECT_FALSE(rpc::TimingResistantEqual("abcabc", "abc"));
    EXPECT_FALSE(rpc::TimingResistantEqual("", "a"));
    EXPECT_FALSE(rpc::TimingResistantEqual("a", ""));
    EXPECT_FALSE(rpc::TimingResistantEqual(std::string_view{"a\0", 2}, "a"));
}

TEST(HttpAuth, ParseRpcAuth)
{
    const auto entry = rpc::ParseRpcAuth(RpcAuthLine());
    ASSERT_TRUE(entry.has_value());
    EXPECT_EQ(entry->user, VECTOR_USER);
    EXPECT_EQ(entry->salt, VECTOR_SALT);
    EXPECT_EQ(entry->hmac_hex, VECTOR_HMAC);

    for (const char* bad : {"", "alice", "alice:salt", "alice:salt$hmac$x", "a:b:c$d", "alice$x:y",
                            "alice:salt$hmac:extra"}) {
        EXPECT_FALSE(rpc::ParseRpcAuth(bad).has_value()) << bad;
    }
    // Empty fields are accepted as Core does (they simply never match a real password).
    EXPECT_TRUE(rpc::ParseRpcAuth(":$").has_value());
}

TEST(HttpAuth, AuthenticatorRpcAuth)
{
    rpc::Authenticator auth;
    EXPECT_TRUE(auth.Empty());
    EXPECT_FALSE(auth.Check(std::string{"Basic "} + VECTOR_BASIC).has_value());
    auth.AddRpcAuth(rpc::ParseRpcAuth(RpcAuthLine()).value());
    EXPECT_FALSE(auth.Empty());

    EXPECT_EQ(auth.Check(std::string{"Basic "} + VECTOR_BASIC).value_or(""), "alice");
    // Surrounding whitespace after the scheme is trimmed, as Core does.
    EXPECT_EQ(auth.Check(std::string{"Basic   "} + VECTOR_BASIC + "  ").value_or(""), "alice");

    const auto basic = [](std::string_view user_pass) {
        return "Basic " + util::EncodeBase64(user_pass);
    };
    EXPECT_FALSE(auth.Check(basic("alice:wrong")).has_value());
    EXPECT_FALSE(auth.Check(basic("bob:correct horse battery staple")).has_value());
    EXPECT_FALSE(auth.Check(basic("alice:")).has_value());
    EXPECT_FALSE(auth.Check(basic("alice")).has_value());
    EXPECT_FALSE(auth.Check(basic("")).has_value());
}

TEST(HttpAuth, AuthenticatorUserPasswordAndMalformedHeaders)
{
    rpc::Authenticator auth;
    auth.AddUserPassword("user", "pa:ss"); // a password may contain ':'
    const std::string good = "Basic " + util::EncodeBase64(std::string_view{"user:pa:ss"});
    EXPECT_EQ(auth.Check(good).value_or(""), "user");

    EXPECT_FALSE(auth.Check("").has_value());
    EXPECT_FALSE(auth.Check("Basic").has_value());
    EXPECT_FALSE(auth.Check("Basic ").has_value());
    EXPECT_FALSE(auth.Check("basic " + util::EncodeBase64(std::string_view{"user:pa:ss"}))
                     .has_value()); // scheme is case-sensitive in Core
    EXPECT_FALSE(
        auth.Check("Bearer " + util::EncodeBase64(std::string_view{"user:pa:ss"})).has_value());
    EXPECT_FALSE(auth.Check("Basic !!!!").has_value());
    EXPECT_FALSE(auth.Check("Basic dXNlcjpwYTpzcw").has_value()); // missing padding
    EXPECT_FALSE(auth.Check(good.substr(0, good.size() - 1)).has_value());
    EXPECT_FALSE(auth.Check(good + "AAAA").has_value());
    EXPECT_FALSE(
        auth.Check("Basic " + util::EncodeBase64(std::string_view{"user:pa:s"})).has_value());
    EXPECT_FALSE(
        auth.Check("Basic " + util::EncodeBase64(std::string_view{"user:pa:ss "})).has_value());
}

TEST(HttpAuth, CookieFileContentAndMode)
{
    TempDir dir;
    const auto path = rpc::DefaultCookiePath(dir.Path());
    EXPECT_EQ(path.filename(), ".cookie");
    const auto line = rpc::GenerateAuthCookie(path);
    ASSERT_TRUE(line.has_value()) << line.error().message;

    std::ifstream in{path};
    std::string content((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    EXPECT_EQ(content, *line);
    ASSERT_EQ(content.size(), std::string{"__cookie__:"}.size() + 64);
    EXPECT_EQ(content.substr(0, 11), "__cookie__:");
    for (const char c : content.substr(11)) {
        EXPECT_TRUE((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')) << c;
    }
    struct stat st
    {};
    ASSERT_EQ(::stat(path.c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0600u);
    EXPECT_FALSE(std::filesystem::exists(path.string() + ".tmp"));

    const auto read_back = rpc::ReadAuthCookie(path);
    ASSERT_TRUE(read_back.has_value());
    EXPECT_EQ(*read_back, *line);

    // The cookie works as credentials.
    rpc::Authenticator auth;
    const size_t colon = line->find(':');
    auth.AddUserPassword(line->substr(0, colon), line->substr(colon + 1));
    EXPECT_EQ(auth.Check("Basic " + util::EncodeBase64(std::string_view{*line})).value_or(""),
              "__cookie__");

    // A new start writes a different secret, replacing the file even if it was loosened.
    ASSERT_EQ(::chmod(path.c_str(), 0644), 0);
    const auto second = rpc::GenerateAuthCookie(path);
    ASSERT_TRUE(second.has_value());
    EXPECT_NE(*second, *line);
    ASSERT_EQ(::stat(path.c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0600u);

    rpc::DeleteAuthCookie(path);
    EXPECT_FALSE(std::filesystem::exists(path));
    rpc::DeleteAuthCookie(path); // removing twice is harmless
    EXPECT_FALSE(rpc::ReadAuthCookie(path).has_value());
}

TEST(HttpAuth, CookieUnwritableDirectoryFails)
{
    TempDir dir;
    const auto missing = dir.Path() / "no" / "such" / ".cookie";
    const auto result = rpc::GenerateAuthCookie(missing);
    ASSERT_FALSE(result.has_value());
    EXPECT_NE(result.error().message.find("cookie"), std::string::npos);
}

TEST(HttpAuth, WhitelistParsing)
{
    // No whitelist at all: everyone may call everything.
    const auto none = rpc::RpcWhitelist::Parse({}, std::nullopt);
    EXPECT_FALSE(none.DefaultDeny());
    EXPECT_TRUE(none.IsMethodAllowed("anyone", "stop"));
    EXPECT_TRUE(none.IsUserAllowedAny("anyone"));

    const auto wl = rpc::RpcWhitelist::Parse(
        {"alice:getblockcount,getbestblockhash", "bob:help, uptime  stop", "carol"}, std::nullopt);
    EXPECT_TRUE(wl.DefaultDeny()); // any -rpcwhitelist turns the default on
    EXPECT_TRUE(wl.IsMethodAllowed("alice", "getblockcount"));
    EXPECT_TRUE(wl.IsMethodAllowed("alice", "getbestblockhash"));
    EXPECT_FALSE(wl.IsMethodAllowed("alice", "stop"));
    EXPECT_FALSE(wl.IsMethodAllowed("alice", "getblockcoun"));
    EXPECT_TRUE(wl.IsMethodAllowed("bob", "help"));
    EXPECT_TRUE(wl.IsMethodAllowed("bob", "uptime"));
    EXPECT_TRUE(wl.IsMethodAllowed("bob", "stop"));
    EXPECT_FALSE(wl.IsMethodAllowed("bob", ""));
    ASSERT_NE(wl.MethodsOf("bob"), nullptr);
    EXPECT_EQ(wl.MethodsOf("bob")->size(), 3u);
    // "carol" with no colon has an empty list: passes the user check, no method allowed.
    EXPECT_TRUE(wl.IsUserAllowedAny("carol"));
    EXPECT_FALSE(wl.IsMethodAllowed("carol", "help"));
    // Unlisted users are refused while the default is on.
    EXPECT_FALSE(wl.IsUserAllowedAny("dave"));
    EXPECT_FALSE(wl.IsMethodAllowed("dave", "help"));
}

TEST(HttpAuth, WhitelistRepeatedUserIntersectsAndDefaultOff)
{
    const auto wl = rpc::RpcWhitelist::Parse({"alice:a,b,c", "alice:b,c,d", "alice:c,b"}, false);
    EXPECT_FALSE(wl.DefaultDeny());
    EXPECT_FALSE(wl.IsMethodAllowed("alice", "a"));
    EXPECT_TRUE(wl.IsMethodAllowed("alice", "b"));
    EXPECT_TRUE(wl.IsMethodAllowed("alice", "c"));
    EXPECT_FALSE(wl.IsMethodAllowed("alice", "d"));
    // -rpcwhitelistdefault=0: users without a list may call anything.
    EXPECT_TRUE(wl.IsUserAllowedAny("bob"));
    EXPECT_TRUE(wl.IsMethodAllowed("bob", "anything"));

    // -rpcwhitelistdefault=1 without any list denies everyone.
    const auto deny = rpc::RpcWhitelist::Parse({}, true);
    EXPECT_FALSE(deny.IsMethodAllowed("alice", "help"));
    // A user name may itself be empty (":help").
    const auto empty_user = rpc::RpcWhitelist::Parse({":help"}, std::nullopt);
    EXPECT_TRUE(empty_user.IsMethodAllowed("", "help"));
    EXPECT_FALSE(empty_user.IsMethodAllowed("", "stop"));
}
