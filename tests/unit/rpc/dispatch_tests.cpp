#include <rpc/dispatch.h>

#include <gtest/gtest.h>

#include <atomic>
#include <memory>
#include <stdexcept>
#include <string>

namespace {

using rpc::ArgOptional;
using rpc::ArgType;
using rpc::Json;
using rpc::ResultDoc;
using rpc::ResultType;

constexpr int BLOCK_COUNT{42};

class DispatchTest : public ::testing::Test
{
protected:
    void SetUp() override
    {
        m_table.RegisterBuiltins();
        ASSERT_TRUE(m_table.Register(rpc::Method{
            "getblockcount",
            "blockchain",
            "Returns the height of the active chain.",
            {},
            {ResultDoc{ResultType::NUM, "", "The height"}},
            rpc::HelpExampleCli("getblockcount", "") + rpc::HelpExampleRpc("getblockcount", ""),
            [](const rpc::Request&) -> rpc::Result { return Json(BLOCK_COUNT); }}));
        ASSERT_TRUE(m_table.Register(rpc::Method{
            "getblockhash",
            "blockchain",
            "Returns a block hash.",
            {{"height", ArgType::NUM, ArgOptional::NO, "The height"}},
            {ResultDoc{ResultType::STR_HEX, "", "The hash"}},
            "",
            [](const rpc::Request& request) -> rpc::Result {
                const int height = request.Arg("height").get<int>();
                if (height < 0 || height > BLOCK_COUNT) {
                    return rpc::RpcError{rpc::RPC_INVALID_PARAMETER, "Block height out of range"};
                }
                return Json("hash" + std::to_string(height));
            }}));
        ASSERT_TRUE(m_table.Register(rpc::Method{
            "bump",
            "util",
            "Counts calls.",
            {},
            {ResultDoc{ResultType::NUM, "", "Calls so far"}},
            "",
            [counter = m_calls](const rpc::Request&) -> rpc::Result { return Json(++*counter); }}));
        ASSERT_TRUE(m_table.Register(rpc::Method{"whoami",
                                                 "util",
                                                 "Returns the caller.",
                                                 {},
                                                 {ResultDoc{ResultType::STR, "", "The user"}},
                                                 "",
                                                 [](const rpc::Request& request) -> rpc::Result {
                                                     return Json(request.context.user + " " +
                                                                 request.context.uri);
                                                 }}));
        ASSERT_TRUE(m_table.Register(rpc::Method{
            "explode",
            "util",
            "Throws.",
            {},
            {ResultDoc{ResultType::NONE, "", ""}},
            "",
            [](const rpc::Request&) -> rpc::Result { throw std::runtime_error("kaboom"); }}));
        m_table.FinishWarmup();
    }

    struct Answer
    {
        int status;
        std::string raw;
        Json body;
    };

    Answer Post(const std::string& body, const rpc::Context& context = {}) const
    {
        const rpc::HttpReply reply = m_table.Dispatch(body, context);
        Answer answer{reply.status, reply.body, Json()};
        if (!reply.body.empty()) answer.body = Json::parse(reply.body);
        return answer;
    }

