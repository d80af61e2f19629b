"""A bcoin full node on regtest, driven from Python (stdlib only) for minibit's
interoperability tests. Start one with BcoinNode(...).start(); it runs
bcoin_regtest.js beside this file with the modules `npm ci --ignore-scripts`
put into contrib/interop/node_modules (or the directory given)."""

import base64
import json
import os
import shutil
import signal
import subprocess
import time
import urllib.error
import urllib.request

INTEROP_DIR = os.path.dirname(os.path.abspath(__file__))
LAUNCHER = os.path.join(INTEROP_DIR, "bcoin_regtest.js")

# bcoin's regtest bech32 prefix differs from Bitcoin Core's "bcrt".
BCOIN_REGTEST_HRP = "rb"


class BcoinError(Exception):
    """bcoin is missing, did not start, or answered with an error."""


def find_node_binary():
    """The Node.js interpreter (Debian names it both node and nodejs)."""
    for name in ("node", "nodejs"):
        path = shutil.which(name)
        if path:
            return path
    return None


def check_installed(modules_dir=None):
    """Raises BcoinError saying what to run unless Node.js and bcoin are installed."""
    modules_dir = modules_dir or os.path.join(INTEROP_DIR, "node_modules")
    if find_node_binary() is None:
        raise BcoinError("Node.js is not installed (apt-get install nodejs npm)")
    if not os.path.isfile(os.path.join(modules_dir, "bcoin", "package.json")):
        raise BcoinError(f"bcoin is not installed in {modules_dir} "
                         f"(run: npm ci --ignore-scripts --prefix {INTEROP_DIR})")


class BcoinNode:
    """One bcoin process: in-memory chain, P2P on 127.0.0.1:port, HTTP/JSON-RPC on
    127.0.0.1:http_port; connect lists the only peers ("host:port") it dials."""

    def __init__(self, datadir, port, http_port, connect=(), modules_dir=None,
                 api_key="interop", log_level="debug"):
        self.datadir = datadir
        self.port = port
        self.http_port = http_port
        self.connect = list(connect)
        self.modules_dir = modules_dir or os.path.join(INTEROP_DIR, "node_modules")
        self.api_key = api_key
        self.log_level = log_level
        self.process = None
        self.log_path = os.path.join(datadir, "bcoin.log")
        self._log = None

    @property
    def p2p_address(self):
        return f"127.0.0.1:{self.port}"

    def start(self, timeout=60):
        """Starts bcoin and waits until its HTTP server answers."""
        check_installed(self.modules_dir)
        os.makedirs(self.datadir, exist_ok=True)
        args = [find_node_binary(), LAUNCHER, f"--datadir={self.datadir}",
                f"--port={self.port}", f"--http-port={self.http_port}",
                f"--api-key={self.api_key}", f"--log-level={self.log_level}"]
        args += [f"--connect={peer}" for peer in self.connect]
        env = dict(os.environ)
        # The launcher lives outside node_modules' parent when a build dir holds them.
        env["NODE_PATH"] = self.modules_dir
        self._log = open(self.log_path, "a", encoding="utf8")
        self.process = subprocess.Popen(args, stdout=self._log, stderr=subprocess.STDOUT,
                                        env=env, cwd=self.datadir)
        deadline = time.time() + timeout
        while True:
            if self.process.poll() is not None:
                raise BcoinError(f"bcoin exited with {self.process.returncode}: "
                                 f"{self.read_log()[-2000:]}")
            try:
                self.info()
                return
            except (OSError, BcoinError):
                if time.time() > deadline:
                    raise BcoinError(f"bcoin HTTP did not come up within {timeout}s")
                time.sleep(0.2)

    def _request(self, path, body=None, timeout=30):
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(f"http://127.0.0.1:{self.http_port}{path}", data=data)
        token = base64.b64encode(f"x:{self.api_key}".encode()).decode()
        req.add_header("Authorization", f"Basic {token}")
        if data is not None:
            req.add_header("Content-Type", "application/json")
        try:
            with urllib.request.urlopen(req, timeout=timeout) as resp:
                return json.loads(resp.read())
        except urllib.error.HTTPError as e:
            raise BcoinError(f"HTTP {e.code} for {path}: {e.read()[:500]!r}") from e

    def info(self):
        """GET / : version, chain height and tip, peer counts."""
        return self._request("/")

    def rpc(self, method, *params, timeout=60):
        """A call to bcoin's Bitcoin-Core-style JSON-RPC; raises BcoinError on error."""
        reply = self._request("/", {"method": method, "params": list(params)}, timeout)
        if reply.get("error"):
            raise BcoinError(f"{method}: {reply['error']}")
        return reply["result"]

    def tip(self):
        """(height, best block hash) as bcoin's chain sees them."""
        chain = self.info()["chain"]
        return chain["height"], chain["tip"]

    def mempool(self):
        """Txids in bcoin's mempool."""
        return self._request("/mempool")

    def peers(self):
        """bcoin's getpeerinfo."""
        return self.rpc("getpeerinfo")

    def read_log(self):
        try:
            with open(self.log_path, encoding="utf8", errors="replace") as f:
                return f.read()
        except FileNotFoundError:
            return ""

    def stop(self, timeout=15):
        """SIGTERM, then SIGKILL if bcoin has not exited within timeout."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self._log is not None and not self._log.closed:
            self._log.close()
