// Options objects whose keys are also named parameters (Core's OBJ_NAMED_PARAMS) among the
// wallet RPCs: the arguments Core v28 marks (its published help lists their keys under "Named
// Arguments:"), and minibit-cli's conversion table agreeing with them, as Core's rpc_help.py
// checks: every key that is not a string is parsed as JSON at the object's position, string
// keys are not, and the table lists nothing else at those positions.
#include <rpc/client.h>
#include <rpc/dispatch.h>
#include <rpc/method.h>
#include <wallet/context.h>
#include <wallet/rpc/register.h>

#include <gtest/gtest.h>

#include <map>
#include <set>
#include <string>
#include <utility>

namespace {

using rpc::ArgType;

class WalletNamedOptionsTest : public ::testing::Test
{
protected:
    WalletNamedOptionsTest()
    {
        // Registration keeps a reference to the manager and runs no handler, so no chain is
        // needed.
        wallet::RegisterWalletMethods(m_table, m_manager);
    }

    // method -> (position, name) of each OBJ_NAMED_PARAMS argument.
    std::map<std::string, std::pair<size_t, std::string>> NamedOptionArgs() const
    {
        std::map<std::string, std::pair<size_t, std::string>> found;
        for (const std::string& name : m_table.MethodNames()) {
            const auto& args = m_table.Find(name)->Args();
            for (size_t i = 0; i < args.size(); ++i) {
                if (args[i].type == ArgType::OBJ_NAMED_PARAMS) {
                    EXPECT_FALSE(found.contains(name)) << name << " has two options objects";
                    found[name] = {i, args[i].names};
                }
            }
        }
        return found;
    }

    wallet::WalletManager m_manager{wallet::WalletManagerOptions{}, nullptr};
    rpc::MethodTable m_table;
};

TEST_F(WalletNamedOptionsTest, CoreV28MarksTheseOptionsObjects)
{
    // Core v28 also marks importmempool, scanblocks, simulaterawtransaction, gethdkeys,
    // createwalletdescriptor and importmulti, which minibit does not have.
    const std::map<std::string, std::pair<size_t, std::string>> expected{
        {"bumpfee", {1, "options"}},
        {"fundrawtransaction", {1, "options"}},
        {"listunspent", {4, "query_options"}},
        {"psbtbumpfee", {1, "options"}},
        {"send", {4, "options"}},
        {"sendall", {4, "options"}},
        {"walletcreatefundedpsbt", {3, "options"}},
    };
    EXPECT_EQ(NamedOptionArgs(), expected);
}

TEST_F(WalletNamedOptionsTest, ClientParsesEveryNonStringKeyAsJson)
{
    const auto marked = NamedOptionArgs();
    ASSERT_FALSE(marked.empty());
    for (const auto& [method_name, where] : marked) {
        SCOPED_TRACE(method_name);
        const auto& [position, arg_name] = where;
        const rpc::Arg& options = m_table.Find(method_name)->Args()[position];
        std::set<std::string> keys{arg_name};
        for (const rpc::Arg& inner : options.inner) {
            const bool is_string = inner.type == ArgType::STR || inner.type == ArgType::STR_HEX;
            for (const std::string& name : inner.AllNames()) {
                keys.insert(name);
                bool listed{false};
                for (const rpc::ConvertParam& param : rpc::ConvertParams()) {
                    listed |= param.method == method_name &&
                              param.index == static_cast<int>(position) && param.name == name;
                }
                EXPECT_EQ(listed, !is_string) << name;
                // What -named actually does with the key.
                EXPECT_EQ(rpc::IsJsonArg(method_name, std::string_view{name}), !is_string) << name;
            }
        }
        // Nothing else is listed at the object's position.
        for (const rpc::ConvertParam& param : rpc::ConvertParams()) {
            if (param.method != method_name || param.index != static_cast<int>(position)) {
                continue;
            }
            EXPECT_TRUE(keys.contains(std::string{param.name})) << param.name;
        }
    }
}

TEST_F(WalletNamedOptionsTest, RegisteredSendTakesItsOptionsByName)
{
    const rpc::Method* send = m_table.Find("send");
    ASSERT_NE(send, nullptr);
    // As minibit-cli sends `-named send outputs=... fee_rate=2 add_inputs=true`.
    const auto mapped = send->NamedToPositional(
        rpc::Json::parse(R"({"outputs":{"addr":1},"fee_rate":2,"add_inputs":true})"));
    ASSERT_TRUE(mapped) << mapped.error().message;
    EXPECT_EQ(mapped.value(), rpc::Json::parse(R"([{"addr":1},null,null,2,{"add_inputs":true}])"));
    EXPECT_FALSE(send->CheckParams(mapped.value()));

    const auto unknown = send->NamedToPositional(rpc::Json::parse(R"({"add_input":true})"));
    ASSERT_FALSE(unknown);
    EXPECT_EQ(unknown.error().message, "Unknown named parameter add_input");

    const rpc::Method* listunspent = m_table.Find("listunspent");
    ASSERT_NE(listunspent, nullptr);
    const auto listed =
        listunspent->NamedToPositional(rpc::Json::parse(R"({"minconf":1,"minimumAmount":1})"));
    ASSERT_TRUE(listed) << listed.error().message;
    EXPECT_EQ(listed.value(), rpc::Json::parse(R"([1,null,null,null,{"minimumAmount":1}])"));
}

} // namespace
