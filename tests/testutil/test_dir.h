// A fresh directory under the system temp dir for one test, removed when the
// test ends. Shared by storage_tests and kernel_tests.
//
// Header-only and it includes gtest (to name the directory after the running
// test): only test binaries include it, never minibit_testutil's own sources,
// so the library does not link gtest. storage_tests does not link
// minibit_testutil and includes it by relative path.
#pragma once

#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <string>
#include <system_error>

#include <unistd.h>

namespace testutil {

// Owns an empty directory unique to this process, test and instance.
class TempDir
{
public:
    TempDir()
    {
        static std::atomic<int> counter{0};
        const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
        std::string name =
            info ? std::string{info->test_suite_name()} + "." + info->name() : "test";
        for (char& c : name) {
            if (c == '/') c = '_';
        }
        m_path =
            std::filesystem::temp_directory_path() / ("minibit_test_" + std::to_string(::getpid()) +
                                                      "_" + std::to_string(counter++) + "_" + name);
        std::error_code ec;
        std::filesystem::remove_all(m_path, ec);
        std::filesystem::create_directories(m_path);
    }
    ~TempDir()
    {
        std::error_code ec;
        std::filesystem::remove_all(m_path, ec);
    }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;

    // The directory; it exists until this object is destroyed.
    const std::filesystem::path& Path() const { return m_path; }

private:
    std::filesystem::path m_path;
};

} // namespace testutil
