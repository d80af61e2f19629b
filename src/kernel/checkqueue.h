// The worker pool that verifies a block's input scripts in parallel (-par).
// The validation executor hands over all checks of one block and works on
// them too; RunAll returns when every check has run or a failure has been
// found (the remaining checks are then skipped).
//
// Thread safety: one RunAll at a time, from the validation executor; the
// workers only touch the checks of the current RunAll.
#pragma once

#include <consensus/coins.h>
#include <consensus/crypto/pubkey.h>
#include <consensus/script/interpreter.h>
#include <consensus/script/script_error.h>
#include <consensus/script/sighash.h>
#include <consensus/transaction.h>

#include <condition_variable>
#include <cstddef>
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

/// A failed check: its index in the vector given to RunAll and the error.
struct ScriptCheckFailure
{
    size_t index{0};
    consensus::ScriptError error{};
};

/// Threads that verify script checks alongside the caller.
class ScriptCheckQueue
{
public:
    /// total_threads >= 1 counts the calling thread: total_threads - 1 workers start.
    explicit ScriptCheckQueue(unsigned total_threads);
    /// Stops and joins the workers.
    ~ScriptCheckQueue();
    ScriptCheckQueue(const ScriptCheckQueue&) = delete;
    ScriptCheckQueue& operator=(const ScriptCheckQueue&) = delete;

    /// Verifies every check; nullopt if all pass, else one failure (the one
    /// with the lowest index among those that ran and failed).
    std::optional<ScriptCheckFailure> RunAll(const std::vector<ScriptCheck>& checks);
    /// Threads that verify, the caller included.
    unsigned ThreadCount() const { return static_cast<unsigned>(m_workers.size()) + 1; }

private:
    void WorkerLoop();
    /// Takes and runs chunks of the current job until it is exhausted.
    void Work();

    std::mutex m_mutex;
    std::condition_variable m_work_cv;
    std::condition_variable m_done_cv;
    std::vector<std::thread> m_workers;
    const std::vector<ScriptCheck>* m_job{nullptr};
    size_t m_next{0};
    size_t m_active{0};
    uint64_t m_generation{0};
    bool m_stop{false};
    std::optional<ScriptCheckFailure> m_failure;
};

} // namespace kernel
