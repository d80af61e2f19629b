// Exclusive advisory lock on a directory, held through a ".lock" file.
#pragma once

#include <util/expected.h>

#include <filesystem>
#include <memory>

namespace util {

/// Holds an flock() on `<dir>/.lock` until destroyed. flock (not fcntl) is used
/// because its locks belong to the open file, so even a second attempt from the
/// same process is refused.
class DirectoryLock
{
public:
    /// Takes the lock without waiting. The error says whether the directory is
    /// busy (another process holds it) or unusable (cannot create the file).
    static Expected<std::unique_ptr<DirectoryLock>> Acquire(const std::filesystem::path& dir);

    /// Releases the lock (the .lock file stays, as in Core).
    ~DirectoryLock();
    DirectoryLock(const DirectoryLock&) = delete;
    DirectoryLock& operator=(const DirectoryLock&) = delete;

    //! Only Acquire() can mint one, so every instance really holds the lock.
    class Token
    {
        friend class DirectoryLock;
        Token() = default;
    };
    /// Wraps a descriptor that already holds the lock (see Acquire()).
    DirectoryLock(Token, int fd) : m_fd{fd} {}

private:
    int m_fd;
};

} // namespace util
