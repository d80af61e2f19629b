#include <kernel/fee_estimator.h>

#include <util/fs.h>

#include <consensus/hash.h>

#include <algorithm>
#include <array>
#include <bit>
#include <cmath>
#include <cstring>
#include <fstream>
#include <mutex>
#include <string>
#include <system_error>
#include <unordered_map>
#include <utility>

namespace kernel {

namespace {

// Bucket layout and horizons follow Core's CBlockPolicyEstimator so estimates behave alike.
constexpr double MIN_BUCKET_FEERATE = 1000;
constexpr double MAX_BUCKET_FEERATE = 1e7;
constexpr double FEE_SPACING = 1.05;
constexpr double INF_FEERATE = 1e99;

constexpr unsigned SHORT_PERIODS = 12;
constexpr unsigned SHORT_SCALE = 1;
constexpr double SHORT_DECAY = 0.962;
constexpr unsigned MED_PERIODS = 24;
constexpr unsigned MED_SCALE = 2;
constexpr double MED_DECAY = 0.9952;
constexpr unsigned LONG_PERIODS = 42;
constexpr unsigned LONG_SCALE = 24;
constexpr double LONG_DECAY = 0.99931;

constexpr double HALF_SUCCESS_PCT = 0.6;
constexpr double SUCCESS_PCT = 0.85;
constexpr double DOUBLE_SUCCESS_PCT = 0.95;

// Minimum decayed transactions per block a bucket range needs before its rate is trusted.
constexpr double SUFFICIENT_FEETXS = 0.1;
constexpr double SUFFICIENT_TXS_SHORT = 0.5;

// History older than this many blocks (relative to the tip) is not used for the span.
constexpr unsigned OLDEST_ESTIMATE_HISTORY = 6 * 1008;

// File format: magic, version, payload, then SHA-256d of everything before it.
constexpr char FILE_MAGIC[8] = {'m', 'b', 'f', 'e', 'e', 'e', 's', 't'};
constexpr uint32_t FILE_VERSION = 1;
constexpr size_t CHECKSUM_SIZE = 32;
// Far above the real size (~250 kB) but keeps a hostile file from exhausting memory.
constexpr uintmax_t MAX_FILE_SIZE = 16 << 20;

const std::vector<double>& Buckets()
{
    static const std::vector<double> buckets = [] {
        std::vector<double> b;
        for (double boundary = MIN_BUCKET_FEERATE; boundary <= MAX_BUCKET_FEERATE;
             boundary *= FEE_SPACING) {
            b.push_back(boundary);
        }
        b.push_back(INF_FEERATE);
        return b;
    }();
    return buckets;
}

// The first bucket whose upper bound is at least `feerate`.
unsigned BucketIndex(double feerate)
{
    const auto& b = Buckets();
    return static_cast<unsigned>(std::lower_bound(b.begin(), b.end(), feerate) - b.begin());
}

// Confirmation statistics for one horizon: decaying counts per bucket of transactions seen
// confirmed (per number of periods taken) or failed, plus live counts of unconfirmed ones.
struct Horizon
{
    double decay;
    unsigned scale;
    // [period][bucket]: decayed count confirmed within period+1 periods.
    std::vector<std::vector<double>> conf_avg;
    // [period][bucket]: decayed count that left unconfirmed after more than period+1 periods.
    std::vector<std::vector<double>> fail_avg;
    std::vector<double> tx_ct_avg;
    std::vector<double> feerate_avg;
    // [entry height % slots][bucket]: tracked transactions still in the mempool.
    std::vector<std::vector<int>> unconf;
    // Tracked transactions older than the ring covers.
    std::vector<int> old_unconf;

    Horizon(unsigned periods, double decay_in, unsigned scale_in) : decay{decay_in}, scale{scale_in}
    {
        const size_t n = Buckets().size();
        conf_avg.assign(periods, std::vector<double>(n, 0.0));
        fail_avg.assign(periods, std::vector<double>(n, 0.0));
        tx_ct_avg.assign(n, 0.0);
        feerate_avg.assign(n, 0.0);
        ResetUnconfirmed();
    }

    void ResetUnconfirmed()
    {
        const size_t n = Buckets().size();
        unconf.assign(MaxConfirms(), std::vector<int>(n, 0));
        old_unconf.assign(n, 0);
    }

    unsigned MaxConfirms() const { return scale * static_cast<unsigned>(conf_avg.size()); }

