#include <util/logging.h>
#include <util/time.h>

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <unistd.h>
#include <vector>

namespace {

using util::LogCategory;
using util::LogLevel;
using namespace std::chrono;

// 2024-05-01T12:34:56.000789Z
const system_clock::time_point FIXED_TIME{seconds{1714566896} + microseconds{789}};

TEST(LoggingTest, Iso8601Timestamps)
{
    EXPECT_EQ(util::FormatISO8601DateTime(FIXED_TIME), "2024-05-01T12:34:56Z");
    EXPECT_EQ(util::FormatISO8601DateTime(FIXED_TIME, true), "2024-05-01T12:34:56.000789Z");
    EXPECT_EQ(util::FormatISO8601DateTime(system_clock::time_point{}), "1970-01-01T00:00:00Z");
    EXPECT_EQ(util::FormatISO8601DateTime(system_clock::time_point{seconds{-1}}, true),
              "1969-12-31T23:59:59.000000Z");
}

TEST(LoggingTest, LineFormatFollowsCore)
{
    struct Case
    {
        LogCategory category;
        LogLevel level;
        std::string expected;
    };
    const std::vector<Case> cases{
        {LogCategory::NONE, LogLevel::INFO, "2024-05-01T12:34:56Z msg\n"},
        {LogCategory::NONE, LogLevel::WARNING, "2024-05-01T12:34:56Z [warning] msg\n"},
        {LogCategory::NONE, LogLevel::ERROR, "2024-05-01T12:34:56Z [error] msg\n"},
        {LogCategory::NET, LogLevel::DEBUG, "2024-05-01T12:34:56Z [net] msg\n"},
        {LogCategory::NET, LogLevel::TRACE, "2024-05-01T12:34:56Z [net:trace] msg\n"},
        {LogCategory::VALIDATION, LogLevel::INFO, "2024-05-01T12:34:56Z [validation:info] msg\n"},
        {LogCategory::RPC, LogLevel::WARNING, "2024-05-01T12:34:56Z [rpc:warning] msg\n"},
    };
    for (const auto& c : cases) {
        EXPECT_EQ(util::FormatLogLine(FIXED_TIME, c.category, c.level, "msg", {}), c.expected);
    }
    EXPECT_EQ(util::FormatLogLine(FIXED_TIME, LogCategory::NONE, LogLevel::INFO, "m\n",
                                  {.timestamps = true, .micros = true}),
              "2024-05-01T12:34:56.000789Z m\n");
    EXPECT_EQ(util::FormatLogLine(FIXED_TIME, LogCategory::NET, LogLevel::DEBUG, "m",
                                  {.timestamps = false, .micros = false}),
              "[net] m\n");
}

TEST(LoggingTest, NamesRoundTrip)
{
    for (const std::string& name : util::LogCategoryNames()) {
        const auto category = util::ParseLogCategory(name);
        ASSERT_TRUE(category) << name;
        EXPECT_EQ(util::LogCategoryToString(*category), name);
    }
    EXPECT_EQ(util::ParseLogCategory("all"), LogCategory::ALL);
    EXPECT_EQ(util::ParseLogCategory("1"), LogCategory::ALL);
    EXPECT_EQ(util::ParseLogCategory(""), LogCategory::ALL);
    EXPECT_FALSE(util::ParseLogCategory("bogus"));
    EXPECT_FALSE(util::ParseLogCategory("NET"));
    for (const char* level : {"trace", "debug", "info", "warning", "error"}) {
        const auto parsed = util::ParseLogLevel(level);
        ASSERT_TRUE(parsed) << level;
        EXPECT_EQ(util::LogLevelToString(*parsed), level);
    }
    EXPECT_FALSE(util::ParseLogLevel("fatal"));
}

TEST(LoggingTest, CategoriesAndLevelsDecideWhatIsWritten)
{
    util::Logger logger{[] { return FIXED_TIME; }};
    EXPECT_TRUE(logger.WillLog(LogCategory::NONE, LogLevel::INFO));
    EXPECT_TRUE(logger.WillLog(LogCategory::NET, LogLevel::WARNING));
    EXPECT_FALSE(logger.WillLog(LogCategory::NET, LogLevel::DEBUG));
    EXPECT_FALSE(logger.WillLog(LogCategory::NONE, LogLevel::DEBUG));
    EXPECT_EQ(logger.EnabledCategoriesString(), "none");

    EXPECT_TRUE(logger.EnableCategory("all"));
    EXPECT_TRUE(logger.DisableCategory("rpc"));
    EXPECT_FALSE(logger.EnableCategory("bogus"));
    EXPECT_FALSE(logger.DisableCategory("bogus"));
    EXPECT_TRUE(logger.WillLog(LogCategory::NET, LogLevel::DEBUG));
    EXPECT_FALSE(logger.WillLog(LogCategory::NET, LogLevel::TRACE));
    EXPECT_FALSE(logger.WillLog(LogCategory::RPC, LogLevel::DEBUG));
    EXPECT_EQ(logger.EnabledCategoriesString().find("rpc"), std::string::npos);

    logger.SetCategoryLogLevel(LogCategory::NET, LogLevel::TRACE);
    EXPECT_TRUE(logger.WillLog(LogCategory::NET, LogLevel::TRACE));
    EXPECT_FALSE(logger.WillLog(LogCategory::MEMPOOL, LogLevel::TRACE));
    logger.SetLogLevel(LogLevel::INFO);
    EXPECT_FALSE(logger.WillLog(LogCategory::MEMPOOL, LogLevel::DEBUG));
    EXPECT_TRUE(logger.WillLog(LogCategory::NET, LogLevel::DEBUG));
}

class LoggerFileTest : public ::testing::Test
{
protected:
    void SetUp() override
    {
        m_dir = std::filesystem::temp_directory_path() /
                ("minibit_logging_test_" + std::to_string(getpid()));
        std::filesystem::create_directories(m_dir);
    }
    void TearDown() override { std::filesystem::remove_all(m_dir); }
    std::vector<std::string> ReadLines(const std::filesystem::path& path)
    {
        std::ifstream in{path};
        std::vector<std::string> lines;
        for (std::string line; std::getline(in, line);)
            lines.push_back(line);
        return lines;
    }
    std::filesystem::path m_dir;
};

TEST_F(LoggerFileTest, BuffersUntilStartThenAppends)
{
    const auto path = m_dir / "debug.log";
    std::ofstream{path} << "old line\n";
    {
        util::Logger logger{[] { return FIXED_TIME; }};
        logger.Info("before start");
        logger.Debug(LogCategory::NET, "hidden: net not enabled");
        ASSERT_TRUE(logger.EnableCategory("net"));
        logger.Debug(LogCategory::NET, "shown");
        ASSERT_TRUE(logger.Start({.file = path, .print_to_console = false, .format = {}}));
        EXPECT_FALSE(logger.Start({.file = path, .print_to_console = false, .format = {}}));
        logger.Warning("after start");
        logger.Stop();
        logger.Info("after stop is dropped");
    }
    EXPECT_EQ(ReadLines(path), (std::vector<std::string>{
                                   "old line",
                                   "2024-05-01T12:34:56Z before start",
                                   "2024-05-01T12:34:56Z [net] shown",
                                   "2024-05-01T12:34:56Z [warning] after start",
                               }));
}

TEST_F(LoggerFileTest, UnopenableFileIsAnError)
{
    util::Logger logger;
    auto result = logger.Start(
        {.file = m_dir / "missing" / "debug.log", .print_to_console = false, .format = {}});
    ASSERT_FALSE(result);
    EXPECT_NE(result.error().message.find("Could not open debug log file"), std::string::npos);
}

TEST_F(LoggerFileTest, ReopenFollowsRotation)
{
    const auto path = m_dir / "debug.log";
    util::Logger logger{[] { return FIXED_TIME; }};
    ASSERT_TRUE(logger.Start({.file = path, .print_to_console = false, .format = {}}));
    logger.Info("one");
    std::filesystem::rename(path, m_dir / "debug.log.1");
    ASSERT_TRUE(logger.Reopen());
    logger.Info("two");
    logger.Stop();
    EXPECT_EQ(ReadLines(m_dir / "debug.log.1"),
              (std::vector<std::string>{"2024-05-01T12:34:56Z one"}));
    EXPECT_EQ(ReadLines(path), (std::vector<std::string>{"2024-05-01T12:34:56Z two"}));
}

TEST_F(LoggerFileTest, ConcurrentLinesStayWhole)
{
    const auto path = m_dir / "debug.log";
    util::Logger logger{[] { return FIXED_TIME; }};
    ASSERT_TRUE(logger.Start({.file = path, .print_to_console = false, .format = {}}));
    constexpr int THREADS = 4;
    constexpr int LINES = 500;
    std::vector<std::thread> threads;
    for (int t = 0; t < THREADS; ++t) {
        threads.emplace_back([&logger, t] {
            for (int i = 0; i < LINES; ++i) {
                logger.Info("thread " + std::to_string(t) + " line " + std::to_string(i) + " " +
                            std::string(100, 'x'));
            }
        });
    }
    for (auto& thread : threads)
        thread.join();
    logger.Stop();
    const auto lines = ReadLines(path);
    ASSERT_EQ(lines.size(), size_t{THREADS * LINES});
    for (const auto& line : lines) {
        EXPECT_TRUE(line.starts_with("2024-05-01T12:34:56Z thread ")) << line;
        EXPECT_TRUE(line.ends_with(std::string(100, 'x'))) << line;
    }
}

} // namespace
