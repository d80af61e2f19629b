// The shape of the wallet RPC methods against Bitcoin Core v28: argument names in order, the
// names inside object and array arguments, the help category, and each result's type word and
// field paths. Transcribed from Core v28.0's published help
// (bitcoincore.org/en/doc/28.0.0/rpc/wallet/...). minibit's own extra arguments and result
// fields are listed apart, so Core's part is compared exactly.
// Field paths: "a.b" is key b inside object a, "a[]" an element of array a, a trailing "?"
// marks a field Core documents as optional.
#include <rpc/dispatch.h>
#include <rpc/method.h>
#include <wallet/context.h>
#include <wallet/rpc/register.h>

#include "../rpc/help_shapes.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <set>
#include <string>
#include <vector>

namespace {

using rpc::ResultDoc;
using rpc::ResultType;
using rpc_test::CollectArgNames;
using rpc_test::CollectFields;
using rpc_test::Join;
using rpc_test::ResultShape;
using rpc_test::TypeWord;

struct WalletShape
{
    const char* name;
    std::vector<std::string> args; //!< Core's top-level argument names, in order
    const char* nested;            //!< names inside object and array arguments
    std::vector<ResultShape> results;
    std::vector<std::string> extra_args{};   //!< minibit's own, after Core's
    std::vector<std::string> extra_fields{}; //!< minibit's own result fields (top level)
};

// The methods of wallet_manage.cpp and wallet_manage_keys.cpp.
const std::vector<WalletShape>& ManageShapes()
{
    static const std::vector<WalletShape> shapes{
        {"abandontransaction", {"txid"}, "", {{"", "json null", ""}}},
        {"backupwallet", {"destination"}, "", {{"", "json null", ""}}},
        {"createwallet",
         {"wallet_name", "disable_private_keys", "blank", "passphrase", "avoid_reuse",
          "descriptors", "load_on_startup", "external_signer"},
         "",
         {{"", "json object", "name warnings?"}},
         {"mnemonic", "mnemonic_passphrase"},
         {"mnemonic"}},
        {"encryptwallet", {"passphrase"}, "", {{"", "string", ""}}},
        {"getwalletinfo",
         {},
         "",
         {{"", "json object",
           "walletname walletversion format balance unconfirmed_balance immature_balance txcount "
           "keypoololdest? keypoolsize keypoolsize_hd_internal? unlocked_until? paytxfee "
           "hdseedid? private_keys_enabled avoid_reuse scanning scanning.duration "
           "scanning.progress descriptors external_signer blank birthtime? lastprocessedblock "
           "lastprocessedblock.hash lastprocessedblock.height"}}},
        {"importdescriptors",
         {"requests"},
         "desc active range next_index timestamp internal label",
         {{"", "json array", "[].success [].warnings? [].error?"}}},
        {"keypoolrefill", {"newsize"}, "", {{"", "json null", ""}}},
        {"listdescriptors",
         {"private"},
         "",
         {{"", "json object",
           "wallet_name descriptors descriptors[].desc descriptors[].timestamp "
           "descriptors[].active descriptors[].internal? descriptors[].range? descriptors[].next? "
           "descriptors[].next_index?"}}},
        {"listlockunspent", {}, "", {{"", "json array", "[].txid [].vout"}}},
        {"listwalletdir", {}, "", {{"", "json object", "wallets wallets[].name"}}},
        {"listwallets", {}, "", {{"", "json array", ""}}},
        {"loadwallet",
         {"filename", "load_on_startup"},
         "",
         {{"", "json object", "name warnings?"}}},
        {"lockunspent",
         {"unlock", "transactions", "persistent"},
         "txid vout",
         {{"", "boolean", ""}}},
        {"rescanblockchain",
         {"start_height", "stop_height"},
         "",
         {{"", "json object", "start_height stop_height"}}},
        {"restorewallet",
         {"wallet_name", "backup_file", "load_on_startup"},
         "",
         {{"", "json object", "name warnings?"}}},
        {"signmessage", {"address", "message"}, "", {{"", "string", ""}}},
        {"unloadwallet",
         {"wallet_name", "load_on_startup"},
         "",
         {{"", "json object", "warnings?"}}},
        {"walletlock", {}, "", {{"", "json null", ""}}},
        {"walletpassphrase", {"passphrase", "timeout"}, "", {{"", "json null", ""}}},
        {"walletpassphrasechange", {"oldpassphrase", "newpassphrase"}, "", {{"", "json null", ""}}},
    };
    return shapes;
}

class WalletShapesTest : public ::testing::Test
{
protected:
    WalletShapesTest()
    {
        // Registration keeps a reference to the manager and runs no handler, so no chain is
        // needed.
        wallet::RegisterWalletManageMethods(m_table, m_manager);
    }

