#!/usr/bin/env python3
"""README.md's walk-throughs, run as written: every shell block marked
`<!-- walkthrough: NAME -->` runs in bash (set -euo pipefail) and must exit 0 with the output
the README promises, and leave no process of its own behind. The blocks run in a temporary
directory laid out like the repository root (build/, contrib/ and tests/ are links to the real
ones) with HOME inside it, so ./.minibit, ./.minibit-localnet and ~/.minibit are the test's.
The only text changed is the fixed port numbers, each replaced by a free port (README_PORTS),
and the fixed datadir /tmp/mb, moved under the temp dir. A block that keeps a node in the
foreground gets Ctrl-C (SIGINT to its process group) once the node logs what the README says
it will. The blocks that need the node of ./contrib/run.sh get it first: the same command
line, plus a minibit.conf holding its ports (minibit-cli reads them from there). The mainnet
blocks run in a network namespace of their own with only loopback (unshare -rn), so they are
offline wherever the test runs; where namespaces are not allowed, dnsseed=0 keeps them
offline; their ports come from a minibit.conf in their datadir. Also checks the two
set-up commands come first, contrib/minibit.conf starts a node, and the bash completion in
contrib/completions/ answers."""

import os
import re
import shutil
import signal
import subprocess
import time

from test_framework.node import free_port
from test_framework.test_framework import MinibitTestFramework
from test_framework.util import TestFailure, assert_equal, assert_in

REPO = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
README = os.path.join(REPO, "README.md")
BLOCK_RE = re.compile(r"^<!-- walkthrough: ([a-z0-9-]+) -->\n```sh\n(.*?)^```$", re.M | re.S)
# Blocks the test does not run, and why (none today).
NOT_RUN = {}
# Run order: the blocks that need the node of ./contrib/run.sh run while it is up.
RUN_NODE_BLOCKS = ["rpc", "curl", "wallet", "data", "logs"]
ORDER = ["mainnet", "loadblock", "localnet", "by-hand"] + RUN_NODE_BLOCKS + ["two-nodes",
                                                                              "config"]
# Fixed paths the README names outside the repository; each moves under the temp dir.
README_PATHS = ["/tmp/mb"]
# Fixed ports the README names; each becomes a free port. 18443 is the run.sh node's RPC port.
README_PORTS = ["18443", "18501", "18502", "18511", "18512", "18521", "18522"]
PORT_RE = re.compile(r"(?:port=|127\.0\.0\.1:)(\d+)")
BLOCK_TIMEOUT = 240
MAINNET_BLOCK_255 = "00000000d0a75c861fabf9ff7b92022f60e4afeed9331fe5aa073d8e4706fe3c"


