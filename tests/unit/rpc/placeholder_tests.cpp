#include <gtest/gtest.h>
TEST(RpcPlaceholder, Builds) { SUCCEED(); }
