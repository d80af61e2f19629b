#!/usr/bin/env python3
"""kill -9 at 200 random moments while a node syncs over P2P a chain that reorganises: every
restart comes up, and the node always reaches the source's tip with its hash_serialized_3.

A source node holds a chaingen chain (signed P2WPKH and P2TR spends), then blocks whose
transactions split coins into some 24,000 outputs (more than the syncing node's coins cache
holds at -dbcache=4, so its cache fills and flushes mid-sync), then blocks with a few spends
each. The syncing node (-connect to the source, -dbcache=4) is SIGKILLed 200 times. Each
moment is drawn from a seeded random generator and anchored on the clock or on debug.log, so
the kills spread over the phases on a fast or a slow machine: up to 0.6 s after start
(reading the config, opening the databases, replaying a flush, verifying), a random delay after the headers are
asked for or after blocks are requested, after a random share of the blocks the run has to
connect (a sync or a reorganisation), just after a flush begins, and in one run in eight
shortly after a SIGTERM (the shutdown flush). A run whose moment never comes is killed soon
after it reaches the source's tip.

The node starts from an empty datadir before kills 0, 50, 100 and 150, so a quarter of the
kills land in syncs from scratch; in the second half of each 50, after a checkpoint left the
node at the source's tip, the source reorganises: it invalidates a block 2 to 40 blocks deep
and mines a longer branch (the disconnected transactions return to its mempool and are
re-mined with new ones), or extends its chain, so the node must reorganise and is killed
while it does (a SIGKILL loses what was not flushed, so many runs redo the same reorg).

Every run must log no error and write nothing on stderr, and must not exit before its kill;
a run that follows one killed before "Done loading" must itself get there (its kill waits
until then). Every tip a run reports must be a block the source mined. At checkpoints (every
25 kills) and at the end, the node runs until its tip is the source's tip, and its
gettxoutsetinfo hash_serialized_3 must equal the source's (the source never crashes). Where
each kill landed, judged from the run's debug.log, is counted and printed; at least one kill
must have landed during startup, while connecting blocks and in a reorg.
"""

import os
import random
import re
import shutil
import signal
import time

from test_framework.faults import LogFollower, run_chaingen, utxo_digest
from test_framework.sanitizers import scaled
from test_framework.test_framework import MinibitTestFramework
from test_framework.util import TestFailure, assert_equal, assert_not_in
from test_framework.wallet import OP_TRUE_ADDRESS, OpTrueWallet

KILLS = 200
SEED = 20261122
CHAIN_BLOCKS = 400
CHAIN_INPUTS = 40
CHECKPOINT_EVERY = 25
# The syncing node starts from an empty datadir before kills 0, 50, 100 and 150: the first
# 25 kills of each 50 land in a sync from scratch.
WIPE_EVERY = 50
# Source chain changes before kill number i: ("extend", blocks) or ("reorg", depth). They
# come in the second half of each 50, after a checkpoint left the node at the source's tip,
# so the node's own tip is on the branch the source abandons.
EVENTS = {
    25: ("reorg", 3),
    33: ("extend", 6),
    40: ("reorg", 8),
    75: ("reorg", 15),
    83: ("reorg", 2),
    90: ("extend", 10),
    125: ("reorg", 30),
    133: ("reorg", 5),
    140: ("extend", 4),
    175: ("reorg", 40),
    183: ("reorg", 12),
    190: ("reorg", 20),
}
TXS_PER_BLOCK = 4
NODE_ARGS = ["-dbcache=4", "-printtoconsole=0", "-debug=validation", "-debug=net",
             "-debug=coindb", "-logtimemicros"]

UPDATE_TIP = re.compile(r"UpdateTip: new best=([0-9a-f]{64}) height=(\d+)")
LOADED = re.compile(r"Loaded best chain: hashBestChain=([0-9a-f]{64}) height=(\d+)")


