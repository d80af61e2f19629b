#!/usr/bin/env python3
"""kill -9 at many moments of a -loadblock import never corrupts the chainstate.

A signed regtest chain from chaingen is imported with a small -dbcache; the
node is killed while it opens its databases, stores blocks, connects them,
verifies them, and while it flushes on shutdown. Every restart must come up,
report only tips of that chain, and pass a full -checklevel=4 verification;
the final import must reach chaingen's tip, which -reindex-chainstate rebuilds.

chaingen's UTXO set stays small (its spends consume about as many coins as they
create), so even -dbcache=4 never fills the coins cache during this import: the
coins reach disk only in the shutdown flush, which is killed on its own below.
"""

import os
import re
import signal
import struct
import subprocess
import time

from test_framework.messages import dsha256_hex, hash_to_hex
from test_framework.test_framework import MinibitTestFramework
from test_framework.util import TestFailure, assert_equal, assert_in, assert_not_in

BLOCKS = 300
INPUTS_PER_BLOCK = 20  # about 4,000 signed spends
SEED = 7
REGTEST_MAGIC = bytes.fromhex("fabfb5da")
REGTEST_GENESIS = "0f9188f13cb7b2c71f2a335e3a4fc328bf5beb436012afca590b1a11466e2206"

# Kill runs log every connected block so a kill can aim at a height.
IMPORT_ARGS = ["-dbcache=4", "-printtoconsole=0", "-debug=validation"]
# Check runs verify every block: each is disconnected against its undo data and reconnected.
CHECK_ARGS = ["-printtoconsole=0", "-debug=validation", "-checkblocks=0", "-checklevel=4"]

TIP_LINE = re.compile(r"(?:UpdateTip: new best=|hashBestChain=|Import finished: tip )"
                      r"([0-9a-f]{64})(?: at)? height[= ](\d+)")
UPDATE_TIP = re.compile(r"UpdateTip: new best=[0-9a-f]{64} height=(\d+)")


def read_chain(path):
    """Block hashes by height, read from the blk*.dat framing and checked to form one chain."""
    hashes = [REGTEST_GENESIS]
    with open(path, "rb") as f:
        data = f.read()
    offset = 0
    while offset < len(data):
        if data[offset:offset + 4] != REGTEST_MAGIC:
            raise TestFailure(f"bad magic at offset {offset} of {path}")
        (size,) = struct.unpack_from("<I", data, offset + 4)
        header = data[offset + 8:offset + 8 + 80]
        if size < 80 or len(header) != 80:
            raise TestFailure(f"truncated block at offset {offset} of {path}")
        block_hash = dsha256_hex(header)
        prev_hash = hash_to_hex(header[4:36])
        if prev_hash != hashes[-1]:
            raise TestFailure(f"block {block_hash} does not extend {hashes[-1]}")
        hashes.append(block_hash)
        offset += 8 + size
    return hashes


