#include <util/args.h>

#include <util/strings.h>

#include <algorithm>

namespace util {

namespace {

// Index just past the last negation in `values` (0 if none): Core ignores
// everything a later -noX cancelled.
size_t NegatedPrefix(const std::vector<SettingValue>& values)
{
    for (size_t i = values.size(); i > 0; --i) {
        if (values[i - 1].kind == SettingValue::Kind::FALSE) return i;
    }
    return 0;
}

bool LastNegated(const std::vector<SettingValue>& values)
{
    return !values.empty() && values.back().kind == SettingValue::Kind::FALSE;
}

bool SpanEmpty(const std::vector<SettingValue>& values)
{
    return values.empty() || LastNegated(values);
}

std::string SettingToString(const SettingValue& value)
{
    switch (value.kind) {
    case SettingValue::Kind::FALSE:
        return "0";
    case SettingValue::Kind::TRUE:
        return "1";
    case SettingValue::Kind::STRING:
        return value.str;
    }
    return value.str;
}

std::string WrapParagraph(std::string_view text, size_t width, size_t indent)
{
    std::string out;
    size_t line_len = 0;
    for (const std::string& word : SplitString(text, ' ')) {
        if (word.empty()) continue;
        if (line_len > 0 && line_len + 1 + word.size() > width) {
            out += '\n';
            out.append(indent, ' ');
            line_len = 0;
        } else if (line_len > 0) {
            out += ' ';
            ++line_len;
        }
        out += word;
        line_len += word.size();
    }
    return out;
}

std::string CategoryHeader(OptionsCategory category)
{
    switch (category) {
    case OptionsCategory::OPTIONS:
        return "Options:";
    case OptionsCategory::CONNECTION:
        return "Connection options:";
    case OptionsCategory::WALLET:
        return "Wallet options:";
    case OptionsCategory::ZMQ:
        return "ZeroMQ notification options:";
    case OptionsCategory::DEBUG_TEST:
        return "Debugging/Testing options:";
    case OptionsCategory::CHAINPARAMS:
        return "Chain selection options:";
    case OptionsCategory::NODE_RELAY:
        return "Node relay options:";
    case OptionsCategory::BLOCK_CREATION:
        return "Block creation options:";
    case OptionsCategory::RPC:
        return "RPC server options:";
    case OptionsCategory::HIDDEN:
        return "";
    }
    return "";
}

std::string DescribeValue(const SettingValue& value)
{
    switch (value.kind) {
    case SettingValue::Kind::FALSE:
        return "false";
    case SettingValue::Kind::TRUE:
        return "true";
    case SettingValue::Kind::STRING:
        return "\"" + value.str + "\"";
    }
    return "";
}

} // namespace

bool InterpretBool(std::string_view value)
{
    if (value.empty()) return true;
    // Core reads the leading integer (atoi): "abc" and "-0" count as 0, "7x" as 7.
    size_t pos = (value[0] == '-' || value[0] == '+') ? 1 : 0;
    for (; pos < value.size() && value[pos] >= '0' && value[pos] <= '9'; ++pos) {
        if (value[pos] != '0') return true;
    }
    return false;
}

void ArgsManager::AddArg(std::string_view name, std::string_view help, ArgType type,
                         OptionsCategory category, unsigned flags)
{
    const size_t eq = name.find('=');
    std::string key{name.substr(0, eq)};
    m_options[key] = Option{std::string{name}, std::string{help}, type, category, flags};
}

void ArgsManager::AddHiddenArgs(const std::vector<std::string>& names)
{
    for (const std::string& name : names) {
        AddArg(name, "", ArgType::BOOL, OptionsCategory::HIDDEN);
    }
}

ArgsManager::KeyInfo ArgsManager::InterpretKey(std::string_view key)
{
    KeyInfo info;
    const size_t dot = key.find('.');
    if (dot != std::string_view::npos) {
        info.section = std::string{key.substr(0, dot)};
        key.remove_prefix(dot + 1);
    }
    if (key.starts_with("no")) {
        key.remove_prefix(2);
        info.negated = true;
    }
    info.name = std::string{key};
    return info;
}

const ArgsManager::Option* ArgsManager::FindOption(std::string_view name) const
{
    std::string key{"-"};
    key += name;
    const auto it = m_options.find(key);
    return it == m_options.end() ? nullptr : &it->second;
}

Expected<SettingValue> ArgsManager::InterpretValue(const KeyInfo& key,
                                                   const std::optional<std::string>& value,
                                                   const Option& option) const
{
    if (key.negated) {
        if (option.flags & DISALLOW_NEGATION) {
            return Unexpected("Negating of -" + key.name +
                              " is meaningless and therefore forbidden");
        }
        // -noX and -noX=1 negate; -noX=0 is Core's (discouraged) double negative.
        if (!value || *value == "1" || value->empty())
            return SettingValue{SettingValue::Kind::FALSE};
        if (*value == "0") return SettingValue{SettingValue::Kind::TRUE};
        return Unexpected("Invalid value '" + *value + "' for -no" + key.name +
                          ": expected 0 or 1");
    }
    switch (option.type) {
    case ArgType::BOOL:
        if (!value) return SettingValue{SettingValue::Kind::STRING, ""};
        if (value->empty() || *value == "0" || *value == "1") {
            return SettingValue{SettingValue::Kind::STRING, *value};
        }
        return Unexpected("Invalid value '" + *value + "' for -" + key.name + ": expected 0 or 1");
    case ArgType::INT:
        if (!value) break;
        if (!ParseInt64(*value)) {
            return Unexpected("Invalid value '" + *value + "' for -" + key.name +
                              ": expected an integer");
        }
        return SettingValue{SettingValue::Kind::STRING, *value};
    case ArgType::STRING:
        if (!value) break;
        return SettingValue{SettingValue::Kind::STRING, *value};
    case ArgType::LIST:
        return SettingValue{SettingValue::Kind::STRING, value.value_or("")};
    }
    return Unexpected("Can not set -" + key.name + " with no value. Please specify value with -" +
                      key.name + "=value.");
}

Expected<void> ArgsManager::ParseParameters(int argc, const char* const argv[])
{
    m_command_line.clear();
    m_positional.clear();
    for (int i = 1; i < argc; ++i) {
        const std::string arg{argv[i]};
        if (arg == "-") break;
        if (arg.empty() || arg[0] != '-') {
            for (int j = i; j < argc; ++j)
                m_positional.emplace_back(argv[j]);
            break;
        }
        std::string key = arg;
        std::optional<std::string> value;
        const size_t eq = key.find('=');
        if (eq != std::string::npos) {
            value = key.substr(eq + 1);
            key.erase(eq);
        }
        // "--name" is accepted as "-name".
        if (key.size() > 1 && key[1] == '-') key.erase(0, 1);
        key.erase(0, 1);
        const KeyInfo info = InterpretKey(key);
        const Option* option = FindOption(info.name);
        // "section.name" is only meaningful inside a config file.
        if (!option || !info.section.empty()) return Unexpected("Invalid parameter " + arg);
        auto parsed = InterpretValue(info, value, *option);
        if (!parsed) return parsed.error();
        m_command_line[info.name].push_back(std::move(*parsed));
    }
    return {};
}

void ArgsManager::SelectConfigNetwork(const std::string& network)
{
    m_network = network;
}

bool ArgsManager::IgnoreDefaultSection(std::string_view name) const
{
    const Option* option = FindOption(name);
    return option && (option->flags & NETWORK_ONLY) && m_network != "main";
}

std::optional<SettingValue> ArgsManager::GetSetting(std::string_view name, bool chain_type) const
{
    struct Source
    {
        const std::vector<SettingValue>* values;
        bool is_command_line;
        bool is_default_section;
    };
    std::vector<Source> sources;
    if (auto it = m_command_line.find(name); it != m_command_line.end()) {
        sources.push_back({&it->second, true, false});
    }
    if (!chain_type && !m_network.empty()) {
        if (auto sec = m_config.find(m_network); sec != m_config.end()) {
            if (auto it = sec->second.find(name); it != sec->second.end()) {
                sources.push_back({&it->second, false, false});
            }
        }
    }
    if (auto sec = m_config.find(""); sec != m_config.end()) {
        if (auto it = sec->second.find(name); it != sec->second.end()) {
            sources.push_back({&it->second, false, true});
        }
    }
    const bool ignore_default = !chain_type && IgnoreDefaultSection(name);
    for (const Source& source : sources) {
        const auto& values = *source.values;
        // A negation in the top section still applies to network-only options.
        if (ignore_default && source.is_default_section && !LastNegated(values)) continue;
        // Core silently ignores negated chain switches (e.g. -noregtest).
        if (chain_type && LastNegated(values)) continue;
        // Config files keep the first value, the command line the last.
        const bool reverse = !source.is_command_line && !chain_type;
        if (!SpanEmpty(values)) {
            return reverse ? values[NegatedPrefix(values)] : values.back();
        }
        if (LastNegated(values)) return SettingValue{SettingValue::Kind::FALSE};
    }
    return std::nullopt;
}

bool ArgsManager::IsArgSet(std::string_view name) const
{
    return GetSetting(name.substr(name.starts_with('-') ? 1 : 0), false).has_value();
}

bool ArgsManager::IsArgNegated(std::string_view name) const
{
    const auto value = GetSetting(name.substr(name.starts_with('-') ? 1 : 0), false);
    return value && value->kind == SettingValue::Kind::FALSE;
}

std::optional<std::string> ArgsManager::GetArg(std::string_view name) const
{
    const auto value = GetSetting(name.substr(name.starts_with('-') ? 1 : 0), false);
    if (!value) return std::nullopt;
    return SettingToString(*value);
}

std::string ArgsManager::GetArg(std::string_view name, std::string_view def) const
{
    return GetArg(name).value_or(std::string{def});
}

int64_t ArgsManager::GetIntArg(std::string_view name, int64_t def) const
{
    const auto value = GetArg(name);
    if (!value) return def;
    return ParseInt64(*value).value_or(0);
}

bool ArgsManager::GetBoolArg(std::string_view name, bool def) const
{
    const auto value = GetArg(name);
    return value ? InterpretBool(*value) : def;
}

std::filesystem::path ArgsManager::GetPathArg(std::string_view name) const
{
    if (IsArgNegated(name)) return {};
    return std::filesystem::path{GetArg(name, "")};
}

std::vector<std::string> ArgsManager::GetArgs(std::string_view name_in) const
{
    const std::string_view name = name_in.substr(name_in.starts_with('-') ? 1 : 0);
    std::vector<std::string> result;
    bool done = false;
    bool prev_negated_empty = false;
    auto merge = [&](const std::vector<SettingValue>& values, bool is_config, bool is_default) {
        // Core brings config values back when a command-line negation is followed
        // by a plain value ("zombie" values); preserved for compatibility.
        const bool add_zombie = is_config && !prev_negated_empty;
        if (is_default && IgnoreDefaultSection(name)) return;
        if (!done || add_zombie) {
            for (size_t i = NegatedPrefix(values); i < values.size(); ++i) {
                result.push_back(SettingToString(values[i]));
            }
        }
        done |= NegatedPrefix(values) > 0;
        prev_negated_empty |= LastNegated(values) && result.empty();
    };
    if (auto it = m_command_line.find(name); it != m_command_line.end()) {
        merge(it->second, false, false);
    }
    if (!m_network.empty()) {
        if (auto sec = m_config.find(m_network); sec != m_config.end()) {
            if (auto it = sec->second.find(name); it != sec->second.end()) {
                merge(it->second, true, false);
            }
        }
    }
    if (auto sec = m_config.find(""); sec != m_config.end()) {
        if (auto it = sec->second.find(name); it != sec->second.end())
            merge(it->second, true, true);
    }
    return result;
}

Expected<ChainType> ArgsManager::GetChainType() const
{
    auto get_net = [&](std::string_view name) {
        const auto value = GetSetting(name, true);
        if (!value) return false;
        if (value->kind != SettingValue::Kind::STRING)
            return value->kind == SettingValue::Kind::TRUE;
        return InterpretBool(value->str);
    };
    const bool regtest = get_net("regtest");
    const bool signet = get_net("signet");
    const bool testnet = get_net("testnet");
    const bool testnet4 = get_net("testnet4");
    const auto chain = GetArg("-chain");
    if (int{chain.has_value()} + int{regtest} + int{signet} + int{testnet} + int{testnet4} > 1) {
        return Unexpected("Invalid combination of -regtest, -signet, -testnet, -testnet4 and "
                          "-chain. Can use at most one.");
    }
    if (chain) {
        if (auto parsed = ParseChainType(*chain)) return *parsed;
        return Unexpected("Unknown chain " + *chain + ".");
    }
    if (regtest) return ChainType::REGTEST;
    if (signet) return ChainType::SIGNET;
    if (testnet) return ChainType::TESTNET;
    if (testnet4) return ChainType::TESTNET4;
    return ChainType::MAIN;
}

std::string ArgsManager::GetHelpMessage() const
{
    std::map<OptionsCategory, std::vector<const Option*>> groups;
    for (const auto& [key, option] : m_options) {
        if (option.category != OptionsCategory::HIDDEN) groups[option.category].push_back(&option);
    }
    constexpr size_t SCREEN_WIDTH = 79;
    constexpr size_t OPT_INDENT = 2;
    constexpr size_t MSG_INDENT = 7;
    std::string out;
    for (const auto& [category, options] : groups) {
        out += CategoryHeader(category) + "\n\n";
        for (const Option* option : options) {
            out.append(OPT_INDENT, ' ');
            out += option->help_name + "\n";
            out.append(MSG_INDENT, ' ');
            out += WrapParagraph(option->help, SCREEN_WIDTH - MSG_INDENT, MSG_INDENT) + "\n\n";
        }
    }
    return out;
}

std::vector<std::string> ArgsManager::DescribeSettings() const
{
    auto describe = [&](const std::string& name, const SettingValue& value) {
        const Option* option = FindOption(name);
        if (option && (option->flags & SENSITIVE) && value.kind == SettingValue::Kind::STRING) {
            return std::string{"****"};
        }
        return DescribeValue(value);
    };
    std::vector<std::string> lines;
    for (const auto& [section, names] : m_config) {
        for (const auto& [name, values] : names) {
            for (const SettingValue& value : values) {
                lines.push_back(
                    "Config file arg: " + (section.empty() ? std::string{} : "[" + section + "] ") +
                    name + "=" + describe(name, value));
            }
        }
    }
    for (const auto& [name, values] : m_command_line) {
        for (const SettingValue& value : values) {
            lines.push_back("Command-line arg: " + name + "=" + describe(name, value));
        }
    }
    return lines;
}

} // namespace util
