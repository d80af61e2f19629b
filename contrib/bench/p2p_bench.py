#!/usr/bin/python3
"""P2P macro benchmark (issue 7): how fast minibitd syncs a generated chain from
one and from three local peers, and how long a new block takes to cross a
5-node line with and without compact blocks, each against a baseline measured
in the same run.

Steps: build minibitd and chaingen (MINIBIT_BENCH=ON), generate a chain of
signed spends with chaingen (cached under <build>/bench-cache), import it into
two nodes with -loadblock (the baseline: the same blocks validated locally),
mine one block on top so the tip is recent (a node whose tip is old is in
initial block download and, like Bitcoin Core, serves no headers), then time a
fresh node syncing from one of them alone and another from three peers. For
the line, five fresh nodes each dial the one before; blocks with transactions
already in every mempool are mined on the first node and the time from its
UpdateTip log line to the last node's is the latency, next to the time a
standalone node takes to accept the same block through submitblock. Exit
status: 1 on a functional failure (a wrong tip, a node that dies, a sync that
does not finish within --timeout), 2 when a binary is missing; speed never
fails the run. Standard library only.
"""

import argparse
import json
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(ROOT, "tests", "functional"))

from reindex_bench import (BenchFailure, find_binary, parse_log_time,  # noqa: E402
                           scan_chain_file)
from test_framework.node import MinibitNode  # noqa: E402
from test_framework.rpc import JSONRPCException  # noqa: E402
from test_framework.wallet import OP_TRUE_ADDRESS, OpTrueWallet  # noqa: E402

UPDATE_TIP = re.compile(r"UpdateTip: new best=([0-9a-f]{64}) height=(\d+)")
LINE_LENGTH = 5


class Bench:
    def __init__(self, opts, minibitd, tmpdir):
        self.opts = opts
        self.minibitd = minibitd
        self.tmpdir = tmpdir
        self.nodes = []

    def new_node(self, name):
        datadir = os.path.join(self.tmpdir, name)
        os.makedirs(datadir)
        node = MinibitNode(self.minibitd, datadir, len(self.nodes))
        self.nodes.append(node)
        return node

    def wait_for_tip(self, node, height, tip, what):
        """Polls until node's best block is `tip`; returns the monotonic time it saw it."""
        deadline = time.monotonic() + self.opts.timeout
        while True:
            if node.process.poll() is not None:
                raise BenchFailure(f"{what}: minibitd exited with {node.process.returncode}: "
                                   f"{node.read_stderr()[-500:]}")
            if node.getblockcount() >= height and node.getbestblockhash() == tip:
                return time.monotonic()
            if time.monotonic() > deadline:
                raise BenchFailure(f"{what}: height {node.getblockcount()} after "
                                   f"{self.opts.timeout} s, expected {height}")
            time.sleep(0.02)

    def start_node(self, node, args):
        node.start_and_wait(args, timeout=self.opts.timeout)

    def stop_all(self):
        for node in self.nodes:
            if node.process is not None and node.process.poll() is None:
                code = node.stop(timeout=120)
                if code != 0:
                    raise BenchFailure(f"node{node.index} exited with {code} after SIGTERM")

    def kill_all(self):
        for node in self.nodes:
            node.kill()


def peer_info(node):
    """getpeerinfo, or None while the node lacks the net RPCs (the figures that use it
    are then left out)."""
    try:
        return node.getpeerinfo()
    except JSONRPCException:
        return None


def block_sources(node):
    """Bytes of block-carrying messages node received, per peer address (or None)."""
    peers = peer_info(node)
    if peers is None:
        return None
    out = {}
    for peer in peers:
        per_msg = peer.get("bytesrecv_per_msg", {})
        out[peer["addr"]] = sum(per_msg.get(m, 0) for m in ("block", "cmpctblock", "blocktxn"))
    return out