class KillNineTest(MinibitTestFramework):
    def add_options(self, parser):
        parser.add_argument("--chaingen", required=True, help="path to the chaingen tool")

    def run_test(self):
        started = time.monotonic()
        self.chain_file = os.path.join(self.tmpdir, "chain.dat")
        self.log(f"chaingen writes {BLOCKS} blocks with about {INPUTS_PER_BLOCK} spends each")
        out = subprocess.run(
            [os.path.abspath(self.options.chaingen), f"-out={self.chain_file}",
             f"-blocks={BLOCKS}", f"-inputs={INPUTS_PER_BLOCK}", f"-seed={SEED}"],
            capture_output=True, text=True, timeout=60, check=True).stdout
        match = re.search(r"tip height (\d+), hash ([0-9a-f]{64})", out)
        if not match:
            raise TestFailure(f"no tip in chaingen output: {out!r}")
        assert_equal(int(match.group(1)), BLOCKS)
        self.tip = match.group(2)
        # An independent reading of the file: the tests below check every tip against it.
        self.hashes = read_chain(self.chain_file)
        assert_equal(len(self.hashes), BLOCKS + 1)
        assert_equal(self.hashes[BLOCKS], self.tip)

        self.node = self.add_node()
        self.loadblock = [f"-loadblock={self.chain_file}"]
        self.kills_mid_connect = 0
        self.replays = 0

        # (what, when to kill, restart without -loadblock afterwards)
        kill_points = [
            ("0.01 s after start", self.after(0.01), True),
            ("as the import starts", self.on_log("Importing blocks file"), False),
            ("5 ms into storing blocks", self.on_log("Importing blocks file", 0.005), True),
            ("30 ms into storing blocks", self.on_log("Importing blocks file", 0.03), False),
            ("at the first connected block", self.at_height(1), False),
            ("connecting, height 60", self.at_height(60), True),
            ("connecting, height 150", self.at_height(150), False),
            ("connecting, height 240", self.at_height(240), True),
            ("after the last block connects", self.at_height(BLOCKS), False),
            ("during the startup check", self.on_log("Import finished"), True),
            ("0.05 s after start", self.after(0.05), False),
            ("0.1 s after start", self.after(0.1), True),
            ("0.2 s after start", self.after(0.2), False),
            ("0.3 s after start", self.after(0.3), True),
            ("0.6 s after start", self.after(0.6), False),
            ("once loaded, before any flush", self.on_log("init message: Done loading"), True),
        ]
        for what, trigger, check_after in kill_points:
            self.kill_during(what, self.loadblock, trigger)
            if check_after:
                self.check_restart(stop_sig=signal.SIGKILL)
        if self.kills_mid_connect < 3:
            raise TestFailure(f"only {self.kills_mid_connect} kills landed while blocks were "
                              "connecting")

        self.log("kill -9 during -reindex-chainstate")
        for height in (80, 200):
            self.kill_during(f"-reindex-chainstate at height {height}",
                             ["-reindex-chainstate"], self.at_height(height))
            self.check_restart(stop_sig=signal.SIGKILL)

        self.log("kill -9 at moments of the shutdown flush")
        for delay in (0, 0, 0.0005, 0.002, 0.05):
            self.kill_during_shutdown(delay)
            self.check_restart(stop_sig=signal.SIGKILL)

        self.log("Ctrl-C (SIGINT) stops -reindex-chainstate between blocks, cleanly")
        self.interrupt_during(["-reindex-chainstate"], height=10)
        self.check_restart(stop_sig=signal.SIGTERM)

        self.log("-dbcrashratio exits in the middle of coins flushes (one coin per batch)")
        simulated = 0
        for _ in range(4):
            node = self.node
            node.start(["-reindex-chainstate", "-dbbatchsize=1", "-dbcrashratio=40"] + IMPORT_ARGS)
            node.wait_until_ready(timeout=60)
            # The flush at shutdown writes every coin, one batch each: it stops part way.
            code = node.stop()
            assert_equal(code, 0)
            if "Simulating a crash" in node.read_stderr():
                simulated += 1
                assert_not_in("Shutdown: done", node.read_log(since_start=True))
            self.check_restart(stop_sig=signal.SIGTERM)
        if simulated == 0:
            raise TestFailure("-dbcrashratio=40 never interrupted a flush of hundreds of batches")

        self.log("a final -loadblock import reaches chaingen's tip")
        node = self.node
        node.start(self.loadblock + IMPORT_ARGS)
        node.wait_until_ready(timeout=60)
        log = node.read_log(since_start=True)
        assert_in(f"Import finished: tip {self.tip} at height {BLOCKS}", log)
        self.check_run_log(log, node)
        assert_equal(node.stop(), 0)

        self.log("-checkblocks=0 -checklevel=4 verifies every block against the UTXO set")
        log = self.check_restart(stop_sig=signal.SIGTERM)
        assert_in(f"Loaded best chain: hashBestChain={self.tip} height={BLOCKS}", log)
        assert_in(f"Verifying last {BLOCKS} blocks at level 4", log)
        # Nothing was left to connect: the flushed state was already at the tip.
        assert_not_in("UpdateTip", log)

        self.log("-reindex-chainstate rebuilds the same tip")
        node.start(["-reindex-chainstate"] + IMPORT_ARGS)
        node.wait_until_ready(timeout=60)
        log = node.read_log(since_start=True)
        self.check_run_log(log, node)
        assert_in(f"UpdateTip: new best={self.tip} height={BLOCKS}", log)
        assert_equal(node.stop(), 0)
        log = self.check_restart(stop_sig=signal.SIGTERM)
        assert_in(f"Loaded best chain: hashBestChain={self.tip} height={BLOCKS}", log)
        # Not asserted: whether a kill lands inside the flush depends on the disk's timing.
        self.log(f"{self.kills_mid_connect} kills while connecting, {self.replays} restarts "
                 f"replayed an interrupted flush; took {time.monotonic() - started:.1f} s")

    # ---- kill triggers: called with (seconds since start, log text of this run) ----

    @staticmethod
    def after(seconds):
        return lambda elapsed, _log, _height: elapsed >= seconds

    @staticmethod
    def on_log(text, delay=0.0):
        seen = {}

        def trigger(elapsed, log, _height):
            if text in log and "at" not in seen:
                seen["at"] = elapsed
            return "at" in seen and elapsed >= seen["at"] + delay

        return trigger

    @staticmethod
    def at_height(height):
        return lambda _elapsed, _log, tip_height: tip_height >= height

    # ---- runs ----

    def interrupt_during(self, args, height):
        """SIGINT once the log shows `height` connected: the node must stop long before the
        tip, exit 0 after a clean shutdown, and never claim to be loaded."""
        node = self.node
        node.start(args + IMPORT_ARGS)
        start = time.monotonic()
        while True:
            heights = UPDATE_TIP.findall(node.read_log(since_start=True))
            if heights and int(heights[-1]) >= height:
                break
            if node.process.poll() is not None or time.monotonic() - start > 60:
                raise TestFailure(f"node never reached height {height}: {node.read_stderr()!r}")
            time.sleep(0.001)
        assert_equal(node.stop(signal.SIGINT), 0)
        log = node.read_log(since_start=True)
        reached = max(int(h) for h in UPDATE_TIP.findall(log))
        assert_in("Shutdown: done", log)
        assert_not_in("init message: Done loading", log)
        # Connecting stops at the next check, at most one batch of 32 blocks later.
        if reached >= BLOCKS:
            raise TestFailure(f"SIGINT at height {height} did not stop the reindex ({reached})")
        self.log(f"  SIGINT at height >= {height}: stopped at {reached} of {BLOCKS}")

    def kill_during(self, what, args, trigger):
        """Starts the node, SIGKILLs it when trigger fires (or once it is loaded)."""
        node = self.node
        log_path = node.debug_log_path
        offset = os.path.getsize(log_path) if os.path.exists(log_path) else 0
        node.start(args + IMPORT_ARGS)
        start = time.monotonic()
        log = ""
        height = -1
        while True:
            chunk = self.read_from(log_path, offset)
            offset += len(chunk)
            log += chunk.decode("utf8", errors="replace")
            heights = UPDATE_TIP.findall(log)
            height = int(heights[-1]) if heights else -1
            if trigger(time.monotonic() - start, log, height):
                break
            if "init message: Done loading" in log:
                break
            if node.process.poll() is not None:
                raise TestFailure(f"node exited with {node.process.returncode} before the kill "
                                  f"({what}); stderr: {node.read_stderr()!r}")
            if time.monotonic() - start > 60:
                raise TestFailure(f"no kill moment ({what}) within 60 s")
            time.sleep(0.001)
        elapsed = time.monotonic() - start
        node.kill()
        log = node.read_log(since_start=True)
        # Height 0 is genesis, connected on every start before anything else.
        height = max([int(h) for h in UPDATE_TIP.findall(log)], default=0)
        if "init message: Done loading" in log:
            stage = "after loading"
        elif "Import finished" in log:
            stage = "in the startup check"
        elif "Importing blocks file" in log and not re.search(r"Loaded \d+ blocks from", log):
            stage = "storing blocks"
        elif height > 0:
            # Blocks stored by an earlier run connect while the node opens, before the import.
            stage = f"connecting, at height {height}"
            if height < BLOCKS:
                self.kills_mid_connect += 1
        else:
            stage = "opening"
        self.log(f"killed {what}: {elapsed:.3f} s, {stage}")
        self.check_run_log(log, node)

    def kill_during_shutdown(self, delay):
        """Rebuilds the coins from scratch (so the shutdown flush has work), sends SIGTERM and
        SIGKILLs the node `delay` seconds after the flush first writes to chainstate/."""
        node = self.node
        node.start(["-reindex-chainstate"] + IMPORT_ARGS)
        node.wait_until_ready(timeout=60)
        chainstate = os.path.join(node.chain_datadir, "chainstate")
        before = self.dir_size(chainstate)
        node.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + 30
        # Busy-wait: the flush's first write and its last are a few milliseconds apart.
        while (self.dir_size(chainstate) == before and node.process.poll() is None
               and time.monotonic() < deadline):
            pass
        if delay:
            time.sleep(delay)
        exited = node.process.poll()
        node.kill()
        log = node.read_log(since_start=True)
        self.check_run_log(log, node)
        if exited is not None:
            assert_equal(exited, 0, "exit code after SIGTERM")
        self.log(f"SIGTERM, SIGKILL {delay * 1000:.1f} ms after the flush began: "
                 f"{'had exited' if exited is not None else 'killed'}"
                 f"{', shutdown done' if 'Shutdown: done' in log else ''}")

    @staticmethod
    def dir_size(path):
        total = 0
        for entry in os.scandir(path):
            try:
                total += entry.stat().st_size
            except FileNotFoundError:
                pass
        return total

    def check_restart(self, stop_sig):
        """A restart without -loadblock comes up, reports tips of our chain only, and passes
        -checklevel=4 over every block; returns its log."""
        node = self.node
        node.start(CHECK_ARGS)
        node.wait_until_ready(timeout=60)
        log = node.read_log(since_start=True)
        self.check_run_log(log, node)
        tips = TIP_LINE.findall(log)
        tip_height = int(tips[-1][1]) if tips else 0
        if tip_height > 0:
            assert_in(f"Verifying last {tip_height} blocks at level 4", log)
            assert_in("Verification: No coin database inconsistencies", log)
        loaded = re.search(r"hashBestChain=[0-9a-f]{64} height=(\d+)", log)
        note = f"chainstate at height {loaded.group(1)}" if loaded else "empty chainstate"
        if "Replaying blocks" in log:
            note += ", replayed an interrupted flush"
            self.replays += 1
        self.log(f"  restart: {note}, tip height {tip_height}, verified")
        if stop_sig == signal.SIGKILL:
            node.kill()
        else:
            assert_equal(node.stop(stop_sig), 0)
        return log

    def check_run_log(self, log, node):
        """Every tip a run reports belongs to the generated chain; no errors were logged."""
        for block_hash, height in TIP_LINE.findall(log):
            height = int(height)
            if height > BLOCKS or self.hashes[height] != block_hash:
                raise TestFailure(f"tip {block_hash} at height {height} is not in the chain")
        assert_not_in("[error]", log)
        assert_equal(node.read_stderr(), "")

    @staticmethod
    def read_from(path, offset):
        try:
            with open(path, "rb") as f:
                f.seek(offset)
                return f.read()
        except FileNotFoundError:
            return b""


if __name__ == "__main__":
    KillNineTest().main()