    std::shared_ptr<std::atomic<int>> m_calls{std::make_shared<std::atomic<int>>(0)};
    rpc::MethodTable m_table;
};

// Key order is not part of these comparisons.
nlohmann::json Unordered(const Json& value)
{
    return nlohmann::json::parse(rpc::WriteJson(value));
}

Json ErrorJson(int code, const std::string& message)
{
    return Json{{"code", code}, {"message", message}};
}

TEST_F(DispatchTest, LegacySuccessExactBytes)
{
    const auto answer = Post(R"({"method":"getblockcount","params":[],"id":1})");
    EXPECT_EQ(answer.status, 200);
    EXPECT_EQ(answer.raw, "{\"result\":42,\"error\":null,\"id\":1}\n");
}

TEST_F(DispatchTest, LegacyErrorsUseHttpStatus)
{
    auto answer = Post(R"({"method":"nosuchmethod","params":[],"id":1})");
    EXPECT_EQ(answer.status, 404);
    EXPECT_EQ(answer.raw,
              "{\"result\":null,\"error\":{\"code\":-32601,\"message\":\"Method not found\"},"
              "\"id\":1}\n");

    answer = Post(R"({"method":"getblockhash","params":[4200],"id":"x"})");
    EXPECT_EQ(answer.status, 500);
    EXPECT_EQ(answer.body["error"], ErrorJson(-8, "Block height out of range"));
    EXPECT_TRUE(answer.body["result"].is_null());
    EXPECT_EQ(answer.body["id"], "x");

    // "jsonrpc":"1.0" is legacy too.
    answer = Post(R"({"jsonrpc":"1.0","method":"nosuchmethod","id":1})");
    EXPECT_EQ(answer.status, 404);
    EXPECT_FALSE(answer.body.contains("jsonrpc"));
}

TEST_F(DispatchTest, LegacyWithoutIdStillAnswered)
{
    const auto answer = Post(R"({"method":"bump"})");
    EXPECT_EQ(answer.status, 200);
    EXPECT_EQ(answer.raw, "{\"result\":1,\"error\":null}\n");
}

TEST_F(DispatchTest, V2RepliesAre200WithOneOfResultOrError)
{
    auto answer = Post(R"({"jsonrpc":"2.0","method":"getblockhash","params":[0],"id":3})");
    EXPECT_EQ(answer.status, 200);
    EXPECT_EQ(answer.raw, "{\"jsonrpc\":\"2.0\",\"result\":\"hash0\",\"id\":3}\n");

    answer = Post(R"({"jsonrpc":"2.0","method":"nosuchmethod","id":3})");
    EXPECT_EQ(answer.status, 200);
    EXPECT_EQ(answer.raw,
              "{\"jsonrpc\":\"2.0\",\"error\":{\"code\":-32601,\"message\":\"Method not "
              "found\"},\"id\":3}\n");

    answer = Post(R"({"jsonrpc":"2.0","method":"getblockhash","params":[4200],"id":3})");
    EXPECT_EQ(answer.status, 200);
    EXPECT_EQ(answer.body["error"]["code"], -8);
    EXPECT_FALSE(answer.body.contains("result"));

    // An explicit null id is an id: the call is answered.
    answer = Post(R"({"jsonrpc":"2.0","method":"getblockcount","id":null})");
    EXPECT_EQ(answer.status, 200);
    EXPECT_EQ(answer.raw, "{\"jsonrpc\":\"2.0\",\"result\":42,\"id\":null}\n");
}

TEST_F(DispatchTest, V2NotificationRunsAndAnswers204)
{
    auto answer = Post(R"({"jsonrpc":"2.0","method":"bump"})");
    EXPECT_EQ(answer.status, 204);
    EXPECT_TRUE(answer.raw.empty());
    EXPECT_EQ(m_calls->load(), 1);

    // Failing notifications are silent too.
    answer = Post(R"({"jsonrpc":"2.0","method":"nosuchmethod"})");
    EXPECT_EQ(answer.status, 204);
    EXPECT_TRUE(answer.raw.empty());
    answer = Post(R"({"jsonrpc":"2.0","method":"getblockhash","params":["x"]})");
    EXPECT_EQ(answer.status, 204);
}

TEST_F(DispatchTest, ParseErrors)
{
    const std::string parse_error =
        "{\"result\":null,\"error\":{\"code\":-32700,\"message\":\"Parse error\"},\"id\":null}\n";
    for (const std::string bad : {"", "this is bad", "{\"method\":", "[1,2", "{\"a\":1}}"}) {
        const auto reply = m_table.Dispatch(bad, {});
        EXPECT_EQ(reply.status, 500) << bad;
        EXPECT_EQ(reply.body, parse_error) << bad;
    }
    for (const std::string scalar : {"5", "\"getblockcount\"", "null", "true"}) {
        const auto answer = Post(scalar);
        EXPECT_EQ(answer.status, 500);
        EXPECT_EQ(answer.body["error"], ErrorJson(-32700, "Top-level object parse error"));
    }
}

TEST_F(DispatchTest, EveryTruncatedRequestGetsParseError)
{
    const std::string body = R"({"jsonrpc":"2.0","method":"getblockhash","params":[1],"id":1})";
    ASSERT_EQ(Post(body).status, 200);
    for (size_t len{0}; len < body.size(); ++len) {
        const auto answer = Post(body.substr(0, len));
        ASSERT_EQ(answer.status, 500) << len;
        EXPECT_EQ(answer.body["error"]["code"], -32700) << len;
    }
}

TEST_F(DispatchTest, HugeAndDeepBodiesDoNotCrash)
{
    auto answer = Post(std::string(100000, '['));
    EXPECT_EQ(answer.status, 500);
    EXPECT_EQ(answer.body["error"]["code"], -32700);

    answer = Post(std::string(100000, '[') + std::string(100000, ']'));
    EXPECT_EQ(answer.body["error"]["code"], -32700);

    std::string deep_params = R"({"method":"echo","id":1,"params":)";
    deep_params += std::string(600, '[') + std::string(600, ']') + "}";
    answer = Post(deep_params);
    EXPECT_EQ(answer.body["error"]["code"], -32700);

    rpc::MethodTable small{rpc::TableOptions{.max_body_size = 64}};
    small.FinishWarmup();
    const auto too_big =
        small.Dispatch(R"({"method":"x","params":[")" + std::string(100, 'a') + R"("]})", {});
    EXPECT_EQ(too_big.status, 500);
    EXPECT_EQ(Json::parse(too_big.body)["error"]["code"], -32700);

    // A large but legal echo round-trips.
    const std::string big(1 << 20, 'z');
    answer = Post(R"({"method":"echo","id":1,"params":[")" + big + R"("]})");
    EXPECT_EQ(answer.status, 200);
    EXPECT_EQ(answer.body["result"][0], big);
}

TEST_F(DispatchTest, EnvelopeTypeErrorsAre400)
{
    auto answer = Post(R"({"jsonrpc":2,"method":"getblockcount"})");
    EXPECT_EQ(answer.status, 400);
    EXPECT_EQ(answer.raw, "{\"result\":null,\"error\":{\"code\":-32600,\"message\":\"jsonrpc "
                          "field must be a string\"}}\n");

    answer = Post(R"({"jsonrpc":"3.0","method":"getblockcount"})");
    EXPECT_EQ(answer.status, 400);
    EXPECT_EQ(answer.body, Json::parse(R"({"result":null,"error":{"code":-32600,
        "message":"JSON-RPC version not supported"}})"));

