#include <util/fslock.h>

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

namespace util {

Expected<std::unique_ptr<DirectoryLock>> DirectoryLock::Acquire(const std::filesystem::path& dir)
{
    const std::filesystem::path file = dir / ".lock";
    const int fd = ::open(file.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0) {
        return Unexpected("Cannot write to data directory '" + dir.string() + "' (" +
                          std::strerror(errno) + "); make sure the node may create files there.");
    }
    if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
        const int err = errno;
        ::close(fd);
        if (err == EWOULDBLOCK) {
            return Unexpected("Cannot obtain a lock on data directory " + dir.string() +
                              ". minibit is probably already running.");
        }
        return Unexpected("Cannot lock data directory " + dir.string() + ": " + std::strerror(err));
    }
    return std::make_unique<DirectoryLock>(Token{}, fd);
}

DirectoryLock::~DirectoryLock()
{
    ::flock(m_fd, LOCK_UN);
    ::close(m_fd);
}

} // namespace util
