#include <kernel/checkqueue.h>

#include <algorithm>
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
    uint64_t seen_generation = 0;
    std::unique_lock lock{m_mutex};
    while (true) {
        m_work_cv.wait(
            lock, [&] { return m_stop || (m_job != nullptr && m_generation != seen_generation); });
        if (m_stop) return;
        seen_generation = m_generation;
        // Joining under the lock: RunAll cannot retire the job while we hold it.
        ++m_active;
        lock.unlock();
        Work();
        lock.lock();
        if (--m_active == 0) m_done_cv.notify_all();
    }
}

void ScriptCheckQueue::Work()
{
    while (true) {
        size_t begin = 0;
        size_t end = 0;
        const std::vector<ScriptCheck>* job = nullptr;
        {
            std::lock_guard lock{m_mutex};
            // After a failure the block is invalid anyway: skip what is left.
            if (m_job == nullptr || m_failure || m_next >= m_job->size()) return;
            job = m_job;
            const size_t remaining = job->size() - m_next;
            // Small chunks near the end keep every thread busy until the last check.
            const size_t chunk =
                std::clamp<size_t>(remaining / (2 * ThreadCount()), size_t{1}, size_t{32});
            begin = m_next;
            end = begin + chunk;
            m_next = end;
        }
        for (size_t i = begin; i < end; ++i) {
            if (auto error = (*job)[i]()) {
                std::lock_guard lock{m_mutex};
                if (!m_failure || i < m_failure->index) m_failure = ScriptCheckFailure{i, *error};
                break; // later checks of this chunk have higher indexes
            }
        }
    }
}

std::optional<ScriptCheckFailure> ScriptCheckQueue::RunAll(const std::vector<ScriptCheck>& checks)
{
    if (checks.empty()) return std::nullopt;
    {
        std::lock_guard lock{m_mutex};
        m_job = &checks;
        m_next = 0;
        m_failure.reset();
        ++m_generation;
    }
    if (!m_workers.empty()) m_work_cv.notify_all();
    Work();

    std::unique_lock lock{m_mutex};
    // Workers still running a chunk hold pointers into `checks`.
    m_done_cv.wait(lock, [&] { return m_active == 0; });
    m_job = nullptr;
    std::optional<ScriptCheckFailure> failure = std::move(m_failure);
    m_failure.reset();
    return failure;
}

} // namespace kernel
