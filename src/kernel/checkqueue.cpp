#include <kernel/checkqueue.h>

#include <algorithm>
#include <array>
#include <system_error>

namespace kernel {

std::optional<consensus::ScriptError> ScriptCheck::operator()() const
{
    if (tx == nullptr || input >= tx->vin.size()) return consensus::ScriptError::UNKNOWN_ERROR;
    const consensus::TxIn& txin = tx->vin[input];

    // Without precomputed data the checker hashes from scratch; BIP341 spends
    // then fail, as they need every spent output.
    consensus::PrecomputedTxData local;
    const consensus::PrecomputedTxData* data = txdata;
    if (data == nullptr) {
        local.Init(*tx, {});
        data = &local;
    }
    // Block validation only looks signatures up: storing them is the mempool's job.
    const consensus::TransactionSignatureChecker checker{
        tx, input, spent.value, *data, signature_cache, /*store_in_cache=*/false};
    consensus::ScriptError error{consensus::ScriptError::OK};
    if (consensus::VerifyScript(txin.script_sig, spent.script_pubkey, &txin.witness, flags, checker,
                                &error)) {
        return std::nullopt;
    }
    return error == consensus::ScriptError::OK ? consensus::ScriptError::UNKNOWN_ERROR : error;
}

ScriptCheckQueue::ScriptCheckQueue(unsigned total_threads)
{
    const unsigned workers = total_threads > 1 ? total_threads - 1 : 0;
    m_workers.reserve(workers);
    for (unsigned i = 0; i < workers; ++i) {
        try {
            m_workers.emplace_back([this] { WorkerLoop(); });
        } catch (const std::system_error&) {
            // Fewer threads still verify everything; the caller always works.
            break;
        }
    }
}

ScriptCheckQueue::~ScriptCheckQueue()
{
    {
        std::lock_guard lock{m_mutex};
        m_stop = true;
    }
    m_work_cv.notify_all();
    for (std::thread& worker : m_workers)
        worker.join();
}

void ScriptCheckQueue::WorkerLoop()
{
    std::unique_lock lock{m_mutex};
    while (true) {
        m_work_cv.wait(lock, [&] { return m_stop || HasWork(); });
        if (m_stop) return;
        lock.unlock();
        Work();
        lock.lock();
    }
}

void ScriptCheckQueue::Work()
{
    std::array<const ScriptCheck*, MAX_CHUNK> chunk{};
    while (true) {
        size_t begin = 0;
        size_t count = 0;
        {
            std::lock_guard lock{m_mutex};
            // After a failure the block is invalid anyway: skip what is left.
            if (!HasWork()) return;
            const size_t remaining = m_checks.size() - m_next;
            // Small chunks near the end keep every thread busy until the last check.
            count = std::clamp<size_t>(remaining / (2 * ThreadCount()), 1, MAX_CHUNK);
            begin = m_next;
            // Addresses are taken under the lock: Add may grow the deque meanwhile.
            for (size_t i = 0; i < count; ++i)
                chunk[i] = &m_checks[begin + i];
            m_next += count;
            ++m_active;
        }
        std::optional<ScriptCheckFailure> failure;
        for (size_t i = 0; i < count; ++i) {
            if (auto error = (*chunk[i])()) {
                failure = ScriptCheckFailure{begin + i, chunk[i]->tx, chunk[i]->input, *error};
                break; // later checks of this chunk have higher indexes
            }
        }
        std::lock_guard lock{m_mutex};
        if (failure && (!m_failure || failure->index < m_failure->index)) m_failure = failure;
        if (--m_active == 0) m_done_cv.notify_all();
    }
}

void ScriptCheckQueue::Start()
{
    std::lock_guard lock{m_mutex};
    m_checks.clear();
    m_next = 0;
    m_failure.reset();
}

void ScriptCheckQueue::Add(std::vector<ScriptCheck> checks)
{
    if (checks.empty()) return;
    {
        std::lock_guard lock{m_mutex};
        for (ScriptCheck& check : checks)
            m_checks.push_back(std::move(check));
    }
    if (!m_workers.empty()) m_work_cv.notify_all();
}

std::optional<ScriptCheckFailure> ScriptCheckQueue::Wait()
{
    Work();
    std::unique_lock lock{m_mutex};
    // Workers still running a chunk hold pointers into m_checks.
    m_done_cv.wait(lock, [&] { return m_active == 0; });
    std::optional<ScriptCheckFailure> failure = std::move(m_failure);
    m_failure.reset();
    m_checks.clear();
    m_next = 0;
    return failure;
}

void ScriptCheckQueue::Cancel()
{
    std::unique_lock lock{m_mutex};
    m_next = m_checks.size();
    m_done_cv.wait(lock, [&] { return m_active == 0; });
    m_failure.reset();
    m_checks.clear();
    m_next = 0;
}

std::optional<ScriptCheckFailure> ScriptCheckQueue::RunAll(const std::vector<ScriptCheck>& checks)
{
    Start();
    Add(checks);
    return Wait();
}

} // namespace kernel
