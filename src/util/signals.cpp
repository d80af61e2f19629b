#include <util/signals.h>

#include <cerrno>
#include <csignal>
#include <cstring>
#include <pthread.h>

namespace util {

namespace {

sigset_t TerminationSet()
{
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGHUP);
    return set;
}

} // namespace

void ShutdownSignal::Request()
{
    {
        std::lock_guard lock{m_mutex};
        m_requested = true;
    }
    m_cv.notify_all();
}

bool ShutdownSignal::IsRequested() const
{
    std::lock_guard lock{m_mutex};
    return m_requested;
}

void ShutdownSignal::Wait()
{
    std::unique_lock lock{m_mutex};
    m_cv.wait(lock, [this] { return m_requested; });
}

Expected<void> BlockTerminationSignals()
{
    const sigset_t set = TerminationSet();
    if (const int err = pthread_sigmask(SIG_BLOCK, &set, nullptr); err != 0) {
        return Unexpected(std::string{"Cannot block signals: "} + std::strerror(err));
    }
    // A peer closing a socket must not kill the process.
    std::signal(SIGPIPE, SIG_IGN);
    return {};
}

SignalListener::SignalListener(std::function<void(int)> on_terminate,
                               std::function<void()> on_hangup)
    : m_on_terminate{std::move(on_terminate)}, m_on_hangup{std::move(on_hangup)}, m_thread{[this] {
          Run();
      }}
{}

SignalListener::~SignalListener()
{
    m_stopping = true;
    // Wake the thread with a signal it is waiting for; harmless if it already
    // returned (the id stays valid until join).
    pthread_kill(m_thread.native_handle(), SIGTERM);
    m_thread.join();
}

void SignalListener::Run()
{
    const sigset_t set = TerminationSet();
    while (true) {
        int sig = 0;
        if (sigwait(&set, &sig) != 0) continue;
        if (m_stopping) return;
        if (sig == SIGHUP) {
            if (m_on_hangup) m_on_hangup();
            continue;
        }
        if (m_on_terminate) m_on_terminate(sig);
        return;
    }
}

} // namespace util
