// Config-file half of ArgsManager: Bitcoin Core's minibit.conf syntax.
#include <util/args.h>

#include <util/strings.h>

#include <fstream>
#include <system_error>

namespace util {

namespace {

// Sections a config file may name: the -chain values.
bool IsKnownSection(std::string_view section)
{
    return ParseChainType(section).has_value();
}

std::string TrimSpaces(std::string_view str)
{
    // Core trims only " \t\r\n" here, not every isspace character.
    constexpr std::string_view WS = " \t\r\n";
    const size_t begin = str.find_first_not_of(WS);
    if (begin == std::string_view::npos) return {};
    const size_t end = str.find_last_not_of(WS);
    return std::string{str.substr(begin, end - begin + 1)};
}

} // namespace

Expected<void> ArgsManager::ReadConfigStream(std::istream& stream, const std::string& filepath)
{
    // Collected apart and merged at the end, so a bad file changes nothing.
    decltype(m_config) parsed;
    std::string prefix;
    std::string line;
    int line_number = 0;
    while (std::getline(stream, line)) {
        ++line_number;
        auto fail = [&](const std::string& message) -> Expected<void> {
            return Unexpected(filepath + ":" + std::to_string(line_number) + ": " + message);
        };
        // '#' starts a comment anywhere on the line, as in Core.
        bool used_hash = false;
        if (const size_t hash = line.find('#'); hash != std::string::npos) {
            line.erase(hash);
            used_hash = true;
        }
        const std::string str = TrimSpaces(line);
        if (str.empty()) continue;
        if (str.front() == '[' && str.back() == ']') {
            const std::string section = str.substr(1, str.size() - 2);
            if (!IsKnownSection(section))
                return fail("Section [" + section + "] is not recognized");
            prefix = section + ".";
            continue;
        }
        if (str.front() == '-') {
            return fail("parse error: " + str +
                        ", options in configuration file must be specified without leading -");
        }
        const size_t eq = str.find('=');
        if (eq == std::string::npos) {
            std::string message = "parse error: " + str;
            if (str.starts_with("no")) {
                message +=
                    ", if you intended to specify a negated option, use " + str + "=1 instead";
            }
            return fail(message);
        }
        const std::string key = prefix + TrimSpaces(std::string_view{str}.substr(0, eq));
        const std::string value = TrimSpaces(std::string_view{str}.substr(eq + 1));
        if (used_hash && key.find("rpcpassword") != std::string::npos) {
            return fail("using # in rpcpassword can be ambiguous and should be avoided");
        }
        const KeyInfo info = InterpretKey(key);
        if (!info.section.empty() && !IsKnownSection(info.section)) {
            return fail("Section [" + info.section + "] is not recognized");
        }
        const Option* option = FindOption(info.name);
        if (!option || option->category == OptionsCategory::HIDDEN) {
            return fail("Invalid configuration value " + key);
        }
        if (option->flags & COMMAND_LINE_ONLY) {
            return fail(info.name + " cannot be set in the configuration file");
        }
        auto setting = InterpretValue(info, value, *option);
        if (!setting) return fail(setting.error().message);
        parsed[info.section][info.name].push_back(std::move(*setting));
    }
    for (auto& [section, names] : parsed) {
        for (auto& [name, values] : names) {
            auto& target = m_config[section][name];
            target.insert(target.end(), values.begin(), values.end());
        }
    }
    return {};
}

Expected<std::filesystem::path> ArgsManager::ReadConfigFiles(const std::filesystem::path& datadir)
{
    if (IsArgNegated("-conf")) return std::filesystem::path{};
    std::filesystem::path conf{GetArg("-conf", "minibit.conf")};
    if (conf.is_relative()) conf = datadir / conf;
    std::error_code ec;
    if (std::filesystem::is_directory(conf, ec)) {
        return Unexpected("Config path \"" + conf.string() + "\" is a directory, not a file.");
    }
    std::ifstream stream{conf};
    if (!stream.good()) {
        // Only a file the user named must exist.
        if (IsArgSet("-conf")) {
            return Unexpected("specified config file \"" + conf.string() +
                              "\" could not be opened.");
        }
        return std::filesystem::path{};
    }
    if (auto result = ReadConfigStream(stream, conf.string()); !result) return result.error();
    return conf;
}

} // namespace util
