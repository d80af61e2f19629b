#include <util/time.h>

#include <cstdio>
#include <ctime>

namespace util {

std::string FormatISO8601DateTime(std::chrono::system_clock::time_point time, bool micros)
{
    using namespace std::chrono;
    const auto since_epoch = duration_cast<microseconds>(time.time_since_epoch());
    // Floor so times before 1970 still split into a valid second and fraction.
    const auto secs = floor<seconds>(since_epoch);
    const auto frac = since_epoch - secs;
    const std::time_t t = static_cast<std::time_t>(secs.count());
    std::tm tm{};
    if (gmtime_r(&t, &tm) == nullptr) return {};
    char buf[64];
    int len;
    if (micros) {
        len = std::snprintf(buf, sizeof(buf), "%04d-%02d-%02dT%02d:%02d:%02d.%06lldZ",
                            tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min,
                            tm.tm_sec, static_cast<long long>(frac.count()));
    } else {
        len = std::snprintf(buf, sizeof(buf), "%04d-%02d-%02dT%02d:%02d:%02dZ", tm.tm_year + 1900,
                            tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
    }
    return len > 0 ? std::string(buf, static_cast<size_t>(len)) : std::string{};
}

} // namespace util
