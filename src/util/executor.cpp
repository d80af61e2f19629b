#include <util/executor.h>

#include <pthread.h>

namespace util {

SerialExecutor::SerialExecutor(std::string name) : m_name{std::move(name)}
{
    m_thread = std::thread{[this] { Loop(); }};
}

SerialExecutor::~SerialExecutor()
{
    Stop();
}

bool SerialExecutor::Post(std::function<void()> task)
{
    {
        std::lock_guard lock{m_mutex};
        if (m_stopping) return false;
        m_tasks.push_back(std::move(task));
    }
    m_cv.notify_one();
    return true;
}

void SerialExecutor::Stop()
{
    {
        std::lock_guard lock{m_mutex};
        m_stopping = true;
    }
    m_cv.notify_all();
    if (m_thread.joinable()) m_thread.join();
}

void SerialExecutor::Loop()
{
    pthread_setname_np(pthread_self(), m_name.substr(0, 15).c_str());
    while (true) {
        std::function<void()> task;
        {
            std::unique_lock lock{m_mutex};
            m_cv.wait(lock, [&] { return m_stopping || !m_tasks.empty(); });
            if (m_tasks.empty()) return; // stopping and drained
            task = std::move(m_tasks.front());
            m_tasks.pop_front();
        }
        try {
            task();
        } catch (...) {
            // A task that throws is a bug in the task; the executor keeps serving.
        }
    }
}

} // namespace util
