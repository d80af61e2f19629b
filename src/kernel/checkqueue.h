// The worker pool that verifies a block's input scripts in parallel (-par).
// The validation executor hands over each transaction's checks as it goes
// through the block and works on them too at the end; a failure makes the
// remaining checks be skipped.
//
// Thread safety: one batch at a time, driven from the validation executor;
// the workers only touch the checks of the open batch.
#pragma once

#include <consensus/coins.h>
#include <consensus/crypto/pubkey.h>
#include <consensus/script/interpreter.h>
#include <consensus/script/script_error.h>
#include <consensus/script/sighash.h>
#include <consensus/transaction.h>

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

namespace kernel {

/// One input script to verify. The pointers must stay valid until RunAll returns.
struct ScriptCheck
{
    const consensus::Transaction* tx{nullptr};
    unsigned input{0};
    consensus::TxOut spent; //!< the output being spent
    uint32_t flags{0};      //!< SCRIPT_VERIFY_* for the block
    const consensus::PrecomputedTxData* txdata{nullptr};
    consensus::SignatureCache* signature_cache{nullptr}; //!< may be null

    /// Runs VerifyScript; nullopt on success, else the script error.
    std::optional<consensus::ScriptError> operator()() const;
};

/// A failed check: its index in the batch (in the order added), where it was and the error.
struct ScriptCheckFailure
{
    size_t index{0};
    const consensus::Transaction* tx{nullptr};
    unsigned input{0};
    consensus::ScriptError error{};
};

/// Threads that verify script checks alongside the caller. A batch is
/// opened with Start, filled with Add while workers already verify what has
/// arrived (so a block's serial work overlaps its script checks), and closed
/// with Wait, where the caller helps until everything has run, or Cancel.
class ScriptCheckQueue
{
public:
    /// total_threads >= 1 counts the calling thread: total_threads - 1 workers start.
    explicit ScriptCheckQueue(unsigned total_threads);
    /// Stops and joins the workers.
    ~ScriptCheckQueue();
    ScriptCheckQueue(const ScriptCheckQueue&) = delete;
    ScriptCheckQueue& operator=(const ScriptCheckQueue&) = delete;

    /// Opens a batch; the previous one must have been closed.
    void Start();
    /// Queues checks of the open batch; workers may start on them at once.
    void Add(std::vector<ScriptCheck> checks);
    /// Closes the batch once every check ran (or a failure stopped the rest);
    /// nullopt if all passed, else the failure with the lowest index among those that ran.
    std::optional<ScriptCheckFailure> Wait();
    /// Closes the batch without running what is left (waits for running checks).
    void Cancel();
    /// Start, Add and Wait in one call.
    std::optional<ScriptCheckFailure> RunAll(const std::vector<ScriptCheck>& checks);
    /// Threads that verify, the caller included.
    unsigned ThreadCount() const { return static_cast<unsigned>(m_workers.size()) + 1; }

private:
    /// Largest number of checks a thread takes at once.
    static constexpr size_t MAX_CHUNK = 32;
    void WorkerLoop();
    /// Takes and runs chunks until none is left (or a failure is known).
    void Work();
    /// Under m_mutex: true if a chunk can be taken.
    bool HasWork() const { return !m_failure && m_next < m_checks.size(); }

    std::mutex m_mutex;
    std::condition_variable m_work_cv;
    std::condition_variable m_done_cv;
    std::vector<std::thread> m_workers;
    // A deque: elements keep their address while more are added.
    std::deque<ScriptCheck> m_checks;
    size_t m_next{0};
    size_t m_active{0};
    bool m_stop{false};
    std::optional<ScriptCheckFailure> m_failure;
};

} // namespace kernel