def messages_received(nodes, names):
    """Bytes of each message type received, summed over nodes and peers (or None)."""
    totals = dict.fromkeys(names, 0)
    for node in nodes:
        peers = peer_info(node)
        if peers is None:
            return None
        for peer in peers:
            per_msg = peer.get("bytesrecv_per_msg", {})
            for name in names:
                totals[name] += per_msg.get(name, 0)
    return totals


def tip_times(node, hashes):
    """Log time (UTC seconds) of the UpdateTip line of each hash in `hashes`."""
    found = {}
    for line in node.read_log().splitlines():
        m = UPDATE_TIP.search(line)
        if m and m.group(1) in hashes and m.group(1) not in found:
            t = parse_log_time(line)
            if t is not None:
                found[m.group(1)] = t
    return found


# ---- sync ----------------------------------------------------------------------------


def run_sync(bench, chain_file, chain, results):
    opts = bench.opts
    common = [f"-dbcache={opts.dbcache}"]
    inputs = sum(v for k, v in chain["inputs"].items() if k not in ("coinbase", "transactions"))

    imports = []
    servers = []
    for name in ("import-a", "import-b"):
        print(f"== baseline: {name} imports {chain['height']} blocks with -loadblock", flush=True)
        node = bench.new_node(name)
        t0 = time.monotonic()
        bench.start_node(node, common + [f"-loadblock={chain_file}"])
        t1 = bench.wait_for_tip(node, chain["height"], chain["tip"], name)
        imports.append(t1 - t0)
        servers.append(node)
        print(f"  {t1 - t0:.2f} s", flush=True)

    # A recent block on top takes every server out of initial block download.
    top = servers[0].generatetoaddress(1, OP_TRUE_ADDRESS)[0]
    raw = servers[0].getblock(top, 0)
    if servers[1].submitblock(raw) is not None:
        raise BenchFailure("the second server rejected the recent block")
    height = chain["height"] + 1

    print(f"== sync {height} blocks from one peer", flush=True)
    one = bench.new_node("sync-one")
    t0 = time.monotonic()
    bench.start_node(one, common + ["-listen=1", f"-connect={servers[0].p2p_address}"])
    t_one = bench.wait_for_tip(one, height, top, "sync from one peer") - t0
    print(f"  {t_one:.2f} s", flush=True)

    print(f"== sync {height} blocks from three peers", flush=True)
    three = bench.new_node("sync-three")
    peers = servers + [one]
    t0 = time.monotonic()
    bench.start_node(three, common + [f"-connect={p.p2p_address}" for p in peers])
    t_three = bench.wait_for_tip(three, height, top, "sync from three peers") - t0
    sources = block_sources(three)
    print(f"  {t_three:.2f} s; block bytes by peer: " + (", ".join(
        f"{addr} {b / 2**20:.1f} MiB" for addr, b in sorted(sources.items()))
        if sources is not None else "(no getpeerinfo)"), flush=True)

    baseline = min(imports)
    results["sync"] = {
        "blocks": height, "inputs": inputs, "import_seconds": imports,
        "baseline_blocks_per_s": chain["height"] / baseline,
        "baseline_inputs_per_s": inputs / baseline,
        "one_seconds": t_one, "one_blocks_per_s": height / t_one,
        "one_inputs_per_s": inputs / t_one,
        "three_seconds": t_three, "three_blocks_per_s": height / t_three,
        "three_inputs_per_s": inputs / t_three,
        "three_peers_delivering": None if sources is None else
        sum(1 for b in sources.values() if b > 0),
        "three_block_bytes_by_peer": sources,
    }
    results["sync"]["one_ratio"] = results["sync"]["one_blocks_per_s"] / \
        results["sync"]["baseline_blocks_per_s"]
    results["sync"]["three_ratio"] = results["sync"]["three_blocks_per_s"] / \
        results["sync"]["baseline_blocks_per_s"]
    for node in servers + [one, three]:
        if node.stop(timeout=120) != 0:
            raise BenchFailure(f"node{node.index} did not exit cleanly")


# ---- propagation along a line ----------------------------------------------------------


