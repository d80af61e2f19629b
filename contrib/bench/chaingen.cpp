// chaingen: writes a regtest chain of signed P2WPKH/P2TR spends to a file in
// blk*.dat framing, for `minibitd -regtest -loadblock=<file>` and the import
// benchmarks.
//
//   chaingen -out=<file> -blocks=<n> -inputs=<per block> [-seed=<n>]
//
// The same arguments always produce the same file.
#include <testutil/chain_builder.h>

#include <common/chainparams.h>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace {

constexpr std::string_view USAGE =
    "Usage: chaingen -out=<file> -blocks=<n> -inputs=<per block> [-seed=<n>]\n"
    "\n"
    "Writes a regtest chain in blk*.dat framing (magic, LE size, block): coinbase-only\n"
    "blocks until the first coinbase matures, then blocks spending about <per block>\n"
    "signed P2WPKH and P2TR inputs each. Import it with minibitd -regtest -loadblock=<file>.\n";

std::optional<uint64_t> ParseUnsigned(const std::string& text)
{
    if (text.empty() || text.size() > 19) return std::nullopt;
    uint64_t value = 0;
    for (const char c : text) {
        if (c < '0' || c > '9') return std::nullopt;
        value = value * 10 + static_cast<uint64_t>(c - '0');
    }
    return value;
}

} // namespace

int main(int argc, char* argv[])
{
    std::map<std::string, std::string> args;
    for (int i = 1; i < argc; ++i) {
        std::string arg{argv[i]};
        if (arg == "-h" || arg == "-help" || arg == "--help") {
            std::fputs(USAGE.data(), stdout);
            return 0;
        }
        if (arg.starts_with("--")) arg.erase(0, 1);
        const size_t eq = arg.find('=');
        if (!arg.starts_with('-') || eq == std::string::npos) {
            std::fprintf(stderr, "Error: unexpected argument %s\n%s", argv[i], USAGE.data());
            return 1;
        }
        const std::string key = arg.substr(1, eq - 1);
        if (key != "out" && key != "blocks" && key != "inputs" && key != "seed") {
            std::fprintf(stderr, "Error: unknown option -%s\n%s", key.c_str(), USAGE.data());
            return 1;
        }
        args[key] = arg.substr(eq + 1);
    }
    if (!args.contains("out") || args["out"].empty() || !args.contains("blocks") ||
        !args.contains("inputs")) {
        std::fprintf(stderr, "Error: -out, -blocks and -inputs are required\n%s", USAGE.data());
        return 1;
    }
    const auto blocks = ParseUnsigned(args["blocks"]);
    const auto inputs = ParseUnsigned(args["inputs"]);
    const auto seed =
        args.contains("seed") ? ParseUnsigned(args["seed"]) : std::optional<uint64_t>{0};
    if (!blocks || *blocks > 1'000'000 || !inputs || *inputs > 1'000'000 || !seed) {
        std::fprintf(stderr, "Error: -blocks, -inputs and -seed take non-negative numbers\n");
        return 1;
    }

    const auto params = common::ChainParams::RegTest();
    auto writer = testutil::BlockFileWriter::Open(args["out"], params->GetMessageStart());
    if (!writer) {
        std::fprintf(stderr, "Error: %s\n", writer.error().message.c_str());
        return 1;
    }
    testutil::ChainBuilder builder{*params, *seed};
    std::optional<util::Error> write_error;
    const auto start = std::chrono::steady_clock::now();
    auto stats = builder.Generate(static_cast<int>(*blocks), static_cast<int>(*inputs),
                                  [&](const consensus::Block& block) {
                                      if (write_error) return;
                                      if (auto ok = writer->Append(block); !ok)
                                          write_error = ok.error();
                                  });
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (!stats) {
        std::fprintf(stderr, "Error: %s\n", stats.error().message.c_str());
        return 1;
    }
    if (write_error) {
        std::fprintf(stderr, "Error: %s\n", write_error->message.c_str());
        return 1;
    }
    if (auto closed = writer->Close(); !closed) {
        std::fprintf(stderr, "Error: %s\n", closed.error().message.c_str());
        return 1;
    }
    std::error_code ec;
    const auto size = std::filesystem::file_size(args["out"], ec);
    std::printf("wrote %s (%llu bytes)\n", args["out"].c_str(),
                static_cast<unsigned long long>(ec ? 0 : size));
    std::printf("blocks: %d (tip height %d, hash %s)\n", stats->blocks, builder.Tip().height,
                builder.Tip().hash.GetHex().c_str());
    std::printf("transactions: %llu (plus %d coinbases)\n",
                static_cast<unsigned long long>(stats->txs), stats->blocks);
    std::printf("inputs: %llu (p2wpkh %llu, p2tr %llu)\n",
                static_cast<unsigned long long>(stats->inputs),
                static_cast<unsigned long long>(stats->p2wpkh_inputs),
                static_cast<unsigned long long>(stats->p2tr_inputs));
    std::printf("outputs: %llu\n", static_cast<unsigned long long>(stats->outputs));
    std::printf("seconds: %.2f\n", seconds);
    return 0;
}