    wallet::WalletManager m_manager{wallet::WalletManagerOptions{}, nullptr};
    rpc::MethodTable m_table;
};

TEST_F(WalletShapesTest, RegistersExactlyTheManageMethods)
{
    std::set<std::string> expected;
    for (const auto& shape : ManageShapes())
        expected.insert(shape.name);
    const auto names = m_table.MethodNames();
    // A description that is not well formed is silently not registered; this catches it.
    EXPECT_EQ(std::set<std::string>(names.begin(), names.end()), expected);
}

TEST_F(WalletShapesTest, ArgumentNamesAndOrderMatchCore)
{
    for (const auto& shape : ManageShapes()) {
        SCOPED_TRACE(shape.name);
        const rpc::Method* method = m_table.Find(shape.name);
        ASSERT_NE(method, nullptr);
        std::vector<std::string> names;
        for (const auto& arg : method->Args())
            names.push_back(arg.names);
        std::vector<std::string> expected = shape.args;
        expected.insert(expected.end(), shape.extra_args.begin(), shape.extra_args.end());
        EXPECT_EQ(names, expected);
        std::vector<std::string> nested;
        for (const auto& arg : method->Args())
            CollectArgNames(arg.inner, nested);
        EXPECT_EQ(Join(nested), shape.nested);
        EXPECT_EQ(method->Category(), "wallet");
    }
}

TEST_F(WalletShapesTest, ResultTypesAndFieldsMatchCore)
{
    for (const auto& shape : ManageShapes()) {
        SCOPED_TRACE(shape.name);
        const rpc::Method* method = m_table.Find(shape.name);
        ASSERT_NE(method, nullptr);
        ASSERT_EQ(method->Results().size(), shape.results.size());
        const std::set<std::string> skip(shape.extra_fields.begin(), shape.extra_fields.end());
        for (size_t i = 0; i < shape.results.size(); ++i) {
            const ResultDoc& doc = method->Results()[i];
            EXPECT_EQ(doc.cond, shape.results[i].cond);
            EXPECT_EQ(TypeWord(doc.type), shape.results[i].type);
            std::vector<std::string> fields;
            // minibit's extensions are compared apart, below.
            CollectFields(doc, "", fields,
                          [&skip](const std::string& path, bool in_array, const ResultDoc& child) {
                              return !in_array && path.empty() && skip.count(child.key_name) > 0;
                          });
            EXPECT_EQ(Join(fields), shape.results[i].fields);
            // Every extension field is really there, and optional.
            for (const std::string& extra : shape.extra_fields) {
                const auto it =
                    std::find_if(doc.inner.begin(), doc.inner.end(),
                                 [&](const ResultDoc& d) { return d.key_name == extra; });
                ASSERT_NE(it, doc.inner.end()) << extra;
                EXPECT_TRUE(it->optional) << extra;
            }
        }
    }
}

TEST_F(WalletShapesTest, HelpHasSummaryArgumentsResultAndExamples)
{
    for (const auto& shape : ManageShapes()) {
        SCOPED_TRACE(shape.name);
        const std::string help = m_table.Help(shape.name);
        EXPECT_EQ(help.rfind(shape.name, 0), 0u) << help;
        EXPECT_EQ(help.find("\nArguments:\n") != std::string::npos, !shape.args.empty()) << help;
        EXPECT_NE(help.find("\nResult:\n"), std::string::npos) << help;
        EXPECT_NE(help.find("\nExamples:\n"), std::string::npos) << help;
        EXPECT_NE(help.find("> minibit-cli "), std::string::npos) << help;
    }
    // Core's one-line summaries, which bitcoin-cli users know.
    EXPECT_EQ(m_table.Find("createwallet")
                  ->SummaryLine()
                  .rfind("createwallet \"wallet_name\" ( disable_private_keys blank \"passphrase\" "
                         "avoid_reuse descriptors load_on_startup external_signer",
                         0),
              0u);
    EXPECT_EQ(m_table.Find("lockunspent")->SummaryLine(),
              "lockunspent unlock ( [{\"txid\":\"hex\",\"vout\":n},...] persistent )");
    EXPECT_EQ(m_table.Find("unloadwallet")->SummaryLine(),
              "unloadwallet ( \"wallet_name\" load_on_startup )");
    EXPECT_EQ(m_table.Find("walletpassphrase")->SummaryLine(),
              "walletpassphrase \"passphrase\" timeout");
    // The BIP39 extension is documented in createwallet's help.
    EXPECT_NE(m_table.Help("createwallet").find("mnemonic"), std::string::npos);
}

} // namespace
