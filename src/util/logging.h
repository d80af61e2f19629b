// The node's log: debug.log and/or the console, with Core's line format, levels
// and categories. One Logger is created by the daemon's entry point and passed
// by reference to everything that logs; there is no global instance.
#pragma once

#include <util/expected.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <deque>
#include <filesystem>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

namespace util {

/// Severity, lowest first. Info and above are always written.
enum class LogLevel
{
    TRACE,
    DEBUG,
    INFO,
    WARNING,
    ERROR
};

/// Debug categories (a subset of Bitcoin Core's names), one bit each.
enum class LogCategory : uint32_t
{
    NONE = 0,
    NET = 1u << 0,
    MEMPOOL = 1u << 1,
    HTTP = 1u << 2,
    BENCH = 1u << 3,
    RPC = 1u << 4,
    ESTIMATEFEE = 1u << 5,
    ADDRMAN = 1u << 6,
    SELECTCOINS = 1u << 7,
    REINDEX = 1u << 8,
    CMPCTBLOCK = 1u << 9,
    PRUNE = 1u << 10,
    PROXY = 1u << 11,
    MEMPOOLREJ = 1u << 12,
    COINDB = 1u << 13,
    LEVELDB = 1u << 14,
    VALIDATION = 1u << 15,
    BLOCKSTORAGE = 1u << 16,
    WALLETDB = 1u << 17,
    TXPACKAGES = 1u << 18,
    ALL = ~0u,
};

/// Parses a -debug value: a category name, or "", "1", "all" for ALL. nullopt if unknown.
std::optional<LogCategory> ParseLogCategory(std::string_view name);
/// The -debug name of one category ("net"); "all" for ALL, "" for NONE.
std::string LogCategoryToString(LogCategory category);
/// Every single category name, sorted, for help text and error messages.
std::vector<std::string> LogCategoryNames();
/// Parses "trace", "debug", "info", "warning", "error".
std::optional<LogLevel> ParseLogLevel(std::string_view name);
/// The lower-case name of a level.
std::string LogLevelToString(LogLevel level);

/// How each line is decorated.
struct LogFormat
{
    bool timestamps{true}; //!< prefix with an ISO 8601 UTC time
    bool micros{false};    //!< add microseconds to the time
};

/// One finished line (with '\n'), e.g. "2024-05-01T12:00:00Z [net] connected\n".
/// The bracket follows Core: nothing for uncategorised info, "[warning]" without a
/// category, "[net]" for debug, "[net:info]" otherwise.
std::string FormatLogLine(std::chrono::system_clock::time_point time, LogCategory category,
                          LogLevel level, std::string_view message, const LogFormat& format);

/// Where the log goes once started.
struct LogOptions
{
    std::filesystem::path file{}; //!< empty: no file
    bool print_to_console{false}; //!< also write to stdout
    LogFormat format{};
};

/// Thread-safe log sink. Configure categories and levels on the startup thread;
/// Log() may then be called from any thread. Lines logged before Start() are kept
/// (up to a cap) and written when it runs.
class Logger
{
public:
    using Clock = std::function<std::chrono::system_clock::time_point()>;

    /// `clock` supplies line timestamps (tests pass a fixed one).
    explicit Logger(Clock clock = &std::chrono::system_clock::now);
    ~Logger();
    Logger(const Logger&) = delete;
    Logger& operator=(const Logger&) = delete;

    /// Opens the file (appending) and flushes buffered lines. Any thread, once.
    Expected<void> Start(const LogOptions& options);
    /// Closes and reopens the file (after log rotation, on SIGHUP). Any thread.
    Expected<void> Reopen();
    /// Flushes and closes the file; later lines are dropped. Any thread.
    void Stop();

    /// Turns on a -debug category by name ("net", "1", "all"); false if unknown.
    bool EnableCategory(std::string_view name);
    /// Turns off a category by name (-debugexclude); false if unknown.
    bool DisableCategory(std::string_view name);
    /// Lowest level written for enabled categories without their own level.
    void SetLogLevel(LogLevel level);
    /// Lowest level written for one category.
    void SetCategoryLogLevel(LogCategory category, LogLevel level);
    /// Comma-separated enabled category names, or "none".
    std::string EnabledCategoriesString() const;
    /// True if the category called `name` is on; nullopt for an unknown name. Any thread.
    std::optional<bool> IsCategoryEnabled(std::string_view name) const;

    /// True if a line with this category and level would be written.
    bool WillLog(LogCategory category, LogLevel level) const;
    /// Writes one line if WillLog() allows it.
    void Log(LogCategory category, LogLevel level, std::string_view message);

    /// Unconditional informational line.
    void Info(std::string_view message) { Log(LogCategory::NONE, LogLevel::INFO, message); }
    /// Warning line ("[warning] ...").
    void Warning(std::string_view message) { Log(LogCategory::NONE, LogLevel::WARNING, message); }
    /// Error line ("[error] ...").
    void Error(std::string_view message) { Log(LogCategory::NONE, LogLevel::ERROR, message); }
    /// Debug line, written only if the category is enabled.
    void Debug(LogCategory category, std::string_view message)
    {
        Log(category, LogLevel::DEBUG, message);
    }
    /// Trace line, written only if the category is enabled at trace level.
    void Trace(LogCategory category, std::string_view message)
    {
        Log(category, LogLevel::TRACE, message);
    }

private:
    void WriteLocked(const std::string& line);

    const Clock m_clock;
    std::atomic<uint32_t> m_categories{0};
    std::atomic<LogLevel> m_level{LogLevel::DEBUG};

    mutable std::mutex m_mutex;
    std::map<LogCategory, LogLevel> m_category_levels; // guarded by m_mutex
    LogOptions m_options;                              // guarded by m_mutex
    std::FILE* m_file{nullptr};                        // guarded by m_mutex
    bool m_started{false};                             // guarded by m_mutex
    bool m_stopped{false};                             // guarded by m_mutex
    std::deque<std::pair<std::chrono::system_clock::time_point,
                         std::tuple<LogCategory, LogLevel, std::string>>>
        m_buffer;             // guarded by m_mutex
    size_t m_buffer_bytes{0}; // guarded by m_mutex
};

} // namespace util
