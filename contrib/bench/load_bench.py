#!/usr/bin/python3
"""Load benchmark (issue 10): how minibitd holds up under three kinds of load, each
next to a baseline measured in the same run.

1. Transactions: eight raw P2P peers push valid, distinct, independent transactions
   (unsolicited `tx` messages, as Core accepts them) while four peers send junk
   (invalid and non-standard transactions, orphans, undecodable payloads, unknown
   commands, 50,000-entry invs) and one honest peer pings every 100 ms. Measured:
   accepted tx/s (getmempoolinfo over a window), ping RTT p50/p99/max, VmRSS/VmHWM,
   junk sent. Baseline: the same kind of transactions through sendrawtransaction
   from one RPC client.
2. RPC: 100 concurrent keep-alive JSON-RPC clients call getblockcount,
   getblockchaininfo, getrawmempool and getblock; requests/s, latency, errors (any
   is a failure), RSS. Baseline: one client.
3. Churn: connections opened, handshaken and closed in a loop while more are held
   open than -maxconnections allows: connects/s, the inbound count (never above
   Core's limit, -maxconnections less 11 outbound slots), RSS before and after, and
   an honest peer served throughout.

Load generators run in child processes (fork), so the pinger's RTTs are not inflated
by the Python GIL of the senders; they still share the machine's cores with the
node. Exit status: 1 on a functional failure (a node that dies or exits uncleanly,
an RPC error, an honest peer disconnected, an inbound count over the limit), 2 when
minibitd is missing; speed never fails the run. Standard library plus
tests/functional/test_framework.
"""

import argparse
import collections
import json
import math
import multiprocessing
import os
import queue
import random
import shutil
import signal
import socket
import statistics
import struct
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(ROOT, "tests", "functional"))

from reindex_bench import BenchFailure, find_binary  # noqa: E402
from test_framework.messages import (OP_TRUE_P2WSH_SPK, OP_TRUE_SCRIPT, Tx,  # noqa: E402
                                     dsha256, hex_to_hash, ser_compact_size, ser_string)
from test_framework.node import MinibitNode  # noqa: E402
from test_framework.p2p import (MSG_WTX, P2PConnection, frame,  # noqa: E402
                                ser_ping, ser_pong, ser_version)
from test_framework.rpc import JSONRPCException  # noqa: E402
from test_framework.wallet import OP_TRUE_ADDRESS, OpTrueWallet  # noqa: E402

MP = multiprocessing.get_context("fork")
FAN_OUTPUTS = 2000     # outputs per fan-out transaction (~86 kvB, under the 100 kvB standard cap)
SPEND_FEE = 500        # satoshis per 96-vB spend: ~5.2 sat/vB, above any default relay floor
TX_PEERS = 8
JUNK_PEERS = 4
MAX_INV_SZ = 50_000    # Core's limit; one entry more is punished
CORE_MAX_OUTBOUND = 8 + 2 + 1  # full-relay + block-relay-only + feeler slots in Core's formula
PONG_TIMEOUT = 120     # s; Core drops a peer after 20 minutes, but a node this slow is stuck


# ---- small helpers ---------------------------------------------------------------------


def proc_status(pid):
    """VmRSS and VmHWM of pid in KiB (None once the process is gone)."""
    out = {}
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as f:
            for line in f:
                if line.startswith(("VmRSS:", "VmHWM:")):
                    out[line.split(":")[0]] = int(line.split()[1])
    except OSError:
        return None
    return out


def pct(values, p):
    """Nearest-rank percentile (p in 0..100) of a non-empty list."""
    s = sorted(values)
    return s[max(0, min(len(s) - 1, math.ceil(p / 100 * len(s)) - 1))]


def latency_summary(values):
    if not values:
        return {"count": 0}
    return {"count": len(values), "p50_ms": 1000 * pct(values, 50),
            "p99_ms": 1000 * pct(values, 99), "max_ms": 1000 * max(values)}


def mib(kib):
    return kib / 1024


def build_spend(prev_txid_hex, vout, value):
    """A 1-in-1-out spend of an OP_TRUE P2WSH coin, serialized here byte by byte (checked
    against test_framework's Tx once per run). Returns (raw bytes, txid hex)."""
    prevout = hex_to_hash(prev_txid_hex) + struct.pack("<I", vout)
    body = (b"\x01" + prevout + b"\x00" + struct.pack("<I", 0xFFFFFFFD) +
            b"\x01" + struct.pack("<q", value - SPEND_FEE) + ser_string(OP_TRUE_P2WSH_SPK))
    version, locktime = struct.pack("<i", 2), struct.pack("<I", 0)
    witness = b"\x01" + ser_string(OP_TRUE_SCRIPT)
    raw = version + b"\x00\x01" + body + witness + locktime
    txid = dsha256(version + body + locktime)[::-1].hex()
    return raw, txid


def check_builder(utxo):
    raw, txid = build_spend(utxo.txid, utxo.vout, utxo.value)
    ref = Tx([(hex_to_hash(utxo.txid), utxo.vout, [OP_TRUE_SCRIPT])],
             [(utxo.value - SPEND_FEE, OP_TRUE_P2WSH_SPK)], sequences=[0xFFFFFFFD])
    if ref.serialize() != raw or ref.txid_hex() != txid:
        raise BenchFailure("the spend builder disagrees with test_framework's Tx")


def handshake_bytes(relay=True):
    return (frame("version", ser_version(relay=relay)) + frame("wtxidrelay") +
            frame("sendaddrv2") + frame("verack"))


