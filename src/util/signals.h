// Shutdown requests and POSIX signal handling without async-signal handlers:
// signals are blocked everywhere and one thread receives them with sigwait().
#pragma once

#include <util/expected.h>

#include <atomic>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>

namespace util {

/// A one-way "please shut down" flag. Any thread may Request(); Wait() blocks
/// until someone does.
class ShutdownSignal
{
public:
    /// Raises the flag and wakes every waiter. Any thread; idempotent.
    void Request();
    /// True once Request() ran. Any thread.
    bool IsRequested() const;
    /// Blocks until Request() has run. Any thread.
    void Wait();

private:
    mutable std::mutex m_mutex;
    std::condition_variable m_cv;
    bool m_requested{false}; // guarded by m_mutex
};

/// Blocks SIGINT, SIGTERM and SIGHUP in the calling thread and ignores SIGPIPE.
/// Call from main() before any other thread starts so every thread inherits
/// the mask and only SignalListener sees these signals.
Expected<void> BlockTerminationSignals();

/// Owns a thread that waits (sigwait, no polling) for SIGINT/SIGTERM, calling
/// `on_terminate(signal)` once, and for SIGHUP, calling `on_hangup()` each time.
/// Requires BlockTerminationSignals() to have run first.
class SignalListener
{
public:
    /// Starts the listening thread.
    SignalListener(std::function<void(int)> on_terminate, std::function<void()> on_hangup);
    /// Stops the thread (if no signal stopped it already) and joins it.
    ~SignalListener();
    SignalListener(const SignalListener&) = delete;
    SignalListener& operator=(const SignalListener&) = delete;

private:
    void Run();

    std::function<void(int)> m_on_terminate;
    std::function<void()> m_on_hangup;
    std::atomic<bool> m_stopping{false};
    std::thread m_thread;
};

} // namespace util
