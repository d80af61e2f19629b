// util::WriteFileAtomically: the whole new file or the old one, never a mix, and no
// temporary left behind.
#include <util/fs.h>

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <sys/stat.h>
#include <unistd.h>
#include <vector>

namespace {

class AtomicWriteTest : public ::testing::Test
{
protected:
    void SetUp() override
    {
        m_dir = std::filesystem::temp_directory_path() /
                ("minibit_fs_test_" + std::to_string(getpid()));
        std::filesystem::create_directories(m_dir);
    }
    void TearDown() override { std::filesystem::remove_all(m_dir); }

    static std::string Read(const std::filesystem::path& path)
    {
        std::ifstream in{path, std::ios::binary};
        return {std::istreambuf_iterator<char>{in}, std::istreambuf_iterator<char>{}};
    }
    static std::vector<uint8_t> Bytes(const std::string& text)
    {
        return {text.begin(), text.end()};
    }

    std::filesystem::path m_dir;
};

TEST_F(AtomicWriteTest, CreatesAndReplacesWithoutLeavingTheTemporary)
{
    const auto file = m_dir / "peers.dat";
    ASSERT_TRUE(util::WriteFileAtomically(file, Bytes("first version, longer"), 0600));
    EXPECT_EQ(Read(file), "first version, longer");
    struct stat st
    {};
    ASSERT_EQ(::stat(file.c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0600u);

    ASSERT_TRUE(util::WriteFileAtomically(file, Bytes("second")));
    EXPECT_EQ(Read(file), "second"); // replaced, not overwritten in place
    EXPECT_FALSE(std::filesystem::exists(m_dir / "peers.dat.new"));

    ASSERT_TRUE(util::WriteFileAtomically(file, {}));
    EXPECT_EQ(std::filesystem::file_size(file), 0u);
}

TEST_F(AtomicWriteTest, FailureNamesTheFileAndKeepsTheOldOne)
{
    const auto missing = m_dir / "no-such-dir" / "banlist.json";
    const auto result = util::WriteFileAtomically(missing, Bytes("x"));
    ASSERT_FALSE(result);
    EXPECT_NE(result.error().message.find("banlist.json.new"), std::string::npos)
        << result.error().message;

    // The rename fails when the target is a directory: the temporary goes, the target stays.
    const auto dir_target = m_dir / "taken";
    std::filesystem::create_directories(dir_target / "inside");
    const auto renamed = util::WriteFileAtomically(dir_target, Bytes("x"));
    ASSERT_FALSE(renamed);
    EXPECT_NE(renamed.error().message.find("rename"), std::string::npos);
    EXPECT_FALSE(std::filesystem::exists(m_dir / "taken.new"));
    EXPECT_TRUE(std::filesystem::is_directory(dir_target / "inside"));
}

} // namespace