    // A new block at `height` reuses the ring slot of height - MaxConfirms().
    void RollRing(unsigned height)
    {
        auto& slot = unconf[height % unconf.size()];
        for (size_t b = 0; b < slot.size(); ++b) {
            old_unconf[b] += slot[b];
            slot[b] = 0;
        }
    }

    void Decay()
    {
        for (size_t p = 0; p < conf_avg.size(); ++p) {
            for (double& v : conf_avg[p])
                v *= decay;
            for (double& v : fail_avg[p])
                v *= decay;
        }
        for (double& v : tx_ct_avg)
            v *= decay;
        for (double& v : feerate_avg)
            v *= decay;
    }

    void AddUnconfirmed(unsigned height, unsigned bucket)
    {
        ++unconf[height % unconf.size()][bucket];
    }

    // `blocks_to_confirm` >= 1: the transaction confirmed in the block after it entered.
    void RecordConfirmed(int blocks_to_confirm, double feerate, unsigned bucket)
    {
        if (blocks_to_confirm < 1) return;
        const size_t periods = (static_cast<unsigned>(blocks_to_confirm) + scale - 1) / scale;
        for (size_t p = periods; p <= conf_avg.size(); ++p)
            conf_avg[p - 1][bucket] += 1;
        tx_ct_avg[bucket] += 1;
        feerate_avg[bucket] += feerate;
    }

    // Forgets a tracked transaction; one leaving unconfirmed after at least a whole period
    // counts as a failure for every period it outlived.
    void RemoveTracked(unsigned entry_height, unsigned best_seen, unsigned bucket, bool in_block)
    {
        int64_t blocks_ago = best_seen == 0 ? 0 : int64_t{best_seen} - int64_t{entry_height};
        if (blocks_ago < 0) return;
        if (blocks_ago >= static_cast<int64_t>(unconf.size())) {
            if (old_unconf[bucket] > 0) --old_unconf[bucket];
        } else {
            int& count = unconf[entry_height % unconf.size()][bucket];
            if (count > 0) --count;
        }
        if (!in_block && blocks_ago >= scale) {
            const size_t periods_ago = static_cast<size_t>(blocks_ago) / scale;
            for (size_t p = 0; p < periods_ago && p < fail_avg.size(); ++p) {
                fail_avg[p][bucket] += 1;
            }
        }
    }

    // Tracked transactions in `bucket` that have waited at least `target` blocks at `height`.
    int64_t WaitingAtLeast(unsigned target, unsigned height, unsigned bucket) const
    {
        int64_t n = old_unconf[bucket];
        const unsigned slots = static_cast<unsigned>(unconf.size());
        for (unsigned age = target; age < slots && age <= height; ++age) {
            n += unconf[(height - age) % slots][bucket];
        }
        return n;
    }