def start_line(bench, line, compact, skip_first=False):
    """Starts the line; each node dials only the one before it (-connect: no other
    outbound connections, so the line stays a line)."""
    args = ["-debug=validation", "-logtimemicros", f"-cmpctblocks={1 if compact else 0}"]
    if not skip_first:
        bench.start_node(line[0], args)
    for prev, node in zip(line, line[1:]):
        bench.start_node(node, args + ["-listen=1", f"-connect={prev.p2p_address}"])


def run_line(bench, results):
    opts = bench.opts
    line = [bench.new_node(f"line{i}") for i in range(LINE_LENGTH)]
    standalone = bench.new_node("standalone")
    bench.start_node(standalone, ["-debug=validation", "-logtimemicros"])
    every = line + [standalone]

    # The first node mines before the others dial it: a node at genesis is in initial
    # block download and ignores getheaders (as Core does), and the dialling node, its
    # getheaders unanswered, asks again only for a block announced two minutes later.
    print("== line: mining coins and fanning them out", flush=True)
    bench.start_node(line[0], ["-debug=validation", "-logtimemicros", "-cmpctblocks=1"])
    wallet = OpTrueWallet(line[0])
    per_mode = opts.rounds * opts.txs
    fan_outputs = 500
    fan_count = (2 * per_mode + fan_outputs - 1) // fan_outputs
    # One mature coinbase per fan-out transaction.
    wallet.generate(max(110, 100 + fan_count))
    fans = [wallet.create(num_outputs=fan_outputs, fee_rate=2) for _ in range(fan_count)]
    for fan in fans:
        wallet.send(fan)
    wallet.generate(1)
    start_line(bench, line, compact=True, skip_first=True)
    tip = line[0].getbestblockhash()
    for height in range(1, line[0].getblockcount() + 1):
        standalone.submitblock(line[0].getblock(line[0].getblockhash(height), 0))
    for node in every:
        bench.wait_for_tip(node, line[0].getblockcount(), tip, f"node{node.index} warm-up")
    coins = [u for fan in fans for u in fan.utxos]

    results["line"] = {}
    for compact in (True, False):
        label = "compact" if compact else "full"
        if not compact:
            for node in line:
                if node.stop(timeout=120) != 0:
                    raise BenchFailure(f"node{node.index} did not exit cleanly")
            start_line(bench, line, compact=False)
        print(f"== line of {LINE_LENGTH}, -cmpctblocks={1 if compact else 0}: {opts.rounds} "
              f"blocks of {opts.txs} transactions already in every mempool", flush=True)
        # An untimed block first: it arrives only once every link of the line is up.
        warm = line[0].generatetoaddress(1, OP_TRUE_ADDRESS)[0]
        for node in line[1:]:
            bench.wait_for_tip(node, line[0].getblockcount(), warm, f"node{node.index} warm-up")
        standalone.submitblock(line[0].getblock(warm, 0))
        names = ("block", "cmpctblock", "getblocktxn", "blocktxn")
        before = messages_received(line, names)
        latencies, hops, submits, mined = [], [], [], []
        for _ in range(opts.rounds):
            for _ in range(opts.txs):
                built = wallet.create(utxos=coins.pop(), fee_rate=5)
                for node in every:
                    node.sendrawtransaction(built.hex)
            block_hash = line[0].generatetoaddress(1, OP_TRUE_ADDRESS)[0]
            mined.append(block_hash)
            height = line[0].getblockcount()
            for node in line[1:]:
                bench.wait_for_tip(node, height, block_hash, f"node{node.index} in the line")
            raw = line[0].getblock(block_hash, 0)
            t0 = time.monotonic()
            if standalone.submitblock(raw) is not None:
                raise BenchFailure("the standalone node rejected a line block")
            submits.append(time.monotonic() - t0)
        times = [tip_times(node, set(mined)) for node in line]
        for block_hash in mined:
            if any(block_hash not in t for t in times):
                raise BenchFailure(f"no UpdateTip line for {block_hash} in every line node's log")
            stamps = [t[block_hash] for t in times]
            latencies.append(stamps[-1] - stamps[0])
            hops.extend(b - a for a, b in zip(stamps, stamps[1:]))
        after = messages_received(line, names)
        msgs = None if before is None or after is None else \
            {name: after[name] - before[name] for name in names}
        r = {
            "latency_ms_median": 1000 * statistics.median(latencies),
            "latency_ms_max": 1000 * max(latencies),
            "hop_ms_median": 1000 * statistics.median(hops),
            "submitblock_ms_median": 1000 * statistics.median(submits),
            "bytes_received": msgs,
        }
        r["ratio_hop_submitblock"] = r["hop_ms_median"] / r["submitblock_ms_median"]
        results["line"][label] = r
        print(f"  end to end median {r['latency_ms_median']:.1f} ms (max "
              f"{r['latency_ms_max']:.1f}), per hop {r['hop_ms_median']:.1f} ms; submitblock "
              f"{r['submitblock_ms_median']:.1f} ms; bytes received in the line for them: "
              + (", ".join(f"{k} {v}" for k, v in msgs.items()) if msgs else "(no getpeerinfo)"),
              flush=True)