class ReadmeTest(MinibitTestFramework):
    def run_test(self):
        self.build_dir = os.path.dirname(os.path.dirname(os.path.dirname(self.options.minibitd)))
        self.bin_dir = os.path.join(self.build_dir, "src", "bin")
        self.root = os.path.join(self.tmpdir, "repo")
        self.home = os.path.join(self.root, "home")
        os.makedirs(self.home)
        for name, target in (("build", self.build_dir), ("contrib", os.path.join(REPO, "contrib")),
                             ("tests", os.path.join(REPO, "tests"))):
            os.symlink(target, os.path.join(self.root, name))
        self.ports = {p: str(free_port()) for p in README_PORTS}
        try:
            self.scenario()
        finally:
            subprocess.run([os.path.join(self.bin_dir, "minibit-localnet"), "down"],
                           cwd=self.root, capture_output=True, timeout=120)

    def scenario(self):
        with open(README, encoding="utf8") as f:
            text = f.read()
        blocks = {}
        for name, body in BLOCK_RE.findall(text):
            assert name not in blocks, f"two walkthrough blocks named {name}"
            blocks[name] = body

        self.log("the two set-up commands come first")
        first = re.search(r"^```sh\n(.*?)^```$", text, re.M | re.S).group(1)
        commands = [line.split("#")[0].strip() for line in first.splitlines()]
        assert_equal(commands, ["./contrib/run.sh", "./contrib/test.sh"])

        self.log("every walkthrough block is run or has a reason not to be")
        assert_equal(sorted(blocks), sorted(ORDER + list(NOT_RUN)))
        # Every shell block before "Building and testing by hand" is a marked walk-through.
        path = text[text.index("## First steps"):text.index("## Building and testing by hand")]
        assert_equal(path.count("```sh\n"), len(blocks))
        # Every port a block names is one the test replaces, and every replaced port is named.
        named = {p for body in blocks.values() for p in PORT_RE.findall(body)}
        assert_equal(sorted(named), sorted(README_PORTS))

        self.block_mainnet(blocks["mainnet"])
        self.block_loadblock(blocks["loadblock"])
        self.block_localnet(blocks["localnet"])

        self.log("the node of ./contrib/run.sh: its ports in its minibit.conf")
        datadir = os.path.join(self.root, ".minibit")
        node = self.add_node(datadir=datadir)
        node.rpc_port = int(self.ports["18443"])
        with open(os.path.join(datadir, "minibit.conf"), "w", encoding="utf8") as f:
            f.write(f"[regtest]\nrpcport={node.rpc_port}\nport={node.p2p_port}\n")
        self.block_by_hand(blocks["by-hand"])
        node.start(["-printtoconsole"])  # run.sh: minibitd -regtest -datadir=... -printtoconsole
        node.wait_for_rpc()
        self.block_rpc(blocks["rpc"])
        self.block_curl(blocks["curl"])
        self.block_wallet(blocks["wallet"], node)
        self.block_data(blocks["data"])
        self.block_logs(blocks["logs"], node)
        assert_equal(node.stop(signal.SIGINT), 0)

        self.block_two_nodes(blocks["two-nodes"])
        self.block_config(blocks["config"])
        self.completion(node)

    # ---- running blocks --------------------------------------------------------------------

    def run_block(self, name, body, wrap=None, interrupt_when=None):
        """Runs one block in bash in the temporary repository root; returns its stdout.
        With interrupt_when, sends Ctrl-C (SIGINT to the block's process group) once that
        predicate holds. Fails unless it exits 0 and leaves no process of its group running."""
        script = body
        for readme_port, port in self.ports.items():
            script = re.sub(rf"\b{readme_port}\b", port, script)
        for readme_path in README_PATHS:
            script = re.sub(rf"{re.escape(readme_path)}\b", self.moved_path(readme_path), script)
        script_path = os.path.join(self.tmpdir, f"block-{name}.sh")
        with open(script_path, "w", encoding="utf8") as f:
            f.write(script)
        argv = ["bash", "-euxo", "pipefail", script_path]
        if wrap:
            argv = wrap(argv)
        out_path = os.path.join(self.tmpdir, f"block-{name}.out")
        err_path = os.path.join(self.tmpdir, f"block-{name}.err")
        env = dict(os.environ, HOME=self.home)
        start = time.monotonic()
        # Files, not pipes: a node started with & must not hold the test's pipe open.
        with open(out_path, "w", encoding="utf8") as out, open(err_path, "w",
                                                               encoding="utf8") as err:
            process = subprocess.Popen(argv, cwd=self.root, env=env, stdout=out, stderr=err,
                                       stdin=subprocess.DEVNULL, start_new_session=True)
            try:
                if interrupt_when:
                    def ready():
                        if process.poll() is not None:
                            raise TestFailure(f"walkthrough {name} ended before Ctrl-C")
                        return interrupt_when()
                    self.wait_until(ready, timeout=60, what=f"walkthrough {name} ready for Ctrl-C")
                    os.killpg(process.pid, signal.SIGINT)
                code = process.wait(timeout=BLOCK_TIMEOUT)
            except subprocess.TimeoutExpired:
                code = None
        leftover = self.kill_group(process.pid)
        with open(out_path, encoding="utf8") as f:
            stdout = f.read()
        with open(err_path, encoding="utf8") as f:
            stderr = f.read()
        if code != 0:
            raise TestFailure(f"walkthrough {name} exited with {code}\n--- stdout\n{stdout}"
                              f"--- stderr (commands)\n{stderr}")
        if leftover:
            raise TestFailure(f"walkthrough {name} left processes running")
        self.log(f"walkthrough {name}: exit 0 in {time.monotonic() - start:.1f}s")
        return stdout

    def moved_path(self, path):
        return os.path.join(self.tmpdir, "moved", path.strip("/").replace("/", "_"))

    @staticmethod
    def log_has(path, text):
        try:
            with open(path, encoding="utf8", errors="replace") as f:
                return text in f.read()
        except FileNotFoundError:
            return False

    @staticmethod
    def kill_group(pgid):
        """SIGKILLs what is left of a block's process group; True if anything was."""
        try:
            os.killpg(pgid, 0)
        except ProcessLookupError:
            return False
        # Nodes shut down asynchronously after `stop`: give them the time a stop takes.
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            time.sleep(0.2)
            try:
                os.killpg(pgid, 0)
            except ProcessLookupError:
                return False
        try:
            os.killpg(pgid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        return True

    # ---- the blocks ------------------------------------------------------------------------

    def offline_mainnet(self, datadir):
        """Writes datadir/minibit.conf with free ports (and dnsseed=0 without a namespace);
        returns the wrapper that runs a block in a network namespace, or None."""
        os.makedirs(datadir, exist_ok=True)
        conf = f"rpcport={free_port()}\nport={free_port()}\nbind=127.0.0.1\n"
        ip = shutil.which("ip") or next((p for p in ("/usr/sbin/ip", "/sbin/ip")
                                         if os.access(p, os.X_OK)), None)
        namespace = bool(shutil.which("unshare")) and ip is not None and subprocess.run(
            ["unshare", "-rn", ip, "link", "set", "lo", "up"], capture_output=True).returncode == 0
        if not namespace:
            self.log("no network namespace here (unshare -rn): dnsseed=0 keeps the node offline")
            conf += "dnsseed=0\n"
        with open(os.path.join(datadir, "minibit.conf"), "w", encoding="utf8") as f:
            f.write(conf)
        if not namespace:
            return None
        return lambda argv: ["unshare", "-rn", "sh", "-c", f'"{ip}" link set lo up && exec "$@"',
                             "sh", *argv]

    def block_mainnet(self, body):
        self.log("a node on mainnet, offline")
        datadir = os.path.join(self.home, ".minibit")
        wrap = self.offline_mainnet(datadir)
        namespace = wrap is not None
        out = self.run_block("mainnet", body, wrap)
        assert_in('"chain": "main"', out)
        assert_in('"blocks": 0', out)
        assert_in('"initialblockdownload": true', out)
        assert_in("\n0\n", out)  # getconnectioncount
        assert_in("minibit stopping", out)
        if namespace:
            # What the README says an offline node logs.
            assert_in("Loading addresses from DNS seed seed.bitcoin.sipa.be. failed", out)
            assert_in("0 addresses found from DNS seeds", out)
        else:
            assert_in("DNS seeding disabled", out)
        assert os.path.isdir(os.path.join(datadir, "blocks")), "mainnet data is in ~/.minibit"

    def block_loadblock(self, body):
        self.log("importing mainnet blocks 1-255 from a file, in the foreground until Ctrl-C")
        datadir = self.moved_path("/tmp/mb")
        wrap = self.offline_mainnet(datadir)
        log = os.path.join(datadir, "debug.log")
        # What the README's option table says the log ends the import with; the hash of mainnet
        # block 255 (as in feature_loadblock.py).
        finished = f"Import finished: tip {MAINNET_BLOCK_255} at height 255"
        out = self.run_block("loadblock", body, wrap,
                             interrupt_when=lambda: self.log_has(log, finished))
        assert_in(finished, out)  # -printtoconsole is on by default
        assert_in("Shutdown: done", out)

    def block_by_hand(self, body):
        self.log("the node of ./contrib/run.sh by hand, in the foreground until Ctrl-C")
        log = os.path.join(self.root, ".minibit", "regtest", "debug.log")
        out = self.run_block("by-hand", body,
                             interrupt_when=lambda: self.log_has(log, "init message: Done loading"))
        assert_in("Shutdown: done", out)
        assert_in("Usage:  minibitd [options]", out)  # -help after the node stopped
        assert_in("\nWallet options:\n", out)
        assert_in("minibit version v0.1.0", out)

    def block_localnet(self, body):
        self.log("a payment between two wallets of a local network")
        out = self.run_block("localnet", body)
        assert_in("minibit-localnet: 2 nodes (line)", out)
        assert_in('"amount": 2.50000000', out)
        assert_in('"confirmations": 1', out)
        assert_in("stopped 2 nodes", out)
        assert os.path.isfile(os.path.join(self.root, ".minibit-localnet", "localnet.json"))

    def block_rpc(self, body):
        self.log("minibit-cli against the node of ./contrib/run.sh")
        out = self.run_block("rpc", body)
        assert_in('"chain": "regtest"', out)
        assert_in("== Blockchain ==", out)  # help
        assert_in('"height": 101', out)  # getblock of the tip after 101 blocks

    def block_curl(self, body):
        # contrib/install-deps.sh installs curl: a missing one is a failed set-up, not a skip.
        assert shutil.which("curl"), "curl is not installed (contrib/install-deps.sh adds it)"
        self.log("the same call with curl and the cookie")
        out = self.run_block("curl", body)
        assert re.search(r'"result":\s*101\b', out), out
        assert_in('"jsonrpc":"2.0"', out.replace(" ", ""))

    def block_wallet(self, body, node):
        self.log("Alice pays Bob (### Wallets and payments)")
        out = self.run_block("wallet", body)
        assert_in('"confirmations": 1', out)
        assert_equal(out.splitlines()[-1], "1.50000000")
        assert_equal(sorted(node.listwallets()), ["alice", "bob"])

    def block_data(self, body):
        self.log("where data lives")
        out = self.run_block("data", body).split()
        for entry in (".cookie", "blocks", "chainstate", "debug.log", "minibitd.pid", "alice",
                      "bob"):
            assert_in(entry, out)

    def block_logs(self, body, node):
        self.log("logs: tail, a category at run time, rotation")
        out = self.run_block("logs", body)
        assert_in('"net": true', out)
        chain = node.chain_datadir
        assert os.path.isfile(os.path.join(chain, "debug.log.1"))
        # SIGHUP: the node writes a new debug.log.
        self.wait_until(lambda: os.path.isfile(os.path.join(chain, "debug.log")), timeout=10,
                        what="debug.log reopened after SIGHUP")
        assert_equal(node.logging()["net"], True)

    def block_two_nodes(self, body):
        self.log("two regtest nodes on one machine")
        out = self.run_block("two-nodes", body)
        assert_equal(out.count("minibit stopping"), 2)
        for d in (".node-a", ".node-b"):
            assert os.path.isdir(os.path.join(self.root, d, "regtest", "blocks"))

    def block_config(self, body):
        self.log("configuration: contrib/minibit.conf copied into a datadir")
        out = self.run_block("config", body)
        assert_in('"txindex"', out)
        assert_in('Config file arg: [regtest] txindex="1"', out)
        assert_in('Config file arg: [regtest] maxmempool="100"', out)
        assert_in("minibit stopping", out)

    # ---- bash completion -------------------------------------------------------------------

    def completion(self, node):
        self.log("bash completion: options, values, RPC methods, localnet commands")
        node.start(["-printtoconsole=0", "-wallet=alice", "-wallet=bob"])
        node.wait_for_rpc()
        bin_dir = self.bin_dir
        datadir = node.datadir
        script = f"""
source {REPO}/contrib/completions/minibit.bash
complete -p minibitd minibit-cli minibit-localnet >/dev/null
t() {{
    COMP_LINE=$2; COMP_POINT=${{#COMP_LINE}}; COMPREPLY=(); $1; echo "$2 => ${{COMPREPLY[*]}}"
}}
t _minibitd "{bin_dir}/minibitd -walletd"
t _minibitd "{bin_dir}/minibitd -chain=reg"
t _minibitd "{bin_dir}/minibitd -debug=validat"
t _minibitd "{bin_dir}/minibitd wrong"
t _minibit_cli "{bin_dir}/minibit-cli -rpcwai"
t _minibit_cli "{bin_dir}/minibit-cli -regtest -datadir={datadir} getblockc"
t _minibit_cli "{bin_dir}/minibit-cli -regtest -datadir={datadir} help getmempoolin"
t _minibit_cli "{bin_dir}/minibit-cli -regtest -datadir={datadir} -rpcwallet=al"
t _minibit_cli "{bin_dir}/minibit-cli -regtest -datadir={self.tmpdir}/nothing getblockc"
t _minibit_localnet "{bin_dir}/minibit-localnet par"
t _minibit_localnet "{bin_dir}/minibit-localnet --dir x up --topo"
t _minibit_localnet "{bin_dir}/minibit-localnet up --topology=st"
t _minibit_localnet "{bin_dir}/minibit-localnet logs --fol"
"""
        result = subprocess.run(["bash", "-c", script], capture_output=True, text=True,
                                timeout=60, env=dict(os.environ, HOME=self.home))
        assert_equal(result.returncode, 0, result.stderr)
        got = dict(line.split(" => ", 1) for line in result.stdout.splitlines())
        b = bin_dir
        expected = {
            f"{b}/minibitd -walletd": "-walletdir=",
            f"{b}/minibitd -chain=reg": "regtest",  # only the value: '=' splits words
            f"{b}/minibitd -debug=validat": "validation",
            f"{b}/minibitd wrong": "",
            f"{b}/minibit-cli -rpcwai": "-rpcwait -rpcwaittimeout=",
            f"{b}/minibit-cli -regtest -datadir={datadir} getblockc":
                "getblockchaininfo getblockcount",
            f"{b}/minibit-cli -regtest -datadir={datadir} help getmempoolin": "getmempoolinfo",
            f"{b}/minibit-cli -regtest -datadir={datadir} -rpcwallet=al": "alice",
            # No node answers there: no method names, and no error.
            f"{b}/minibit-cli -regtest -datadir={self.tmpdir}/nothing getblockc": "",
            f"{b}/minibit-localnet par": "partition",
            f"{b}/minibit-localnet --dir x up --topo": "--topology=",
            f"{b}/minibit-localnet up --topology=st": "star",
            f"{b}/minibit-localnet logs --fol": "--follow",
        }
        assert_equal(got, expected)


if __name__ == "__main__":
    ReadmeTest().main()
