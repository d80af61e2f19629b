"""One minibitd process under test: start, wait for log lines, signal, stop."""

import ctypes
import functools
import os
import signal
import socket
import subprocess
import urllib.parse

from . import sanitizers
from .p2p import P2PConnection
from .rpc import JSONRPCException, RPCClient
from .util import TestFailure, wait_until

_PR_SET_PDEATHSIG = 1


def free_port():
    """A loopback TCP port nobody listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@functools.lru_cache(maxsize=None)
def supports_p2p_options(binary):
    """Whether this minibitd knows -bind and -port (the P2P stack); asked once per binary."""
    try:
        result = subprocess.run([binary, "-help"], capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return "-bind=" in result.stdout and "-port=" in result.stdout


def _die_with_parent():
    """Runs in the child before exec: if the test runner dies, so does minibitd."""
    try:
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    except (OSError, AttributeError):
        pass


class MinibitNode:
    """A minibitd on regtest (by default) with its own datadir."""

    def __init__(self, binary, datadir, index, chain_subdir="regtest"):
        self.binary = binary
        self.datadir = datadir
        self.index = index
        self.chain_subdir = chain_subdir
        self.process = None
        self._stdout = None
        self._stderr = None
        self._start_sizes = {}
        self.rpc_port = free_port()
        # Each node listens on its own loopback port, so parallel tests never meet on 18444.
        self.p2p_port = free_port()
        self._rpc = None
        self.p2ps = []
        # Output files live beside the datadir so tests can check it stays empty.
        self.stdout_path = f"{datadir}.node{index}.stdout"
        self.stderr_path = f"{datadir}.node{index}.stderr"
        # Sanitizer reports from earlier runs, kept before a restart truncates stderr.
        self.sanitizer_reports = []

    @property
    def chain_datadir(self):
        return os.path.join(self.datadir, self.chain_subdir) if self.chain_subdir else self.datadir

    @property
    def debug_log_path(self):
        return os.path.join(self.chain_datadir, "debug.log")

    def base_args(self, extra_args, chain_arg=True):
        args = [self.binary, f"-datadir={self.datadir}"]
        if chain_arg:
            args.append("-regtest")
        if not any(a.startswith("-rpcport=") for a in extra_args):
            args.append(f"-rpcport={self.rpc_port}")
        if supports_p2p_options(self.binary):
            if not any(a.startswith("-port=") for a in extra_args):
                args.append(f"-port={self.p2p_port}")
            if not any(a.startswith("-bind=") for a in extra_args):
                args.append("-bind=127.0.0.1")
        return args + list(extra_args)

    @property
    def p2p_address(self):
        """"ip:port" other nodes use to reach this one."""
        return f"127.0.0.1:{self.p2p_port}"

    @property
    def cookie_path(self):
        return os.path.join(self.chain_datadir, ".cookie")

    def rpc_client(self, user=None, password=None, path="/", timeout=60):
        """A new client; without credentials it reads the cookie file."""
        if user is None:
            with open(self.cookie_path, encoding="utf8") as f:
                user, password = f.read().strip().split(":", 1)
        return RPCClient("127.0.0.1", self.rpc_port, user, password, path,
                         sanitizers.scaled(timeout))

    @property
    def rpc(self):
        """A cookie-authenticated client, made once per start."""
        if self._rpc is None:
            self._rpc = self.rpc_client()
        return self._rpc

    def wallet(self, name):
        """A cookie-authenticated client of the wallet endpoint /wallet/<name>."""
        return self.rpc.with_path("/wallet/" + urllib.parse.quote(name, safe=""))

    def __getattr__(self, name):
        # node.getblockcount() is node.rpc.getblockcount().
        if name.startswith("_"):
            raise AttributeError(name)
        return getattr(self.rpc, name)

    def wait_for_rpc(self, timeout=30):
        """Waits until the node answers RPC (past warm-up); fails early if it exits."""

        def ready():
            if self.process is not None and self.process.poll() is not None:
                raise TestFailure(
                    f"node{self.index} exited with {self.process.returncode} before RPC was up; "
                    f"stderr: {self.read_stderr()!r}"
                )
            try:
                self._rpc = None
                self.rpc.getblockcount()
                return True
            except (OSError, FileNotFoundError, ValueError):
                return False
            except JSONRPCException as e:
                if e.code == -28:
                    return False
                raise

        wait_until(ready, timeout=timeout, what=f"node{self.index} RPC")

    def start(self, extra_args=(), chain_arg=True):
        """Starts minibitd in the background; does not wait for it to be ready."""
        if self.process is not None and self.process.poll() is None:
            raise TestFailure(f"node{self.index} is already running")
        # A node killed with SIGKILL leaves its .cookie behind; wait_for_rpc could read that
        # stale one before the new process writes its own and fail with HTTP 401.
        try:
            os.remove(self.cookie_path)
        except FileNotFoundError:
            pass
        # Log files are appended to across restarts; waits only look at new lines.
        self._start_sizes = {}
        self._rpc = None
        for root, _dirs, files in os.walk(self.datadir):
            for name in files:
                path = os.path.join(root, name)
                self._start_sizes[path] = os.path.getsize(path)
        if sanitizers.active():
            previous = sanitizers.read_text(self.stderr_path)
            if sanitizers.find_reports(previous):
                self.sanitizer_reports.append((self.stderr_path, previous))
        self._stdout = open(self.stdout_path, "w", encoding="utf8")
        self._stderr = open(self.stderr_path, "w", encoding="utf8")
        self.process = subprocess.Popen(
            self.base_args(extra_args, chain_arg),
            stdout=self._stdout,
            stderr=self._stderr,
            preexec_fn=_die_with_parent,
        )

    def run(self, extra_args=(), chain_arg=True, timeout=30):
        """Runs minibitd to completion (for options that make it exit at once).

        Returns (exit code, stdout, stderr).
        """
        result = subprocess.run(
            self.base_args(extra_args, chain_arg),
            capture_output=True,
            text=True,
            timeout=sanitizers.scaled(timeout),
            preexec_fn=_die_with_parent,
        )
        if sanitizers.active() and sanitizers.find_reports(result.stderr):
            self.sanitizer_reports.append((f"stderr of node{self.index} run {list(extra_args)}",
                                           result.stderr))
        return result.returncode, result.stdout, result.stderr

    def read_log(self, path=None, since_start=False):
        """The debug log (or another file); with since_start, only what this run added."""
        path = path or self.debug_log_path
        try:
            with open(path, encoding="utf8") as f:
                if since_start:
                    f.seek(self._start_sizes.get(path, 0))
                return f.read()
        except FileNotFoundError:
            return ""

    def log_mark(self):
        """Where debug.log ends now; log_since(mark) reads what was written after."""
        return os.path.getsize(self.debug_log_path)

    def log_since(self, mark):
        """debug.log from a log_mark() position on."""
        with open(self.debug_log_path, encoding="utf8", errors="replace") as f:
            f.seek(mark)
            return f.read()

    def read_stdout(self):
        with open(self.stdout_path, encoding="utf8") as f:
            return f.read()

    def read_stderr(self):
        with open(self.stderr_path, encoding="utf8") as f:
            return f.read()

    def wait_for_log(self, text, timeout=30, path=None):
        """Waits until `text` appears in the debug log; fails early if the node exits."""

        def found():
            if text in self.read_log(path, since_start=True):
                return True
            if self.process is not None and self.process.poll() is not None:
                raise TestFailure(
                    f"node{self.index} exited with {self.process.returncode} while waiting "
                    f"for {text!r}; stderr: {self.read_stderr()!r}"
                )
            return False

        wait_until(found, timeout=timeout, what=f"{text!r} in node{self.index} log")

    def wait_until_ready(self, timeout=30, path=None):
        self.wait_for_log("init message: Done loading", timeout=timeout, path=path)

    def start_and_wait(self, extra_args=(), timeout=30):
        """start() then wait_for_rpc()."""
        self.start(extra_args)
        self.wait_for_rpc(timeout)

    def send_signal(self, sig):
        self.process.send_signal(sig)

    def wait_for_exit(self, timeout=30):
        """Waits for the process to end and returns its exit code."""
        try:
            code = self.process.wait(timeout=sanitizers.scaled(timeout))
        except subprocess.TimeoutExpired as e:
            raise TestFailure(f"node{self.index} did not exit within {timeout}s") from e
        self._close_files()
        return code

    def stop(self, sig=signal.SIGTERM, timeout=30):
        """Signals the node and waits; returns its exit code."""
        self.send_signal(sig)
        return self.wait_for_exit(timeout)

    def add_p2p_connection(self, handshake=True, **kwargs):
        """A raw P2P peer (test_framework.p2p.P2PConnection) connected to this node; with
        handshake, version/verack are done. kwargs go to handshake()."""
        peer = P2PConnection()
        peer.connect("127.0.0.1", self.p2p_port)
        self.p2ps.append(peer)
        if handshake:
            peer.handshake(**kwargs)
        return peer

    def disconnect_p2ps(self):
        """Closes every raw peer made by add_p2p_connection."""
        for peer in self.p2ps:
            peer.close()
        self.p2ps = []

    def kill(self):
        """Last-resort cleanup: SIGKILL if still running."""
        self.disconnect_p2ps()
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        self._close_files()

    def _close_files(self):
        if self._rpc is not None:
            self._rpc.close()
            self._rpc = None
        for f in (self._stdout, self._stderr):
            if f is not None and not f.closed:
                f.close()


# ---- several nodes -----------------------------------------------------------------------------

def _handshake_done(peer):
    """getpeerinfo entry whose version handshake completed (version known, verack seen)."""
    if peer.get("version", 0) == 0:
        return False
    per_msg = peer.get("bytesrecv_per_msg")
    return per_msg is None or "verack" in per_msg


def _links(a, b):
    """Ids on a of connections between a and b (either direction), matched by address:
    a's outbound to b has addr b.p2p_address; b's outbound to a shows on a as an inbound
    whose addr is the addrbind of b's entry."""
    ids = [p["id"] for p in a.getpeerinfo() if p["addr"] == b.p2p_address]
    binds = {p.get("addrbind") for p in b.getpeerinfo() if p["addr"] == a.p2p_address}
    ids += [p["id"] for p in a.getpeerinfo() if p["addr"] in binds]
    return ids


