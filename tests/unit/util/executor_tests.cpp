#include <util/executor.h>

#include <gtest/gtest.h>

#include <atomic>
#include <stdexcept>
#include <thread>
#include <vector>

namespace {

TEST(SerialExecutor, RunsTasksInOrderOnOneThread)
{
    util::SerialExecutor executor{"test-exec"};
    std::vector<int> order;
    std::thread::id worker;
    for (int i = 0; i < 100; ++i) {
        ASSERT_TRUE(executor.Post([&, i] {
            if (i == 0) worker = std::this_thread::get_id();
            EXPECT_EQ(std::this_thread::get_id(), worker);
            order.push_back(i);
        }));
    }
    executor.Run([] {}); // everything posted before has run
    ASSERT_EQ(order.size(), 100u);
    for (int i = 0; i < 100; ++i)
        EXPECT_EQ(order[i], i);
    EXPECT_NE(worker, std::this_thread::get_id());
}

TEST(SerialExecutor, RunReturnsValuesAndPropagatesExceptions)
{
    util::SerialExecutor executor{"test-exec"};
    EXPECT_EQ(executor.Run([] { return 41 + 1; }), 42);
    EXPECT_FALSE(executor.OnExecutorThread());
    EXPECT_TRUE(executor.Run([&] { return executor.OnExecutorThread(); }));
    EXPECT_THROW(executor.Run([]() -> int { throw std::logic_error{"boom"}; }), std::logic_error);
    // The thread survives a throwing task.
    EXPECT_EQ(executor.Run([] { return 7; }), 7);
}

TEST(SerialExecutor, NestedRunExecutesInline)
{
    util::SerialExecutor executor{"test-exec"};
    // Waiting for itself would deadlock; Run on the executor must run the task at once.
    const int value = executor.Run([&] { return executor.Run([] { return 5; }) + 1; });
    EXPECT_EQ(value, 6);
}

TEST(SerialExecutor, ManyCallersAreSerialised)
{
    util::SerialExecutor executor{"test-exec"};
    int counter = 0; // touched only on the executor, so no lock is needed
    std::vector<std::thread> callers;
    for (int t = 0; t < 4; ++t) {
        callers.emplace_back([&] {
            for (int i = 0; i < 500; ++i)
                executor.Run([&] { ++counter; });
        });
    }
    for (auto& c : callers)
        c.join();
    EXPECT_EQ(executor.Run([&] { return counter; }), 2000);
}

TEST(SerialExecutor, StopDrainsQueueThenRefuses)
{
    util::SerialExecutor executor{"test-exec"};
    std::atomic<int> ran{0};
    for (int i = 0; i < 10; ++i)
        ASSERT_TRUE(executor.Post([&] { ++ran; }));
    executor.Stop();
    EXPECT_EQ(ran.load(), 10);
    EXPECT_FALSE(executor.Post([&] { ++ran; }));
    EXPECT_THROW(executor.Run([] { return 1; }), util::ExecutorStopped);
    executor.Stop(); // idempotent
    EXPECT_EQ(ran.load(), 10);
}

} // namespace