class Child:
    """A load generator in a forked process: target(stop, out, *args) puts one result dict
    on `out` before returning."""

    def __init__(self, target, *args):
        self.stop = MP.Event()
        self.out = MP.Queue()
        self.process = MP.Process(target=self._run, args=(target, args), daemon=True)
        self.result = None

    def _run(self, target, args):
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        try:
            target(self.stop, self.out, *args)
        except BaseException as e:  # noqa: B902 - reported to the parent, which decides
            self.out.put({"crash": f"{type(e).__name__}: {e}"})

    def start(self):
        self.process.start()
        return self

    def finish(self, timeout=PONG_TIMEOUT + 60):
        self.stop.set()
        try:
            self.result = self.out.get(timeout=timeout)
        except queue.Empty:
            self.result = {"crash": "no result from the load generator"}
        self.process.join(timeout=10)
        if self.process.is_alive():
            self.process.kill()
        if "crash" in self.result:
            raise BenchFailure(f"load generator failed: {self.result['crash']}")
        return self.result


# ---- load generators (run in child processes) --------------------------------------------


def pinger(stop, out, port, interval):
    """An honest peer: a ping every `interval` s, RTT of each pong (monotonic start time
    kept so the parent can cut a window). A pong later than PONG_TIMEOUT or a disconnect
    is recorded and ends the pinging."""
    peer = P2PConnection()
    peer.connect("127.0.0.1", port)
    peer.handshake()
    samples, errors = [], []
    while not stop.is_set():
        nonce = random.getrandbits(64) or 1
        t0 = time.monotonic()
        try:
            peer.send_message("ping", ser_ping(nonce))
            peer.wait_for_message("pong", PONG_TIMEOUT,
                                  lambda m, n=nonce: m.payload == ser_pong(n))
        except Exception as e:  # noqa: B902 - the disconnect or timeout is the finding
            errors.append(f"{type(e).__name__}: {e}")
            break
        samples.append((t0, time.monotonic() - t0))
        peer.clear_messages()  # invs relayed to us; only pongs matter
        stop.wait(max(0.0, interval - (time.monotonic() - t0)))
    connected = peer.is_connected
    peer.close()
    out.put({"samples": samples, "errors": errors, "connected_at_end": connected})


def tx_peers(stop, out, port, chunks_per_peer):
    """One thread per peer: handshake, then push every pre-framed chunk of `tx` messages.
    The node stops reading a peer whose unprocessed bytes pass -maxreceivebuffer, so the
    send blocks and the peers go exactly as fast as the node takes them."""
    peers = [P2PConnection() for _ in chunks_per_peer]
    for peer in peers:
        peer.connect("127.0.0.1", port)
        peer.handshake()
    sent = [0] * len(peers)
    done_at = [None] * len(peers)
    errors = []

    def push(i):
        for chunk, count in chunks_per_peer[i]:
            if stop.is_set():
                return
            try:
                peers[i].send_raw(chunk)
            except OSError as e:
                if not stop.is_set():
                    errors.append(f"peer {i}: {e}")
                return
            sent[i] += count
            if sent[i] % 20_000 < count:
                peers[i].clear_messages()
        done_at[i] = time.monotonic()

    threads = [threading.Thread(target=push, args=(i,), daemon=True) for i in range(len(peers))]
    for t in threads:
        t.start()
    stop.wait()
    disconnected = [i for i, p in enumerate(peers) if not p.is_connected]
    for peer in peers:
        peer.close()
    for t in threads:
        t.join(timeout=10)
    out.put({"sent": sent, "done_at": done_at, "errors": errors, "disconnected": disconnected})


def junk_message(kind, rng):
    """One framed junk message of `kind`."""
    prevout = rng.randbytes(32) + struct.pack("<I", rng.randrange(4))
    if kind == "tx_duplicate_inputs":
        # Consensus-invalid without any context (bad-txns-inputs-duplicate): punished.
        tx = Tx([(prevout[:32], 0, [OP_TRUE_SCRIPT])] * 2, [(1000, OP_TRUE_P2WSH_SPK)])
        return frame("tx", tx.serialize())
    if kind == "tx_nonstandard":
        # Version 4 is not standard (policy, rejected before the inputs are looked up).
        tx = Tx([(prevout[:32], 0, [OP_TRUE_SCRIPT])], [(1000, OP_TRUE_P2WSH_SPK)], version=4)
        return frame("tx", tx.serialize())
    if kind == "tx_orphan":
        # Well-formed, spending a coin nobody has: the orphanage, and a getdata we ignore.
        tx = Tx([(prevout[:32], 0, [OP_TRUE_SCRIPT])], [(1000, OP_TRUE_P2WSH_SPK)])
        return frame("tx", tx.serialize())
    if kind == "tx_garbage":
        return frame("tx", rng.randbytes(rng.randrange(10, 400)))
    if kind == "inv_garbage":
        return frame("inv", rng.randbytes(rng.randrange(1, 200)))
    if kind == "unknown_command":
        return frame(f"junk{rng.randrange(10**6):06d}", rng.randbytes(rng.randrange(0, 300)))
    if kind == "inv_big":
        return frame("inv", ser_compact_size(MAX_INV_SZ) + b"".join(
            struct.pack("<I", MSG_WTX) + rng.randbytes(32) for _ in range(MAX_INV_SZ)))
    raise ValueError(kind)


# One "round" of a junk peer: the cheap kinds often, the punished and the big ones rarely
# (a punished peer is disconnected and reconnects; a 1.8 MB inv takes the node a while).
JUNK_ROUND = (["tx_nonstandard"] * 30 + ["tx_orphan"] * 20 + ["tx_garbage"] * 20 +
              ["inv_garbage"] * 10 + ["unknown_command"] * 19 + ["tx_duplicate_inputs"])
INV_BIG_EVERY = 20  # rounds


