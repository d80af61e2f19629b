#!/usr/bin/python3
"""Reindex macro benchmark: how fast minibitd rebuilds the chainstate of a
signature-heavy regtest chain, against the raw libsecp256k1 verification rate
of the same signature mix measured in the same run.

Steps: build (contrib/build.sh, MINIBIT_BENCH=ON), generate a chain with
chaingen (cached under <build>/bench-cache by its parameters), import it once
with -loadblock, then time -reindex-chainstate with -par=1 and -par=2 from
process start to the "Done loading" log line, checking each time that the tip
is the generated chain's tip. Peak RSS (VmHWM) is compared to -dbcache +
200 MiB. Exit status: 0 unless something failed functionally (a wrong tip, a
crash, a non-zero exit, a hang past --timeout); speed never fails the run.
Standard library only.
"""

import argparse
import calendar
import hashlib
import json
import os
import re
import shutil
import signal
import struct
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
REGTEST_GENESIS = "0f9188f13cb7b2c71f2a335e3a4fc328bf5beb436012afca590b1a11466e2206"
REGTEST_MAGIC = bytes.fromhex("fabfb5da")
RSS_MARGIN_MIB = 200
POLL_SECONDS = 0.02
LOG_TIME = re.compile(r"^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?)Z ")


class BenchFailure(Exception):
    """A functional failure: the run is not trustworthy."""


# ---- the chain file ------------------------------------------------------------------


def read_compact_size(buf, pos):
    first = buf[pos]
    if first < 0xFD:
        return first, pos + 1
    width = {0xFD: 2, 0xFE: 4, 0xFF: 8}[first]
    if pos + 1 + width > len(buf):
        raise ValueError("truncated compact size")
    return int.from_bytes(buf[pos + 1:pos + 1 + width], "little"), pos + 1 + width


def classify_witness(items):
    """Which signature check an input's witness needs, by its shape."""
    if len(items) == 2 and len(items[1]) == 33 and 9 <= len(items[0]) <= 73:
        return "p2wpkh"
    stack = items
    if len(stack) >= 2 and stack[-1][:1] == b"\x50":
        stack = stack[:-1]  # annex
    if len(stack) == 1 and len(stack[0]) in (64, 65):
        return "p2tr_key"
    if len(stack) >= 2 and len(stack[-1]) >= 33 and (len(stack[-1]) - 33) % 32 == 0 \
            and stack[-1][0] & 0xFE == 0xC0:
        return "p2tr_script"
    return "other"


def parse_block(buf, counts):
    """Counts the inputs of one serialized block by kind; returns its header."""
    if len(buf) < 81:
        raise ValueError("block shorter than a header")
    header = bytes(buf[:80])
    n_tx, pos = read_compact_size(buf, 80)
    for tx_index in range(n_tx):
        pos += 4
        segwit = buf[pos] == 0 and buf[pos + 1] == 1
        if segwit:
            pos += 2
        n_in, pos = read_compact_size(buf, pos)
        for _ in range(n_in):
            pos += 36
            script_len, pos = read_compact_size(buf, pos)
            pos += script_len + 4
        n_out, pos = read_compact_size(buf, pos)
        for _ in range(n_out):
            pos += 8
            script_len, pos = read_compact_size(buf, pos)
            pos += script_len
        kinds = []
        for _ in range(n_in):
            items = []
            if segwit:
                n_items, pos = read_compact_size(buf, pos)
                for _ in range(n_items):
                    size, pos = read_compact_size(buf, pos)
                    items.append(bytes(buf[pos:pos + size]))
                    pos += size
            kinds.append(classify_witness(items) if items else "no_witness")
        pos += 4
        if pos > len(buf):
            raise ValueError("transaction runs past the end of the block")
        if tx_index == 0:
            counts["coinbase"] += n_in
        else:
            for kind in kinds:
                counts[kind] += 1
        counts["transactions"] += 1
    if pos != len(buf):
        raise ValueError("bytes left over after the last transaction")
    return header


