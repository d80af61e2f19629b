// Wall-clock formatting shared by logs and (later) RPC results.
#pragma once

#include <chrono>
#include <string>

namespace util {

/// "2024-05-01T12:34:56Z" (UTC); with `micros`, "2024-05-01T12:34:56.123456Z".
std::string FormatISO8601DateTime(std::chrono::system_clock::time_point time, bool micros = false);

} // namespace util