def junk_peers(stop, out, port, count, rate):
    """`count` peers sending junk, each at most `rate` messages/s (0: as fast as TCP lets
    it); a peer the node disconnects reconnects."""
    sent = collections.Counter()
    reconnects = [0]
    errors = []
    lock = threading.Lock()

    def run(seed):
        rng = random.Random(seed)
        peer = None
        rounds = 0
        t_start = time.monotonic()
        n = 0
        while not stop.is_set():
            if peer is None or not peer.is_connected:
                if peer is not None:
                    peer.close()
                    with lock:
                        reconnects[0] += 1
                try:
                    peer = P2PConnection()
                    peer.connect("127.0.0.1", port, timeout=10)
                    peer.handshake(timeout=30)
                except Exception as e:  # noqa: B902 - refused while the node is busy: retry
                    with lock:
                        errors.append(f"{type(e).__name__}: {e}")
                    peer = None
                    stop.wait(0.5)
                    continue
            kinds = list(JUNK_ROUND)
            rng.shuffle(kinds)
            if rounds % INV_BIG_EVERY == INV_BIG_EVERY - 1:
                kinds.append("inv_big")
            rounds += 1
            for kind in kinds:
                if stop.is_set():
                    break
                try:
                    peer.send_raw(junk_message(kind, rng))
                except OSError:
                    break  # disconnected (after a punished message): reconnect above
                with lock:
                    sent[kind] += 1
                n += 1
                if rate:
                    ahead = n / rate - (time.monotonic() - t_start)
                    if ahead > 0:
                        stop.wait(ahead)
            peer.clear_messages()
        if peer is not None:
            peer.close()

    threads = [threading.Thread(target=run, args=(1000 + i,), daemon=True) for i in range(count)]
    for t in threads:
        t.start()
    stop.wait()
    for t in threads:
        t.join(timeout=30)
    out.put({"sent": dict(sent), "reconnects": reconnects[0], "connect_errors": errors[:5],
             "connect_error_count": len(errors)})


