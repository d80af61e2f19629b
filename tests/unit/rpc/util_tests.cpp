#include <rpc/util.h>

#include <consensus/amount.h>

#include <gtest/gtest.h>

#include <string>

namespace {

using rpc::Json;

// The RPC error a helper threw, for comparing code and message.
template <typename F>
rpc::RpcError ErrorOf(F&& f)
{
    try {
        f();
    } catch (const rpc::RpcException& e) {
        return e.Error();
    }
    ADD_FAILURE() << "no RpcException thrown";
    return {};
}

TEST(RpcAmount, PrintsEightDecimalsLikeCore)
{
    EXPECT_EQ(rpc::WriteJson(rpc::AmountToJson(50 * consensus::COIN)), "50.00000000");
    EXPECT_EQ(rpc::WriteJson(rpc::AmountToJson(1)), "0.00000001");
    EXPECT_EQ(rpc::WriteJson(rpc::AmountToJson(0)), "0.00000000");
    EXPECT_EQ(rpc::WriteJson(rpc::AmountToJson(-10000)), "-0.00010000");
    EXPECT_EQ(rpc::WriteJson(rpc::AmountToJson(consensus::MAX_MONEY)), "21000000.00000000");
    EXPECT_EQ(rpc::WriteJson(Json{{"value", rpc::AmountToJson(123456789)}}),
              R"({"value":1.23456789})");
    EXPECT_EQ(rpc::JsonToAmount(rpc::AmountToJson(-5)), -5);
    EXPECT_EQ(rpc::JsonToAmount(Json(5)), std::nullopt);
}

TEST(RpcAmount, ParsesNumbersAndStrings)
{
    EXPECT_EQ(rpc::AmountFromValue(Json(1)), consensus::COIN);
    EXPECT_EQ(rpc::AmountFromValue(Json::parse("0.1")), 10'000'000);
    EXPECT_EQ(rpc::AmountFromValue(Json::parse("0.00000001")), 1);
    EXPECT_EQ(rpc::AmountFromValue(Json::parse("1e-8")), 1);
    EXPECT_EQ(rpc::AmountFromValue(Json("20999999.99999999")), consensus::MAX_MONEY - 1);
    EXPECT_EQ(rpc::AmountFromValue(Json("0.5")), 50'000'000);
    EXPECT_EQ(rpc::AmountFromValue(Json::parse("21000000")), consensus::MAX_MONEY);

    EXPECT_EQ(ErrorOf([] { rpc::AmountFromValue(Json::parse("0.000000001")); }).message,
              "Invalid amount");
    EXPECT_EQ(ErrorOf([] { rpc::AmountFromValue(Json("abc")); }).message, "Invalid amount");
    EXPECT_EQ(ErrorOf([] { rpc::AmountFromValue(Json("1.2.3")); }).message, "Invalid amount");
    EXPECT_EQ(ErrorOf([] { rpc::AmountFromValue(Json::parse("-1")); }).message,
              "Amount out of range");
    EXPECT_EQ(ErrorOf([] { rpc::AmountFromValue(Json::parse("21000000.00000001")); }).message,
              "Amount out of range");
    const auto type_error = ErrorOf([] { rpc::AmountFromValue(Json(true)); });
    EXPECT_EQ(type_error.code, rpc::RPC_TYPE_ERROR);
    EXPECT_EQ(type_error.message, "Amount is not a number or string");
}

TEST(RpcParams, HashChecksLengthAndHexLikeCore)
{
    const std::string hex(64, 'a');
    EXPECT_EQ(rpc::ParseHashParam(Json(hex), "blockhash").GetHex(), hex);
    const auto short_error = ErrorOf([] { rpc::ParseHashParam(Json("abc"), "blockhash"); });
    EXPECT_EQ(short_error.code, rpc::RPC_INVALID_PARAMETER);
    EXPECT_EQ(short_error.message, "blockhash must be of length 64 (not 3, for 'abc')");
    const std::string bad(64, 'z');
    EXPECT_EQ(ErrorOf([&] { rpc::ParseHashParam(Json(bad), "txid"); }).message,
              "txid must be hexadecimal string (not '" + bad + "')");
    EXPECT_EQ(ErrorOf([] { rpc::ParseHashParam(Json(5), "txid"); }).code, rpc::RPC_TYPE_ERROR);
}

TEST(RpcParams, HexNeedsEvenLength)
{
    EXPECT_EQ(rpc::ParseHexParam(Json("00ff"), "data"), (std::vector<uint8_t>{0x00, 0xff}));
    EXPECT_EQ(ErrorOf([] { rpc::ParseHexParam(Json("abc"), "data"); }).message,
              "data must be hexadecimal string (not 'abc') and length of it must be divisible "
              "by 2");
    EXPECT_EQ(ErrorOf([] { rpc::ParseHexParam(Json("zz"), "data"); }).code,
              rpc::RPC_INVALID_PARAMETER);
}

TEST(RpcParams, VerbosityAcceptsBoolsAndIntegers)
{
    EXPECT_EQ(rpc::ParseVerbosity(Json{}, 1, 1), 1);
    EXPECT_EQ(rpc::ParseVerbosity(Json(false), 1, 1), 0);
    EXPECT_EQ(rpc::ParseVerbosity(Json(true), 0, 1), 1);
    EXPECT_EQ(rpc::ParseVerbosity(Json(3), 1, 1), 3);
    EXPECT_EQ(ErrorOf([] { rpc::ParseVerbosity(Json("1"), 1, 1); }).code, rpc::RPC_TYPE_ERROR);
}

TEST(RpcWriteJson, PrettyPrintsLikeUniValue)
{
    const Json value = Json::parse(R"({"a":1,"b":[],"c":{},"d":[1,{"e":"x"}],"f":null})");
    EXPECT_EQ(rpc::WriteJson(value), R"({"a":1,"b":[],"c":{},"d":[1,{"e":"x"}],"f":null})");
    EXPECT_EQ(rpc::WriteJson(value, 2), "{\n"
                                        "  \"a\": 1,\n"
                                        "  \"b\": [\n"
                                        "  ],\n"
                                        "  \"c\": {\n"
                                        "  },\n"
                                        "  \"d\": [\n"
                                        "    1,\n"
                                        "    {\n"
                                        "      \"e\": \"x\"\n"
                                        "    }\n"
                                        "  ],\n"
                                        "  \"f\": null\n"
                                        "}");
    EXPECT_EQ(rpc::WriteJson(Json::array(), 2), "[\n]");
    // Doubles carry 16 significant digits, and whole ones print without a fraction.
    EXPECT_EQ(rpc::WriteJson(Json(4.656542373906925e-10)), "4.656542373906925e-10");
    EXPECT_EQ(rpc::WriteJson(Json(1.0)), "1");
    EXPECT_EQ(rpc::WriteJson(Json("q\"\n")), R"("q\"\n")");
}

} // namespace
