// Low-work header chains are never stored. When a peer's headers lead to a chain
// whose total work is below the anti-DoS threshold (-minimumchainwork, or the work
// near our tip), they are first only counted: continuity, proof of work, the work
// they add, and the hash of every 1,000th header; then dropped. Once the counted
// work reaches the threshold, the same range is asked for again from the fork point,
// checked against the kept hashes (each header commits to its parent, so a match at
// a checkpoint vouches for everything before it) and handed to the chainstate.
// Memory per peer: 32 bytes per 1,000 headers counted, plus at most 1,000 headers
// waiting for their checkpoint. Bitcoin Core reaches the same goal with salted
// 1-bit commitments (HeadersSyncState); this is a simpler scheme with the same bound
// on what a peer without real work can make us store: nothing.
//
// Thread safety: one instance per peer, used on the validation executor only.
#pragma once

#include <consensus/arith_uint256.h>
#include <consensus/block.h>
#include <consensus/params.h>
#include <consensus/uint256.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace node {

/// Headers between two kept hashes (and the most held in memory while redownloading).
inline constexpr size_t PRESYNC_CHECKPOINT_INTERVAL = 1000;

/// One peer's low-work header sync.
class HeadersPresync
{
public:
    /// What the first pass is doing.
    enum class Phase
    {
        PRESYNC,    //!< counting work, storing nothing
        REDOWNLOAD, //!< fetching the same headers again to store them
    };

    /// What to do after a headers message.
    struct Outcome
    {
        /// The peer's chain failed a check or ended below the threshold: forget the
        /// presync (the reason is for the log; never a punishment, as in Core).
        std::optional<std::string> abort{};
        /// Headers proven to belong to a chain with enough work: store them, in order.
        std::vector<consensus::BlockHeader> release{};
        /// Every header up to the threshold is released: normal sync takes over.
        bool done{false};
        /// Ask the peer for the headers after this one (its chain continues).
        std::optional<consensus::Uint256> continue_after{};
        /// Ask again from the fork point: the redownload begins.
        bool restart_from_fork{false};
    };

    /// `fork_hash`/`fork_work`/`fork_mtp`: the known block the peer's headers build on,
    /// its chain work and median time past. `threshold`: the work the chain must reach.
    /// `now`: unix seconds; it bounds how many headers can honestly follow the fork (at
    /// most 6 a second since its median time past, as in Core).
    HeadersPresync(const consensus::Uint256& fork_hash, const consensus::ArithUint256& fork_work,
                   int64_t fork_mtp, const consensus::ArithUint256& threshold,
                   const consensus::ConsensusParams& params, int64_t now);

    /// Feeds one headers message (`full`: it held the maximum of 2,000, so more follow).
    Outcome Process(const std::vector<consensus::BlockHeader>& headers, bool full);

    Phase GetPhase() const { return m_phase; }
    /// Headers counted in the first pass (getpeerinfo's presynced_headers is the fork
    /// height plus this).
    uint64_t PresyncedCount() const { return m_presync_count; }
    const consensus::Uint256& ForkHash() const { return m_fork_hash; }

private:
    Outcome Presync(const std::vector<consensus::BlockHeader>& headers, bool full);
    Outcome Redownload(const std::vector<consensus::BlockHeader>& headers, bool full);

    consensus::Uint256 m_fork_hash;
    consensus::ArithUint256 m_fork_work;
    consensus::ArithUint256 m_threshold;
    const consensus::ConsensusParams& m_params;
    uint64_t m_max_headers;
    Phase m_phase{Phase::PRESYNC};

    // First pass.
    consensus::Uint256 m_presync_last;
    consensus::ArithUint256 m_presync_work;
    uint64_t m_presync_count{0};
    std::vector<consensus::Uint256> m_checkpoints; //!< hash of header k*1000 (1-based)
    uint64_t m_target_count{0};                    //!< header at which the work was reached

    // Second pass.
    consensus::Uint256 m_redownload_last;
    consensus::ArithUint256 m_redownload_work;
    uint64_t m_redownload_count{0};
    std::vector<consensus::BlockHeader> m_buffer; //!< since the last checkpoint
};

} // namespace node
