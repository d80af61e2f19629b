// Block-level costs on a real 2.2 MB SegWit block: decoding, txids, merkle root.
#include "bench_data.h"

#include <consensus/block.h>
#include <consensus/merkle.h>
#include <consensus/serialize.h>

#include <benchmark/benchmark.h>

#include <cstdint>

using namespace consensus;

static void BlockDecode(benchmark::State& state)
{
    const auto& bytes = bench::LargeSegwitBlockBytes();
    for (auto _ : state) {
        auto block = Decode<Block>(bytes);
        if (!block) {
            state.SkipWithError("vendored block does not decode");
            break;
        }
        benchmark::DoNotOptimize(block->vtx.data());
    }
    state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) *
                            static_cast<int64_t>(bytes.size()));
}
BENCHMARK(BlockDecode)->Unit(benchmark::kMillisecond);

// Recomputes txid and wtxid of every transaction (what building a Transaction costs).
static void BlockTxids(benchmark::State& state)
{
    auto block = Decode<Block>(bench::LargeSegwitBlockBytes());
    if (!block) {
        state.SkipWithError("vendored block does not decode");
        return;
    }
    std::vector<MutableTransaction> txs;
    for (const auto& tx : block->vtx) {
        MutableTransaction mtx;
        mtx.version = tx->version;
        mtx.vin = tx->vin;
        mtx.vout = tx->vout;
        mtx.locktime = tx->locktime;
        txs.push_back(std::move(mtx));
    }
    for (auto _ : state) {
        for (const auto& mtx : txs)
            benchmark::DoNotOptimize(mtx.GetHash());
    }
    state.SetItemsProcessed(static_cast<int64_t>(state.iterations()) *
                            static_cast<int64_t>(txs.size()));
}
BENCHMARK(BlockTxids)->Unit(benchmark::kMillisecond);

static void BlockMerkle(benchmark::State& state)
{
    auto block = Decode<Block>(bench::LargeSegwitBlockBytes());
    if (!block) {
        state.SkipWithError("vendored block does not decode");
        return;
    }
    for (auto _ : state) {
        bool mutated = false;
        benchmark::DoNotOptimize(BlockMerkleRoot(*block, &mutated));
    }
}
BENCHMARK(BlockMerkle)->Unit(benchmark::kMicrosecond);