def rpc_clients(stop, out, port, cookie, threads, seconds, height, mempool_size):
    """`threads` keep-alive clients, each calling the mix in turn for `seconds`; every reply
    is checked against what the parent set up (height, mempool size)."""
    from test_framework.rpc import RPCClient
    user, password = cookie.split(":", 1)
    latencies = []
    errors = collections.Counter()
    first_error = []
    calls = collections.Counter()
    lock = threading.Lock()
    deadline = [0.0]
    started = [0.0]

    def go():
        started[0] = time.monotonic()
        deadline[0] = started[0] + seconds

    # Every client has connected before the clock starts; the action sets it once.
    start = threading.Barrier(threads, action=go, timeout=120)

    def check(method, result, block_height):
        if method == "getblockcount":
            return result == height
        if method == "getblockchaininfo":
            return result.get("blocks") == height and result.get("chain") == "regtest"
        if method == "getrawmempool":
            return isinstance(result, list) and len(result) == mempool_size
        return result.get("height") == block_height and result.get("confirmations") == \
            height - block_height + 1

    def run(i):
        rng = random.Random(i)
        client = RPCClient("127.0.0.1", port, user, password, timeout=60)
        hashes = {}
        mine, errs, counts = [], collections.Counter(), collections.Counter()
        try:
            client.getblockcount()  # connect before the clock starts
        except (JSONRPCException, OSError, ValueError) as e:
            errs["connect"] += 1
            with lock:
                first_error.append(f"connect: {e}"[:300])
        start.wait()
        n = i
        while time.monotonic() < deadline[0]:
            method = ("getblockcount", "getblockchaininfo", "getrawmempool", "getblock")[n % 4]
            n += 1
            block_height = rng.randrange(height + 1)
            t0 = time.monotonic()
            try:
                if method == "getblock":
                    if block_height not in hashes:
                        hashes[block_height] = client.getblockhash(block_height)
                        t0 = time.monotonic()
                    result = client.getblock(hashes[block_height], 1)
                else:
                    result = getattr(client, method)()
                ok = check(method, result, block_height)
                reason = f"{method}: unexpected result"
            except (JSONRPCException, OSError, ValueError) as e:
                ok, reason = False, f"{method}: {type(e).__name__}: {e}"
            mine.append(time.monotonic() - t0)
            counts[method] += 1
            if not ok:
                errs[method] += 1
                with lock:
                    if not first_error:
                        first_error.append(reason[:300])
        client.close()
        with lock:
            latencies.extend(mine)
            errors.update(errs)
            calls.update(counts)

    workers = [threading.Thread(target=run, args=(i,), daemon=True) for i in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    out.put({"latencies": latencies, "errors": dict(errors), "first_error": first_error,
             "calls": dict(calls), "seconds": time.monotonic() - started[0]})


def read_handshake(sock, timeout):
    """Reads frames until both version and verack arrived; False on EOF first."""
    sock.settimeout(timeout)
    buf, seen = b"", set()
    while not {"version", "verack"} <= seen:
        data = sock.recv(1 << 16)
        if not data:
            return False
        buf += data
        while len(buf) >= 24:
            (length,) = struct.unpack_from("<I", buf, 16)
            if len(buf) < 24 + length:
                break
            seen.add(buf[4:16].rstrip(b"\x00").decode(errors="replace"))
            buf = buf[24 + length:]
    return True


def closed_by_peer(sock):
    """Whether the node already closed this held connection (drains what it sent)."""
    sock.setblocking(False)
    try:
        while True:
            data = sock.recv(1 << 16)
            if not data:
                return True
    except BlockingIOError:
        return False
    except OSError:
        return True


def churners(stop, out, port, threads, hold):
    """`threads` loops: connect, handshake, keep the connection among the `hold` newest,
    close the oldest beyond that. A connection the node closed before we did was evicted
    (after its handshake) or refused (before)."""
    held = collections.deque()
    lock = threading.Lock()
    stats = collections.Counter()

    def run():
        while not stop.is_set():
            try:
                sock = socket.create_connection(("127.0.0.1", port), timeout=10)
            except OSError:
                with lock:
                    stats["connect_failed"] += 1
                stop.wait(0.05)
                continue
            try:
                sock.sendall(handshake_bytes(relay=False))
                ok = read_handshake(sock, 10)
            except OSError:
                ok = False
            with lock:
                if not ok:
                    stats["refused"] += 1
                    sock.close()
                    continue
                stats["handshakes"] += 1
                held.append(sock)
                old = held.popleft() if len(held) > hold else None
            if old is not None:
                with lock:
                    stats["evicted" if closed_by_peer(old) else "closed_by_us"] += 1
                old.close()

    workers = [threading.Thread(target=run, daemon=True) for _ in range(threads)]
    t0 = time.monotonic()
    for w in workers:
        w.start()
    stop.wait()
    for w in workers:
        w.join(timeout=30)
    seconds = time.monotonic() - t0
    while held:
        sock = held.popleft()
        stats["evicted" if closed_by_peer(sock) else "closed_by_us"] += 1
        sock.close()
    out.put({"stats": dict(stats), "seconds": seconds})


# ---- the bench -----------------------------------------------------------------------


class Bench:
    def __init__(self, opts, minibitd, tmpdir):
        self.opts = opts
        self.minibitd = minibitd
        self.tmpdir = tmpdir
        self.nodes = []
        self.children = []

    def new_node(self, name, args):
        datadir = os.path.join(self.tmpdir, name)
        os.makedirs(datadir)
        node = MinibitNode(self.minibitd, datadir, len(self.nodes))
        self.nodes.append(node)
        node.start_and_wait(["-printtoconsole=0", "-persistmempool=0"] + args, timeout=120)
        return node

    def child(self, target, *args):
        c = Child(target, *args).start()
        self.children.append(c)
        return c

    def alive(self, node, what):
        if node.process.poll() is not None:
            raise BenchFailure(f"minibitd exited with {node.process.returncode} during {what}: "
                               f"{node.read_stderr()[-500:]}")

    def stop_node(self, node):
        self.alive(node, "the run")
        code = node.stop(timeout=180)
        if code != 0:
            raise BenchFailure(f"node{node.index} exited with {code} after SIGTERM")

    def cleanup(self):
        for c in self.children:
            if c.process.is_alive():
                c.process.kill()
        for node in self.nodes:
            node.kill()


def mine_until_empty(node, what):
    for _ in range(200):
        if node.getmempoolinfo()["size"] == 0:
            return
        node.generatetoaddress(1, OP_TRUE_ADDRESS)
    raise BenchFailure(f"{what}: the mempool did not empty after 200 blocks")


def summarize_pings(result, t_from, t_to):
    rtts = [rtt for t, rtt in result["samples"] if t_from <= t <= t_to]
    return latency_summary(rtts)


# ---- scenario 1: transactions --------------------------------------------------------


def run_tx(bench, results):
    opts = bench.opts
    print("== tx load: preparing coins", flush=True)
    node = bench.new_node("tx", ["-maxmempool=2000"])
    wallet = OpTrueWallet(node)
    needed = opts.txs + opts.baseline_txs
    fans = (needed + FAN_OUTPUTS - 1) // FAN_OUTPUTS
    # Only the coinbases to spend go through OpTrueWallet (a getblock each); the 100 blocks
    # that mature them need no tracking.
    wallet.generate(fans)
    node.generatetoaddress(100, OP_TRUE_ADDRESS)
    fan_txs = []
    for _ in range(fans):
        fan_txs.append(wallet.send(wallet.create(num_outputs=FAN_OUTPUTS, fee_rate=2)))
    mine_until_empty(node, "fan-out")
    coins = [u for fan in fan_txs for u in fan.utxos]
    check_builder(coins[0])
    t0 = time.monotonic()
    spends = [build_spend(u.txid, u.vout, u.value) for u in coins[:needed]]
    print(f"  {fans} fan-outs confirmed, {len(spends)} spends built in "
          f"{time.monotonic() - t0:.1f} s; height {node.getblockcount()}", flush=True)

    # Baseline: one RPC client, sendrawtransaction of the same kind of spend.
    print(f"== tx baseline: sendrawtransaction from one client, {opts.baseline_seconds} s",
          flush=True)
    client = node.rpc_client()
    base = spends[:opts.baseline_txs]
    p2p_spends = spends[opts.baseline_txs:]
    n, lat = 0, []
    t0 = time.monotonic()
    deadline = t0 + opts.baseline_seconds
    while n < len(base) and time.monotonic() < deadline:
        raw, txid = base[n]
        t1 = time.monotonic()
        got = client.sendrawtransaction(raw.hex())
        lat.append(time.monotonic() - t1)
        if got != txid:
            raise BenchFailure(f"sendrawtransaction returned {got}, expected {txid}")
        n += 1
    base_seconds = time.monotonic() - t0
    client.close()
    in_pool = node.getmempoolinfo()["size"]
    if in_pool != n:
        raise BenchFailure(f"{in_pool} transactions in the pool after {n} accepted by RPC")
    baseline = {"txs": n, "seconds": base_seconds, "tx_per_s": n / base_seconds,
                "latency": latency_summary(lat), "ran_out": n == len(base)}
    print(f"  {n} tx in {base_seconds:.1f} s: {baseline['tx_per_s']:.0f} tx/s, p50 "
          f"{baseline['latency']['p50_ms']:.2f} ms", flush=True)
    mine_until_empty(node, "baseline")

    # P2P: chunks of pre-framed tx messages, peer i taking every TX_PEERS-th spend.
    per_peer = []
    for i in range(TX_PEERS):
        mine = [frame("tx", raw) for raw, _ in p2p_spends[i::TX_PEERS]]
        per_peer.append([(b"".join(mine[k:k + 32]), len(mine[k:k + 32]))
                         for k in range(0, len(mine), 32)])
    total = len(p2p_spends)
    rss_before = proc_status(node.process.pid)
    print(f"== tx load: {TX_PEERS} peers push {total} transactions, {JUNK_PEERS} junk peers "
          f"(rate {opts.junk_rate or 'unlimited'}/s each), pings every 100 ms; "
          f"{opts.warmup} s warm-up + {opts.tx_seconds} s window", flush=True)
    ping = bench.child(pinger, node.p2p_port, 0.1)
    junk = bench.child(junk_peers, node.p2p_port, JUNK_PEERS, opts.junk_rate)
    time.sleep(1)
    t_start = time.monotonic()
    senders = bench.child(tx_peers, node.p2p_port, per_peer)
    samples = []  # (t, mempool size, VmRSS KiB)
    end = t_start + opts.warmup + opts.tx_seconds
    exhausted_at = None
    while time.monotonic() < end:
        bench.alive(node, "the tx load")
        size = node.getmempoolinfo()["size"]
        st = proc_status(node.process.pid) or {}
        now = time.monotonic()
        samples.append((now, size, st.get("VmRSS", 0)))
        if size >= total:
            # Out of transactions; only a shortfall well before the end shortens the window.
            exhausted_at = now if now < end - 1 else None
            break
        time.sleep(0.5)
    t_end = samples[-1][0]
    sent = senders.finish()
    junk_result = junk.finish()
    ping_result = ping.finish()
    bench.alive(node, "the tx load")
    status = proc_status(node.process.pid)
    final_size = node.getmempoolinfo()["size"]

    t_win = t_start + opts.warmup
    window = [s for s in samples if s[0] >= t_win]
    if exhausted_at is not None or len(window) < 2:
        print("  note: the peers ran out of transactions before the window ended; "
              "raise --txs", flush=True)
    if len(window) < 2:
        window = samples
    (wa, sa, _), (wb, sb, _) = window[0], window[-1]
    per_second = []
    for (ta, a, _), (tb, b, _) in zip(window, window[1:]):
        per_second.append((b - a) / (tb - ta))
    r = {
        "peers": TX_PEERS, "junk_peers": JUNK_PEERS, "txs_prepared": total,
        "accepted_in_window": sb - sa, "window_seconds": wb - wa,
        "tx_per_s": (sb - sa) / (wb - wa),
        "tx_per_s_min_interval": min(per_second) if per_second else None,
        "ran_out": exhausted_at is not None,
        "mempool_final": final_size, "sent_by_peers": sum(sent["sent"]),
        "ping": summarize_pings(ping_result, wa, wb),
        "ping_all": summarize_pings(ping_result, t_start, t_end),
        "ping_errors": ping_result["errors"],
        "rss_mib_before": mib(rss_before["VmRSS"]),
        "rss_mib_max": mib(max(s[2] for s in samples)),
        "hwm_mib": mib(status["VmHWM"]),
        "junk_sent": junk_result["sent"], "junk_total": sum(junk_result["sent"].values()),
        "junk_reconnects": junk_result["reconnects"],
        "junk_connect_errors": junk_result["connect_error_count"],
        "baseline": baseline,
    }
    r["ping_samples"] = [(round(t - t_start, 3), round(rtt, 4))
                         for t, rtt in ping_result["samples"]]
    r["ratio_p2p_rpc"] = r["tx_per_s"] / baseline["tx_per_s"]
    results["tx"] = r
    print(f"  accepted {r['accepted_in_window']} in {r['window_seconds']:.1f} s: "
          f"{r['tx_per_s']:.0f} tx/s (slowest 0.5-s interval "
          f"{r['tx_per_s_min_interval'] or 0:.0f}/s); RPC baseline {baseline['tx_per_s']:.0f} "
          f"tx/s; ratio {r['ratio_p2p_rpc']:.2f}", flush=True)
    p, a = r["ping"], r["ping_all"]
    print(f"  honest ping ({p['count']} in the window): p50 {p.get('p50_ms', 0):.1f} ms, "
          f"p99 {p.get('p99_ms', 0):.1f} ms, max {p.get('max_ms', 0):.1f} ms; whole run "
          f"({a['count']}): max {a.get('max_ms', 0):.1f} ms", flush=True)
    print(f"  RSS {r['rss_mib_before']:.0f} MiB before, {r['rss_mib_max']:.0f} MiB max, "
          f"VmHWM {r['hwm_mib']:.0f} MiB; mempool {final_size} at the end", flush=True)
    print(f"  junk: {r['junk_total']} messages " + ", ".join(
        f"{k} {v}" for k, v in sorted(r["junk_sent"].items())) +
        f"; {r['junk_reconnects']} reconnects after being disconnected", flush=True)

    failures = []
    if ping_result["errors"] or not ping_result["connected_at_end"]:
        failures.append(f"the honest pinger failed: {ping_result['errors'][:1]}")
    if sent["disconnected"] or sent["errors"]:
        failures.append(f"tx peers {sent['disconnected']} were disconnected: "
                        f"{sent['errors'][:2]}")
    if junk_result["reconnects"] == 0 and junk_result["sent"].get("tx_duplicate_inputs"):
        # Core disconnects the sender of a consensus-invalid transaction.
        failures.append("no junk peer was ever disconnected for bad-txns-inputs-duplicate")
    if final_size > total:
        failures.append(f"mempool holds {final_size}, more than the {total} valid spends sent")
    results["tx"]["failures"] = failures
    bench.stop_node(node)
    if failures:
        raise BenchFailure("tx load: " + "; ".join(failures))


# ---- scenario 2: RPC clients ---------------------------------------------------------


def run_rpc(bench, results):
    opts = bench.opts
    args = [f"-rpcthreads={opts.rpcthreads}"] if opts.rpcthreads else []
    args += [f"-rpcworkqueue={opts.rpcworkqueue}"] if opts.rpcworkqueue else []
    print(f"== rpc: {' '.join(args) or 'node defaults'}; mining", flush=True)
    node = bench.new_node("rpc", args)
    wallet = OpTrueWallet(node)
    wallet.generate(20)
    node.generatetoaddress(180, OP_TRUE_ADDRESS)
    for _ in range(20):
        wallet.send_self_transfer()
    height = node.getblockcount()
    pool = node.getmempoolinfo()["size"]
    if height != 200 or pool != 20:
        raise BenchFailure(f"setup: height {height}, mempool {pool}; expected 200 and 20")
    with open(node.cookie_path, encoding="utf8") as f:
        cookie = f.read().strip()
    r = {"args": args}
    for label, clients, procs, seconds in (
            ("one", 1, 1, opts.rpc_baseline_seconds),
            ("many", opts.rpc_clients, opts.rpc_procs, opts.rpc_seconds)):
        print(f"  {clients} client(s) in {procs} process(es), {seconds} s", flush=True)
        per = [clients // procs + (1 if i < clients % procs else 0) for i in range(procs)]
        rss_before = proc_status(node.process.pid)
        kids = [bench.child(rpc_clients, node.rpc_port, cookie, k, seconds, height, pool)
                for k in per]
        rss_max = 0
        end = time.monotonic() + seconds + 2
        while time.monotonic() < end:
            bench.alive(node, "the RPC load")
            rss_max = max(rss_max, (proc_status(node.process.pid) or {}).get("VmRSS", 0))
            time.sleep(0.25)
        parts = [k.finish(timeout=seconds + 120) for k in kids]
        lat = [x for p in parts for x in p["latencies"]]
        errors = collections.Counter()
        calls = collections.Counter()
        for p in parts:
            errors.update(p["errors"])
            calls.update(p["calls"])
        # Each process times its own clients; their rates add up.
        wall = max(p["seconds"] for p in parts)
        rate = sum(len(p["latencies"]) / p["seconds"] for p in parts)
        s = {"clients": clients, "processes": procs, "requests": len(lat), "seconds": wall,
             "req_per_s": rate, "latency": latency_summary(lat),
             "errors": sum(errors.values()), "errors_by_method": dict(errors),
             "first_error": next((p["first_error"][0] for p in parts if p["first_error"]), None),
             "calls": dict(calls), "rss_mib_before": mib(rss_before["VmRSS"]),
             "rss_mib_max": mib(max(rss_max, rss_before["VmRSS"]))}
        r[label] = s
        lt = s["latency"]
        print(f"    {s['requests']} requests, {s['req_per_s']:.0f}/s, p50 {lt['p50_ms']:.2f} ms, "
              f"p99 {lt['p99_ms']:.2f} ms, max {lt['max_ms']:.1f} ms, errors {s['errors']}"
              + (f" (first: {s['first_error']})" if s["first_error"] else "") +
              f"; RSS max {s['rss_mib_max']:.0f} MiB", flush=True)
    r["ratio_many_one"] = r["many"]["req_per_s"] / r["one"]["req_per_s"]
    r["hwm_mib"] = mib(proc_status(node.process.pid)["VmHWM"])
    results["rpc"] = r
    bench.stop_node(node)
    bad = [label for label in ("one", "many") if r[label]["errors"]]
    if bad:
        raise BenchFailure(f"rpc: errors with {', '.join(bad)}: {r[bad[0]]['first_error']}")


# ---- scenario 3: connection churn ----------------------------------------------------


def run_churn(bench, results):
    opts = bench.opts
    maxconn = opts.maxconnections
    # Core: inbound slots are -maxconnections less the 8 full-relay, 2 block-relay-only and
    # 1 feeler outbound slots (never below zero).
    max_inbound = max(0, maxconn - min(maxconn, CORE_MAX_OUTBOUND))
    print(f"== churn: -maxconnections={maxconn} (inbound limit {max_inbound}), "
          f"{opts.churn_threads} threads holding {max_inbound + opts.churn_extra}, "
          f"{opts.churn_seconds} s", flush=True)
    node = bench.new_node("churn", [f"-maxconnections={maxconn}"])
    node.generatetoaddress(1, OP_TRUE_ADDRESS)  # a recent tip: out of initial block download
    ping = bench.child(pinger, node.p2p_port, 0.1)
    wait_deadline = time.monotonic() + 30
    while node.getconnectioncount() < 1:
        if time.monotonic() > wait_deadline:
            raise BenchFailure("churn: the honest peer did not connect")
        time.sleep(0.1)
    time.sleep(2)
    rss_before = proc_status(node.process.pid)
    t0 = time.monotonic()
    churn = bench.child(churners, node.p2p_port, opts.churn_threads,
                        max_inbound + opts.churn_extra)
    counts, inbound_max, total_max, rss_max = [], 0, 0, rss_before["VmRSS"]
    end = t0 + opts.churn_seconds
    k = 0
    while time.monotonic() < end:
        bench.alive(node, "churn")
        n = node.getconnectioncount()
        total_max = max(total_max, n)
        if k % 5 == 0:
            info = node.getnetworkinfo()
            inbound_max = max(inbound_max, info["connections_in"])
            total_max = max(total_max, info["connections"])
            counts.append(info["connections_in"])
            rss_max = max(rss_max, (proc_status(node.process.pid) or {}).get("VmRSS", 0))
        k += 1
        time.sleep(0.05)
    c = churn.finish()
    t_churn_end = time.monotonic()
    # Let the node notice the closes, then give it a few seconds to hand memory back.
    settle_deadline = time.monotonic() + 30
    while node.getconnectioncount() > 1 and time.monotonic() < settle_deadline:
        time.sleep(0.2)
    left = node.getconnectioncount()
    time.sleep(3)
    rss_after = proc_status(node.process.pid)
    ping_result = ping.finish()

    # A newcomer after the churn: handshake and a ping answered.
    fresh = P2PConnection()
    fresh_ok = True
    try:
        fresh.connect("127.0.0.1", node.p2p_port, timeout=10)
        fresh.handshake(timeout=30)
        fresh.sync_with_ping(timeout=30)
    except Exception as e:  # noqa: B902 - reported as the failure
        fresh_ok = f"{type(e).__name__}: {e}"
    fresh.close()

    st = c["stats"]
    r = {"maxconnections": maxconn, "inbound_limit": max_inbound,
         "held_target": max_inbound + opts.churn_extra, "threads": opts.churn_threads,
         "seconds": c["seconds"], "handshakes": st.get("handshakes", 0),
         "connects_per_s": st.get("handshakes", 0) / c["seconds"],
         "refused": st.get("refused", 0), "connect_failed": st.get("connect_failed", 0),
         "evicted": st.get("evicted", 0), "closed_by_us": st.get("closed_by_us", 0),
         "inbound_max_seen": inbound_max, "connections_max_seen": total_max,
         "inbound_median_seen": statistics.median(counts) if counts else None,
         "connections_after": left,
         "rss_mib_before": mib(rss_before["VmRSS"]), "rss_mib_max": mib(rss_max),
         "rss_mib_after": mib(rss_after["VmRSS"]), "hwm_mib": mib(rss_after["VmHWM"]),
         "ping": summarize_pings(ping_result, t0, t_churn_end),
         "honest_connected_at_end": ping_result["connected_at_end"],
         "honest_errors": ping_result["errors"], "newcomer_served": fresh_ok is True}
    results["churn"] = r
    p = r["ping"]
    print(f"  {r['handshakes']} handshakes in {r['seconds']:.1f} s: "
          f"{r['connects_per_s']:.0f} connects/s; evicted {r['evicted']}, refused "
          f"{r['refused']}, connect failed {r['connect_failed']}", flush=True)
    print(f"  inbound max {inbound_max} (limit {max_inbound}), median "
          f"{r['inbound_median_seen']}; connections max {total_max}; {left} left after",
          flush=True)
    print(f"  RSS {r['rss_mib_before']:.1f} MiB before, {r['rss_mib_max']:.1f} max, "
          f"{r['rss_mib_after']:.1f} after; honest ping p50 {p.get('p50_ms', 0):.1f} ms, "
          f"p99 {p.get('p99_ms', 0):.1f} ms, max {p.get('max_ms', 0):.1f} ms "
          f"({p['count']} pings)", flush=True)
    failures = []
    if inbound_max > max_inbound:
        failures.append(f"{inbound_max} inbound connections, limit {max_inbound}")
    if total_max > maxconn:
        failures.append(f"{total_max} connections, -maxconnections={maxconn}")
    if ping_result["errors"] or not ping_result["connected_at_end"]:
        failures.append(f"the honest peer was not served throughout: "
                        f"{ping_result['errors'][:1] or 'disconnected'}")
    if fresh_ok is not True:
        failures.append(f"a new peer after the churn was not served: {fresh_ok}")
    if left > 1:
        failures.append(f"{left} connections still listed 30 s after the churn closed all "
                        "but the honest one")
    # Generous: per-connection state that was never freed would show as tens of MiB after
    # thousands of connections; allocator slack stays far below this.
    if r["rss_mib_after"] > r["rss_mib_before"] + opts.rss_slack:
        failures.append(f"RSS {r['rss_mib_after']:.0f} MiB after the churn, "
                        f"{r['rss_mib_before']:.0f} before (slack {opts.rss_slack} MiB)")
    r["failures"] = failures
    bench.stop_node(node)
    if failures:
        raise BenchFailure("churn: " + "; ".join(failures))


# ---- main ----------------------------------------------------------------------------


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--build-dir", default=os.environ.get("BUILD_DIR", "build"),
                        help="build directory, relative to the repository root (default: "
                             "$BUILD_DIR or build)")
    parser.add_argument("--no-build", action="store_true", help="use the binaries already built")
    parser.add_argument("--only", choices=("tx", "rpc", "churn"), action="append",
                        help="run only this scenario (repeatable)")
    parser.add_argument("--txs", type=int, default=250_000,
                        help="valid transactions prepared for the P2P peers (250000)")
    parser.add_argument("--baseline-txs", type=int, default=20_000,
                        help="transactions prepared for the RPC baseline (20000)")
    parser.add_argument("--warmup", type=float, default=5, help="seconds before the tx window (5)")
    parser.add_argument("--tx-seconds", type=float, default=20, help="tx window (20)")
    parser.add_argument("--baseline-seconds", type=float, default=10,
                        help="RPC baseline of the tx scenario (10)")
    parser.add_argument("--junk-rate", type=float, default=0,
                        help="messages/s per junk peer, 0 for as fast as TCP allows (0)")
    parser.add_argument("--rpc-clients", type=int, default=100, help="concurrent clients (100)")
    parser.add_argument("--rpc-procs", type=int, default=4,
                        help="processes the clients are spread over (4)")
    parser.add_argument("--rpc-seconds", type=float, default=20, help="(20)")
    parser.add_argument("--rpc-baseline-seconds", type=float, default=10, help="(10)")
    parser.add_argument("--rpcthreads", type=int, default=0,
                        help="-rpcthreads for the RPC scenario (0: the node's default)")
    parser.add_argument("--rpcworkqueue", type=int, default=128,
                        help="-rpcworkqueue for the RPC scenario (128, above --rpc-clients; "
                             "0: the node's default, 64)")
    parser.add_argument("--maxconnections", type=int, default=125, help="(125, the default)")
    parser.add_argument("--churn-seconds", type=float, default=30, help="(30)")
    parser.add_argument("--churn-threads", type=int, default=8, help="(8)")
    parser.add_argument("--churn-extra", type=int, default=20,
                        help="connections held beyond the inbound limit (20)")
    parser.add_argument("--rss-slack", type=float, default=64,
                        help="MiB RSS may grow across the churn before it counts as a leak (64)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary datadirs")
    parser.add_argument("--json", help="also write the results to this file")
    opts = parser.parse_args()
    if min(opts.txs, opts.baseline_txs, opts.rpc_clients, opts.rpc_procs,
           opts.churn_threads) < 1 or opts.maxconnections < 1:
        parser.error("counts must be positive")
    opts.rpc_procs = min(opts.rpc_procs, opts.rpc_clients)
    scenarios = opts.only or ["tx", "rpc", "churn"]

    build_dir = opts.build_dir if os.path.isabs(opts.build_dir) else \
        os.path.join(ROOT, opts.build_dir)
    if not opts.no_build:
        print(f"== build ({build_dir})", flush=True)
        subprocess.run(["cmake", "-S", ROOT, "-B", build_dir, "-G", "Ninja",
                        f"-DCMAKE_BUILD_TYPE={os.environ.get('BUILD_TYPE', 'Release')}"],
                       check=True, stdout=subprocess.DEVNULL)
        subprocess.run(["cmake", "--build", build_dir, "--target", "minibitd"], check=True)
    minibitd = find_binary(build_dir, "minibitd")
    if not minibitd:
        print(f"error: minibitd not found under {build_dir}", file=sys.stderr)
        return 2

    with open("/proc/cpuinfo", encoding="ascii", errors="replace") as f:
        model = next((line.split(":", 1)[1].strip() for line in f
                      if line.startswith("model name")), "?")
    results = {"date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
               "cores": os.cpu_count(), "cpu": model, "loadavg_before": os.getloadavg()}
    print(f"machine: {os.cpu_count()} cores ({model}), load average "
          f"{' '.join(f'{x:.2f}' for x in results['loadavg_before'])}", flush=True)
    tmpdir = tempfile.mkdtemp(prefix="minibit-load-bench-")

    def on_term(signum, _frame):
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGTERM, on_term)
    bench = Bench(opts, minibitd, tmpdir)
    started = time.monotonic()
    failure = None
    try:
        for name, fn in (("tx", run_tx), ("rpc", run_rpc), ("churn", run_churn)):
            if name not in scenarios:
                continue
            try:
                fn(bench, results)
            except BenchFailure as e:
                # Run the other scenarios anyway; the first failure decides the exit status.
                print(f"FAILED: {e}", file=sys.stderr, flush=True)
                failure = failure or e
                bench.cleanup()
    finally:
        bench.cleanup()
        if opts.keep:
            print(f"datadirs kept: {tmpdir}")
        else:
            shutil.rmtree(tmpdir, ignore_errors=True)
    results["loadavg_after"] = os.getloadavg()
    results["seconds"] = time.monotonic() - started
    print_summary(results)
    if opts.json:
        with open(opts.json, "w") as f:
            json.dump(results, f, indent=2)
    if failure:
        print(f"load-bench: FAILED: {failure}", file=sys.stderr)
        return 1
    print("load-bench: OK")
    return 0