    answer = Post(R"({"id":1,"method":5})");
    EXPECT_EQ(answer.status, 400);
    EXPECT_EQ(answer.body["error"], ErrorJson(-32600, "Method must be a string"));
    EXPECT_EQ(answer.body["id"], 1);

    answer = Post(R"({"id":1})");
    EXPECT_EQ(answer.status, 400);
    EXPECT_EQ(answer.body["error"], ErrorJson(-32600, "Missing method"));

    answer = Post(R"({"id":1,"method":"getblockcount","params":"0"})");
    EXPECT_EQ(answer.status, 400);
    EXPECT_EQ(answer.body["error"], ErrorJson(-32600, "Params must be an array or object"));

    // Once "jsonrpc":"2.0" was read the error reply has the 2.0 shape, still with HTTP 400.
    answer = Post(R"({"jsonrpc":"2.0","id":1,"method":[]})");
    EXPECT_EQ(answer.status, 400);
    EXPECT_EQ(answer.raw, "{\"jsonrpc\":\"2.0\",\"error\":{\"code\":-32600,\"message\":\"Method "
                          "must be a string\"},\"id\":1}\n");
}

TEST_F(DispatchTest, IdsOfAnyTypeAreEchoed)
{
    for (const std::string id : {"1", "-7", "1.5", "\"s\"", "null", "[1,\"a\"]", "{\"k\":{}}"}) {
        const auto answer = Post(R"({"method":"getblockcount","id":)" + id + "}");
        EXPECT_EQ(answer.status, 200);
        EXPECT_EQ(answer.body["id"], Json::parse(id)) << id;
    }
}

// The cases of Core's interface_rpc.py batch test: getblockcount, an unknown method,
// getblockhash 0 and a member without a method, with ids 1..4.
struct BatchStyle
{
    std::optional<std::string> jsonrpc;
    bool notification;
};

