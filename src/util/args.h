// Command-line and config-file settings, with Bitcoin Core's syntax and precedence.
#pragma once

#include <util/chaintype.h>
#include <util/expected.h>

#include <cstdint>
#include <filesystem>
#include <istream>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace util {

/// How an option's value is checked when it is parsed.
enum class ArgType
{
    BOOL,   //!< "-x", "-x=1", "-x=0"; no other values
    INT,    //!< a decimal int64; a value is required
    STRING, //!< any text; a value is required ("-x=" sets the empty string)
    LIST,   //!< text, may repeat and every value counts; "-x" alone means ""
};

/// Help-output groups, printed in this order (only groups that hold options).
enum class OptionsCategory
{
    OPTIONS,
    CONNECTION,
    WALLET,
    ZMQ, //!< ZeroMQ publishers (-zmqpub*)
    DEBUG_TEST,
    CHAINPARAMS,
    NODE_RELAY,
    BLOCK_CREATION,
    RPC,
    HIDDEN, //!< accepted but never listed
};

/// Extra behaviour bits for AddArg.
enum ArgFlags : unsigned
{
    ARG_NONE = 0,
    DISALLOW_NEGATION = 1u << 0, //!< "-noX" is an error
    NETWORK_ONLY = 1u << 1,      //!< top-of-config value is ignored unless the chain is main
    COMMAND_LINE_ONLY = 1u << 2, //!< an error inside a config file
    SENSITIVE = 1u << 3,         //!< value shown as "****" by DescribeSettings
};

/// One stored setting: a string, or a bare negation (false), or a double negation (true).
struct SettingValue
{
    enum class Kind
    {
        STRING,
        FALSE,
        TRUE
    };
    Kind kind{Kind::STRING};
    std::string str{};
    bool operator==(const SettingValue&) const = default;
};

/// Options registry and parsed settings of one process. Not thread-safe: fill it
/// on the main thread during startup, then only read it.
class ArgsManager
{
public:
    /// Registers an option. `name` is "-key" or "-key=<hint>" as shown in -help.
    void AddArg(std::string_view name, std::string_view help, ArgType type,
                OptionsCategory category, unsigned flags = ARG_NONE);
    /// Registers names accepted as bool options but never listed (e.g. -h, -help).
    void AddHiddenArgs(const std::vector<std::string>& names);

    /// Parses argv[1..]: "-k", "-k=v", "--k=v", "-nok". Arguments after the first
    /// one that does not start with '-' are kept as positional (see Positional()).
    Expected<void> ParseParameters(int argc, const char* const argv[]);

    /// Reads config text. `filepath` only labels error messages. Values go into
    /// the config layer; the first error stops reading and is returned with the
    /// file and line it came from.
    Expected<void> ReadConfigStream(std::istream& stream, const std::string& filepath);

    /// Reads the config file named by -conf (default minibit.conf, relative to
    /// `datadir`). A missing default file is fine; a missing -conf file is an error.
    /// Returns the path read, or empty if none.
    Expected<std::filesystem::path> ReadConfigFiles(const std::filesystem::path& datadir);

    /// The chain chosen by -chain/-regtest/-testnet/-testnet4/-signet, or an error
    /// if more than one is given or the name is unknown.
    Expected<ChainType> GetChainType() const;

    /// Makes [name] sections and "name.key" lines of the config file apply.
    void SelectConfigNetwork(const std::string& network);

    /// True if the option has any value from any source (including a negation).
    bool IsArgSet(std::string_view name) const;
    /// True if the winning value is a negation (-noX).
    bool IsArgNegated(std::string_view name) const;
    /// The winning value as text ("0" if negated, "1" if double negated), or nullopt.
    std::optional<std::string> GetArg(std::string_view name) const;
    /// The winning value, or `def` if unset.
    std::string GetArg(std::string_view name, std::string_view def) const;
    /// The winning value as an integer, or `def` if unset or negated (0).
    int64_t GetIntArg(std::string_view name, int64_t def) const;
    /// The winning value as a bool, or `def` if unset.
    bool GetBoolArg(std::string_view name, bool def) const;
    /// All values that count, in precedence order (command line first), with
    /// Core's negation rules applied.
    std::vector<std::string> GetArgs(std::string_view name) const;
    /// A path option: empty if unset or negated.
    std::filesystem::path GetPathArg(std::string_view name) const;

    /// Non-option words found on the command line.
    const std::vector<std::string>& Positional() const { return m_positional; }

    /// The -help text: every visible option grouped by category.
    std::string GetHelpMessage() const;

    /// "Config file arg: ..." / "Command-line arg: ..." lines describing every
    /// setting, for the log at startup.
    std::vector<std::string> DescribeSettings() const;

private:
    struct Option
    {
        std::string help_name; //!< "-datadir=<dir>"
        std::string help;
        ArgType type{ArgType::STRING};
        OptionsCategory category{OptionsCategory::OPTIONS};
        unsigned flags{ARG_NONE};
    };
    struct KeyInfo
    {
        std::string name;    //!< without leading '-' or "no"
        std::string section; //!< "" unless written "section.name"
        bool negated{false};
    };

    static KeyInfo InterpretKey(std::string_view key);
    const Option* FindOption(std::string_view name) const;
    Expected<SettingValue> InterpretValue(const KeyInfo& key,
                                          const std::optional<std::string>& value,
                                          const Option& option) const;
    std::optional<SettingValue> GetSetting(std::string_view name, bool chain_type) const;
    bool IgnoreDefaultSection(std::string_view name) const;

    std::map<std::string, Option, std::less<>> m_options; //!< key: "-name"
    std::map<std::string, std::vector<SettingValue>, std::less<>> m_command_line;
    //! section ("" = top) -> name -> values in file order
    std::map<std::string, std::map<std::string, std::vector<SettingValue>, std::less<>>,
             std::less<>>
        m_config;
    std::vector<std::string> m_positional;
    std::string m_network;
};

/// Core's bool reading of a setting string: "" is true, otherwise the leading integer != 0.
bool InterpretBool(std::string_view value);

} // namespace util
