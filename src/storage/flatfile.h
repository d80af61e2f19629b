// Numbered flat files (blkNNNNN.dat, revNNNNN.dat) that grow by appending,
// are pre-allocated in chunks to limit fragmentation, and are synced before any
// index points into them (DESIGN.md §4).
//
// Thread safety: a FlatFileSeq holds no mutable state, so any thread may use
// it; callers serialise appends to one file (the validation executor does).
#pragma once

#include <util/expected.h>

#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <vector>

namespace storage {

/// A position in a numbered flat file; file -1 means "nowhere".
struct FlatFilePos
{
    int file{-1};
    uint32_t pos{0};

    bool IsNull() const { return file == -1; }
    /// "FlatFilePos(file=N, pos=M)", as Core prints it.
    std::string ToString() const;
    friend bool operator==(const FlatFilePos&, const FlatFilePos&) = default;
};

/// An open file descriptor; closed on destruction. Reads and writes take
/// explicit offsets, so one File may serve concurrent readers.
class File
{
public:
    File() = default;
    File(int fd, std::filesystem::path path) : m_fd{fd}, m_path{std::move(path)} {}
    ~File();
    File(File&& other) noexcept;
    File& operator=(File&& other) noexcept;
    File(const File&) = delete;
    File& operator=(const File&) = delete;

    /// Reads exactly out.size() bytes at offset; running past the end is an error.
    util::Expected<void> ReadAt(uint64_t offset, std::span<uint8_t> out) const;
    /// Writes all of data at offset.
    util::Expected<void> WriteAt(uint64_t offset, std::span<const uint8_t> data);
    /// Current length of the file.
    util::Expected<uint64_t> Size() const;
    /// Sets the length of the file (drops pre-allocated space past `size`).
    util::Expected<void> Truncate(uint64_t size);
    /// Reserves disk blocks for [offset, offset+len); an error starting with
    /// OUT_OF_SPACE means the disk is full.
    util::Expected<void> Allocate(uint64_t offset, uint64_t len);
    /// Waits until written data is on stable storage.
    util::Expected<void> Sync();
    const std::filesystem::path& GetPath() const { return m_path; }

private:
    int m_fd{-1};
    std::filesystem::path m_path;
};

/// The sequence dir/<prefix>NNNNN.dat.
class FlatFileSeq
{
public:
    /// chunk_size > 0: files grow in multiples of it.
    FlatFileSeq(std::filesystem::path dir, std::string prefix, uint64_t chunk_size);

    /// dir/<prefix><file as 5 digits>.dat.
    std::filesystem::path FileName(const FlatFilePos& pos) const;
    /// Opens the file of pos; read_only fails if it does not exist, otherwise it is created.
    util::Expected<File> Open(const FlatFilePos& pos, bool read_only) const;
    /// Ensures the file of pos can hold add_size more bytes at pos.pos by
    /// growing it to the next chunk boundary; returns how many bytes were
    /// added. An error starting with OUT_OF_SPACE means the disk is full.
    util::Expected<uint64_t> Allocate(const FlatFilePos& pos, uint64_t add_size) const;
    /// Syncs the file of pos; if finalize, first cuts it to pos.pos, dropping
    /// the unused pre-allocated tail.
    util::Expected<void> Flush(const FlatFilePos& pos, bool finalize) const;

    const std::filesystem::path& GetDir() const { return m_dir; }
    uint64_t GetChunkSize() const { return m_chunk_size; }

private:
    std::filesystem::path m_dir;
    std::string m_prefix;
    uint64_t m_chunk_size;
};

/// Start of the message of every out-of-disk-space error.
inline constexpr std::string_view OUT_OF_SPACE = "Disk space is too low";
/// Free space kept in reserve beyond an allocation (Core's 50 MiB).
inline constexpr uint64_t MIN_DISK_SPACE = 50 << 20;

} // namespace storage