TEST_F(DispatchTest, BatchesMatchCoreScenarios)
{
    const std::vector<Json> calls = {
        Json::parse(R"({"method":"getblockcount"})"),
        Json::parse(R"({"method":"nosuchmethod"})"),
        Json::parse(R"({"method":"getblockhash","params":[0]})"),
        Json::parse(R"({"pizza":"sausage"})"),
    };
    const std::vector<Json> outcomes = {
        Json::parse(R"({"result":42})"),
        Json::parse(R"({"error":{"code":-32601,"message":"Method not found"}})"),
        Json::parse(R"({"result":"hash0"})"),
        Json::parse(R"({"error":{"code":-32600,"message":"Missing method"}})"),
    };
    const auto run = [&](const std::function<BatchStyle(int)>& style) {
        Json request = Json::array();
        Json expected = Json::array();
        for (size_t i{0}; i < calls.size(); ++i) {
            const int idx = static_cast<int>(i) + 1;
            const BatchStyle s = style(idx);
            Json call = calls[i];
            if (s.jsonrpc) call["jsonrpc"] = *s.jsonrpc;
            if (!s.notification) call["id"] = idx;
            request.push_back(call);

            const bool v2 = s.jsonrpc == "2.0";
            if (v2 && s.notification) continue;
            Json reply = Json::object();
            if (!s.notification) reply["id"] = idx;
            if (v2) {
                reply["jsonrpc"] = "2.0";
            } else {
                reply["result"] = nullptr;
                reply["error"] = nullptr;
            }
            for (const auto& [key, value] : outcomes[i].items())
                reply[key] = value;
            expected.push_back(reply);
        }
        const auto answer = Post(rpc::WriteJson(request));
        if (expected.empty()) {
            EXPECT_EQ(answer.status, 204);
            EXPECT_TRUE(answer.raw.empty());
        } else {
            EXPECT_EQ(answer.status, 200);
            EXPECT_EQ(Unordered(answer.body), Unordered(expected)) << answer.raw;
        }
    };
    run([](int) { return BatchStyle{"2.0", false}; });
    run([](int idx) { return BatchStyle{"2.0", idx < 2}; });
    run([](int) { return BatchStyle{"2.0", true}; });
    run([](int) { return BatchStyle{std::nullopt, false}; });
    run([](int idx) {
        return BatchStyle{idx % 2 ? std::optional<std::string>{"2.0"} : std::nullopt, false};
    });
    run([](int) { return BatchStyle{std::nullopt, true}; });
    run([](int) { return BatchStyle{"1.0", false}; });
}

TEST_F(DispatchTest, BatchEdgeCases)
{
    // Empty batch: [] with 200, for old clients.
    auto answer = Post("[]");
    EXPECT_EQ(answer.status, 200);
    EXPECT_EQ(answer.raw, "[]\n");

    // Unsupported version: each member fails on its own, in the legacy shape.
    answer = Post(R"([{"jsonrpc":"2.1","method":"getblockcount","id":1}])");
    EXPECT_EQ(answer.status, 200);
    EXPECT_EQ(answer.body, Json::parse(R"([{"result":null,"error":{"code":-32600,
        "message":"JSON-RPC version not supported"},"id":1}])"));

    // Non-object members are invalid requests with a null id.
    answer =
        Post(R"([5, {"jsonrpc":"2.0","method":"bump"}, "x", {"method":"getblockcount","id":2}])");
    EXPECT_EQ(answer.status, 200);
    EXPECT_EQ(answer.body, Json::parse(R"([
        {"result":null,"error":{"code":-32600,"message":"Invalid Request object"},"id":null},
        {"result":null,"error":{"code":-32600,"message":"Invalid Request object"},"id":null},
        {"result":42,"error":null,"id":2}])"));
    EXPECT_EQ(m_calls->load(), 1);

    // Named parameters and errors inside a batch.
    answer = Post(R"([{"jsonrpc":"2.0","id":1,"method":"getblockhash","params":{"height":3}},
                     {"jsonrpc":"2.0","id":2,"method":"getblockhash","params":{"heigth":3}},
                     {"jsonrpc":"2.0","id":3,"method":"explode"}])");
    EXPECT_EQ(answer.status, 200);
    ASSERT_EQ(answer.body.size(), 3u);
    EXPECT_EQ(answer.body[0]["result"], "hash3");
    EXPECT_EQ(answer.body[1]["error"], ErrorJson(-8, "Unknown named parameter heigth"));
    EXPECT_EQ(answer.body[2]["error"], ErrorJson(-1, "kaboom"));
}

