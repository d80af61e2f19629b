// Stand-in for libFuzzer's driver when building without it (gcc, CI): runs
// LLVMFuzzerTestOneInput once on every file named on the command line or found
// directly inside a directory named there, so committed corpora stay green.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

namespace {

bool RunFile(const std::filesystem::path& path)
{
    std::ifstream f{path, std::ios::binary};
    if (!f) {
        std::fprintf(stderr, "cannot read %s\n", path.c_str());
        return false;
    }
    const std::vector<uint8_t> bytes{std::istreambuf_iterator<char>{f},
                                     std::istreambuf_iterator<char>{}};
    LLVMFuzzerTestOneInput(bytes.data(), bytes.size());
    return true;
}

} // namespace

int main(int argc, char** argv)
{
    size_t runs = 0;
    for (int i = 1; i < argc; ++i) {
        const std::string arg{argv[i]};
        // libFuzzer flags (-runs=0, ...) are accepted and ignored so one command line fits both.
        if (arg.starts_with("-")) continue;
        std::error_code ec;
        const std::filesystem::path path{arg};
        if (std::filesystem::is_directory(path, ec)) {
            std::vector<std::filesystem::path> files;
            for (const auto& entry : std::filesystem::directory_iterator{path, ec}) {
                if (entry.is_regular_file()) files.push_back(entry.path());
            }
            if (ec) {
                std::fprintf(stderr, "cannot list %s: %s\n", arg.c_str(), ec.message().c_str());
                return 1;
            }
            std::sort(files.begin(), files.end());
            for (const auto& file : files) {
                if (!RunFile(file)) return 1;
                ++runs;
            }
        } else if (std::filesystem::is_regular_file(path, ec)) {
            if (!RunFile(path)) return 1;
            ++runs;
        } else {
            std::fprintf(stderr, "no such file or directory: %s\n", arg.c_str());
            return 1;
        }
    }
    std::printf("replayed %zu inputs\n", runs);
    return runs == 0 ? 1 : 0;
}