    // The fee rate of the cheapest bucket range (ranges grouped from the top until each
    // holds enough data) whose share of transactions confirmed within `target` blocks
    // reaches `min_success`; -1 when no range does.
    double EstimateMedianVal(unsigned target, double sufficient_per_block, double min_success,
                             unsigned height) const
    {
        const size_t period = (target + scale - 1) / scale;
        const int top = static_cast<int>(Buckets().size()) - 1;
        const double enough = sufficient_per_block / (1 - decay);

        double within = 0;
        double confirmed = 0;
        double failed = 0;
        int64_t waiting = 0;
        double range_count = 0;
        int range_high = top;
        int best_high = top;
        int best_low = top;
        bool open_new_range = true;
        bool found = false;

        for (int b = top; b >= 0; --b) {
            const auto bucket = static_cast<unsigned>(b);
            if (open_new_range) {
                range_high = b;
                open_new_range = false;
            }
            within += conf_avg[period - 1][bucket];
            confirmed += tx_ct_avg[bucket];
            range_count += tx_ct_avg[bucket];
            failed += fail_avg[period - 1][bucket];
            waiting += WaitingAtLeast(target, height, bucket);
            if (range_count < enough) continue;
            range_count = 0;
            const double success = within / (confirmed + failed + static_cast<double>(waiting));
            // A failing range keeps accumulating into the buckets below it.
            if (success < min_success) continue;
            found = true;
            best_high = range_high;
            best_low = b;
            within = confirmed = failed = 0;
            waiting = 0;
            open_new_range = true;
        }
        if (!found) return -1;

        // Report the average fee rate of the bucket holding the range's median transaction.
        double total = 0;
        for (int b = best_low; b <= best_high; ++b)
            total += tx_ct_avg[static_cast<unsigned>(b)];
        if (total == 0) return -1;
        double half = total / 2;
        for (int b = best_low; b <= best_high; ++b) {
            const auto bucket = static_cast<unsigned>(b);
            if (tx_ct_avg[bucket] < half) {
                half -= tx_ct_avg[bucket];
            } else {
                return feerate_avg[bucket] / tx_ct_avg[bucket];
            }
        }
        return -1;
    }
};

struct TrackedTx
{
    unsigned height;
    unsigned bucket;
    double feerate;
};

// Little-endian encoding helpers for the file.
void PutU32(std::string& out, uint32_t v)
{
    for (int i = 0; i < 4; ++i)
        out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

void PutDouble(std::string& out, double d)
{
    const auto v = std::bit_cast<uint64_t>(d);
    for (int i = 0; i < 8; ++i)
        out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

class Reader
{
public:
    explicit Reader(std::span<const uint8_t> data) : m_data{data} {}
    bool U32(uint32_t& v)
    {
        if (m_data.size() - m_pos < 4) return false;
        v = 0;
        for (int i = 0; i < 4; ++i)
            v |= uint32_t{m_data[m_pos + i]} << (8 * i);
        m_pos += 4;
        return true;
    }
    bool Double(double& d)
    {
        if (m_data.size() - m_pos < 8) return false;
        uint64_t v = 0;
        for (int i = 0; i < 8; ++i)
            v |= uint64_t{m_data[m_pos + i]} << (8 * i);
        m_pos += 8;
        d = std::bit_cast<double>(v);
        return true;
    }
    bool AtEnd() const { return m_pos == m_data.size(); }

private:
    std::span<const uint8_t> m_data;
    size_t m_pos{0};
};

void WriteHorizon(std::string& out, const Horizon& h)
{
    PutDouble(out, h.decay);
    PutU32(out, h.scale);
    PutU32(out, static_cast<uint32_t>(h.conf_avg.size()));
    for (double v : h.feerate_avg)
        PutDouble(out, v);
    for (double v : h.tx_ct_avg)
        PutDouble(out, v);
    for (const auto& row : h.conf_avg) {
        for (double v : row)
            PutDouble(out, v);
    }
    for (const auto& row : h.fail_avg) {
        for (double v : row)
            PutDouble(out, v);
    }
}

// A stored statistic must be a finite non-negative count or sum.
bool ReadCount(Reader& r, double& v)
{
    return r.Double(v) && std::isfinite(v) && v >= 0;
}

util::Expected<void> ReadHorizon(Reader& r, Horizon& h, const char* name)
{
    const std::string what = std::string{"fee estimates file: "} + name + " horizon ";
    double decay{0};
    uint32_t scale{0};
    uint32_t periods{0};
    if (!r.Double(decay) || !r.U32(scale) || !r.U32(periods)) {
        return util::Unexpected(what + "is truncated");
    }
    // The horizons are fixed by this code; a file for other parameters would mislead.
    if (decay != h.decay || scale != h.scale || periods != h.conf_avg.size()) {
        return util::Unexpected(what + "has unexpected parameters");
    }
    for (double& v : h.feerate_avg) {
        if (!ReadCount(r, v)) return util::Unexpected(what + "has a bad fee rate sum");
    }
    for (double& v : h.tx_ct_avg) {
        if (!ReadCount(r, v)) return util::Unexpected(what + "has a bad transaction count");
    }
    for (auto& row : h.conf_avg) {
        for (double& v : row) {
            if (!ReadCount(r, v)) return util::Unexpected(what + "has a bad confirmed count");
        }
    }
    for (auto& row : h.fail_avg) {
        for (double& v : row) {
            if (!ReadCount(r, v)) return util::Unexpected(what + "has a bad failure count");
        }
    }
    return {};
}

} // namespace

struct FeeEstimator::Impl
{
    std::filesystem::path file;
    mutable std::mutex mutex;
    // Serialises writers of the temporary file; not held while estimating.
    mutable std::mutex flush_mutex;

    Horizon short_stats{SHORT_PERIODS, SHORT_DECAY, SHORT_SCALE};
    Horizon med_stats{MED_PERIODS, MED_DECAY, MED_SCALE};
    Horizon long_stats{LONG_PERIODS, LONG_DECAY, LONG_SCALE};
    std::unordered_map<consensus::Uint256, TrackedTx, consensus::BlobHasher> tracked;

    unsigned best_seen_height{0};
    // First block of this run that confirmed a tracked transaction (0: none yet).
    unsigned first_recorded_height{0};
    // The span of blocks the loaded statistics were learned over.
    unsigned historical_first{0};
    unsigned historical_best{0};

    std::array<Horizon*, 3> All() { return {&short_stats, &med_stats, &long_stats}; }

    unsigned BlockSpan() const
    {
        return first_recorded_height == 0 ? 0 : best_seen_height - first_recorded_height;
    }

    unsigned HistoricalBlockSpan() const
    {
        if (historical_first == 0) return 0;
        if (best_seen_height - historical_best > OLDEST_ESTIMATE_HISTORY) return 0;
        return historical_best - historical_first;
    }

    // Half the observed span: enough blocks must have passed for failures to show.
    unsigned MaxUsableEstimate() const
    {
        return std::min(long_stats.MaxConfirms(), std::max(BlockSpan(), HistoricalBlockSpan()) / 2);
    }

    bool RemoveTracked(const consensus::Uint256& txid, bool in_block)
    {
        const auto it = tracked.find(txid);
        if (it == tracked.end()) return false;
        for (Horizon* h : All()) {
            h->RemoveTracked(it->second.height, best_seen_height, it->second.bucket, in_block);
        }
        tracked.erase(it);
        return true;
    }

    // The estimate from the shortest horizon covering `target`; with `check_shorter`, a
    // lower answer from a shorter horizon at its own longest target wins (keeps estimates
    // monotone in the target).
    double CombinedFee(unsigned target, double min_success, bool check_shorter) const
    {
        if (target < 1 || target > long_stats.MaxConfirms()) return -1;
        double estimate;
        if (target <= short_stats.MaxConfirms()) {
            estimate = short_stats.EstimateMedianVal(target, SUFFICIENT_TXS_SHORT, min_success,
                                                     best_seen_height);
        } else if (target <= med_stats.MaxConfirms()) {
            estimate = med_stats.EstimateMedianVal(target, SUFFICIENT_FEETXS, min_success,
                                                   best_seen_height);
        } else {
            estimate = long_stats.EstimateMedianVal(target, SUFFICIENT_FEETXS, min_success,
                                                    best_seen_height);
        }
        if (check_shorter) {
            if (target > med_stats.MaxConfirms()) {
                const double med_max = med_stats.EstimateMedianVal(
                    med_stats.MaxConfirms(), SUFFICIENT_FEETXS, min_success, best_seen_height);
                if (med_max > 0 && (estimate == -1 || med_max < estimate)) estimate = med_max;
            }
            if (target > short_stats.MaxConfirms()) {
                const double short_max = short_stats.EstimateMedianVal(
                    short_stats.MaxConfirms(), SUFFICIENT_TXS_SHORT, min_success, best_seen_height);
                if (short_max > 0 && (estimate == -1 || short_max < estimate)) {
                    estimate = short_max;
                }
            }
        }
        return estimate;
    }

    // Conservative mode also requires the 95% rate at `double_target` in the longer horizons
    // (with Core's choice of which horizon answers at which range).
    double ConservativeFee(unsigned double_target) const
    {
        double estimate = -1;
        if (double_target <= short_stats.MaxConfirms()) {
            estimate = med_stats.EstimateMedianVal(double_target, SUFFICIENT_FEETXS,
                                                   DOUBLE_SUCCESS_PCT, best_seen_height);
        }
        if (double_target <= med_stats.MaxConfirms()) {
            const double long_estimate = long_stats.EstimateMedianVal(
                double_target, SUFFICIENT_FEETXS, DOUBLE_SUCCESS_PCT, best_seen_height);
            estimate = std::max(estimate, long_estimate);
        }
        return estimate;
    }

    std::string Serialize() const
    {
        std::string out(FILE_MAGIC, sizeof(FILE_MAGIC));
        PutU32(out, FILE_VERSION);
        PutU32(out, best_seen_height);
        // Store whichever span is more informative, as Core does.
        if (BlockSpan() > HistoricalBlockSpan() / 2) {
            PutU32(out, first_recorded_height);
            PutU32(out, best_seen_height);
        } else {
            PutU32(out, historical_first);
            PutU32(out, historical_best);
        }
        const auto& buckets = Buckets();
        PutU32(out, static_cast<uint32_t>(buckets.size()));
        for (double b : buckets)
            PutDouble(out, b);
        WriteHorizon(out, med_stats);
        WriteHorizon(out, short_stats);
        WriteHorizon(out, long_stats);
        const consensus::Uint256 sum =
            consensus::Hash256({reinterpret_cast<const uint8_t*>(out.data()), out.size()});
        out.append(reinterpret_cast<const char*>(sum.data()), sum.size());
        return out;
    }
};

FeeEstimator::FeeEstimator(std::filesystem::path file) : m_impl{std::make_unique<Impl>()}
{
    m_impl->file = std::move(file);
}

FeeEstimator::~FeeEstimator() = default;

void FeeEstimator::ProcessTransaction(const consensus::Uint256& txid, consensus::Amount fee,
                                      int64_t vsize, unsigned height, bool valid_for_estimation)
{
    std::lock_guard lock{m_impl->mutex};
    Impl& s = *m_impl;
    if (s.tracked.contains(txid)) return;
    // Entries made while our view lags the chain (or on a side chain) would be timed wrongly.
    if (height != s.best_seen_height) return;
    if (!valid_for_estimation) return;
    // Clamped so a nonsensical negative fee cannot poison the stored sums.
    const double feerate = static_cast<double>(
        std::max<consensus::Amount>(0, FeeRate::FromFee(fee, vsize).GetFeePerK()));
    const unsigned bucket = BucketIndex(feerate);
    for (Horizon* h : s.All())
        h->AddUnconfirmed(height, bucket);
    s.tracked.emplace(txid, TrackedTx{height, bucket, feerate});
}

void FeeEstimator::RemoveTransaction(const consensus::Uint256& txid)
{
    std::lock_guard lock{m_impl->mutex};
    m_impl->RemoveTracked(txid, /*in_block=*/false);
}

void FeeEstimator::ProcessBlock(unsigned height, const std::vector<consensus::Uint256>& txids)
{
    std::lock_guard lock{m_impl->mutex};
    Impl& s = *m_impl;
    // Reorgs and stale blocks are ignored: assumed random, they do not skew the statistics.
    if (height <= s.best_seen_height) return;
    s.best_seen_height = height;
    for (Horizon* h : s.All()) {
        h->RollRing(height);
        h->Decay();
    }
    unsigned counted = 0;
    for (const auto& txid : txids) {
        const auto it = s.tracked.find(txid);
        if (it == s.tracked.end()) continue;
        const TrackedTx tx = it->second;
        s.RemoveTracked(txid, /*in_block=*/true);
        const int64_t blocks_to_confirm = int64_t{height} - int64_t{tx.height};
        if (blocks_to_confirm <= 0) continue;
        for (Horizon* h : s.All()) {
            h->RecordConfirmed(static_cast<int>(std::min<int64_t>(blocks_to_confirm, 1 << 30)),
                               tx.feerate, tx.bucket);
        }
        ++counted;
    }
    if (s.first_recorded_height == 0 && counted > 0) s.first_recorded_height = height;
}

std::optional<FeeEstimate> FeeEstimator::EstimateSmartFee(int conf_target, EstimateMode mode) const
{
    std::lock_guard lock{m_impl->mutex};
    const Impl& s = *m_impl;
    if (conf_target <= 0 || static_cast<unsigned>(conf_target) > s.long_stats.MaxConfirms()) {
        return std::nullopt;
    }
    // One block is too noisy to estimate; answer for two.
    unsigned target = std::max(conf_target, 2);
    target = std::min(target, s.MaxUsableEstimate());
    if (target <= 1) return std::nullopt;

    const bool conservative = mode == EstimateMode::CONSERVATIVE;
    // The most demanding of: 60% at half the target, 85% at it, 95% at twice it.
    double median = s.CombinedFee(target / 2, HALF_SUCCESS_PCT, true);
    median = std::max(median, s.CombinedFee(target, SUCCESS_PCT, true));
    median = std::max(median, s.CombinedFee(2 * target, DOUBLE_SUCCESS_PCT, !conservative));
    if (conservative || median == -1) median = std::max(median, s.ConservativeFee(2 * target));
    if (median < 0) return std::nullopt;
    const auto rate = static_cast<consensus::Amount>(std::llround(median));
    if (rate <= 0) return std::nullopt;
    return FeeEstimate{FeeRate{rate}, static_cast<int>(target)};
}

int FeeEstimator::HighestTargetTracked() const
{
    std::lock_guard lock{m_impl->mutex};
    return static_cast<int>(m_impl->MaxUsableEstimate());
}

util::Expected<void> FeeEstimator::Load()
{
    const std::filesystem::path& path = m_impl->file;
    std::error_code ec;
    if (!std::filesystem::exists(path, ec)) {
        if (ec) return util::Unexpected("cannot access " + path.string() + ": " + ec.message());
        return {};
    }
    const uintmax_t size = std::filesystem::file_size(path, ec);
    if (ec) return util::Unexpected("cannot read " + path.string() + ": " + ec.message());
    if (size > MAX_FILE_SIZE) return util::Unexpected(path.string() + " is too large");
    std::ifstream in{path, std::ios::binary};
    if (!in) return util::Unexpected("cannot open " + path.string());
    std::vector<uint8_t> data(static_cast<size_t>(size));
    in.read(reinterpret_cast<char*>(data.data()), static_cast<std::streamsize>(data.size()));
    if (static_cast<size_t>(in.gcount()) != data.size()) {
        return util::Unexpected("cannot read " + path.string());
    }

    const std::string prefix = path.string() + ": ";
    if (data.size() < sizeof(FILE_MAGIC) + 4 + CHECKSUM_SIZE ||
        std::memcmp(data.data(), FILE_MAGIC, sizeof(FILE_MAGIC)) != 0) {
        return util::Unexpected(prefix + "not a fee estimates file");
    }
    const std::span<const uint8_t> body{data.data(), data.size() - CHECKSUM_SIZE};
    const consensus::Uint256 sum = consensus::Hash256(body);
    if (std::memcmp(sum.data(), data.data() + body.size(), CHECKSUM_SIZE) != 0) {
        return util::Unexpected(prefix + "checksum mismatch (file damaged)");
    }

    Reader r{body.subspan(sizeof(FILE_MAGIC))};
    uint32_t version{0};
    uint32_t best{0};
    uint32_t hist_first{0};
    uint32_t hist_best{0};
    uint32_t bucket_count{0};
    if (!r.U32(version)) return util::Unexpected(prefix + "truncated");
    if (version != FILE_VERSION) {
        return util::Unexpected(prefix + "unsupported version " + std::to_string(version));
    }
    if (!r.U32(best) || !r.U32(hist_first) || !r.U32(hist_best) || !r.U32(bucket_count)) {
        return util::Unexpected(prefix + "truncated");
    }
    if (hist_first > hist_best || hist_best > best) {
        return util::Unexpected(prefix + "invalid block range");
    }
    const auto& buckets = Buckets();
    if (bucket_count != buckets.size()) {
        return util::Unexpected(prefix + "unexpected fee rate buckets");
    }
    for (double expected : buckets) {
        double b{0};
        if (!r.Double(b)) return util::Unexpected(prefix + "truncated");
        if (b != expected) return util::Unexpected(prefix + "unexpected fee rate buckets");
    }
    Horizon med{MED_PERIODS, MED_DECAY, MED_SCALE};
    Horizon shrt{SHORT_PERIODS, SHORT_DECAY, SHORT_SCALE};
    Horizon lng{LONG_PERIODS, LONG_DECAY, LONG_SCALE};
    for (auto [h, name] : {std::pair{&med, "medium"}, {&shrt, "short"}, {&lng, "long"}}) {
        if (auto res = ReadHorizon(r, *h, name); !res) {
            return util::Unexpected(prefix + res.error().message);
        }
    }
    if (!r.AtEnd()) return util::Unexpected(prefix + "trailing data");

    // Only a fully valid file replaces the state; in-mempool tracking restarts with it.
    std::lock_guard lock{m_impl->mutex};
    Impl& s = *m_impl;
    s.med_stats = std::move(med);
    s.short_stats = std::move(shrt);
    s.long_stats = std::move(lng);
    s.tracked.clear();
    s.best_seen_height = best;
    s.first_recorded_height = 0;
    s.historical_first = hist_first;
    s.historical_best = hist_best;
    return {};
}

util::Expected<void> FeeEstimator::Flush() const
{
    std::string contents;
    {
        std::lock_guard lock{m_impl->mutex};
        contents = m_impl->Serialize();
    }
    std::lock_guard flush_lock{m_impl->flush_mutex};
    auto written = util::WriteFileAtomically(
        m_impl->file,
        std::span{reinterpret_cast<const uint8_t*>(contents.data()), contents.size()});
    if (!written) return written.error();
    return {};
}

} // namespace kernel
