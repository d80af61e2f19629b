// A serial executor: one dedicated thread running posted tasks in order. The
// node's validation executor (DESIGN.md §2) is one of these; it is the only
// thread that touches the chainstate once the node is up.
#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <future>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <type_traits>
#include <utility>

namespace util {

/// Thrown by SerialExecutor::Run when the executor no longer accepts work.
class ExecutorStopped : public std::runtime_error
{
public:
    ExecutorStopped() : std::runtime_error{"Shutting down"} {}
};

/// One worker thread and a FIFO of tasks. Any thread may Post or Run; Stop
/// finishes what was queued, then joins.
class SerialExecutor
{
public:
    /// Starts the thread; `name` is its OS thread name (at most 15 characters shown).
    explicit SerialExecutor(std::string name);
    /// Stop().
    ~SerialExecutor();
    SerialExecutor(const SerialExecutor&) = delete;
    SerialExecutor& operator=(const SerialExecutor&) = delete;

    /// Queues `task`; false (and the task dropped) once Stop began. Any thread.
    /// A task must not throw; exceptions that escape are swallowed and logged nowhere.
    bool Post(std::function<void()> task);

    /// Runs `f` on the executor and returns its result, waiting for it; runs inline when
    /// called on the executor itself. Throws ExecutorStopped once Stop began; exceptions
    /// thrown by `f` reach the caller. Any thread.
    template <typename F>
    std::invoke_result_t<F> Run(F&& f)
    {
        using R = std::invoke_result_t<F>;
        if (OnExecutorThread()) return std::forward<F>(f)();
        auto task = std::make_shared<std::packaged_task<R()>>(std::forward<F>(f));
        std::future<R> result = task->get_future();
        if (!Post([task] { (*task)(); })) throw ExecutorStopped{};
        return result.get();
    }

    /// True on the executor's own thread.
    bool OnExecutorThread() const { return std::this_thread::get_id() == m_thread.get_id(); }

    /// Refuses new tasks, runs those already queued, joins the thread. Idempotent; not
    /// from the executor itself.
    void Stop();

private:
    void Loop();

    std::mutex m_mutex;
    std::condition_variable m_cv;
    std::deque<std::function<void()>> m_tasks; // guarded by m_mutex
    bool m_stopping{false};                    // guarded by m_mutex
    std::string m_name;
    std::thread m_thread;
};

} // namespace util
