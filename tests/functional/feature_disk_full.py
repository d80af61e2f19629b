#!/usr/bin/env python3
"""A full disk stops minibitd cleanly, and once space is freed it starts without -reindex,
resumes from a prefix of its chain, catches up and holds the right UTXO set.

The syncing node's datadir is a 100 MiB tmpfs. It first imports a prefix of a chaingen chain
(signed spends, so every block writes undo data). Then a filler file leaves the filesystem
half a MiB above the 50 MiB that a node keeps free (Core's CheckDiskSpace buffer), and the
node syncs the rest of the chain from a source node over P2P: the next undo-file chunk (1 MiB)
cannot be reserved. The node must then stop on its own: exit code 1 (Core's AbortNode sets
EXIT_FAILURE), "Disk space is too low" in debug.log and on stderr, "Shutdown: done", no
crash. A second start on the still-full disk, importing all but the last 50 blocks with
-loadblock, stops the same way. With the filler deleted, a
start without -reindex comes up on a block of the generated chain at or above the prefix,
with the hash_serialized_3 of a reference node that imported exactly that many blocks; then
it syncs to the source's tip and matches the source's hash_serialized_3.

Needs to mount a tmpfs: run as root, or where `unshare -rm` works (the test re-executes
itself in a private mount namespace); otherwise it fails and says why.
"""

import os
import re
import time

from test_framework.faults import (
    LogFollower, ensure_mount_privileges, free_bytes, mount_tmpfs, read_block_file, run_chaingen,
    unmount, utxo_digest, write_block_file)
from test_framework.test_framework import MinibitTestFramework
from test_framework.util import TestFailure, assert_equal, assert_in, assert_not_in

TMPFS_MIB = 100
RESERVE = 50 << 20  # the free space a node keeps in reserve before it extends a file
CHAIN_BLOCKS = 300
CHAIN_INPUTS = 200  # about 2.5 MiB of undo data in all
PREFIX = 130  # 100 coinbase-only blocks and 30 with spends: well under 1 MiB of undo
PARTIAL = CHAIN_BLOCKS - 50
UPDATE_TIP = re.compile(r"UpdateTip: new best=[0-9a-f]{64} height=(\d+)")
ARGS = ["-printtoconsole=0", "-debug=validation"]


