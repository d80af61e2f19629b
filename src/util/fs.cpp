#include <util/fs.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <system_error>

#include <fcntl.h>
#include <unistd.h>

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

Expected<void> WriteFileAtomically(const std::filesystem::path& path,
                                   std::span<const uint8_t> contents, unsigned mode)
{
    std::filesystem::path tmp = path;
    tmp += ".new";
    const auto fail = [&tmp](const std::string& what, int err) {
        std::error_code ignored;
        std::filesystem::remove(tmp, ignored);
        return Unexpected("Unable to " + what + " " + tmp.string() + ": " + std::strerror(err));
    };
    const int fd =
        ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, static_cast<mode_t>(mode));
    if (fd < 0) return fail("create", errno);
    size_t written = 0;
    while (written < contents.size()) {
        const ssize_t n = ::write(fd, contents.data() + written, contents.size() - written);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
            const int err = n < 0 ? errno : EIO;
            ::close(fd);
            return fail("write", err);
        }
        written += static_cast<size_t>(n);
    }
    // Durable before the rename makes it the file a restart reads.
    const int sync_err = ::fsync(fd) != 0 ? errno : 0;
    const int close_err = ::close(fd) != 0 ? errno : 0;
    if (sync_err != 0 || close_err != 0) return fail("sync", sync_err != 0 ? sync_err : close_err);
    std::error_code ec;
    std::filesystem::rename(tmp, path, ec);
    if (ec) {
        std::error_code ignored;
        std::filesystem::remove(tmp, ignored);
        return Unexpected("Unable to rename " + tmp.string() + " to " + path.string() + ": " +
                          ec.message());
    }
    return {};
}

} // namespace util
