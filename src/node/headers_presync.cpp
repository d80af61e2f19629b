#include <node/headers_presync.h>

#include <consensus/block_check.h>
#include <consensus/pow.h>

#include <algorithm>

namespace node {

namespace {

// Core's bound: the median-time-past rule lets a chain run ahead of real time by at
// most about 6 headers a second.
constexpr int64_t MAX_HEADERS_PER_SECOND = 6;

} // namespace

HeadersPresync::HeadersPresync(const consensus::Uint256& fork_hash,
                               const consensus::ArithUint256& fork_work, int64_t fork_mtp,
                               const consensus::ArithUint256& threshold,
                               const consensus::ConsensusParams& params, int64_t now)
    : m_fork_hash{fork_hash}, m_fork_work{fork_work}, m_threshold{threshold}, m_params{params},
      m_max_headers{static_cast<uint64_t>(
          MAX_HEADERS_PER_SECOND *
          std::max<int64_t>(0, now - fork_mtp + consensus::MAX_FUTURE_BLOCK_TIME))},
      m_presync_last{fork_hash}, m_redownload_last{fork_hash}
{}

HeadersPresync::Outcome HeadersPresync::Process(const std::vector<consensus::BlockHeader>& headers,
                                                bool full)
{
    return m_phase == Phase::PRESYNC ? Presync(headers, full) : Redownload(headers, full);
}

HeadersPresync::Outcome HeadersPresync::Presync(const std::vector<consensus::BlockHeader>& headers,
                                                bool full)
{
    Outcome out;
    for (const consensus::BlockHeader& header : headers) {
        if (header.prev_block != m_presync_last) {
            out.abort = "presync: headers do not continue the chain";
            return out;
        }
        const consensus::Uint256 hash = header.GetHash();
        if (!consensus::CheckProofOfWork(hash, header.bits, m_params)) {
            out.abort = "presync: header " + hash.GetHex() + " fails its proof of work";
            return out;
        }
        if (++m_presync_count > m_max_headers) {
            out.abort = "presync: more headers than time allows since the fork";
            return out;
        }
        m_presync_work += consensus::GetBlockProof(header.bits);
        if (m_presync_count % PRESYNC_CHECKPOINT_INTERVAL == 0) m_checkpoints.push_back(hash);
        m_presync_last = hash;
        if (m_fork_work + m_presync_work >= m_threshold) {
            // Enough work behind this header: fetch the same range again to store it.
            m_target_count = m_presync_count;
            m_phase = Phase::REDOWNLOAD;
            out.restart_from_fork = true;
            return out;
        }
    }
    if (!full) {
        out.abort = "presync: the chain ends below the minimum work";
        return out;
    }
    out.continue_after = m_presync_last;
    return out;
}

HeadersPresync::Outcome
HeadersPresync::Redownload(const std::vector<consensus::BlockHeader>& headers, bool full)
{
    Outcome out;
    for (const consensus::BlockHeader& header : headers) {
        if (header.prev_block != m_redownload_last) {
            out.abort = "redownload: headers do not continue the chain";
            return out;
        }
        const consensus::Uint256 hash = header.GetHash();
        if (m_redownload_count >= m_target_count) {
            // Past the header that reached the threshold: the chain has the work, so what
            // follows is ordinary headers for the chainstate to check.
            out.release.push_back(header);
            m_redownload_last = hash;
            continue;
        }
        if (!consensus::CheckProofOfWork(hash, header.bits, m_params)) {
            out.abort = "redownload: header " + hash.GetHex() + " fails its proof of work";
            return out;
        }
        ++m_redownload_count;
        m_redownload_work += consensus::GetBlockProof(header.bits);
        m_buffer.push_back(header);
        m_redownload_last = hash;
        if (m_redownload_count % PRESYNC_CHECKPOINT_INTERVAL == 0) {
            const size_t index = m_redownload_count / PRESYNC_CHECKPOINT_INTERVAL - 1;
            if (index >= m_checkpoints.size() || m_checkpoints[index] != hash) {
                out.abort = "redownload: headers differ from the ones counted before";
                return out;
            }
            out.release.insert(out.release.end(), m_buffer.begin(), m_buffer.end());
            m_buffer.clear();
        }
        if (m_redownload_count == m_target_count) {
            // The tail after the last checkpoint is vouched for by its own work.
            if (m_fork_work + m_redownload_work < m_threshold) {
                out.abort = "redownload: the chain no longer reaches the minimum work";
                return out;
            }
            out.release.insert(out.release.end(), m_buffer.begin(), m_buffer.end());
            m_buffer.clear();
        }
    }
    if (m_redownload_count >= m_target_count) {
        out.done = true;
        if (full) out.continue_after = m_redownload_last;
        return out;
    }
    if (!full) {
        out.abort = "redownload: the chain ended before the headers counted before";
        return out;
    }
    out.continue_after = m_redownload_last;
    return out;
}

} // namespace node