class SyncKillNineTest(MinibitTestFramework):
    def add_options(self, parser):
        parser.add_argument("--chaingen", required=True, help="path to the chaingen tool")
        parser.add_argument("--seed", type=int, default=SEED, help="seed of the kill moments")

    def run_test(self):
        started = time.monotonic()
        rng = random.Random(self.options.seed)
        self.log(f"seed {self.options.seed}")
        chain_file = f"{self.tmpdir}/chain.dat"
        chain_tip = run_chaingen(self.options.chaingen, chain_file, CHAIN_BLOCKS, CHAIN_INPUTS,
                                 seed=self.options.seed % 1000)
        source = self.add_node()
        self.source = source
        source.start_and_wait([f"-loadblock={chain_file}", "-printtoconsole=0"], timeout=300)
        assert_equal(source.getbestblockhash(), chain_tip)
        self.wallet = OpTrueWallet(source)
        self.build_source_chain()
        # Every block the source ever had in its best chain: a tip the syncing node reports
        # must be one of them.
        self.mined = {}
        self.refresh_source_chain()
        self.log(f"source chain: {self.source_height} blocks")

        node = self.add_node()
        self.node = node
        self.args = [f"-connect={source.p2p_address}"] + NODE_ARGS
        self.phases = {}
        self.ready_needed = False
        self.replays = 0
        # Lowest fork point of the source's reorganisations since the node was last synced.
        self.lowest_fork = self.source_height
        for i in range(KILLS):
            if i and i % CHECKPOINT_EVERY == 0:
                self.checkpoint(f"after {i} kills")
            if i % WIPE_EVERY == 0:
                self.log(f"kills {i} to {i + WIPE_EVERY - 1}: a sync from an empty datadir, "
                         "then the source reorganises")
                shutil.rmtree(node.datadir)
                os.makedirs(node.datadir)
            if i in EVENTS:
                kind, size = EVENTS[i]
                self.change_source(kind, size)
            self.kill_run(i, rng)
        self.checkpoint(f"after all {KILLS} kills")

        self.log("where the kills landed:")
        for phase, count in sorted(self.phases.items(), key=lambda kv: -kv[1]):
            self.log(f"  {count:4d}  {phase}")
        for needed in ("startup", "sync: connecting blocks", "reorg"):
            if not any(phase.startswith(needed) for phase in self.phases):
                raise TestFailure(f"no kill landed in {needed!r}: {self.phases}")
        # Not asserted: whether a kill lands inside a coins flush depends on timing.
        self.log(f"{self.replays} restarts replayed an interrupted flush; "
                 f"took {time.monotonic() - started:.1f} s")

    # ---- the source's chain -------------------------------------------------------------------

    def build_source_chain(self):
        """Coinbases to OP_TRUE, then two rounds of splits into 400 outputs each (24,000 coins),
        then a few blocks of ordinary spends."""
        source, wallet = self.source, self.wallet
        wallet.generate(120)
        self.log("splitting coins: 20 coinbases, then 40 of their outputs, 400 outputs each")
        for count in (20, 40):
            made = []
            for _ in range(count):
                built = wallet.send(wallet.create(num_outputs=400, fee_rate=2))
                made.extend(built.utxos)
            source.generatetoaddress(count // 10 + 1, OP_TRUE_ADDRESS)
            assert_equal(source.getrawmempool(), [])
            wallet.utxos.extend(made)
        self.mine_with_spends(10)

    def mine_with_spends(self, blocks):
        """Mines blocks that each spend a few coins (two inputs, three outputs each)."""
        for _ in range(blocks):
            for _ in range(TXS_PER_BLOCK):
                utxos = [self.wallet.get_utxo(), self.wallet.get_utxo()]
                built = self.wallet.send(self.wallet.create(utxos=utxos, num_outputs=3))
                self.wallet.utxos.extend(built.utxos)
            self.source.generatetoaddress(1, OP_TRUE_ADDRESS)

    def change_source(self, kind, size):
        source = self.source
        height = source.getblockcount()
        if kind == "extend":
            self.mine_with_spends(size)
            self.log(f"source extends its chain by {size} blocks to height {height + size}")
        else:
            # The disconnected transactions return to the mempool; the first block of the
            # new branch re-mines them, so every coin the wallet tracks stays spendable.
            self.lowest_fork = min(self.lowest_fork, height - size)
            source.invalidateblock(source.getblockhash(height - size + 1))
            assert_equal(source.getblockcount(), height - size)
            self.mine_with_spends(size + 1)
            assert_equal(source.getblockcount(), height + 1)
            self.log(f"source reorganises {size} blocks deep, new tip at height {height + 1}")
        assert_equal(source.getrawmempool(), [])
        self.refresh_source_chain()

    def refresh_source_chain(self):
        source = self.source
        self.source_height = source.getblockcount()
        self.source_chain = [source.getblockhash(h) for h in range(self.source_height + 1)]
        self.source_chain_set = set(self.source_chain)
        for height, block_hash in enumerate(self.source_chain):
            self.mined[block_hash] = height
        self.source_digest = utxo_digest(self.source)

    # ---- the syncing node -----------------------------------------------------------------------

    def pick_moment(self, rng):
        """A kill moment: (description, trigger(elapsed, log) -> bool, SIGTERM first). Each is
        anchored on the clock or on a log line, so the kills spread over the phases whatever
        the machine's speed. The same number of draws every time keeps a seed's moments."""
        roll, a = rng.random(), rng.random()
        if roll < 0.2:
            # Half in the first 0.1 s, where a fast machine opens its databases.
            delay = 0.2 * a if roll < 0.1 else 0.1 + 0.5 * a
            return f"{delay:.3f} s after start", lambda t, _log, _scan: t >= delay, False
        if roll < 0.3:
            return "as headers are asked for", self.after_line("initial getheaders", 0.01 * a), False
        if roll < 0.4:
            return "as blocks are requested", self.after_line("Requesting block", 0.1 * a), False
        if roll < 0.78:
            def connected(_t, log, scan):
                loaded = LOADED.search(log)
                if loaded:
                    tip, height = loaded.group(1), int(loaded.group(2))
                elif "init message: Done loading" in log:
                    tip, height = self.source_chain[0], 0  # an empty datadir
                else:
                    return False
                return scan["tips"] >= max(1, round(a * self.blocks_to_go(tip, height)))
            return "after a random share of the blocks to connect", connected, False
        if roll < 0.875:
            return "in a flush", self.after_line("Writing chainstate to disk", 0.005 * a), False
        delay = 0.1 + 1.5 * a
        return f"SIGTERM {delay:.3f} s after start", lambda t, _log, _scan: t >= delay, True

    @staticmethod
    def after_line(line, delay):
        seen = {}

        def trigger(t, log, _scan):
            if "at" not in seen and line in log:
                seen["at"] = t
            return "at" in seen and t >= seen["at"] + delay

        return trigger

    def blocks_to_go(self, loaded_hash, loaded_height):
        """How many blocks a run that loaded this tip connects to reach the source's tip."""
        if loaded_hash in self.source_chain_set:
            return max(1, self.source_height - loaded_height)
        # A tip the source abandoned: the run reconnects from below every recent fork.
        return self.source_height - min(loaded_height, self.lowest_fork)

    def kill_run(self, i, rng):
        """Starts the node, SIGKILLs it at a random moment, checks the run's log and counts
        where the kill landed."""
        node = self.node
        what, trigger, term_first = self.pick_moment(rng)
        # When the trigger never fires (nothing left to connect, no flush), the kill comes
        # this long after the node reached the source's tip.
        linger = rng.uniform(0, 0.3)
        term_to_kill = rng.uniform(0, 0.03)
        follower = LogFollower(node.debug_log_path)
        node.start(self.args)
        begin = time.monotonic()
        synced_at = None
        # UpdateTip lines counted as they arrive (complete lines only), not re-read each poll.
        scan = {"pos": 0, "tips": 0, "last": None}
        while True:
            log = follower.poll()
            elapsed = time.monotonic() - begin
            end = log.rfind("\n", scan["pos"]) + 1
            for match in UPDATE_TIP.finditer(log, scan["pos"], max(end, scan["pos"])):
                scan["tips"] += 1
                scan["last"] = match.group(1)
            scan["pos"] = max(end, scan["pos"])
            ready = "init message: Done loading" in log
            if ready or not self.ready_needed:
                if trigger(elapsed, log, scan):
                    break
                if synced_at is None and self.at_source_tip(log, scan):
                    synced_at = elapsed
                if synced_at is not None and elapsed >= synced_at + linger:
                    break
            if node.process.poll() is not None:
                raise TestFailure(f"run {i} exited with {node.process.returncode} before its "
                                  f"kill; stderr: {node.read_stderr()!r}")
            if elapsed > scaled(120):
                raise TestFailure(f"run {i} ({what}) neither reached the source's tip nor its "
                                  "kill moment within 120 s")
            time.sleep(0.001)
        if term_first:
            node.send_signal(signal.SIGTERM)
            time.sleep(term_to_kill)
        exited = node.process.poll()
        node.kill()
        log = follower.poll()
        phase = self.classify(log, term_first)
        if exited is not None:
            if not term_first:
                raise TestFailure(f"run {i} exited with {exited} before its kill")
            if exited == -signal.SIGTERM and "minibit version" not in log:
                # The signal came before minibitd blocked it (its first step): the default
                # action ends the process, as it would any daemon's.
                phase = "startup: before signals are handled"
            else:
                assert_equal(exited, 0, f"(exit code of run {i} after SIGTERM)")
                phase = "shutdown: finished before the kill"
        self.phases[phase] = self.phases.get(phase, 0) + 1
        if "Replaying blocks" in log:
            self.replays += 1
        self.ready_needed = "init message: Done loading" not in log
        self.check_run_log(i, log)

    def at_source_tip(self, log, scan):
        if scan["last"] is not None:
            return scan["last"] == self.source_chain[-1]
        loaded = LOADED.search(log)
        # Nothing to connect: synced once the peer had time to announce anything newer.
        return bool(loaded and loaded.group(1) == self.source_chain[-1] and
                    "initial getheaders" in log)

    def classify(self, log, term_first):
        """Where in the run the kill landed, judged from the run's log up to the kill."""
        if term_first and "Shutdown: In progress" in log:
            flushing = log.rfind("Writing chainstate to disk") > log.rfind("Shutdown: In progress")
            return "shutdown: writing the chainstate" if flushing else "shutdown: stopping"
        if "init message: Done loading" not in log:
            if "minibit version" not in log:
                return "startup: before the log opened"
            if "Cache configuration:" not in log:
                return "startup: config, datadir lock, RPC warm-up"
            if "Replaying blocks" in log and not LOADED.search(log):
                return "startup: replaying an interrupted flush"
            if not LOADED.search(log) and "Verifying last" not in log:
                return "startup: opening the databases"
            return "startup: verifying, starting P2P"
        if log.rfind("Writing chainstate to disk") > log.rfind("Chainstate written"):
            return "flushing the coins cache"
        # The tip the run loaded from disk (what the last flush wrote, and replayed).
        loaded = LOADED.search(log)
        start_tip = loaded.group(1) if loaded else None
        tips = [m.group(1) for m in UPDATE_TIP.finditer(log)]
        tip = tips[-1] if tips else start_tip
        on_source_chain = self.source_chain_set
        if "initial getheaders" not in log:
            return "connecting to the peer"
        if start_tip is not None and start_tip not in on_source_chain:
            # The run began on a branch the source abandoned.
            if tip not in on_source_chain:
                return "reorg: disconnecting, fetching the new branch"
            if tip != self.source_chain[-1]:
                return "reorg: connecting the new branch"
        if tip == self.source_chain[-1]:
            return "synced"
        # Blocks download and connect in a pipeline: once one connected, both go on.
        if any(int(m.group(2)) > 0 for m in UPDATE_TIP.finditer(log)):
            return "sync: connecting blocks (and downloading more)"
        if "Requesting block" in log:
            return "sync: downloading blocks (none connected yet)"
        return "sync: headers"

    def check_run_log(self, i, log):
        assert_not_in("[error]", log, f"(run {i})")
        assert_equal(self.node.read_stderr(), "", f"(stderr of run {i})")
        for match in UPDATE_TIP.finditer(log):
            if match.group(1) not in self.mined:
                raise TestFailure(f"run {i} reported tip {match.group(1)} at height "
                                  f"{match.group(2)}, a block the source never had")

    def checkpoint(self, what):
        """The node runs until it holds the source's tip; then the UTXO digests must match."""
        node = self.node
        follower = LogFollower(node.debug_log_path)
        node.start(self.args)
        node.wait_for_rpc(timeout=120)
        node.wait_until_ready(timeout=120)
        self.wait_until(lambda: node.getbestblockhash() == self.source_chain[-1], timeout=180,
                        what=f"the node to reach the source's tip ({what})")
        assert_equal(utxo_digest(node), self.source_digest)
        assert_equal(node.stop(), 0)
        log = follower.poll()
        self.check_run_log(what, log)
        self.ready_needed = False
        self.lowest_fork = self.source_height
        self.log(f"checkpoint {what}: tip {self.source_chain[-1][:16]}... at height "
                 f"{self.source_height}, hash_serialized_3 {self.source_digest[2][:16]}... match")


if __name__ == "__main__":
    SyncKillNineTest().main()
