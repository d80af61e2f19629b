#include <util/signals.h>

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <csignal>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

namespace {

// Runs `body` in a forked child (signal masks must not leak into the test
// binary) and returns its exit status, or -1 if it died of a signal.
template <typename Fn>
int InChild(Fn body)
{
    const pid_t pid = fork();
    if (pid == 0) _exit(body());
    int status = 0;
    waitpid(pid, &status, 0);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

TEST(SignalListenerTest, TerminationAndHangupAreDelivered)
{
    for (const int terminate_signal : {SIGTERM, SIGINT}) {
        const int status = InChild([terminate_signal] {
            if (!util::BlockTerminationSignals()) return 10;
            util::ShutdownSignal shutdown;
            std::atomic<int> received{0};
            std::atomic<int> hangups{0};
            {
                util::SignalListener listener{[&](int sig) {
                                                  received = sig;
                                                  shutdown.Request();
                                              },
                                              [&] { ++hangups; }};
                kill(getpid(), SIGHUP);
                for (int i = 0; i < 500 && hangups == 0; ++i) {
                    std::this_thread::sleep_for(std::chrono::milliseconds{10});
                }
                if (hangups != 1) return 11;
                if (shutdown.IsRequested()) return 12;
                kill(getpid(), terminate_signal);
                shutdown.Wait();
            }
            return received == terminate_signal ? 0 : 13;
        });
        EXPECT_EQ(status, 0) << "signal " << terminate_signal;
    }
}

TEST(SignalListenerTest, DestructorStopsAnIdleListener)
{
    const int status = InChild([] {
        if (!util::BlockTerminationSignals()) return 10;
        bool called = false;
        {
            util::SignalListener listener{[&](int) { called = true; }, [] {}};
        }
        return called ? 11 : 0;
    });
    EXPECT_EQ(status, 0);
}

} // namespace
