#include <util/fs.h>

#include <cstdlib>
#include <fstream>
#include <system_error>

namespace util {

std::filesystem::path GetDefaultDataDir()
{
    const char* home = std::getenv("HOME");
    if (home == nullptr || *home == '\0') return std::filesystem::path{".minibit"};
    return std::filesystem::path{home} / ".minibit";
}

std::filesystem::path AbsPathFor(const std::filesystem::path& base,
                                 const std::filesystem::path& path)
{
    if (path.is_absolute()) return path.lexically_normal();
    return (base / path).lexically_normal();
}

bool IsDirectory(const std::filesystem::path& path)
{
    std::error_code ec;
    return std::filesystem::is_directory(path, ec);
}

Expected<void> CreateDirectories(const std::filesystem::path& path)
{
    std::error_code ec;
    std::filesystem::create_directories(path, ec);
    if (ec) return Unexpected("Cannot create directory " + path.string() + ": " + ec.message());
    return {};
}

Expected<void> WriteTextFile(const std::filesystem::path& path, const std::string& contents)
{
    std::ofstream out{path, std::ios::trunc};
    if (!out) return Unexpected("Unable to open " + path.string() + " for writing");
    out << contents;
    out.close();
    if (!out) return Unexpected("Unable to write " + path.string());
    return {};
}

} // namespace util
