// Filesystem helpers for the data directory; no exceptions escape.
#pragma once

#include <util/expected.h>

#include <cstdint>
#include <filesystem>
#include <span>
#include <string>

namespace util {

/// The default -datadir: $HOME/.minibit (or ./.minibit if HOME is unset).
std::filesystem::path GetDefaultDataDir();

/// `path` if absolute, else `base / path`; lexically normalised either way.
std::filesystem::path AbsPathFor(const std::filesystem::path& base,
                                 const std::filesystem::path& path);

/// True if `path` names an existing directory (errors count as "no").
bool IsDirectory(const std::filesystem::path& path);

/// Creates `path` and missing parents; an error names the path and the cause.
Expected<void> CreateDirectories(const std::filesystem::path& path);

/// Writes `contents` to `path`, replacing it; an error names the path and the cause.
Expected<void> WriteTextFile(const std::filesystem::path& path, const std::string& contents);

/// Replaces `path` so that a crash leaves either the old file or the whole new one:
/// writes `<path>.new` (created with `mode`), fsyncs it, then renames it over `path`.
/// On failure the temporary file is removed and the error names the file and the cause.
Expected<void> WriteFileAtomically(const std::filesystem::path& path,
                                   std::span<const uint8_t> contents, unsigned mode = 0644);

} // namespace util
