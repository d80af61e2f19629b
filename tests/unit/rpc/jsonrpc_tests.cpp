#include <rpc/jsonrpc.h>

#include <gtest/gtest.h>

#include <string>

namespace {

using rpc::Json;
using rpc::JsonRequest;
using rpc::JsonRpcVersion;
using rpc::ParseJsonBody;
using rpc::ParseRequest;
using rpc::RpcError;

// Parses `text` as a request object; the test data is always valid JSON.
std::optional<RpcError> ParseText(const std::string& text, JsonRequest& out)
{
    return ParseRequest(Json::parse(text), out);
}

TEST(JsonRpcBody, ParsesObjectsArraysAndScalars)
{
    const auto object = ParseJsonBody(R"({"method":"getblockcount","params":[1,"a"],"id":7})");
    ASSERT_TRUE(object);
    EXPECT_EQ(object.value()["method"], "getblockcount");
    EXPECT_EQ(object.value()["params"][1], "a");

    const auto array = ParseJsonBody(R"([{"method":"a"},{"method":"b"}])");
    ASSERT_TRUE(array);
    EXPECT_EQ(array.value().size(), 2u);

    const auto scalar = ParseJsonBody("  42 \n");
    ASSERT_TRUE(scalar);
    EXPECT_EQ(scalar.value(), 42);
}

TEST(JsonRpcBody, RejectsGarbageWithParseError)
{
    for (const std::string bad : {"", " ", "this is bad", "{", "{\"a\":}", "[1,]", "{} {}", "nul",
                                  "\"unterminated", "{\"a\" 1}", "[1 2]"}) {
        const auto parsed = ParseJsonBody(bad);
        ASSERT_FALSE(parsed) << bad;
        EXPECT_EQ(parsed.error().code, rpc::RPC_PARSE_ERROR) << bad;
        EXPECT_EQ(parsed.error().message, "Parse error") << bad;
    }
}

TEST(JsonRpcBody, EveryTruncationFailsCleanly)
{
    const std::string body =
        R"({"jsonrpc":"2.0","id":[1,{"x":null}],"method":"echo","params":{"a":"\u00e9\n","b":-1.5e3,"c":[true,false]}})";
    ASSERT_TRUE(ParseJsonBody(body));
    for (size_t len{0}; len < body.size(); ++len) {
        const auto parsed = ParseJsonBody(std::string_view{body}.substr(0, len));
        ASSERT_FALSE(parsed) << "prefix length " << len;
        EXPECT_EQ(parsed.error().code, rpc::RPC_PARSE_ERROR);
    }
}

TEST(JsonRpcBody, NestingIsCappedWithoutCrashing)
{
    const auto nested = [](size_t depth, bool closed) {
        std::string text(depth, '[');
        if (closed) text += std::string(depth, ']');
        return text;
    };
    EXPECT_TRUE(ParseJsonBody(nested(rpc::MAX_JSON_DEPTH, true)));
    EXPECT_FALSE(ParseJsonBody(nested(rpc::MAX_JSON_DEPTH + 1, true)));
    EXPECT_FALSE(ParseJsonBody(nested(100000, false)));
    EXPECT_FALSE(ParseJsonBody(nested(100000, true)));

    std::string objects;
    for (int i{0}; i < 100000; ++i)
        objects += "{\"a\":";
    EXPECT_FALSE(ParseJsonBody(objects));
}

TEST(JsonRpcBody, LargeFlatBodiesParse)
{
    // Size alone is not an error here; the dispatcher enforces the byte limit.
    std::string body = "[";
    for (int i{0}; i < 200000; ++i)
        body += "1,";
    body += "1]";
    const auto parsed = ParseJsonBody(body);
    ASSERT_TRUE(parsed);
    EXPECT_EQ(parsed.value().size(), 200001u);
}

TEST(JsonRpcBody, InvalidUtf8IsAParseError)
{
    EXPECT_FALSE(ParseJsonBody("{\"method\":\"\xff\xfe\"}"));
    EXPECT_FALSE(ParseJsonBody("\"\xc3\""));
    EXPECT_TRUE(ParseJsonBody("\"\xc3\xa9\""));
}

TEST(JsonRpcRequest, FullRequestIsParsed)
{
    JsonRequest request;
    EXPECT_FALSE(ParseText(R"({"jsonrpc":"2.0","id":"x","method":"m","params":{"a":1}})", request));
    EXPECT_EQ(request.version, JsonRpcVersion::V2);
    ASSERT_TRUE(request.id.has_value());
    EXPECT_EQ(*request.id, "x");
    EXPECT_EQ(request.method, "m");
    EXPECT_TRUE(request.params.is_object());
    EXPECT_FALSE(request.IsNotification());
}

TEST(JsonRpcRequest, VersionDetection)
{
    JsonRequest request;
    EXPECT_FALSE(ParseText(R"({"method":"m","id":1})", request));
    EXPECT_EQ(request.version, JsonRpcVersion::V1_LEGACY);
    EXPECT_FALSE(ParseText(R"({"jsonrpc":"1.0","method":"m","id":1})", request));
    EXPECT_EQ(request.version, JsonRpcVersion::V1_LEGACY);
    EXPECT_FALSE(ParseText(R"({"jsonrpc":null,"method":"m","id":1})", request));
    EXPECT_EQ(request.version, JsonRpcVersion::V1_LEGACY);
    // A "version" key (JSON-RPC 1.1 style) is not looked at.
    EXPECT_FALSE(ParseText(R"({"version":"1.1","method":"m","id":1})", request));
    EXPECT_EQ(request.version, JsonRpcVersion::V1_LEGACY);
    EXPECT_FALSE(ParseText(R"({"jsonrpc":"2.0","method":"m","id":1})", request));
    EXPECT_EQ(request.version, JsonRpcVersion::V2);

    for (const std::string bad_version : {"\"1.1\"", "\"2.1\"", "\"3.0\"", "\"\""}) {
        JsonRequest r;
        const auto error = ParseText(R"({"jsonrpc":)" + bad_version + R"(,"method":"m"})", r);
        ASSERT_TRUE(error) << bad_version;
        EXPECT_EQ(error->code, rpc::RPC_INVALID_REQUEST);
        EXPECT_EQ(error->message, "JSON-RPC version not supported");
        EXPECT_EQ(r.version, JsonRpcVersion::V1_LEGACY);
    }
    for (const std::string bad_type : {"2", "2.0", "true", "[]", "{}"}) {
        JsonRequest r;
        const auto error = ParseText(R"({"jsonrpc":)" + bad_type + R"(,"method":"m"})", r);
        ASSERT_TRUE(error) << bad_type;
        EXPECT_EQ(error->code, rpc::RPC_INVALID_REQUEST);
        EXPECT_EQ(error->message, "jsonrpc field must be a string");
    }
}

TEST(JsonRpcRequest, IdPresenceDecidesNotification)
{
    JsonRequest request;
    EXPECT_FALSE(ParseText(R"({"jsonrpc":"2.0","method":"m"})", request));
    EXPECT_FALSE(request.id.has_value());
    EXPECT_TRUE(request.IsNotification());

    EXPECT_FALSE(ParseText(R"({"jsonrpc":"2.0","method":"m","id":null})", request));
    ASSERT_TRUE(request.id.has_value());
    EXPECT_TRUE(request.id->is_null());
    EXPECT_FALSE(request.IsNotification());

    // Legacy requests without an id are still answered.
    EXPECT_FALSE(ParseText(R"({"method":"m"})", request));
    EXPECT_FALSE(request.id.has_value());
    EXPECT_FALSE(request.IsNotification());

    // Any JSON value is a valid id and is kept as given.
    EXPECT_FALSE(ParseText(R"({"method":"m","id":{"k":[1,2]}})", request));
    EXPECT_EQ(*request.id, Json::parse(R"({"k":[1,2]})"));
}

TEST(JsonRpcRequest, EnvelopeTypeErrors)
{
    struct Case
    {
        std::string text;
        std::string message;
    };
    const Case cases[] = {
        {R"([])", "Invalid Request object"},
        {R"("method")", "Invalid Request object"},
        {R"({"id":1})", "Missing method"},
        {R"({"id":1,"method":null})", "Missing method"},
        {R"({"id":1,"method":5})", "Method must be a string"},
        {R"({"id":1,"method":["a"]})", "Method must be a string"},
        {R"({"id":1,"method":{}})", "Method must be a string"},
        {R"({"id":1,"method":"m","params":"a"})", "Params must be an array or object"},
        {R"({"id":1,"method":"m","params":3})", "Params must be an array or object"},
        {R"({"id":1,"method":"m","params":true})", "Params must be an array or object"},
    };
    for (const auto& c : cases) {
        JsonRequest request;
        const auto error = ParseText(c.text, request);
        ASSERT_TRUE(error) << c.text;
        EXPECT_EQ(error->code, rpc::RPC_INVALID_REQUEST) << c.text;
        EXPECT_EQ(error->message, c.message) << c.text;
    }
}

TEST(JsonRpcRequest, ErrorsKeepWhatWasReadBefore)
{
    JsonRequest request;
    ASSERT_TRUE(ParseText(R"({"jsonrpc":"2.0","id":9,"method":5})", request));
    EXPECT_EQ(request.version, JsonRpcVersion::V2);
    EXPECT_EQ(*request.id, 9);

    JsonRequest not_object;
    ASSERT_TRUE(ParseRequest(Json::array(), not_object));
    ASSERT_TRUE(not_object.id.has_value());
    EXPECT_TRUE(not_object.id->is_null());
}

TEST(JsonRpcRequest, NullParamsBecomeEmptyArray)
{
    JsonRequest request;
    EXPECT_FALSE(ParseText(R"({"method":"m","params":null})", request));
    EXPECT_EQ(request.params, Json::array());
    EXPECT_FALSE(ParseText(R"({"method":"m"})", request));
    EXPECT_EQ(request.params, Json::array());
}

TEST(JsonRpcReply, LegacyCarriesResultErrorAndId)
{
    EXPECT_EQ(rpc::WriteJson(rpc::MakeReply(Json(5), Json(1), JsonRpcVersion::V1_LEGACY)),
              R"({"result":5,"error":null,"id":1})");
    EXPECT_EQ(
        rpc::WriteJson(rpc::MakeReply(RpcError{-8, "bad"}, Json("a"), JsonRpcVersion::V1_LEGACY)),
        R"({"result":null,"error":{"code":-8,"message":"bad"},"id":"a"})");
    EXPECT_EQ(
        rpc::WriteJson(rpc::MakeReply(Json(nullptr), std::nullopt, JsonRpcVersion::V1_LEGACY)),
        R"({"result":null,"error":null})");
}

TEST(JsonRpcReply, V2CarriesOnlyOneOfResultAndError)
{
    EXPECT_EQ(rpc::WriteJson(rpc::MakeReply(Json(nullptr), Json(1), JsonRpcVersion::V2)),
              R"({"jsonrpc":"2.0","result":null,"id":1})");
    EXPECT_EQ(
        rpc::WriteJson(rpc::MakeReply(RpcError{-32601, "Method not found"}, Json(nullptr),
                                      JsonRpcVersion::V2)),
        R"({"jsonrpc":"2.0","error":{"code":-32601,"message":"Method not found"},"id":null})");
}

TEST(JsonRpcReply, LegacyStatusCodes)
{
    EXPECT_EQ(rpc::LegacyErrorStatus(rpc::RPC_INVALID_REQUEST), 400);
    EXPECT_EQ(rpc::LegacyErrorStatus(rpc::RPC_METHOD_NOT_FOUND), 404);
    EXPECT_EQ(rpc::LegacyErrorStatus(rpc::RPC_PARSE_ERROR), 500);
    EXPECT_EQ(rpc::LegacyErrorStatus(rpc::RPC_INVALID_PARAMETER), 500);
    EXPECT_EQ(rpc::LegacyErrorStatus(rpc::RPC_IN_WARMUP), 500);
    EXPECT_EQ(rpc::LegacyErrorStatus(rpc::RPC_MISC_ERROR), 500);
}

TEST(JsonRpcReply, CoreErrorNumbers)
{
    // The numbers clients match on, as listed in Bitcoin Core's rpc/protocol.h.
    EXPECT_EQ(rpc::RPC_PARSE_ERROR, -32700);
    EXPECT_EQ(rpc::RPC_INVALID_REQUEST, -32600);
    EXPECT_EQ(rpc::RPC_METHOD_NOT_FOUND, -32601);
    EXPECT_EQ(rpc::RPC_INVALID_PARAMS, -32602);
    EXPECT_EQ(rpc::RPC_INTERNAL_ERROR, -32603);
    EXPECT_EQ(rpc::RPC_MISC_ERROR, -1);
    EXPECT_EQ(rpc::RPC_TYPE_ERROR, -3);
    EXPECT_EQ(rpc::RPC_WALLET_ERROR, -4);
    EXPECT_EQ(rpc::RPC_INVALID_ADDRESS_OR_KEY, -5);
    EXPECT_EQ(rpc::RPC_INVALID_PARAMETER, -8);
    EXPECT_EQ(rpc::RPC_CLIENT_IN_INITIAL_DOWNLOAD, -10);
    EXPECT_EQ(rpc::RPC_WALLET_NOT_FOUND, -18);
    EXPECT_EQ(rpc::RPC_DATABASE_ERROR, -20);
    EXPECT_EQ(rpc::RPC_DESERIALIZATION_ERROR, -22);
    EXPECT_EQ(rpc::RPC_VERIFY_ERROR, -25);
    EXPECT_EQ(rpc::RPC_VERIFY_REJECTED, -26);
    EXPECT_EQ(rpc::RPC_VERIFY_ALREADY_IN_CHAIN, -27);
    EXPECT_EQ(rpc::RPC_IN_WARMUP, -28);
    EXPECT_EQ(rpc::RPC_METHOD_DEPRECATED, -32);
    EXPECT_EQ(rpc::RPC_CLIENT_MEMPOOL_DISABLED, -33);
    EXPECT_EQ(rpc::RPC_WALLET_ALREADY_EXISTS, -36);
}

TEST(JsonRpcReply, TypeNamesMatchUniValue)
{
    EXPECT_EQ(rpc::JsonTypeName(Json()), "null");
    EXPECT_EQ(rpc::JsonTypeName(Json(true)), "bool");
    EXPECT_EQ(rpc::JsonTypeName(Json::object()), "object");
    EXPECT_EQ(rpc::JsonTypeName(Json::array()), "array");
    EXPECT_EQ(rpc::JsonTypeName(Json("s")), "string");
    EXPECT_EQ(rpc::JsonTypeName(Json(-1)), "number");
    EXPECT_EQ(rpc::JsonTypeName(Json(1u)), "number");
    EXPECT_EQ(rpc::JsonTypeName(Json(1.5)), "number");
}

TEST(JsonRpcReply, WriteJsonReplacesInvalidUtf8)
{
    const std::string text = rpc::WriteJson(Json(std::string("a\xff")));
    EXPECT_EQ(text, "\"a\xef\xbf\xbd\"");
}

} // namespace
