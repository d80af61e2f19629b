#include <util/logging.h>

#include <util/time.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <tuple>

namespace util {

namespace {

struct CategoryName
{
    LogCategory category;
    std::string_view name;
};

constexpr std::array<CategoryName, 19> CATEGORIES{{
    {LogCategory::NET, "net"},
    {LogCategory::MEMPOOL, "mempool"},
    {LogCategory::HTTP, "http"},
    {LogCategory::BENCH, "bench"},
    {LogCategory::RPC, "rpc"},
    {LogCategory::ESTIMATEFEE, "estimatefee"},
    {LogCategory::ADDRMAN, "addrman"},
    {LogCategory::SELECTCOINS, "selectcoins"},
    {LogCategory::REINDEX, "reindex"},
    {LogCategory::CMPCTBLOCK, "cmpctblock"},
    {LogCategory::PRUNE, "prune"},
    {LogCategory::PROXY, "proxy"},
    {LogCategory::MEMPOOLREJ, "mempoolrej"},
    {LogCategory::COINDB, "coindb"},
    {LogCategory::LEVELDB, "leveldb"},
    {LogCategory::VALIDATION, "validation"},
    {LogCategory::BLOCKSTORAGE, "blockstorage"},
    {LogCategory::WALLETDB, "walletdb"},
    {LogCategory::TXPACKAGES, "txpackages"},
}};

// Lines kept before Start(); Core keeps about 1 MB too.
constexpr size_t MAX_BUFFER_BYTES = 1'000'000;

} // namespace

std::optional<LogCategory> ParseLogCategory(std::string_view name)
{
    if (name.empty() || name == "1" || name == "all") return LogCategory::ALL;
    for (const auto& entry : CATEGORIES) {
        if (entry.name == name) return entry.category;
    }
    return std::nullopt;
}

std::string LogCategoryToString(LogCategory category)
{
    if (category == LogCategory::ALL) return "all";
    for (const auto& entry : CATEGORIES) {
        if (entry.category == category) return std::string{entry.name};
    }
    return "";
}

std::vector<std::string> LogCategoryNames()
{
    std::vector<std::string> names;
    for (const auto& entry : CATEGORIES)
        names.emplace_back(entry.name);
    std::sort(names.begin(), names.end());
    return names;
}

std::optional<LogLevel> ParseLogLevel(std::string_view name)
{
    if (name == "trace") return LogLevel::TRACE;
    if (name == "debug") return LogLevel::DEBUG;
    if (name == "info") return LogLevel::INFO;
    if (name == "warning") return LogLevel::WARNING;
    if (name == "error") return LogLevel::ERROR;
    return std::nullopt;
}

std::string LogLevelToString(LogLevel level)
{
    switch (level) {
    case LogLevel::TRACE:
        return "trace";
    case LogLevel::DEBUG:
        return "debug";
    case LogLevel::INFO:
        return "info";
    case LogLevel::WARNING:
        return "warning";
    case LogLevel::ERROR:
        return "error";
    }
    return "";
}

std::string FormatLogLine(std::chrono::system_clock::time_point time, LogCategory category,
                          LogLevel level, std::string_view message, const LogFormat& format)
{
    std::string line;
    if (format.timestamps) line = FormatISO8601DateTime(time, format.micros) + " ";
    const bool has_category = category != LogCategory::NONE && category != LogCategory::ALL;
    // Without a category info is implied; with one, debug is implied.
    if (has_category || level != LogLevel::INFO) {
        line += '[';
        if (has_category) line += LogCategoryToString(category);
        if (!has_category || level != LogLevel::DEBUG) {
            if (has_category) line += ':';
            line += LogLevelToString(level);
        }
        line += "] ";
    }
    line += message;
    if (line.empty() || line.back() != '\n') line += '\n';
    return line;
}

Logger::Logger(Clock clock) : m_clock{std::move(clock)} {}

Logger::~Logger()
{
    Stop();
}

Expected<void> Logger::Start(const LogOptions& options)
{
    std::lock_guard lock{m_mutex};
    if (m_started) return Unexpected("logger already started");
    m_options = options;
    if (!m_options.file.empty()) {
        m_file = std::fopen(m_options.file.c_str(), "a");
        if (m_file == nullptr) {
            return Unexpected("Could not open debug log file " + m_options.file.string() + ": " +
                              std::strerror(errno));
        }
        // Unbuffered: a crash must not lose the lines leading up to it.
        std::setbuf(m_file, nullptr);
    }
    m_started = true;
    for (const auto& [time, entry] : m_buffer) {
        const auto& [category, level, message] = entry;
        WriteLocked(FormatLogLine(time, category, level, message, m_options.format));
    }
    m_buffer.clear();
    m_buffer_bytes = 0;
    return {};
}

Expected<void> Logger::Reopen()
{
    std::lock_guard lock{m_mutex};
    if (m_file == nullptr) return {};
    std::FILE* fresh = std::fopen(m_options.file.c_str(), "a");
    if (fresh == nullptr) {
        return Unexpected("Could not reopen debug log file " + m_options.file.string());
    }
    std::setbuf(fresh, nullptr);
    std::fclose(m_file);
    m_file = fresh;
    return {};
}

void Logger::Stop()
{
    std::lock_guard lock{m_mutex};
    if (m_file != nullptr) {
        std::fclose(m_file);
        m_file = nullptr;
    }
    if (m_options.print_to_console) std::fflush(stdout);
    m_stopped = true;
    m_buffer.clear();
}

bool Logger::EnableCategory(std::string_view name)
{
    const auto category = ParseLogCategory(name);
    if (!category) return false;
    m_categories |= static_cast<uint32_t>(*category);
    return true;
}

bool Logger::DisableCategory(std::string_view name)
{
    const auto category = ParseLogCategory(name);
    if (!category) return false;
    m_categories &= ~static_cast<uint32_t>(*category);
    return true;
}

void Logger::SetLogLevel(LogLevel level)
{
    m_level = level;
}

void Logger::SetCategoryLogLevel(LogCategory category, LogLevel level)
{
    std::lock_guard lock{m_mutex};
    m_category_levels[category] = level;
}

std::string Logger::EnabledCategoriesString() const
{
    std::string out;
    for (const auto& entry : CATEGORIES) {
        if (m_categories.load() & static_cast<uint32_t>(entry.category)) {
            if (!out.empty()) out += ',';
            out += entry.name;
        }
    }
    return out.empty() ? "none" : out;
}

std::optional<bool> Logger::IsCategoryEnabled(std::string_view name) const
{
    const auto category = ParseLogCategory(name);
    if (!category) return std::nullopt;
    return (m_categories.load() & static_cast<uint32_t>(*category)) ==
           static_cast<uint32_t>(*category);
}

bool Logger::WillLog(LogCategory category, LogLevel level) const
{
    if (level >= LogLevel::INFO) return true;
    if (category == LogCategory::NONE || category == LogCategory::ALL) return false;
    if ((m_categories.load() & static_cast<uint32_t>(category)) == 0) return false;
    std::lock_guard lock{m_mutex};
    const auto it = m_category_levels.find(category);
    return level >= (it != m_category_levels.end() ? it->second : m_level.load());
}

void Logger::Log(LogCategory category, LogLevel level, std::string_view message)
{
    if (!WillLog(category, level)) return;
    const auto now = m_clock();
    std::lock_guard lock{m_mutex};
    if (m_stopped) return;
    if (!m_started) {
        if (m_buffer_bytes + message.size() > MAX_BUFFER_BYTES) return;
        m_buffer_bytes += message.size();
        m_buffer.emplace_back(now, std::make_tuple(category, level, std::string{message}));
        return;
    }
    WriteLocked(FormatLogLine(now, category, level, message, m_options.format));
}

void Logger::WriteLocked(const std::string& line)
{
    if (m_options.print_to_console) {
        std::fwrite(line.data(), 1, line.size(), stdout);
        std::fflush(stdout);
    }
    if (m_file != nullptr) std::fwrite(line.data(), 1, line.size(), m_file);
}

} // namespace util