def scan_chain_file(path):
    """Reads a blk*.dat-framed file: block count, tip hash, inputs by kind.
    Fails unless the blocks form one chain on top of the regtest genesis."""
    counts = {k: 0 for k in ("p2wpkh", "p2tr_key", "p2tr_script", "other", "no_witness",
                             "coinbase", "transactions")}
    prev = REGTEST_GENESIS
    blocks = 0
    with open(path, "rb") as f:
        data = memoryview(f.read())
    pos = 0
    while pos + 8 <= len(data):
        if bytes(data[pos:pos + 4]) != REGTEST_MAGIC:
            raise BenchFailure(f"{path}: no regtest magic at offset {pos}")
        size = struct.unpack_from("<I", data, pos + 4)[0]
        if pos + 8 + size > len(data):
            raise BenchFailure(f"{path}: block at offset {pos} is truncated")
        try:
            header = parse_block(data[pos + 8:pos + 8 + size], counts)
        except (ValueError, IndexError, KeyError) as e:
            raise BenchFailure(f"{path}: block at offset {pos} does not decode: {e}") from e
        if header[4:36][::-1].hex() != prev:
            raise BenchFailure(f"{path}: block {blocks + 1} does not build on the one before it")
        prev = hashlib.sha256(hashlib.sha256(header).digest()).digest()[::-1].hex()
        blocks += 1
        pos += 8 + size
    if pos != len(data):
        raise BenchFailure(f"{path}: {len(data) - pos} stray bytes at the end")
    if blocks == 0:
        raise BenchFailure(f"{path}: no blocks")
    return {"height": blocks, "tip": prev, "bytes": len(data), "inputs": counts}


# ---- processes -----------------------------------------------------------------------


def find_binary(build_dir, name):
    for rel in (f"contrib/bench/{name}", f"src/bin/{name}", f"bin/{name}", name):
        path = os.path.join(build_dir, rel)
        if os.path.isfile(path) and os.access(path, os.X_OK):
            return path
    for dirpath, dirnames, filenames in os.walk(build_dir):
        dirnames[:] = [d for d in dirnames if d not in ("CMakeFiles", "bench-cache")]
        if name in filenames and os.access(os.path.join(dirpath, name), os.X_OK):
            return os.path.join(dirpath, name)
    return None


def secp_rate_binary(build_dir):
    """The CMake-built secp_rate, or one compiled here if the target is not hooked up."""
    path = find_binary(build_dir, "secp_rate")
    if path:
        return path
    out_dir = os.path.join(build_dir, "bench-cache")
    os.makedirs(out_dir, exist_ok=True)
    path = os.path.join(out_dir, "secp_rate")
    source = os.path.join(ROOT, "contrib", "bench", "secp_rate.cpp")
    if not os.path.exists(path) or os.path.getmtime(path) < os.path.getmtime(source):
        print("note: no secp_rate target in the build; compiling contrib/bench/secp_rate.cpp "
              "directly", flush=True)
        subprocess.run([os.environ.get("CXX", "c++"), "-std=c++20", "-O2", source, "-o", path,
                        "-lsecp256k1", "-pthread"], check=True)
    return path


def parse_log_time(line):
    """Seconds since the epoch of a log line's timestamp (UTC), or None."""
    m = LOG_TIME.match(line)
    if not m:
        return None
    stamp = m.group(1)
    whole, _, frac = stamp.partition(".")
    t = time.strptime(whole, "%Y-%m-%dT%H:%M:%S")
    return float(calendar.timegm(t)) + (float("0." + frac) if frac else 0.0)


def vm_hwm_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return None