TEST_F(DispatchTest, ParameterErrorsThroughDispatch)
{
    auto answer = Post(R"({"id":1,"method":"getblockhash","params":["0"]})");
    EXPECT_EQ(answer.status, 500);
    EXPECT_EQ(answer.body["error"]["code"], -3);
    EXPECT_EQ(answer.body["error"]["message"],
              "Wrong type passed:\n{\n    \"Position 1 (height)\": \"JSON value of type string "
              "is not of expected type number\"\n}");

    // Too many parameters: the method's help is the error, code -1.
    answer = Post(R"({"id":1,"method":"getblockhash","params":[0,1]})");
    EXPECT_EQ(answer.status, 500);
    EXPECT_EQ(answer.body["error"]["code"], -1);
    EXPECT_EQ(answer.body["error"]["message"], m_table.Find("getblockhash")->HelpText());

    answer = Post(R"({"id":1,"method":"getblockhash","params":{"height":0,"extra":1}})");
    EXPECT_EQ(answer.body["error"], ErrorJson(-8, "Unknown named parameter extra"));

    answer = Post(R"({"id":1,"method":"getblockhash","params":{"args":[1],"height":2}})");
    EXPECT_EQ(answer.body["error"],
              ErrorJson(-8, "Parameter height specified twice both as positional and named "
                            "argument"));

    // A named parameter given twice is refused, whatever the values (Core v28).
    answer = Post(R"({"id":1,"method":"getblockhash","params":{"height":2,"height":2}})");
    EXPECT_EQ(answer.body["error"], ErrorJson(-8, "Parameter height specified multiple times"));
    // Only the params object is checked; a repeated key elsewhere keeps the last value.
    answer = Post(R"({"id":1,"id":7,"method":"getblockhash","params":{"height":4}})");
    EXPECT_EQ(answer.body["result"], "hash4");
    EXPECT_EQ(answer.body["id"], 7);

    answer = Post(R"({"id":1,"method":"getblockhash","params":{"args":[5]}})");
    EXPECT_EQ(answer.body["result"], "hash5");

    // Named call leaving out a required argument: type error on the null in its place.
    answer = Post(R"({"id":1,"method":"getblockhash","params":{}})");
    EXPECT_EQ(answer.body["error"]["code"], -1);

    answer = Post(R"({"id":1,"method":"explode"})");
    EXPECT_EQ(answer.status, 500);
    EXPECT_EQ(answer.body["error"], ErrorJson(-1, "kaboom"));
}

TEST_F(DispatchTest, EchoAndEchojson)
{
    auto answer = Post(R"({"id":1,"method":"echo","params":["a",1,{"b":[null]},true]})");
    EXPECT_EQ(answer.body["result"], Json::parse(R"(["a",1,{"b":[null]},true])"));

    answer = Post(R"({"id":1,"method":"echojson","params":{"arg2":"x"}})");
    EXPECT_EQ(answer.body["result"], Json::parse(R"([null,null,"x"])"));

    answer = Post(R"({"id":1,"method":"echo","params":{"args":[1,2],"arg3":4}})");
    EXPECT_EQ(answer.body["result"], Json::parse(R"([1,2,null,4])"));

    answer = Post(R"({"id":1,"method":"echo","params":[0,1,2,3,4,5,6,7,8,9,10]})");
    EXPECT_EQ(answer.body["error"]["code"], -1);
    EXPECT_EQ(answer.body["error"]["message"].get<std::string>().rfind("echo ( \"arg0\" ", 0), 0u);

    answer =
        Post(R"({"id":1,"method":"echo","params":[0,1,2,3,4,5,6,7,8,"trigger_internal_bug"]})");
    EXPECT_EQ(answer.body["error"]["code"], -1);
    EXPECT_EQ(answer.body["error"]["message"].get<std::string>().rfind("Internal bug detected", 0),
              0u);
}

TEST_F(DispatchTest, HelpListsByCategory)
{
    const auto answer = Post(R"({"id":1,"method":"help"})");
    ASSERT_EQ(answer.status, 200);
    const std::string text = answer.body["result"];
    EXPECT_EQ(text, "== Blockchain ==\n"
                    "getblockcount\n"
                    "getblockhash height\n"
                    "\n"
                    "== Control ==\n"
                    "help ( \"command\" )\n"
                    "\n"
                    "== Util ==\n"
                    "bump\n"
                    "explode\n"
                    "whoami");
    EXPECT_EQ(text.find("echo"), std::string::npos);
}

