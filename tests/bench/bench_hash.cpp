// Hash throughput: SHA-256 on small and large inputs, SHA-256d.
#include <consensus/hash.h>

#include <benchmark/benchmark.h>

#include <cstdint>
#include <vector>

using namespace consensus;

static void Sha256Bytes(benchmark::State& state)
{
    const std::vector<uint8_t> data(static_cast<size_t>(state.range(0)), 0xa5);
    for (auto _ : state)
        benchmark::DoNotOptimize(Sha256Hash(data));
    state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) * state.range(0));
}
BENCHMARK(Sha256Bytes)->Arg(64)->Arg(1 << 20);

static void Sha256dBytes(benchmark::State& state)
{
    const std::vector<uint8_t> data(static_cast<size_t>(state.range(0)), 0x5a);
    for (auto _ : state)
        benchmark::DoNotOptimize(Hash256(data));
    state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) * state.range(0));
}
BENCHMARK(Sha256dBytes)->Arg(64)->Arg(1 << 20);

// The merkle inner-node shape: two 32-byte values.
static void Sha256dPair(benchmark::State& state)
{
    Uint256 a;
    Uint256 b;
    a.data()[0] = 1;
    b.data()[0] = 2;
    for (auto _ : state) {
        a = Hash256(a, b);
        benchmark::DoNotOptimize(a);
    }
}
BENCHMARK(Sha256dPair);

// The incremental hasher on the same 64 bytes, to compare with the one-shot call.
static void Sha256Incremental64(benchmark::State& state)
{
    const std::vector<uint8_t> data(64, 0xa5);
    Sha256 hasher;
    for (auto _ : state) {
        hasher.Reset().Write(data);
        benchmark::DoNotOptimize(hasher.Finalize());
    }
    state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) * 64);
}
BENCHMARK(Sha256Incremental64);