def cpu_seconds(pid):
    """User plus system CPU time of every thread of a process so far."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    # utime and stime are fields 14 and 15 of the line, 12 and 13 after the name.
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def run_node(minibitd, datadir, args, timeout):
    """Starts minibitd, waits for "Done loading" in its debug.log, samples
    VmHWM and CPU time, stops it with SIGTERM. Returns seconds to "Done
    loading", peak RSS (KiB), CPU seconds and the log lines this run wrote."""
    log_path = os.path.join(datadir, "regtest", "debug.log")
    offset = os.path.getsize(log_path) if os.path.exists(log_path) else 0
    cmd = [minibitd, "-regtest", f"-datadir={datadir}", "-printtoconsole=0", "-listen=0", "-logtimemicros",
           "-debug=validation"] + args
    print("  $ " + " ".join(os.path.basename(c) if c == minibitd else c for c in cmd), flush=True)
    stderr_path = os.path.join(datadir, "stderr.txt")
    with open(stderr_path, "wb") as stderr:
        start = time.monotonic()
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=stderr)
    text = ""
    done_at = None
    try:
        while done_at is None:
            now = time.monotonic()
            if os.path.exists(log_path):
                with open(log_path, "r", errors="replace") as f:
                    f.seek(offset)
                    text = f.read()
                if "init message: Done loading" in text:
                    done_at = now
                    break
            if proc.poll() is not None:
                with open(stderr_path, errors="replace") as f:
                    err = f.read().strip()
                raise BenchFailure(f"minibitd exited with code {proc.returncode} before "
                                   f"\"Done loading\": {err or '(no stderr)'}")
            if now - start > timeout:
                raise BenchFailure(f"no \"Done loading\" within {timeout} s")
            time.sleep(POLL_SECONDS)
        hwm = vm_hwm_kib(proc.pid)
        cpu = cpu_seconds(proc.pid)
        proc.send_signal(signal.SIGTERM)
        code = proc.wait(timeout=max(timeout, 60))
        if code != 0:
            raise BenchFailure(f"minibitd exited with code {code} after SIGTERM")
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    with open(log_path, "r", errors="replace") as f:
        f.seek(offset)
        lines = f.read().splitlines()
    return done_at - start, hwm, cpu, lines


UPDATE_TIP = re.compile(r"UpdateTip: new best=([0-9a-f]{64}) height=(\d+)")


def check_tip(lines, chain, what):
    """The last UpdateTip of this run must be the generated chain's tip."""
    tips = [UPDATE_TIP.search(line) for line in lines]
    tips = [m for m in tips if m]
    if not tips:
        raise BenchFailure(f"{what}: the log shows no UpdateTip line")
    best, height = tips[-1].group(1), int(tips[-1].group(2))
    if height != chain["height"] or best != chain["tip"]:
        raise BenchFailure(f"{what}: tip {best} at height {height}, expected {chain['tip']} at "
                           f"height {chain['height']}")
    return height


# Log lines that mark the steps of a start, in the order they happen.
MARKERS = [
    ("log start", None),
    ("chainstate open", "Cache configuration"),
    ("file import", "Importing blocks file"),
    ("blocks stored", " blocks from "),
    ("first block connected", "UpdateTip:"),
    ("last block connected", "UpdateTip:"),
    ("-checkblocks start", "Verifying last"),
    ("Done loading", "init message: Done loading"),
]


TIP_TX = re.compile(r"UpdateTip: new best=[0-9a-f]{64} height=(\d+) tx=(\d+)")