TEST_F(DispatchTest, HelpForOneCommand)
{
    auto answer = Post(R"({"id":1,"method":"help","params":["getblockcount"]})");
    const std::string text = answer.body["result"];
    EXPECT_EQ(text, "getblockcount\n"
                    "\n"
                    "Returns the height of the active chain.\n"
                    "\n"
                    "Result:\n"
                    "n    (numeric) The height\n"
                    "\n"
                    "Examples:\n"
                    "> minibit-cli getblockcount \n"
                    "> curl --user myusername --data-binary '{\"jsonrpc\": \"2.0\", \"id\": "
                    "\"curltest\", \"method\": \"getblockcount\", \"params\": []}' -H "
                    "'content-type: application/json' http://127.0.0.1:8332/\n");

    answer = Post(R"({"id":1,"method":"help","params":["help"]})");
    const std::string help_help = answer.body["result"];
    EXPECT_EQ(help_help.rfind("help ( \"command\" )\n\n", 0), 0u);
    EXPECT_NE(help_help.find("\nArguments:\n1. command    (string, optional, default=all "
                             "commands) "),
              std::string::npos);
    EXPECT_NE(help_help.find("\nResult:\n\"str\"    (string) "), std::string::npos);

    // Hidden methods are not listed but do have help.
    answer = Post(R"({"id":1,"method":"help","params":["echo"]})");
    EXPECT_EQ(answer.body["result"].get<std::string>().rfind("echo ( \"arg0\" \"arg1\" ", 0), 0u);

    answer = Post(R"({"id":1,"method":"help","params":["nosuch"]})");
    EXPECT_EQ(answer.body["result"], "help: unknown command: nosuch");

    answer = Post(R"({"id":1,"method":"help","params":[5]})");
    EXPECT_EQ(answer.body["error"]["code"], -3);

    answer = Post(R"({"id":1,"method":"help","params":{"command":"bump"}})");
    EXPECT_EQ(answer.body["result"].get<std::string>().rfind("bump\n\nCounts calls.\n", 0), 0u);
}

TEST_F(DispatchTest, HelpUsesConfiguredPort)
{
    rpc::MethodTable regtest{rpc::TableOptions{.example_port = 18443}};
    regtest.RegisterBuiltins();
    ASSERT_TRUE(
        regtest.Register(rpc::Method{"ping",
                                     "network",
                                     "Pings.",
                                     {},
                                     {ResultDoc{ResultType::NONE, "", ""}},
                                     rpc::HelpExampleRpc("ping", ""),
                                     [](const rpc::Request&) -> rpc::Result { return Json(); }}));
    regtest.FinishWarmup();
    const std::string text = regtest.Help("ping");
    EXPECT_NE(text.find("http://127.0.0.1:18443/"), std::string::npos);
    EXPECT_EQ(text.find("8332"), std::string::npos);
}

TEST_F(DispatchTest, WarmupAnswers28ForEverything)
{
    rpc::MethodTable warming;
    warming.RegisterBuiltins();
    std::string status;
    EXPECT_TRUE(warming.InWarmup(&status));
    EXPECT_EQ(status, "RPC server started");

    auto reply = warming.Dispatch(R"({"method":"help","id":1})", {});
    EXPECT_EQ(reply.status, 500);
    EXPECT_EQ(reply.body, "{\"result\":null,\"error\":{\"code\":-28,\"message\":\"RPC server "
                          "started\"},\"id\":1}\n");

    warming.SetWarmupStatus("Loading block index…");
    for (const char* body : {R"({"method":"echo","id":1})", R"({"method":"nosuchmethod","id":1})",
                             R"({"method":"help","params":["bad","args","count"],"id":1})"}) {
        reply = warming.Dispatch(body, {});
        EXPECT_EQ(reply.status, 500) << body;
        EXPECT_EQ(Json::parse(reply.body)["error"], ErrorJson(-28, "Loading block index…"));
    }
    reply = warming.Dispatch(R"({"jsonrpc":"2.0","method":"help","id":1})", {});
    EXPECT_EQ(reply.status, 200);
    EXPECT_EQ(Json::parse(reply.body)["error"]["code"], -28);

    reply = warming.Dispatch(R"([{"method":"help","id":1},{"method":"echo","id":2}])", {});
    EXPECT_EQ(reply.status, 200);
    for (const auto& member : Json::parse(reply.body))
        EXPECT_EQ(member["error"]["code"], -28);

    warming.FinishWarmup();
    EXPECT_FALSE(warming.InWarmup());
    reply = warming.Dispatch(R"({"method":"echo","params":[1],"id":1})", {});
    EXPECT_EQ(reply.status, 200);
    EXPECT_EQ(Json::parse(reply.body)["result"], Json::parse("[1]"));
}

