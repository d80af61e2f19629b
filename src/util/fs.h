// Filesystem helpers for the data directory; no exceptions escape.
#pragma once

#include <util/expected.h>

#include <filesystem>

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

} // namespace util
