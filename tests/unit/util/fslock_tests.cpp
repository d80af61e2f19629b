#include <util/fslock.h>
#include <util/signals.h>

#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

namespace {

class LockTest : public ::testing::Test
{
protected:
    void SetUp() override
    {
        m_dir = std::filesystem::temp_directory_path() /
                ("minibit_lock_test_" + std::to_string(getpid()));
        std::filesystem::create_directories(m_dir);
    }
    void TearDown() override { std::filesystem::remove_all(m_dir); }

    // Exit status of a forked child that tries to take the lock: 0 = got it.
    int ChildTryLock()
    {
        const pid_t pid = fork();
        if (pid == 0) {
            auto lock = util::DirectoryLock::Acquire(m_dir);
            _exit(lock ? 0 : 1);
        }
        int status = 0;
        waitpid(pid, &status, 0);
        return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    }

    std::filesystem::path m_dir;
};

TEST_F(LockTest, SecondLockInSameProcessFails)
{
    auto first = util::DirectoryLock::Acquire(m_dir);
    ASSERT_TRUE(first);
    EXPECT_TRUE(std::filesystem::exists(m_dir / ".lock"));
    auto second = util::DirectoryLock::Acquire(m_dir);
    ASSERT_FALSE(second);
    EXPECT_EQ(second.error().message, "Cannot obtain a lock on data directory " + m_dir.string() +
                                          ". minibit is probably already running.");
    first->reset();
    auto third = util::DirectoryLock::Acquire(m_dir);
    EXPECT_TRUE(third);
}

TEST_F(LockTest, OtherProcessIsRefusedUntilRelease)
{
    EXPECT_EQ(ChildTryLock(), 0);
    {
        auto lock = util::DirectoryLock::Acquire(m_dir);
        ASSERT_TRUE(lock);
        EXPECT_EQ(ChildTryLock(), 1);
    }
    EXPECT_EQ(ChildTryLock(), 0);
}

TEST_F(LockTest, MissingDirectoryIsAnError)
{
    auto lock = util::DirectoryLock::Acquire(m_dir / "nope");
    ASSERT_FALSE(lock);
    EXPECT_NE(lock.error().message.find("Cannot write to data directory"), std::string::npos);
}

TEST(ShutdownSignalTest, WaitReturnsAfterRequestFromAnotherThread)
{
    util::ShutdownSignal shutdown;
    EXPECT_FALSE(shutdown.IsRequested());
    std::thread requester{[&] { shutdown.Request(); }};
    shutdown.Wait();
    requester.join();
    EXPECT_TRUE(shutdown.IsRequested());
    shutdown.Request(); // idempotent
    shutdown.Wait();
}

} // namespace