# ---- main ----------------------------------------------------------------------------


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--build-dir", default=os.environ.get("BUILD_DIR", "build"),
                        help="build directory, relative to the repository root (default: "
                             "$BUILD_DIR or build)")
    parser.add_argument("--no-build", action="store_true", help="use the binaries already built")
    parser.add_argument("--blocks", type=int, default=2000, help="blocks to generate (2000)")
    parser.add_argument("--inputs", type=int, default=40,
                        help="signed inputs per spending block (40)")
    parser.add_argument("--seed", type=int, default=1, help="chaingen seed (1)")
    parser.add_argument("--dbcache", type=int, default=300, help="-dbcache in MiB (300)")
    parser.add_argument("--rounds", type=int, default=10,
                        help="blocks timed along the line per setting (10)")
    parser.add_argument("--txs", type=int, default=50,
                        help="transactions in each of those blocks (50)")
    parser.add_argument("--timeout", type=float, default=600,
                        help="seconds any one sync or start may take (600)")
    parser.add_argument("--skip-sync", action="store_true", help="only the line")
    parser.add_argument("--skip-line", action="store_true", help="only the syncs")
    parser.add_argument("--keep", action="store_true", help="keep the temporary datadirs")
    parser.add_argument("--json", help="also write the results to this file")
    opts = parser.parse_args()
    if min(opts.blocks, opts.inputs, opts.rounds, opts.txs, opts.dbcache) < 1:
        parser.error("--blocks, --inputs, --rounds, --txs and --dbcache must be positive")

    build_dir = opts.build_dir if os.path.isabs(opts.build_dir) else \
        os.path.join(ROOT, opts.build_dir)
    if not opts.no_build:
        print(f"== build ({build_dir}, MINIBIT_BENCH=ON)", flush=True)
        subprocess.run(["cmake", "-S", ROOT, "-B", build_dir, "-G", "Ninja",
                        f"-DCMAKE_BUILD_TYPE={os.environ.get('BUILD_TYPE', 'Release')}",
                        "-DMINIBIT_BENCH=ON"], check=True, stdout=subprocess.DEVNULL)
        subprocess.run(["cmake", "--build", build_dir, "--target", "minibitd", "chaingen"],
                       check=True)
    minibitd = find_binary(build_dir, "minibitd")
    chaingen = find_binary(build_dir, "chaingen")
    if not minibitd or not chaingen:
        print(f"error: minibitd or chaingen not found under {build_dir}", file=sys.stderr)
        return 2

    results = {"cores": os.cpu_count(), "loadavg_before": os.getloadavg()}
    tmpdir = tempfile.mkdtemp(prefix="minibit-p2p-bench-")

    # A SIGTERM (timeout, Ctrl-C in a wrapper) still stops the nodes and removes tmpdir.
    def on_term(signum, _frame):
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGTERM, on_term)
    bench = Bench(opts, minibitd, tmpdir)
    started = time.monotonic()
    try:
        if not opts.skip_sync:
            cache_dir = os.path.join(build_dir, "bench-cache")
            os.makedirs(cache_dir, exist_ok=True)
            chain_file = os.path.join(cache_dir,
                                      f"chain-b{opts.blocks}-i{opts.inputs}-s{opts.seed}.dat")
            if not os.path.exists(chain_file):
                print(f"== generating {os.path.basename(chain_file)}", flush=True)
                partial = chain_file + ".partial"
                subprocess.run([chaingen, f"-out={partial}", f"-blocks={opts.blocks}",
                                f"-inputs={opts.inputs}", f"-seed={opts.seed}"], check=True,
                               stdout=subprocess.DEVNULL)
                os.replace(partial, chain_file)
            chain = scan_chain_file(chain_file)
            print(f"  chain: height {chain['height']}, {chain['bytes'] / 2**20:.1f} MiB, "
                  f"{chain['inputs']['transactions']} transactions", flush=True)
            run_sync(bench, chain_file, chain, results)
        if not opts.skip_line:
            run_line(bench, results)
        bench.stop_all()
    finally:
        bench.kill_all()
        if opts.keep:
            print(f"datadirs kept: {tmpdir}")
        else:
            shutil.rmtree(tmpdir, ignore_errors=True)
    results["loadavg_after"] = os.getloadavg()
    results["seconds"] = time.monotonic() - started

    print()
    print(f"machine: {os.cpu_count()} cores, load average before "
          f"{results['loadavg_before'][0]:.2f}, after {results['loadavg_after'][0]:.2f}; "
          f"{results['seconds']:.0f} s")
    rows = []
    if "sync" in results:
        s = results["sync"]
        base = (f"-loadblock {s['baseline_blocks_per_s']:.0f} blk/s, "
                f"{s['baseline_inputs_per_s']:.0f} in/s")
        for key, what in (("one", "from 1 peer"), ("three", "from 3 peers")):
            rows.append((f"sync {s['blocks']} blocks {what}",
                         f"{s[key + '_blocks_per_s']:.0f} blk/s, {s[key + '_inputs_per_s']:.0f} "
                         f"in/s, {s[key + '_seconds']:.1f} s", base, f"{s[key + '_ratio']:.2f}"))
    for label, what in (("compact", "compact blocks"), ("full", "-cmpctblocks=0")):
        r = results.get("line", {}).get(label)
        if r:
            rows.append((f"block across 5-node line, {what}",
                         f"{r['latency_ms_median']:.1f} ms, {r['hop_ms_median']:.1f} ms per hop",
                         f"submitblock {r['submitblock_ms_median']:.1f} ms",
                         f"{r['ratio_hop_submitblock']:.2f}"))
    header = ("measure", "minibitd", "baseline", "ratio")
    widths = [max(len(row[i]) for row in rows + [header]) for i in range(4)]
    for row in [header, tuple("-" * w for w in widths)] + rows:
        print("| " + " | ".join(cell.ljust(w) for cell, w in zip(row, widths)) + " |")
    if results.get("sync", {}).get("three_peers_delivering") is not None:
        print(f"  3-peer sync: {results['sync']['three_peers_delivering']} peers delivered blocks")
    if "line" in results and len(results["line"]) == 2:
        c, f = results["line"]["compact"], results["line"]["full"]
        print(f"  compact / full end-to-end latency: "
              f"{c['latency_ms_median'] / f['latency_ms_median']:.2f}")
    if opts.json:
        with open(opts.json, "w") as f:
            json.dump(results, f, indent=2)
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except BenchFailure as e:
        print(f"FAILED: {e}", file=sys.stderr)
        sys.exit(1)
    except subprocess.CalledProcessError as e:
        print(f"FAILED: {' '.join(map(str, e.cmd))} exited with code {e.returncode}",
              file=sys.stderr)
        sys.exit(1)