TEST_F(DispatchTest, WhitelistForbids)
{
    rpc::Context limited;
    limited.user = "alice";
    limited.allowed = [](std::string_view method) { return method == "getblockcount"; };

    auto answer = Post(R"({"method":"getblockcount","id":1})", limited);
    EXPECT_EQ(answer.status, 200);
    EXPECT_EQ(answer.body["result"], 42);

    answer = Post(R"({"method":"bump","id":1})", limited);
    EXPECT_EQ(answer.status, 403);
    EXPECT_TRUE(answer.raw.empty());
    EXPECT_EQ(m_calls->load(), 0);

    // 2.0 does not change a refusal into a 200.
    answer = Post(R"({"jsonrpc":"2.0","method":"bump","id":1})", limited);
    EXPECT_EQ(answer.status, 403);

    // One forbidden member refuses the whole batch before anything runs.
    answer = Post(R"([{"method":"getblockcount","id":1},{"method":"bump","id":2}])", limited);
    EXPECT_EQ(answer.status, 403);
    EXPECT_EQ(m_calls->load(), 0);

    answer =
        Post(R"([{"method":"getblockcount","id":1},{"method":"getblockcount","id":2}])", limited);
    EXPECT_EQ(answer.status, 200);
    EXPECT_EQ(answer.body.size(), 2u);

    answer = Post(R"([{"method":"getblockcount","id":1}, 7])", limited);
    EXPECT_EQ(answer.status, 400);
    EXPECT_EQ(answer.body["error"], ErrorJson(-32600, "Invalid Request object"));

    answer = Post(R"([{"id":1}])", limited);
    EXPECT_EQ(answer.status, 500);
    EXPECT_EQ(answer.body["error"],
              ErrorJson(-32700, "JSON value of type null is not of expected type string"));

    rpc::Context nobody;
    nobody.allowed = [](std::string_view) { return false; };
    EXPECT_EQ(Post(R"({"method":"help","id":1})", nobody).status, 403);
    // A body that is not JSON is still a parse error, as in Core.
    EXPECT_EQ(Post("garbage", nobody).status, 500);
}

TEST_F(DispatchTest, ContextReachesHandler)
{
    rpc::Context context;
    context.user = "__cookie__";
    context.uri = "/wallet/w1";
    const auto answer = Post(R"({"method":"whoami","id":1})", context);
    EXPECT_EQ(answer.body["result"], "__cookie__ /wallet/w1");
}

TEST_F(DispatchTest, RegistrationRules)
{
    EXPECT_FALSE(m_table.Register(rpc::Method{
        "getblockcount", "blockchain", "dup", {}, {}, "", [](const rpc::Request&) -> rpc::Result {
            return Json();
        }}));
    EXPECT_FALSE(m_table.Register(rpc::Method{"nohandler", "util", "", {}, {}, "", nullptr}));
    EXPECT_EQ(m_table.Find("nohandler"), nullptr);
    const auto names = m_table.MethodNames();
    EXPECT_EQ(names, (std::vector<std::string>{"bump", "echo", "echojson", "explode",
                                               "getblockcount", "getblockhash", "help", "whoami"}));
}

TEST_F(DispatchTest, ResultsKeepFieldOrder)
{
    rpc::MethodTable table;
    ASSERT_TRUE(table.Register(rpc::Method{"ordered",
                                           "util",
                                           "",
                                           {},
                                           {ResultDoc{ResultType::ANY, "", ""}},
                                           "",
                                           [](const rpc::Request&) -> rpc::Result {
                                               Json out = Json::object();
                                               out["chain"] = "main";
                                               out["blocks"] = 1;
                                               out["bestblockhash"] = "00";
                                               return out;
                                           }}));
    table.FinishWarmup();
    EXPECT_EQ(table.Dispatch(R"({"method":"ordered","id":1})", {}).body,
              "{\"result\":{\"chain\":\"main\",\"blocks\":1,\"bestblockhash\":\"00\"},"
              "\"error\":null,\"id\":1}\n");
}

} // namespace