def connect_nodes(a, b, timeout=30, wait=True):
    """a opens an outbound connection to b (addnode onetry); with wait, returns once both
    sides list the connection with its handshake done."""
    a.addnode(b.p2p_address, "onetry")
    if wait:
        wait_for_connection(a, b, timeout)


def wait_for_connection(a, b, timeout=30):
    """Waits until a's outbound connection to b is up and handshaken on both sides."""

    def ready():
        outbound = [p for p in a.getpeerinfo() if p["addr"] == b.p2p_address]
        if not outbound or not _handshake_done(outbound[0]):
            return False
        bind = outbound[0].get("addrbind")
        inbound = [p for p in b.getpeerinfo() if p.get("inbound")]
        if bind:
            inbound = [p for p in inbound if p["addr"] == bind]
        return bool(inbound) and all(_handshake_done(p) for p in inbound)

    wait_until(ready, timeout=timeout, what=f"connection node{a.index} -> node{b.index}")


def disconnect_nodes(a, b, timeout=30):
    """Closes every connection between a and b and waits until neither lists the other."""
    for peer_id in _links(a, b):
        try:
            a.disconnectnode("", peer_id)
        except JSONRPCException as e:
            if e.code != -29:  # already gone
                raise
    wait_until(lambda: not _links(a, b) and not _links(b, a), timeout=timeout,
               what=f"node{a.index} and node{b.index} disconnected")


def sync_blocks(nodes, timeout=60):
    """Waits until every node has the same best block."""

    def same():
        return len({n.getbestblockhash() for n in nodes}) == 1

    wait_until(same, timeout=timeout, interval=0.1,
               what="best blocks to match: " + ", ".join(
                   f"node{n.index}" for n in nodes))


def sync_mempools(nodes, timeout=60):
    """Waits until every node's mempool holds the same transactions."""

    def same():
        pools = [sorted(n.getrawmempool()) for n in nodes]
        return all(p == pools[0] for p in pools)

    wait_until(same, timeout=timeout, interval=0.1, what="mempools to match")
