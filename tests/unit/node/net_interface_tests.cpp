// node::NetInterface's pure helpers: the getnetworkinfo version number and the getpeerinfo
// subver sanitising, against Bitcoin Core's formula and character set. (The interface over a
// running stack is exercised by tests/functional/rpc_net.py with real processes.)
#include <node/net_interface.h>

#include <gtest/gtest.h>

namespace {

TEST(NetInterfaceHelpers, ClientVersionNumberFollowsCoreFormula)
{
    // Core: 10000 * major + 100 * minor + build; v28.0.0 is 280000.
    EXPECT_EQ(node::ClientVersionNumber("28.0.0"), 280000);
    EXPECT_EQ(node::ClientVersionNumber("0.21.0"), 2100); // 0 * 10000 + 21 * 100
    EXPECT_EQ(node::ClientVersionNumber("0.1.0"), 100);
    EXPECT_EQ(node::ClientVersionNumber("1.2.3"), 10203);
    EXPECT_EQ(node::ClientVersionNumber(""), 0);
    EXPECT_EQ(node::ClientVersionNumber("1.2"), 0);
    EXPECT_EQ(node::ClientVersionNumber("1.2.3.4"), 0);
    EXPECT_EQ(node::ClientVersionNumber("1..3"), 0);
    EXPECT_EQ(node::ClientVersionNumber("v1.2.3"), 0);
    EXPECT_EQ(node::ClientVersionNumber("1.2.3-rc1"), 0);
}

TEST(NetInterfaceHelpers, SubVersionKeepsCoreSafeCharacters)
{
    EXPECT_EQ(node::SanitizeSubVersion("/Satoshi:28.0.0/"), "/Satoshi:28.0.0/");
    EXPECT_EQ(node::SanitizeSubVersion("/a b,c;d-e_f?g@h(i)/"), "/a b,c;d-e_f?g@h(i)/");
    // Quotes, control characters, braces and non-ASCII bytes are dropped.
    EXPECT_EQ(node::SanitizeSubVersion("/x\"y\n{z}\x01\xc3\xa9/"), "/xyz/");
    EXPECT_EQ(node::SanitizeSubVersion(""), "");
}

} // namespace