def phases(lines):
    """Where the time of a run went, from the microsecond log timestamps:
    the time of each marker seen, and connect times of the blocks that
    carry transactions besides the coinbase."""
    stamped = [(parse_log_time(line), line) for line in lines]
    stamped = [(t, line) for t, line in stamped if t is not None]
    if not stamped:
        return {}
    # Genesis is connected while the chainstate opens; the work starts at height 1.
    tips = [(t, TIP_TX.search(line)) for t, line in stamped if "UpdateTip:" in line]
    tips = [(t, int(m.group(1)), int(m.group(2))) for t, m in tips if m and m.group(1) != "0"]
    marks = []
    for label, pattern in MARKERS:
        if pattern is None:
            hits = [stamped[0][0]]
        elif pattern == "UpdateTip:":
            hits = [t for t, _, _ in tips]
        else:
            hits = [t for t, line in stamped if pattern in line]
        if hits:
            marks.append((label, hits[-1] if label.startswith("last") else hits[0]))
    marks.sort(key=lambda mark: mark[1])
    out = {"marks": marks}
    gaps = sorted(b[0] - a[0] for a, b in zip(tips, tips[1:]) if b[2] - a[2] > 1)
    if gaps:
        out["spend_blocks"] = len(gaps)
        out["block_ms_median"] = 1000 * gaps[len(gaps) // 2]
        out["block_ms_p99"] = 1000 * gaps[min(len(gaps) - 1, int(len(gaps) * 0.99))]
        out["block_ms_max"] = 1000 * gaps[-1]
    return out


def describe_phases(p, wall):
    marks = p.get("marks") if p else None
    if not marks or marks[-1][0] != "Done loading":
        return "    (no timestamps to split the time by)"
    span = marks[-1][1] - marks[0][1]
    rows = [("process start -> log start", wall - span)]
    rows += [(f"{a} -> {b}", tb - ta) for (a, ta), (b, tb) in zip(marks, marks[1:])]
    text = "\n".join(f"    {name:<50} {sec:8.3f} s" for name, sec in rows)
    if "block_ms_median" in p:
        text += (f"\n    per block with spends ({p['spend_blocks']}): median "
                 f"{p['block_ms_median']:.1f} ms, p99 {p['block_ms_p99']:.1f} ms, "
                 f"max {p['block_ms_max']:.1f} ms")
    return text


# ---- main ----------------------------------------------------------------------------


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--build-dir", default=os.environ.get("BUILD_DIR", "build"),
                        help="build directory, relative to the repository root (default: "
                             "$BUILD_DIR or build)")
    parser.add_argument("--no-build", action="store_true", help="use the binaries already built")
    parser.add_argument("--blocks", type=int, default=1000, help="blocks to generate (1000)")
    parser.add_argument("--inputs", type=int, default=222,
                        help="signed inputs per spending block (222: about 200,000 in "
                             "1,000 blocks, as the first ~100 only mature coinbases)")
    parser.add_argument("--seed", type=int, default=1, help="chaingen seed (1)")
    parser.add_argument("--dbcache", type=int, default=300, help="-dbcache in MiB (300)")
    parser.add_argument("--secp-seconds", type=float, default=0.5,
                        help="length of each libsecp256k1 timing run; 5 rounds of 5 (0.5)")
    parser.add_argument("--timeout", type=float, default=3600,
                        help="seconds a node may take to reach \"Done loading\" (3600)")
    parser.add_argument("--repeat", type=int, default=3,
                        help="timed runs of each -par setting; the fastest counts (3)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary datadir")
    parser.add_argument("--json", help="also write the results to this file")
    opts = parser.parse_args()
    if min(opts.blocks, opts.inputs, opts.repeat, opts.dbcache) < 1 or opts.secp_seconds <= 0.01:
        parser.error("--blocks, --inputs, --repeat and --dbcache must be positive, "
                     "--secp-seconds above 0.01")

    build_dir = opts.build_dir if os.path.isabs(opts.build_dir) else \
        os.path.join(ROOT, opts.build_dir)
    if not opts.no_build:
        print(f"== build ({build_dir}, MINIBIT_BENCH=ON)", flush=True)
        env = dict(os.environ, BUILD_DIR=build_dir)
        subprocess.run([os.path.join(ROOT, "contrib", "build.sh"), "-DMINIBIT_BENCH=ON"],
                       env=env, check=True)
    minibitd = find_binary(build_dir, "minibitd")
    chaingen = find_binary(build_dir, "chaingen")
    if not minibitd or not chaingen:
        print(f"error: minibitd or chaingen not found under {build_dir}", file=sys.stderr)
        return 2

    cache_dir = os.path.join(build_dir, "bench-cache")
    os.makedirs(cache_dir, exist_ok=True)
    chain_file = os.path.join(cache_dir,
                              f"chain-b{opts.blocks}-i{opts.inputs}-s{opts.seed}.dat")
    if not os.path.exists(chain_file):
        print(f"== generating {os.path.basename(chain_file)}", flush=True)
        partial = chain_file + ".partial"
        t0 = time.monotonic()
        subprocess.run([chaingen, f"-out={partial}", f"-blocks={opts.blocks}",
                        f"-inputs={opts.inputs}", f"-seed={opts.seed}"], check=True)
        os.replace(partial, chain_file)
        print(f"  generated in {time.monotonic() - t0:.1f} s", flush=True)
    else:
        print(f"== using cached {chain_file}", flush=True)
    chain = scan_chain_file(chain_file)
    inputs = chain["inputs"]
    ecdsa = inputs["p2wpkh"]
    schnorr = inputs["p2tr_key"] + inputs["p2tr_script"]
    signed = ecdsa + schnorr
    print(f"  height {chain['height']}, tip {chain['tip']}, {chain['bytes'] / 2**20:.1f} MiB, "
          f"{chain['inputs']['transactions']} transactions")
    print(f"  inputs: {ecdsa} P2WPKH (ECDSA), {inputs['p2tr_key']} P2TR key path, "
          f"{inputs['p2tr_script']} P2TR script path (Schnorr), {inputs['other']} other, "
          f"{inputs['no_witness']} without witness", flush=True)
    if signed == 0:
        raise BenchFailure("the chain has no signature-checked inputs")

    results = {"chain": chain, "dbcache_mib": opts.dbcache, "cores": os.cpu_count(),
               "loadavg_before": os.getloadavg()}
    datadir = tempfile.mkdtemp(prefix="minibit-reindex-bench-")
    try:
        common = [f"-dbcache={opts.dbcache}", "-assumevalid=0"]
        print("== import (-loadblock)", flush=True)
        secs, hwm, cpu, lines = run_node(minibitd, datadir, [f"-loadblock={chain_file}"] + common,
                                    opts.timeout)
        check_tip(lines, chain, "import")
        expected = f"Import finished: tip {chain['tip']} at height {chain['height']}"
        if not any(expected in line for line in lines):
            raise BenchFailure(f"import: the log lacks \"{expected}\"")
        print(f"  {secs:.2f} s, CPU {cpu:.2f} s, peak RSS {hwm / 1024:.0f} MiB")
        print(describe_phases(phases(lines), secs), flush=True)
        results["import"] = {"seconds": secs, "cpu_seconds": cpu, "vm_hwm_kib": hwm}

        # Runs alternate between -par=1 and -par=2 so a burst of load from
        # other processes does not land on one setting only; the fastest run
        # of each counts, as the libsecp256k1 bounds are best-of runs too.
        for rep in range(opts.repeat):
            for par in (1, 2):
                print(f"== -reindex-chainstate -par={par} (run {rep + 1} of {opts.repeat})",
                      flush=True)
                secs, hwm, cpu, lines = run_node(minibitd, datadir,
                                            ["-reindex-chainstate", f"-par={par}"] + common,
                                            opts.timeout)
                check_tip(lines, chain, f"reindex -par={par}")
                p = phases(lines)
                print(f"  {secs:.2f} s, CPU {cpu:.2f} s, peak RSS {hwm / 1024:.0f} MiB")
                print(describe_phases(p, secs), flush=True)
                r = results.setdefault(f"par{par}", {"runs": [], "vm_hwm_kib": 0})
                r["runs"].append({"seconds": secs, "cpu_seconds": cpu, "vm_hwm_kib": hwm,
                                  "phases": p})
                r["cpu_seconds"] = min(run["cpu_seconds"] for run in r["runs"])
                r["vm_hwm_kib"] = max(r["vm_hwm_kib"], hwm)
                r["seconds"] = min(run["seconds"] for run in r["runs"])
                r["inputs_per_s"] = signed / r["seconds"]
                # The flushed chainstate must come back at the same tip without any reindex.
                _, _, _, lines = run_node(minibitd, datadir, common, opts.timeout)
                expected = (f"Loaded best chain: hashBestChain={chain['tip']} "
                            f"height={chain['height']}")
                if not any(expected in line for line in lines):
                    raise BenchFailure(f"restart after -par={par}: the log lacks \"{expected}\"")
    finally:
        if opts.keep:
            print(f"datadir kept: {datadir}")
        else:
            shutil.rmtree(datadir, ignore_errors=True)

    print("== raw libsecp256k1 rate for the same mix", flush=True)
    rate_out = subprocess.run([secp_rate_binary(build_dir), f"-ecdsa={ecdsa}",
                               f"-schnorr={schnorr}", "-threads=2",
                               f"-seconds={opts.secp_seconds}"],
                              check=True, capture_output=True, text=True).stdout
    secp = json.loads(rate_out)
    results["secp"] = secp
    results["loadavg_after"] = os.getloadavg()

    # The bounds: libsecp256k1 alone verifying the chain's mix from the bytes a
    # script supplies (key decompression and DER parsing included, as for any
    # verifier), on one thread and on two. Stricter references, printed too:
    # pre-parsed keys and signatures, and twice the one-thread rate.
    one = secp["mix_from_bytes_per_s_1t"]
    two = secp["mix_from_bytes_per_s_nt"]
    parsed_one = secp["mix_per_s_1t"]
    r1 = results["par1"]
    r2 = results["par2"]
    limit_mib = opts.dbcache + RSS_MARGIN_MIB
    results["ratio_par1"] = r1["inputs_per_s"] / one
    results["ratio_par2"] = r2["inputs_per_s"] / two
    results["ratio_par1_parsed"] = r1["inputs_per_s"] / parsed_one
    results["ratio_par2_parsed_2x"] = r2["inputs_per_s"] / (2 * parsed_one)
    results["rss_limit_mib"] = limit_mib
    # Per CPU-second: what the node does with the CPU it gets, against what
    # libsecp256k1 does with the CPU it gets; other load moves this far less.
    results["cpu_ratio_par1"] = signed / r1["cpu_seconds"] / secp["mix_from_bytes_per_cpu_s_1t"]

    print()
    print(f"reindex-chainstate of {chain['height']} blocks, {signed} signature-checked inputs "
          f"({ecdsa} ECDSA, {schnorr} Schnorr), -dbcache={opts.dbcache}, -assumevalid=0")
    print(f"machine: {os.cpu_count()} cores, load average before "
          f"{results['loadavg_before'][0]:.2f}, after {results['loadavg_after'][0]:.2f}")
    print(f"  import (-loadblock, default -par): {results['import']['seconds']:.2f} s")
    for par, r in (("1", r1), ("2", r2)):
        runs = ", ".join(f"{run['seconds']:.2f}" for run in r["runs"])
        print(f"  -par={par}: {signed} inputs in {r['seconds']:8.2f} s  "
              f"{r['inputs_per_s']:10.0f} inputs/s  (fastest of {runs} s)")
    print("  libsecp256k1 alone on the same mix, from serialized keys and signatures:")
    print(f"    1 thread  (1-core bound): {one:10.0f} checks/s")
    print(f"    2 threads (2-core bound): {two:10.0f} checks/s ({two / one:.2f} x 1 thread)")
    print(f"  stricter reference, pre-parsed keys and signatures: 1 thread {parsed_one:.0f} "
          f"checks/s (ECDSA {secp['ecdsa_per_s_1t']:.0f}/s, Schnorr "
          f"{secp['schnorr_per_s_1t']:.0f}/s), 2 threads {secp['mix_per_s_nt']:.0f}/s")
    print(f"  par=1 / 1-core bound: {results['ratio_par1']:.3f}   "
          f"(/ pre-parsed 1 thread: {results['ratio_par1_parsed']:.3f})")
    print(f"  par=2 / 2-core bound: {results['ratio_par2']:.3f}   "
          f"(/ 2 x pre-parsed 1 thread: {results['ratio_par2_parsed_2x']:.3f})")
    print(f"  per CPU-second (less disturbed by other load): -par=1 node "
          f"{signed / r1['cpu_seconds']:.0f} inputs/CPU-s, raw "
          f"{secp['mix_from_bytes_per_cpu_s_1t']:.0f} checks/CPU-s, ratio "
          f"{results['cpu_ratio_par1']:.3f}; least CPU of a run: -par=1 "
          f"{r1['cpu_seconds']:.2f} s, -par=2 {r2['cpu_seconds']:.2f} s")
    for par, r in (("1", r1), ("2", r2)):
        mib = r["vm_hwm_kib"] / 1024
        verdict = "within" if mib <= limit_mib else "OVER"
        print(f"  peak RSS -par={par}: {mib:.0f} MiB, {verdict} the limit of {limit_mib} MiB "
              f"(-dbcache {opts.dbcache} + {RSS_MARGIN_MIB})")
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
