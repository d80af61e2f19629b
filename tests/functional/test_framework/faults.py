"""Helpers for fault-injection tests (kill -9, SIGTERM during startup, a full disk): following
a node's debug.log as it grows, generating chains with chaingen, and the reference state a
recovered node must match."""

import os
import re
import struct
import subprocess
import sys
import tempfile

from .messages import dsha256_hex, hash_to_hex
from .util import TestFailure

REGTEST_MAGIC = bytes.fromhex("fabfb5da")
REGTEST_GENESIS = "0f9188f13cb7b2c71f2a335e3a4fc328bf5beb436012afca590b1a11466e2206"


class LogFollower:
    """The text a log file gained since the follower was made (a restart appends to the same
    debug.log, so only the new run's lines are looked at). poll() is cheap: it reads only the
    bytes added since the last call."""

    def __init__(self, path):
        self.path = path
        try:
            self.offset = os.path.getsize(path)
        except FileNotFoundError:
            self.offset = 0
        self.text = ""

    def poll(self):
        try:
            with open(self.path, "rb") as f:
                f.seek(self.offset)
                chunk = f.read()
        except FileNotFoundError:
            return self.text
        self.offset += len(chunk)
        self.text += chunk.decode("utf8", errors="replace")
        return self.text


def run_chaingen(chaingen, out_path, blocks, inputs, seed, timeout=120):
    """Writes a signed regtest chain to out_path; returns chaingen's tip hash (after checking
    the height it reports)."""
    out = subprocess.run(
        [os.path.abspath(chaingen), f"-out={out_path}", f"-blocks={blocks}",
         f"-inputs={inputs}", f"-seed={seed}"],
        capture_output=True, text=True, timeout=timeout, check=True).stdout
    match = re.search(r"tip height (\d+), hash ([0-9a-f]{64})", out)
    if not match:
        raise TestFailure(f"no tip in chaingen output: {out!r}")
    if int(match.group(1)) != blocks:
        raise TestFailure(f"chaingen wrote {match.group(1)} blocks, asked for {blocks}")
    return match.group(2)


def utxo_digest(node):
    """(height, best block, hash_serialized_3) of a node's UTXO set, read in one call."""
    info = node.gettxoutsetinfo("hash_serialized_3")
    return info["height"], info["bestblock"], info["hash_serialized_3"]


def last_stage(log, stages, before=None):
    """The name of the last stage whose line appears in log (before the first occurrence of
    the text `before`, if given), or None. stages: [(name, log line)] in startup order."""
    if before is not None:
        cut = log.find(before)
        if cut >= 0:
            log = log[:cut]
    found, where = None, -1
    for name, line in stages:
        at = log.rfind(line)
        if at > where:
            found, where = name, at
    return found


def read_block_file(path):
    """The records of a blk*.dat-framed file (magic, size, block) as (block hash, record
    bytes) by height from 1, checked here to form one chain on top of regtest's genesis."""
    with open(path, "rb") as f:
        data = f.read()
    records, prev, offset = [], REGTEST_GENESIS, 0
    while offset < len(data):
        if data[offset:offset + 4] != REGTEST_MAGIC:
            raise TestFailure(f"bad magic at offset {offset} of {path}")
        (size,) = struct.unpack_from("<I", data, offset + 4)
        header = data[offset + 8:offset + 8 + 80]
        if size < 80 or len(header) != 80 or offset + 8 + size > len(data):
            raise TestFailure(f"truncated block at offset {offset} of {path}")
        block_hash = dsha256_hex(header)
        if hash_to_hex(header[4:36]) != prev:
            raise TestFailure(f"block {block_hash} does not extend {prev}")
        records.append((block_hash, data[offset:offset + 8 + size]))
        prev = block_hash
        offset += 8 + size
    return records


def write_block_file(path, records):
    """Writes (hash, record) pairs from read_block_file as a blk*.dat-framed file."""
    with open(path, "wb") as f:
        for _hash, record in records:
            f.write(record)


# ---- size-limited filesystems -------------------------------------------------------------------

_UNSHARED_ENV = "MINIBIT_TEST_UNSHARED"


def mount_tmpfs(directory, size_mib):
    """Mounts a tmpfs of size_mib MiB on directory; returns None, or why it failed."""
    try:
        result = subprocess.run(
            ["mount", "-t", "tmpfs", "-o", f"size={size_mib}m", "tmpfs", directory],
            capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired) as e:
        return str(e)
    if result.returncode != 0:
        return result.stderr.strip() or f"mount exited with {result.returncode}"
    return None


def unmount(directory):
    """Unmounts directory (lazily if something still holds it); returns whether it worked."""
    for args in (["umount", directory], ["umount", "-l", directory]):
        try:
            if subprocess.run(args, capture_output=True, timeout=30).returncode == 0:
                return True
        except (OSError, subprocess.TimeoutExpired):
            pass
    return False


def free_bytes(directory):
    """Bytes an unprivileged writer may still use on directory's filesystem."""
    vfs = os.statvfs(directory)
    return vfs.f_bavail * vfs.f_frsize


def ensure_mount_privileges():
    """Call before the framework's main(). If this process cannot mount a tmpfs (not root, or
    no CAP_SYS_ADMIN), runs the test again under `unshare -rm`: in a private user and mount
    namespace it can. If that is impossible too, returns and the test's own mount fails with
    the reason."""
    probe = tempfile.mkdtemp(prefix="minibit_mount_probe_")
    try:
        if mount_tmpfs(probe, 1) is None:
            unmount(probe)
            return
    finally:
        try:
            os.rmdir(probe)
        except OSError:
            pass
    if os.environ.get(_UNSHARED_ENV):
        return
    try:
        usable = subprocess.run(["unshare", "-rm", "true"], capture_output=True,
                                timeout=30).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        usable = False
    if usable:
        env = dict(os.environ, **{_UNSHARED_ENV: "1"})
        os.execvpe("unshare", ["unshare", "-rm", "--", sys.executable] + sys.argv, env)