class DiskFullTest(MinibitTestFramework):
    def add_options(self, parser):
        parser.add_argument("--chaingen", required=True, help="path to the chaingen tool")

    def run_test(self):
        started = time.monotonic()
        chain_file = os.path.join(self.tmpdir, "chain.dat")
        tip = run_chaingen(self.options.chaingen, chain_file, CHAIN_BLOCKS, CHAIN_INPUTS, seed=3)
        # Read independently of any node: restarts are checked against these hashes.
        self.records = read_block_file(chain_file)
        assert_equal(len(self.records), CHAIN_BLOCKS)
        assert_equal(self.records[-1][0], tip)
        prefix_file = os.path.join(self.tmpdir, "prefix.dat")
        write_block_file(prefix_file, self.records[:PREFIX])

        self.log("the source node imports the whole chain")
        source = self.add_node()
        source.start_and_wait([f"-loadblock={chain_file}"] + ARGS, timeout=300)
        assert_equal(source.getbestblockhash(), tip)
        source_digest = utxo_digest(source)

        disk = os.path.join(self.tmpdir, "disk")
        os.makedirs(disk)
        error = mount_tmpfs(disk, TMPFS_MIB)
        if error is not None:
            raise TestFailure(f"cannot mount a {TMPFS_MIB} MiB tmpfs on {disk}: {error}. This "
                              "test needs root (CAP_SYS_ADMIN) or a working `unshare -rm`.")
        try:
            self.run_on_small_disk(disk, source, tip, source_digest)
        finally:
            for node in self.nodes:
                node.kill()
            if not unmount(disk):
                self.log(f"could not unmount {disk}")
        self.log(f"took {time.monotonic() - started:.1f} s")

    def run_on_small_disk(self, disk, source, tip, source_digest):
        node = self.add_node(datadir=disk)
        connect = [f"-connect={source.p2p_address}"]

        self.log(f"the node on a {TMPFS_MIB} MiB tmpfs imports the first {PREFIX} blocks")
        node.start_and_wait([f"-loadblock={os.path.join(self.tmpdir, 'prefix.dat')}",
                             "-connect=0"] + ARGS, timeout=300)
        assert_equal(node.getbestblockhash(), self.records[PREFIX - 1][0])
        assert_equal(node.stop(), 0)

        filler = os.path.join(disk, "filler")
        size = free_bytes(disk) - RESERVE - (512 << 10)
        if size <= 0:
            raise TestFailure(f"only {free_bytes(disk)} bytes free on the tmpfs before filling")
        with open(filler, "wb") as f:
            os.posix_fallocate(f.fileno(), 0, size)
        self.log(f"filler of {size >> 20} MiB: {free_bytes(disk) / (1 << 20):.1f} MiB left")

        # The import stops 50 blocks short of the tip: the last stretch comes over P2P.
        partial_file = os.path.join(self.tmpdir, "partial.dat")
        write_block_file(partial_file, self.records[:PARTIAL])
        attempts = [("a P2P sync", connect),
                    ("a -loadblock import", [f"-loadblock={partial_file}", "-connect=0"])]
        for attempt, args in attempts:
            self.log(f"{attempt} on the full disk: the node stops by itself")
            follower = LogFollower(node.debug_log_path)
            node.start(args + ARGS)
            try:
                code = node.wait_for_exit(timeout=300)
            except TestFailure as e:
                log = follower.poll()
                heights = UPDATE_TIP.findall(log)
                raise TestFailure(
                    f"the node did not stop after its disk filled (tip height "
                    f"{heights[-1] if heights else '?'}); last lines: "
                    f"{log.splitlines()[-5:]!r}") from e
            log = follower.poll()
            stderr = node.read_stderr()
            # A negative code is a death by signal (an abort, a crash): not a clean stop.
            assert_equal(code, 1, "(exit code after the disk filled)")
            assert_in("Disk space is too low", log)
            assert_in("A fatal error stopped the node", log)
            assert_in("Shutdown: done", log)
            assert_in("Error: Disk space is too low", stderr)
            assert_equal(stderr.count("Error:"), 1, f"(stderr: {stderr!r})")
            heights = [int(h) for h in UPDATE_TIP.findall(log)]
            reached = max(heights, default=0)
            # It got somewhere before the disk filled, and not to the end.
            if attempt == attempts[0][0] and reached <= PREFIX:
                raise TestFailure(f"the node connected nothing past the prefix ({reached})")
            if reached >= CHAIN_BLOCKS:
                raise TestFailure("the node synced the whole chain on a full disk")
            line = next(l for l in log.splitlines() if "Disk space is too low" in l)
            self.log(f"  exit 1 at height {reached}: {line.split(' ', 1)[1]}")
            self.check_tips(log)

        self.log("space freed: the node starts without -reindex on a prefix of the chain")
        os.remove(filler)
        follower = LogFollower(node.debug_log_path)
        node.start_and_wait(["-connect=0"] + ARGS, timeout=300)
        height = node.getblockcount()
        if height < PREFIX:
            raise TestFailure(f"the node lost blocks it had flushed: height {height} < {PREFIX}")
        # Blocks stored before the disk filled may connect now, but no further than imported.
        if height > PARTIAL:
            raise TestFailure(f"height {height} after the restart: more than was ever stored")
        assert_equal(node.getbestblockhash(), self.records[height - 1][0])
        digest = utxo_digest(node)
        log = follower.poll()
        assert_not_in("[error]", log)
        assert_equal(node.read_stderr(), "")

        self.log(f"a reference node imports exactly {height} blocks for the same UTXO set")
        reference_file = os.path.join(self.tmpdir, "reference.dat")
        write_block_file(reference_file, self.records[:height])
        reference = self.add_node()
        reference.start_and_wait([f"-loadblock={reference_file}", "-connect=0"] + ARGS,
                                 timeout=300)
        assert_equal(utxo_digest(reference), digest)
        assert_equal(reference.stop(), 0)

        self.log("the node catches up with the source")
        self.connect_nodes(node, source)
        self.sync_blocks([node, source], timeout=300)
        assert_equal(node.getbestblockhash(), tip)
        assert_equal(utxo_digest(node), source_digest)
        assert_equal(node.stop(), 0)
        log = follower.poll()
        assert_not_in("[error]", log)
        self.check_tips(log)
        self.log(f"  restarted at height {height}, caught up to {CHAIN_BLOCKS}; "
                 f"hash_serialized_3 {source_digest[2]}")

    def check_tips(self, log):
        """Every tip the node reported belongs to the generated chain."""
        hashes = [h for h, _record in self.records]
        for match in re.finditer(r"UpdateTip: new best=([0-9a-f]{64}) height=(\d+)", log):
            height = int(match.group(2))
            if height > 0 and (height > CHAIN_BLOCKS or hashes[height - 1] != match.group(1)):
                raise TestFailure(f"tip {match.group(1)} at height {height} is not in the chain")


if __name__ == "__main__":
    ensure_mount_privileges()
    DiskFullTest().main()
