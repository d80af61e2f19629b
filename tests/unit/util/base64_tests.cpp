// util::EncodeBase64/DecodeBase64: RFC 4648's examples and Core's strictness.
#include <util/base64.h>

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace {

TEST(Base64, Rfc4648Vectors)
{
    const std::vector<std::pair<std::string, std::string>> cases{
        {"", ""},
        {"f", "Zg=="},
        {"fo", "Zm8="},
        {"foo", "Zm9v"},
        {"foob", "Zm9vYg=="},
        {"fooba", "Zm9vYmE="},
        {"foobar", "Zm9vYmFy"},
    };
    for (const auto& [plain, enc] : cases) {
        const std::vector<uint8_t> bytes(plain.begin(), plain.end());
        EXPECT_EQ(util::EncodeBase64(bytes), enc);
        const auto dec = util::DecodeBase64(enc);
        ASSERT_TRUE(dec.has_value()) << enc;
        EXPECT_EQ(*dec, bytes);
    }
}

TEST(Base64, MalformedTextIsRejected)
{
    for (const char* bad :
         {"Zg", "Zg=", "Z===", "Zh==", "Zm9=", "Zm9v!A==", "====", "Zg==Zg==", " Zm9v"}) {
        EXPECT_FALSE(util::DecodeBase64(bad).has_value()) << bad;
    }
    for (const char* bad : {"Zm9", "Zm9v\n", "Zm 9v", "Zm9v====", "=Zm9", "Zm-v", "Zm_v", "****"})
        EXPECT_FALSE(util::DecodeBase64(bad).has_value()) << bad;
    // Every prefix of a valid encoding whose length is not a multiple of 4 fails.
    const std::string good{"YWxpY2U6Y29ycmVjdCBob3JzZSBiYXR0ZXJ5IHN0YXBsZQ=="};
    for (size_t len = 0; len < good.size(); ++len) {
        if (len % 4 == 0) continue;
        EXPECT_FALSE(util::DecodeBase64(good.substr(0, len)).has_value()) << len;
    }
}

TEST(Base64, BinaryAndTextRoundTrip)
{
    const std::vector<uint8_t> bytes{0x00, 0xff, 0x10, 0x80, 0x7f};
    const auto back = util::DecodeBase64(util::EncodeBase64(bytes));
    ASSERT_TRUE(back.has_value());
    EXPECT_EQ(*back, bytes);
    EXPECT_EQ(util::EncodeBase64(std::string_view{"alice:correct horse battery staple"}),
              "YWxpY2U6Y29ycmVjdCBob3JzZSBiYXR0ZXJ5IHN0YXBsZQ==");
}

} // namespace
