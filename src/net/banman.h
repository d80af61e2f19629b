// Bans and discouragement. A ban (setban, or -banscore-era manual bans) names a
// subnet and an expiry and is persisted in `banlist.json` in Bitcoin Core's
// format; discouragement (misbehaving peers) is remembered in memory only,
// bounded, and makes inbound connections from that address the first evicted
// and outbound ones to it avoided, as in Core.
//
// Thread safety: every method may be called from any thread (one internal mutex).
#pragma once

#include <net/netaddress.h>
#include <util/expected.h>

#include <cstdint>
#include <filesystem>
#include <functional>
#include <mutex>
#include <vector>

namespace net {

/// Default ban duration of setban: 24 hours.
inline constexpr int64_t DEFAULT_MISBEHAVING_BANTIME = 60 * 60 * 24;

/// One entry of the ban list.
struct BanEntry
{
    Subnet subnet;
    int64_t ban_created{0};  //!< unix seconds
    int64_t banned_until{0}; //!< unix seconds
};

/// The ban list and the discouragement filter.
class BanMan
{
public:
    /// `file` is banlist.json (may be empty: nothing persisted); `clock` is unix
    /// seconds (default: system clock).
    explicit BanMan(std::filesystem::path file, std::function<int64_t()> clock = {});

    /// Reads banlist.json (Core's format: {"banned_nets":[{"version":1,
    /// "ban_created":..,"banned_until":..,"address":"1.2.3.0/24"}]}); a missing
    /// file is an empty list, a malformed one an error naming the file (the node
    /// then starts with an empty list and says so in the log, as Core does).
    util::Expected<void> Load();
    /// Writes banlist.json atomically when anything changed since the last write.
    util::Expected<void> Save();

    /// Bans `subnet` until now+duration, or until `duration` as a unix time when
    /// `absolute`. Returns false if the subnet was already banned.
    bool Ban(const Subnet& subnet, int64_t duration = DEFAULT_MISBEHAVING_BANTIME,
             bool absolute = false);
    /// Lifts a ban; false if there was none for exactly this subnet.
    bool Unban(const Subnet& subnet);
    /// Lifts every ban.
    void ClearBanned();
    /// True if an unexpired ban covers `addr`.
    bool IsBanned(const NetAddr& addr) const;
    /// Unexpired bans (expired ones are dropped first).
    std::vector<BanEntry> GetBanned() const;

    /// Remembers a misbehaving address (at most 50,000, oldest forgotten first).
    void Discourage(const NetAddr& addr);
    /// True if `addr` was discouraged (and not forgotten since).
    bool IsDiscouraged(const NetAddr& addr) const;

private:
    struct Impl;
    std::shared_ptr<Impl> m_impl;
};

} // namespace net