def print_summary(results):
    print()
    print(f"{results['date']}: {results['cores']} cores, load average before "
          f"{results['loadavg_before'][0]:.2f}, after {results['loadavg_after'][0]:.2f}; "
          f"{results['seconds']:.0f} s")
    rows = []
    if "tx" in results:
        t = results["tx"]
        p = t["ping"]
        rows.append((f"{t['peers']} tx peers + {t['junk_peers']} junk peers",
                     f"{t['tx_per_s']:.0f} tx/s", f"sendrawtransaction (1 client) "
                     f"{t['baseline']['tx_per_s']:.0f} tx/s", f"{t['ratio_p2p_rpc']:.2f}"))
        rows.append(("  honest ping during it", f"p50 {p.get('p50_ms', 0):.1f} / p99 "
                     f"{p.get('p99_ms', 0):.1f} / max {p.get('max_ms', 0):.1f} ms", "", ""))
        rows.append(("  RSS", f"{t['rss_mib_before']:.0f} -> max {t['rss_mib_max']:.0f} MiB "
                     f"(VmHWM {t['hwm_mib']:.0f})", "", ""))
        rows.append(("  junk sent", f"{t['junk_total']} msgs, {t['junk_reconnects']} "
                     f"reconnects", "", ""))
    if "rpc" in results and "many" in results["rpc"]:
        r = results["rpc"]
        m, o = r["many"], r["one"]
        rows.append((f"{m['clients']} RPC clients", f"{m['req_per_s']:.0f} req/s, p50 "
                     f"{m['latency']['p50_ms']:.2f} / p99 {m['latency']['p99_ms']:.2f} ms, "
                     f"{m['errors']} errors", f"1 client {o['req_per_s']:.0f} req/s, p50 "
                     f"{o['latency']['p50_ms']:.2f} ms", f"{r['ratio_many_one']:.2f}"))
        rows.append(("  RSS", f"max {m['rss_mib_max']:.0f} MiB (VmHWM {r['hwm_mib']:.0f})",
                     "", ""))
    if "churn" in results:
        c = results["churn"]
        p = c["ping"]
        rows.append((f"churn, -maxconnections={c['maxconnections']}",
                     f"{c['connects_per_s']:.0f} connects/s, inbound max "
                     f"{c['inbound_max_seen']} (limit {c['inbound_limit']})", "", ""))
        rows.append(("  RSS before / max / after", f"{c['rss_mib_before']:.1f} / "
                     f"{c['rss_mib_max']:.1f} / {c['rss_mib_after']:.1f} MiB", "", ""))
        rows.append(("  honest ping during it", f"p50 {p.get('p50_ms', 0):.1f} / p99 "
                     f"{p.get('p99_ms', 0):.1f} / max {p.get('max_ms', 0):.1f} ms", "", ""))
    if not rows:
        return
    header = ("measure", "minibitd", "baseline", "ratio")
    widths = [max(len(row[i]) for row in rows + [header]) for i in range(4)]
    for row in [header, tuple("-" * w for w in widths)] + rows:
        print("| " + " | ".join(cell.ljust(w) for cell, w in zip(row, widths)) + " |")


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
