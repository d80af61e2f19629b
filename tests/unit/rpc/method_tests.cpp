#include <rpc/method.h>

#include <gtest/gtest.h>

#include <string>

namespace {

using rpc::Arg;
using rpc::ArgOptional;
using rpc::ArgType;
using rpc::Json;
using rpc::Method;
using rpc::ResultDoc;
using rpc::ResultType;

rpc::Result ReturnParams(const rpc::Request& request)
{
    return request.params;
}

Method BlockHashLike()
{
    return Method{"getblockhash",
                  "blockchain",
                  "\nReturns the hash of the block at a given height of the active chain.\n",
                  {{"height", ArgType::NUM, ArgOptional::NO, "The height index"}},
                  {ResultDoc{ResultType::STR_HEX, "", "The block hash"}},
                  rpc::HelpExampleCli("getblockhash", "1000") +
                      rpc::HelpExampleRpc("getblockhash", "1000"),
                  ReturnParams};
}

Method Nested()
{
    return Method{
        "sendsample",
        "rawtransactions",
        "Builds a sample.",
        {
            {"inputs",
             ArgType::ARR,
             ArgOptional::NO,
             "The inputs",
             {
                 {"",
                  ArgType::OBJ,
                  ArgOptional::OMITTED,
                  "",
                  {
                      {"txid", ArgType::STR_HEX, ArgOptional::NO, "The transaction id"},
                      {"vout", ArgType::NUM, ArgOptional::NO, "The output number"},
                  }},
             }},
            {"locktime", ArgType::NUM, Json(0), "Raw locktime"},
            {"replaceable", ArgType::BOOL, Json(false), "Opt in"},
            {"comment", ArgType::STR, ArgOptional::OMITTED, "A comment\nthat spans two lines"},
        },
        {ResultDoc{ResultType::OBJ,
                   "",
                   "",
                   {
                       {ResultType::STR_HEX, "hash", "The hash"},
                       {ResultType::NUM, "height", "The height"},
                       {ResultType::ARR, "tags", "Tags", {{ResultType::STR, "", "A tag"}}},
                       {ResultType::BOOL, "final", true, "Whether final"},
                   }}},
        "",
        ReturnParams};
}

// height (required number), verbose (bool, default false), label|name (optional string).
Method Sample()
{
    return Method{"sample",
                  "util",
                  "A sample.",
                  {
                      {"height", ArgType::NUM, ArgOptional::NO, "Height"},
                      {"verbose", ArgType::BOOL, Json(false), "Verbose"},
                      {"label|name", ArgType::STR, ArgOptional::OMITTED, "Label"},
                  },
                  {ResultDoc{ResultType::ANY, "", ""}},
                  "",
                  ReturnParams};
}

TEST(RpcHelp, SimpleMethodMatchesCoreLayout)
{
    const std::string expected =
        "getblockhash height\n"
        "\n"
        "Returns the hash of the block at a given height of the active chain.\n"
        "\n"
        "Arguments:\n"
        "1. height    (numeric, required) The height index\n"
        "\n"
        "Result:\n"
        "\"hex\"    (string) The block hash\n"
        "\n"
        "Examples:\n"
        "> minibit-cli getblockhash 1000\n"
        "> curl --user myusername --data-binary '{\"jsonrpc\": \"2.0\", \"id\": \"curltest\", "
        "\"method\": \"getblockhash\", \"params\": [1000]}' -H 'content-type: application/json' "
        "http://127.0.0.1:8332/\n";
    EXPECT_EQ(BlockHashLike().HelpText(), expected);
}

TEST(RpcHelp, ExamplePortIsFilledIn)
{
    const std::string text = BlockHashLike().HelpText(18443);
    EXPECT_NE(text.find("http://127.0.0.1:18443/\n"), std::string::npos);
    EXPECT_EQ(text.find("8332"), std::string::npos);
    EXPECT_EQ(text.find(rpc::EXAMPLE_PORT_TOKEN), std::string::npos);
}

TEST(RpcHelp, NestedArgumentsAndResultMatchCoreLayout)
{
    const std::string expected =
        "sendsample [{\"txid\":\"hex\",\"vout\":n},...] ( locktime replaceable \"comment\" )\n"
        "\n"
        "Builds a sample.\n"
        "\n"
        "Arguments:\n"
        "1. inputs                  (json array, required) The inputs\n"
        "     [\n"
        "       {                   (json object)\n"
        "         \"txid\": \"hex\",    (string, required) The transaction id\n"
        "         \"vout\": n,        (numeric, required) The output number\n"
        "       },\n"
        "       ...\n"
        "     ]\n"
        "2. locktime                (numeric, optional, default=0) Raw locktime\n"
        "3. replaceable             (boolean, optional, default=false) Opt in\n"
        "4. comment                 (string, optional) A comment\n"
        "                           that spans two lines\n"
        "\n"
        "Result:\n"
        // The widest left part is the last field before its comma was dropped (23), so
        // the right column starts at 27, as in Core.
        "{                          (json object)\n"
        "  \"hash\" : \"hex\",          (string) The hash\n"
        "  \"height\" : n,            (numeric) The height\n"
        "  \"tags\" : [               (json array) Tags\n"
        "    \"str\",                 (string) A tag\n"
        "    ...\n"
        "  ],\n"
        "  \"final\" : true|false     (boolean, optional) Whether final\n"
        "}\n";
    EXPECT_EQ(Nested().HelpText(), expected);
}

TEST(RpcHelp, ConditionalAndSpecialResults)
{
    const Method method{
        "conds",
        "util",
        "Conditional results.",
        {{"verbose", ArgType::BOOL, Json(false), "Verbose"}},
        {
            ResultDoc{"if verbose is false", ResultType::STR_HEX, "", "Raw data"},
            ResultDoc{"if verbose is true",
                      ResultType::OBJ,
                      "",
                      "",
                      {
                          {ResultType::NUM_TIME, "time", "A time"},
                          {ResultType::OBJ_DYN,
                           "map",
                           "By key",
                           {{ResultType::STR_AMOUNT, "key", "An amount"}}},
                          {ResultType::OBJ, "empty", ""},
                          {ResultType::ARR_FIXED,
                           "pair",
                           "",
                           {{ResultType::NONE, "", ""}, {ResultType::ELISION, "", "more"}}},
                      }},
        },
        "",
        ReturnParams};
    const std::string expected = "conds ( verbose )\n"
                                 "\n"
                                 "Conditional results.\n"
                                 "\n"
                                 "Arguments:\n"
                                 "1. verbose    (boolean, optional, default=false) Verbose\n"
                                 "\n"
                                 "Result (if verbose is false):\n"
                                 "\"hex\"    (string) Raw data\n"
                                 "\n"
                                 "Result (if verbose is true):\n"
                                 "{                  (json object)\n"
                                 "  \"time\" : xxx,    (numeric) A time\n"
                                 "  \"map\" : {        (json object) By key\n"
                                 "    \"key\" : n,     (numeric) An amount\n"
                                 "    ...\n"
                                 "  },\n"
                                 // Core writes an empty object without a separator.
                                 "  \"empty\" : {}     (empty JSON object)\n"
                                 "  \"pair\" : [       (json array)\n"
                                 "    null,          (json null)\n"
                                 "    ...            more\n"
                                 "  ]\n"
                                 "}\n";
    EXPECT_EQ(method.HelpText(), expected);
}

TEST(RpcHelp, UserKeyObjectsAndHints)
{
    const Method method{
        "pay",
        "wallet",
        "Pays.",
        {
            {"outputs",
             ArgType::OBJ_USER_KEYS,
             ArgOptional::NO,
             "Where to",
             {{"address", ArgType::AMOUNT, ArgOptional::NO, "Amount"}}},
            {"conf_target", ArgType::NUM, rpc::DefaultHint{"wallet -txconfirmtarget"}, "Blocks"},
        },
        {ResultDoc{ResultType::STR_HEX, "txid", "The id"}},
        "",
        ReturnParams};
    const std::string text = method.HelpText();
    EXPECT_EQ(text.substr(0, text.find('\n')), "pay {\"address\":amount,...} ( conf_target )");
    EXPECT_NE(text.find("1. outputs                   (json object, required) Where to\n"
                        "     {\n"
                        "       \"address\": amount,    (numeric or string, required) Amount\n"
                        "       ...\n"
                        "     }\n"
                        "2. conf_target               (numeric, optional, "
                        "default=wallet -txconfirmtarget) Blocks\n"),
              std::string::npos)
        << text;
    // No examples given: no Examples section.
    EXPECT_EQ(text.find("Examples:"), std::string::npos);
}

TEST(RpcHelp, HiddenArgumentsAndAnyResultAreLeftOut)
{
    const Method method{"hid",
                        "hidden",
                        "Hidden things.",
                        {
                            {"shown", ArgType::STR, ArgOptional::OMITTED, "Shown"},
                            {"secret",
                             ArgType::STR,
                             ArgOptional::OMITTED,
                             "Secret",
                             {},
                             rpc::ArgOptions{.hidden = true}},
                        },
                        {ResultDoc{ResultType::ANY, "", "Anything"}},
                        "",
                        ReturnParams};
    const std::string text = method.HelpText();
    EXPECT_EQ(text, "hid ( \"shown\" )\n\nHidden things.\n\nArguments:\n"
                    "1. shown    (string, optional) Shown\n");
}

TEST(RpcHelp, ExampleHelpers)
{
    EXPECT_EQ(rpc::HelpExampleCli("getblockcount", ""), "> minibit-cli getblockcount \n");
    EXPECT_EQ(
        rpc::HelpExampleCliNamed("test", {{"foo", Json("bar")}, {"b", Json(true)}, {"n", Json(1)}}),
        "> minibit-cli -named test foo=bar b=true n=1\n");
    EXPECT_EQ(rpc::HelpExampleCliNamed("test", {{"foo", Json("b'ar")}}),
              "> minibit-cli -named test foo='b'\\''ar'\n");
    EXPECT_EQ(rpc::HelpExampleCliNamed("test", {{"foo", Json("b ar")}}),
              "> minibit-cli -named test foo='b ar'\n");
    EXPECT_EQ(
        rpc::HelpExampleRpcNamed("test", {{"foo", Json("bar")}, {"n", Json(1)}}),
        "> curl --user myusername --data-binary '{\"jsonrpc\": \"2.0\", \"id\": \"curltest\", "
        "\"method\": \"test\", \"params\": {\"foo\":\"bar\",\"n\":1}}' -H 'content-type: "
        "application/json' http://127.0.0.1:" +
            std::string{rpc::EXAMPLE_PORT_TOKEN} + "/\n");
}

TEST(RpcParams, CountOutsideRangeAnswersHelp)
{
    const Method method = Sample();
    EXPECT_FALSE(method.CheckParams(Json::parse("[1]")));
    EXPECT_FALSE(method.CheckParams(Json::parse("[1,true,\"x\"]")));
    for (const char* bad : {"[]", "[1,true,\"x\",4]"}) {
        const auto error = method.CheckParams(Json::parse(bad));
        ASSERT_TRUE(error) << bad;
        EXPECT_EQ(error->code, rpc::RPC_MISC_ERROR);
        EXPECT_EQ(error->message, method.HelpText());
        EXPECT_EQ(error->message.rfind("sample height ( verbose \"label\" )\n", 0), 0u);
    }
}

TEST(RpcParams, WrongTypesListEveryPosition)
{
    const Method method = Sample();
    auto error = method.CheckParams(Json::parse(R"(["1"])"));
    ASSERT_TRUE(error);
    EXPECT_EQ(error->code, rpc::RPC_TYPE_ERROR);
    EXPECT_EQ(error->message, "Wrong type passed:\n"
                              "{\n"
                              "    \"Position 1 (height)\": \"JSON value of type string is not of "
                              "expected type number\"\n"
                              "}");

    error = method.CheckParams(Json::parse(R"([null, 1, {}])"));
    ASSERT_TRUE(error);
    EXPECT_EQ(error->message,
              "Wrong type passed:\n"
              "{\n"
              "    \"Position 1 (height)\": \"JSON value of type null is not of expected type "
              "number\",\n"
              "    \"Position 2 (verbose)\": \"JSON value of type number is not of expected type "
              "bool\",\n"
              "    \"Position 3 (label|name)\": \"JSON value of type object is not of expected "
              "type string\"\n"
              "}");

    // Optional arguments may be null; numbers may be integers or floats.
    EXPECT_FALSE(method.CheckParams(Json::parse("[1.5, null, null]")));
    EXPECT_FALSE(method.CheckParams(Json::parse("[-3, false]")));
}

TEST(RpcParams, TypeChecksPerKind)
{
    const auto mismatch = [](ArgType type, const char* value) {
        return Arg{"x", type, ArgOptional::NO, ""}.TypeMismatch(Json::parse(value));
    };
    EXPECT_FALSE(mismatch(ArgType::STR_HEX, "\"00\""));
    EXPECT_TRUE(mismatch(ArgType::STR_HEX, "0"));
    EXPECT_FALSE(mismatch(ArgType::OBJ, "{}"));
    EXPECT_EQ(*mismatch(ArgType::OBJ, "[]"),
              "JSON value of type array is not of expected type object");
    EXPECT_FALSE(mismatch(ArgType::ARR, "[]"));
    EXPECT_EQ(*mismatch(ArgType::ARR, "\"a\""),
              "JSON value of type string is not of expected type array");
    EXPECT_EQ(*mismatch(ArgType::BOOL, "\"true\""),
              "JSON value of type string is not of expected type bool");
    // Amounts and ranges are checked by the method itself.
    EXPECT_FALSE(mismatch(ArgType::AMOUNT, "\"0.1\""));
    EXPECT_FALSE(mismatch(ArgType::AMOUNT, "0.1"));
    EXPECT_FALSE(mismatch(ArgType::RANGE, "[1,2]"));
    const Arg any{"x", ArgType::STR, ArgOptional::NO,
                  "",  {},           rpc::ArgOptions{.skip_type_check = true}};
    EXPECT_FALSE(any.TypeMismatch(Json::parse("[1]")));
}

TEST(RpcParams, NamedParametersMapToPositions)
{
    const Method method = Sample();
    const auto map = [&](const char* named) {
        return method.NamedToPositional(Json::parse(named));
    };

    EXPECT_EQ(map(R"({})").value(), Json::parse("[]"));
    EXPECT_EQ(map(R"({"height":5})").value(), Json::parse("[5]"));
    EXPECT_EQ(map(R"({"verbose":true,"height":5})").value(), Json::parse("[5,true]"));
    // Gaps before a given argument are filled with null, never after the last one.
    EXPECT_EQ(map(R"({"label":"x"})").value(), Json::parse(R"([null,null,"x"])"));
    EXPECT_EQ(map(R"({"verbose":false})").value(), Json::parse("[null,false]"));
    // Aliases.
    EXPECT_EQ(map(R"({"name":"y","height":1})").value(), Json::parse(R"([1,null,"y"])"));
}

TEST(RpcParams, UnknownNamedParameter)
{
    const Method method = Sample();
    const auto result = method.NamedToPositional(Json::parse(R"({"height":1,"bogus":2,"zzz":3})"));
    ASSERT_FALSE(result);
    EXPECT_EQ(result.error().code, rpc::RPC_INVALID_PARAMETER);
    EXPECT_EQ(result.error().message, "Unknown named parameter bogus");
}

TEST(RpcParams, ArgsKeyCarriesLeadingPositionals)
{
    const Method method = Sample();
    const auto map = [&](const char* named) {
        return method.NamedToPositional(Json::parse(named));
    };

    EXPECT_EQ(map(R"({"args":[5]})").value(), Json::parse("[5]"));
    EXPECT_EQ(map(R"({"args":[5],"verbose":true})").value(), Json::parse("[5,true]"));
    EXPECT_EQ(map(R"({"args":[5,true],"label":"x"})").value(), Json::parse(R"([5,true,"x"])"));
    EXPECT_EQ(map(R"({"label":"x","args":[5]})").value(), Json::parse(R"([5,null,"x"])"));
    // A non-array "args" is dropped silently, as Core does.
    EXPECT_EQ(map(R"({"args":"x","height":2})").value(), Json::parse("[2]"));

    const auto twice = map(R"({"args":[5],"height":6})");
    ASSERT_FALSE(twice);
    EXPECT_EQ(twice.error().code, rpc::RPC_INVALID_PARAMETER);
    EXPECT_EQ(twice.error().message,
              "Parameter height specified twice both as positional and named argument");

    const auto twice_later = map(R"({"args":[5,true],"verbose":false})");
    ASSERT_FALSE(twice_later);
    EXPECT_EQ(twice_later.error().message,
              "Parameter verbose specified twice both as positional and named argument");

    const auto alias_twice = map(R"({"args":[5,true,"a"],"name":"b"})");
    ASSERT_FALSE(alias_twice);
    EXPECT_EQ(alias_twice.error().message,
              "Parameter label|name specified twice both as positional and named argument");
}

TEST(RpcParams, RequestArgAppliesDefaults)
{
    const Method method = Sample();
    const rpc::Context context;
    const rpc::Request given{method, Json::parse(R"([7,true,"l"])"), context};
    EXPECT_EQ(given.Arg("height"), 7);
    EXPECT_EQ(given.Arg("verbose"), true);
    EXPECT_EQ(given.Arg("name"), "l");
    EXPECT_TRUE(given.HasArg("label"));

    const rpc::Request defaults{method, Json::parse("[7]"), context};
    EXPECT_EQ(defaults.Arg("verbose"), false);
    EXPECT_FALSE(defaults.HasArg("verbose"));
    EXPECT_TRUE(defaults.Arg("label").is_null());
    EXPECT_TRUE(defaults.Param(9).is_null());
}

TEST(RpcParams, InvokeTurnsExceptionsIntoErrors)
{
    const rpc::Context context;
    const Method throws{"t", "util", "", {}, {}, "", [](const rpc::Request&) -> rpc::Result {
                            throw std::runtime_error("boom");
                        }};
    const auto misc = throws.Invoke(Json::array(), context);
    ASSERT_FALSE(misc);
    EXPECT_EQ(misc.error().code, rpc::RPC_MISC_ERROR);
    EXPECT_EQ(misc.error().message, "boom");

    const Method wrong_type{"w", "util", "", {}, {}, "", [](const rpc::Request&) -> rpc::Result {
                                return Json(Json("text").get<int>());
                            }};
    const auto type = wrong_type.Invoke(Json::array(), context);
    ASSERT_FALSE(type);
    EXPECT_EQ(type.error().code, rpc::RPC_TYPE_ERROR);
}

TEST(RpcParams, WellFormedDescriptions)
{
    EXPECT_TRUE(Sample().IsWellFormed());
    const Method duplicate{
        "d",
        "util",
        "",
        {{"a", ArgType::NUM, ArgOptional::NO, ""}, {"b|a", ArgType::NUM, ArgOptional::NO, ""}},
        {},
        "",
        ReturnParams};
    EXPECT_FALSE(duplicate.IsWellFormed());
    const Method bad_default{"d", "util", "",          {{"a", ArgType::NUM, Json("x"), ""}},
                             {},  "",     ReturnParams};
    EXPECT_FALSE(bad_default.IsWellFormed());
    const Method no_handler{"d", "util", "", {}, {}, "", nullptr};
    EXPECT_FALSE(no_handler.IsWellFormed());
}

// ---- options objects whose keys are also named parameters (Core's OBJ_NAMED_PARAMS) -------

// Shaped like Core's send: outputs, fee_rate, an options object (with its own fee_rate, as
// Core's send has, an aliased key and an array), and an argument after it.
Method WithOptions(ArgType options_type = ArgType::OBJ_NAMED_PARAMS)
{
    return Method{"pay",
                  "wallet",
                  "Pays.",
                  {
                      {"outputs",
                       ArgType::OBJ_USER_KEYS,
                       ArgOptional::NO,
                       "Where to",
                       {{"address", ArgType::AMOUNT, ArgOptional::NO, "Amount"}}},
                      {"fee_rate", ArgType::AMOUNT, rpc::DefaultHint{"not set"}, "Fee rate"},
                      {"options",
                       options_type,
                       ArgOptional::OMITTED,
                       "",
                       {
                           {"add_inputs", ArgType::BOOL, Json(true), "Add inputs"},
                           {"fee_rate", ArgType::AMOUNT, rpc::DefaultHint{"not set"}, "Fee rate"},
                           {"change_position|changePosition", ArgType::NUM, ArgOptional::OMITTED,
                            "Change index"},
                           {"inputs",
                            ArgType::ARR,
                            Json::array(),
                            "Inputs",
                            {{"txid", ArgType::STR_HEX, ArgOptional::NO, "The txid"}}},
                       }},
                      {"verbose", ArgType::BOOL, Json(false), "Verbose"},
                  },
                  {ResultDoc{ResultType::ANY, "", ""}},
                  "",
                  ReturnParams};
}

TEST(RpcHelp, NamedOptionsAreListedAfterTheArguments)
{
    // Core v28's layout (compare bitcoincore.org/en/doc/28.0.0/rpc/wallet/send/): the options
    // argument carries Core's fixed sentence, its keys follow under "Named Arguments:" by
    // bare name, padded among themselves, with nested fields as for a top-level argument.
    const std::string expected =
        "pay {\"address\":amount,...} ( fee_rate "
        "{\"add_inputs\":bool,\"fee_rate\":amount,\"change_position\":n,\"inputs\":[\"txid\","
        "...],...} verbose )\n"
        "\n"
        "Pays.\n"
        "\n"
        "Arguments:\n"
        "1. outputs                   (json object, required) Where to\n"
        "     {\n"
        "       \"address\": amount,    (numeric or string, required) Amount\n"
        "       ...\n"
        "     }\n"
        "2. fee_rate                  (numeric or string, optional, default=not set) Fee rate\n"
        "3. options                   (json object, optional) Options object that can be used "
        "to pass named arguments, listed below.\n"
        "4. verbose                   (boolean, optional, default=false) Verbose\n"
        "\n"
        "Named Arguments:\n"
        "add_inputs         (boolean, optional, default=true) Add inputs\n"
        "fee_rate           (numeric or string, optional, default=not set) Fee rate\n"
        "change_position    (numeric, optional) Change index\n"
        "inputs             (json array, optional, default=[]) Inputs\n"
        "     [\n"
        "       \"txid\",     (string, required) The txid\n"
        "       ...\n"
        "     ]\n";
    EXPECT_EQ(WithOptions().HelpText(), expected);
    EXPECT_EQ(WithOptions().SummaryLine(), expected.substr(0, expected.find('\n')));

    // A plain object keeps its keys inside the Arguments section and has no such section.
    const std::string plain = WithOptions(ArgType::OBJ).HelpText();
    EXPECT_EQ(plain.find("Named Arguments:"), std::string::npos);
    EXPECT_EQ(plain.find("listed below"), std::string::npos);
    EXPECT_NE(plain.find("       \"add_inputs\": bool,"), std::string::npos) << plain;
}

TEST(RpcHelp, NamedOptionsSentenceIsNotRepeated)
{
    // Descriptions written before the type existed carry Core's sentence themselves.
    const std::string sentence{
        "Options object that can be used to pass named arguments, listed below."};
    for (const std::string& description : {sentence, sentence + " More."}) {
        const Method method{"q",
                            "wallet",
                            "Q.",
                            {{"query_options",
                              ArgType::OBJ_NAMED_PARAMS,
                              ArgOptional::OMITTED,
                              description,
                              {{"maximumCount", ArgType::NUM, ArgOptional::OMITTED, "Count"}}}},
                            {ResultDoc{ResultType::ANY, "", ""}},
                            "",
                            ReturnParams};
        const std::string text = method.HelpText();
        EXPECT_EQ(text.find(sentence), text.rfind(sentence)) << text;
        EXPECT_NE(text.find("1. query_options    (json object, optional) " + description + "\n"),
                  std::string::npos)
            << text;
        EXPECT_NE(text.find("\nNamed Arguments:\nmaximumCount    (numeric, optional) Count\n"),
                  std::string::npos)
            << text;
    }
}

TEST(RpcParams, NamedOptionKeysGoIntoTheirObject)
{
    const Method method = WithOptions();
    const auto map = [&](const char* named) {
        auto result = method.NamedToPositional(Json::parse(named));
        EXPECT_TRUE(result) << named << ": " << result.error().message;
        return result ? result.value().dump() : std::string{};
    };
    // The object is created at its position, gaps before it filled with null.
    EXPECT_EQ(map(R"({"outputs":{"a":1},"add_inputs":false})"),
              R"([{"a":1},null,{"add_inputs":false}])");
    EXPECT_EQ(map(R"({"add_inputs":true})"), R"([null,null,{"add_inputs":true}])");
    // Keys in the order the method declares them, whatever the caller's order.
    EXPECT_EQ(map(R"({"inputs":["x"],"add_inputs":true})"),
              R"([null,null,{"add_inputs":true,"inputs":["x"]}])");
    // A top-level argument of the same name comes first and takes the value (Core's
    // also_positional fee_rate of send).
    EXPECT_EQ(map(R"({"fee_rate":3,"add_inputs":true})"), R"([null,3,{"add_inputs":true}])");
    EXPECT_EQ(map(R"({"fee_rate":3})"), R"([null,3])");
    // The key is kept as the caller spelled it, as Core does for aliases.
    EXPECT_EQ(map(R"({"changePosition":1})"), R"([null,null,{"changePosition":1}])");
    // Arguments after the object still land after it.
    EXPECT_EQ(map(R"({"verbose":true,"change_position":0})"),
              R"([null,null,{"change_position":0},true])");
    // The object itself may still be given whole.
    EXPECT_EQ(map(R"({"options":{"add_inputs":true},"verbose":false})"),
              R"([null,null,{"add_inputs":true},false])");
    // Leading positional parameters through "args".
    EXPECT_EQ(map(R"({"args":[{"a":1}],"add_inputs":true})"),
              R"([{"a":1},null,{"add_inputs":true}])");
    // The mapped call passes the parameter checks.
    EXPECT_FALSE(method.CheckParams(Json::parse(map(R"({"outputs":{},"add_inputs":true})"))));
}

TEST(RpcParams, NamedOptionKeyErrorsMatchCore)
{
    const Method method = WithOptions();
    const auto error = [&](const char* named) {
        auto result = method.NamedToPositional(Json::parse(named));
        EXPECT_FALSE(result) << named;
        if (result) return std::string{};
        EXPECT_EQ(result.error().code, rpc::RPC_INVALID_PARAMETER) << named;
        return result.error().message;
    };
    // A key given inside the object and at top level.
    EXPECT_EQ(error(R"({"options":{"add_inputs":true},"add_inputs":false})"),
              "Parameter options conflicts with parameter add_inputs");
    // Any key next to the object; the first key in the method's order is named.
    EXPECT_EQ(error(R"({"options":{},"inputs":[],"change_position":1})"),
              "Parameter options conflicts with parameter change_position");
    // Truly unknown names, and a key reached through both of its spellings.
    EXPECT_EQ(error(R"({"add_input":true})"), "Unknown named parameter add_input");
    EXPECT_EQ(error(R"({"change_position":1,"changePosition":2})"),
              "Unknown named parameter changePosition");
    // "args" reaching the object's position collides with keys given for it.
    EXPECT_EQ(error(R"({"args":[{},1,{}],"add_inputs":true})"),
              "Parameter options specified twice both as positional and named argument");
    // A plain object does not take its keys from the top level.
    const Method plain = WithOptions(ArgType::OBJ);
    const auto unknown = plain.NamedToPositional(Json::parse(R"({"add_inputs":true})"));
    ASSERT_FALSE(unknown);
    EXPECT_EQ(unknown.error().message, "Unknown named parameter add_inputs");
}

TEST(RpcParams, NamedOptionsTypeAndWellFormedness)
{
    const Arg options{"options", ArgType::OBJ_NAMED_PARAMS, ArgOptional::NO, ""};
    EXPECT_FALSE(options.TypeMismatch(Json::object()));
    EXPECT_EQ(options.TypeMismatch(Json::array()),
              "JSON value of type array is not of expected type object");

    // A key may repeat a top-level name (fee_rate above), not another option key.
    EXPECT_TRUE(WithOptions().IsWellFormed());
    const auto two_objects = [](const char* second_key) {
        return Method{"d",
                      "util",
                      "",
                      {{"a",
                        ArgType::OBJ_NAMED_PARAMS,
                        ArgOptional::OMITTED,
                        "",
                        {{"k|alias", ArgType::NUM, ArgOptional::OMITTED, ""}}},
                       {"b",
                        ArgType::OBJ_NAMED_PARAMS,
                        ArgOptional::OMITTED,
                        "",
                        {{second_key, ArgType::NUM, ArgOptional::OMITTED, ""}}}},
                      {},
                      "",
                      ReturnParams};
    };
    EXPECT_TRUE(two_objects("other").IsWellFormed());
    EXPECT_FALSE(two_objects("k").IsWellFormed());
    EXPECT_FALSE(two_objects("alias").IsWellFormed());
}

} // namespace
