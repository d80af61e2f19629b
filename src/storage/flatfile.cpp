#include <storage/flatfile.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <system_error>

#include <fcntl.h>
#include <sys/statvfs.h>
#include <sys/types.h>
#include <unistd.h>

namespace storage {

namespace {

util::Error ErrnoError(std::string_view what, const std::filesystem::path& path, int err)
{
    return util::Error{std::string{what} + " " + path.string() + ": " + std::strerror(err)};
}

} // namespace

std::string FlatFilePos::ToString() const
{
    return "FlatFilePos(file=" + std::to_string(file) + ", pos=" + std::to_string(pos) + ")";
}

// ---- File ------------------------------------------------------------------------

File::~File()
{
    if (m_fd >= 0) ::close(m_fd);
}

File::File(File&& other) noexcept : m_fd{other.m_fd}, m_path{std::move(other.m_path)}
{
    other.m_fd = -1;
}

File& File::operator=(File&& other) noexcept
{
    if (this != &other) {
        if (m_fd >= 0) ::close(m_fd);
        m_fd = other.m_fd;
        m_path = std::move(other.m_path);
        other.m_fd = -1;
    }
    return *this;
}

util::Expected<void> File::ReadAt(uint64_t offset, std::span<uint8_t> out) const
{
    size_t done = 0;
    while (done < out.size()) {
        const ssize_t n =
            ::pread(m_fd, out.data() + done, out.size() - done, static_cast<off_t>(offset + done));
        if (n < 0) {
            if (errno == EINTR) continue;
            return ErrnoError("Cannot read", m_path, errno);
        }
        if (n == 0) {
            return util::Unexpected("Unexpected end of file " + m_path.string() + " reading " +
                                    std::to_string(out.size()) + " bytes at offset " +
                                    std::to_string(offset));
        }
        done += static_cast<size_t>(n);
    }
    return {};
}

util::Expected<void> File::WriteAt(uint64_t offset, std::span<const uint8_t> data)
{
    size_t done = 0;
    while (done < data.size()) {
        const ssize_t n = ::pwrite(m_fd, data.data() + done, data.size() - done,
                                   static_cast<off_t>(offset + done));
        if (n < 0) {
            if (errno == EINTR) continue;
            if (errno == ENOSPC)
                return util::Unexpected(std::string{OUT_OF_SPACE} + ": cannot write " +
                                        m_path.string());
            return ErrnoError("Cannot write", m_path, errno);
        }
        done += static_cast<size_t>(n);
    }
    return {};
}

util::Expected<uint64_t> File::Size() const
{
    const off_t end = ::lseek(m_fd, 0, SEEK_END);
    if (end < 0) return ErrnoError("Cannot seek in", m_path, errno);
    return static_cast<uint64_t>(end);
}

util::Expected<void> File::Truncate(uint64_t size)
{
    if (::ftruncate(m_fd, static_cast<off_t>(size)) != 0)
        return ErrnoError("Cannot truncate", m_path, errno);
    return {};
}

util::Expected<void> File::Allocate(uint64_t offset, uint64_t len)
{
    // posix_fallocate reserves real blocks so a later append cannot hit a full
    // disk halfway through a record; glibc emulates it where the filesystem
    // lacks support.
    int rc;
    do {
        rc = ::posix_fallocate(m_fd, static_cast<off_t>(offset), static_cast<off_t>(len));
    } while (rc == EINTR);
    if (rc == ENOSPC)
        return util::Unexpected(std::string{OUT_OF_SPACE} + ": cannot grow " + m_path.string());
    if (rc != 0) return ErrnoError("Cannot allocate space in", m_path, rc);
    return {};
}

util::Expected<void> File::Sync()
{
    // fdatasync skips metadata that does not affect reading the data back.
    if (::fdatasync(m_fd) == 0) return {};
    const int err = errno;
    // Some filesystems reject fdatasync but support fsync.
    if (err == EINVAL && ::fsync(m_fd) == 0) return {};
    return ErrnoError("Cannot sync", m_path, err == EINVAL ? errno : err);
}

// ---- FlatFileSeq -------------------------------------------------------------------

FlatFileSeq::FlatFileSeq(std::filesystem::path dir, std::string prefix, uint64_t chunk_size)
    : m_dir{std::move(dir)}, m_prefix{std::move(prefix)}, m_chunk_size{chunk_size == 0 ? 1
                                                                                       : chunk_size}
{}

std::filesystem::path FlatFileSeq::FileName(const FlatFilePos& pos) const
{
    char digits[16];
    std::snprintf(digits, sizeof(digits), "%05u", static_cast<unsigned>(pos.file));
    return m_dir / (m_prefix + digits + ".dat");
}

util::Expected<File> FlatFileSeq::Open(const FlatFilePos& pos, bool read_only) const
{
    if (pos.IsNull() || pos.file < 0)
        return util::Unexpected("Cannot open flat file at null position");
    const std::filesystem::path path = FileName(pos);
    if (!read_only) {
        std::error_code ec;
        std::filesystem::create_directories(m_dir, ec);
        if (ec)
            return util::Unexpected("Cannot create directory " + m_dir.string() + ": " +
                                    ec.message());
    }
    const int flags = read_only ? O_RDONLY : (O_RDWR | O_CREAT);
    int fd;
    do {
        fd = ::open(path.c_str(), flags | O_CLOEXEC, 0644);
    } while (fd < 0 && errno == EINTR);
    if (fd < 0) return ErrnoError("Cannot open", path, errno);
    return File{fd, path};
}

util::Expected<uint64_t> FlatFileSeq::Allocate(const FlatFilePos& pos, uint64_t add_size) const
{
    const uint64_t old_chunks = (pos.pos + m_chunk_size - 1) / m_chunk_size;
    const uint64_t new_chunks = (pos.pos + add_size + m_chunk_size - 1) / m_chunk_size;
    if (new_chunks <= old_chunks) return uint64_t{0};

    const uint64_t old_size = pos.pos;
    const uint64_t new_size = new_chunks * m_chunk_size;
    const uint64_t inc = new_size - old_size;

    struct statvfs vfs
    {};
    if (::statvfs(m_dir.c_str(), &vfs) == 0) {
        const uint64_t free_bytes = static_cast<uint64_t>(vfs.f_bavail) * vfs.f_frsize;
        if (free_bytes < inc + MIN_DISK_SPACE) {
            return util::Unexpected(std::string{OUT_OF_SPACE} + ": " + std::to_string(free_bytes) +
                                    " bytes free in " + m_dir.string() + ", need " +
                                    std::to_string(inc + MIN_DISK_SPACE));
        }
    }

    auto file = Open(pos, /*read_only=*/false);
    if (!file) return file.error();
    if (auto a = file->Allocate(old_size, inc); !a) return a.error();
    return inc;
}

util::Expected<void> FlatFileSeq::Flush(const FlatFilePos& pos, bool finalize) const
{
    // Flushing a file that was never written is a no-op, not a reason to create it.
    std::error_code ec;
    if (pos.pos == 0 && !std::filesystem::exists(FileName(pos), ec)) return {};
    auto file = Open(pos, /*read_only=*/false);
    if (!file) return file.error();
    if (finalize) {
        if (auto t = file->Truncate(pos.pos); !t) return t.error();
    }
    return file->Sync();
}

} // namespace storage
