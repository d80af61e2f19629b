#!/usr/bin/env python3
"""minibit-cli against a real minibitd: output format, exit codes, -named, -stdin,
-stdinrpcpass, -rpcwait, -rpcwaittimeout, wrong password, -rpcwallet routing, -getinfo,
-netinfo, -generate and a config file with a [regtest] section."""

import json
import os
import re
import subprocess
import time

from test_framework.rpc import JSONRPCException
from test_framework.test_framework import MinibitTestFramework
from test_framework.util import TestFailure, wait_until


class RawNumber:
    """A JSON number kept as the server wrote it."""

    def __init__(self, text):
        self.text = text

    def __eq__(self, other):
        return isinstance(other, RawNumber) and other.text == self.text


def univalue_text(value, level=0):
    """bitcoin-cli's layout (UniValue write(2)), written independently of minibit's code:
    one element per line, empty containers still on two lines."""
    pad = "  " * (level + 1)
    end = "  " * level
    if isinstance(value, dict):
        items = [f"{pad}{json.dumps(k, ensure_ascii=False)}: {univalue_text(v, level + 1)}"
                 for k, v in value.items()]
        return "{\n" + ",\n".join(items) + ("\n" if items else "") + end + "}"
    if isinstance(value, list):
        items = [pad + univalue_text(v, level + 1) for v in value]
        return "[\n" + ",\n".join(items) + ("\n" if items else "") + end + "]"
    if isinstance(value, RawNumber):
        return value.text
    return json.dumps(value, ensure_ascii=False)


def exit_status(code):
    """What a shell sees when bitcoin-cli returns abs(code)."""
    return abs(code) & 0xFF


class InterfaceCliTest(MinibitTestFramework):
    def add_options(self, parser):
        parser.add_argument("--minibit-cli", dest="cli", required=True,
                            help="path to the minibit-cli binary")

    def cli(self, *args, node=None, stdin=None, base=True, timeout=60):
        node = node or self.node
        cmd = [os.path.abspath(self.options.cli)]
        if base:
            cmd += [f"-datadir={node.datadir}", "-regtest", f"-rpcport={node.rpc_port}"]
        cmd += list(args)
        return subprocess.run(cmd, input=stdin, capture_output=True, text=True, timeout=timeout)

    def expect(self, result, code, out=None, err=None):
        if result.returncode != code:
            raise TestFailure(f"exit {result.returncode}, expected {code}; "
                              f"stdout {result.stdout!r} stderr {result.stderr!r}")
        if out is not None and result.stdout != out:
            raise TestFailure(f"stdout {result.stdout!r}, expected {out!r}")
        if err is not None and result.stderr != err:
            raise TestFailure(f"stderr {result.stderr!r}, expected {err!r}")

    def expect_rpc_error(self, result, code, message):
        self.expect(result, exit_status(code), out="",
                    err=f"error code: {code}\nerror message:\n{message}\n")

    def has_method(self, name):
        try:
            self.node.rpc.call(name)
        except JSONRPCException as e:
            return e.code != -32601
        return True

    def rpc_error(self, name):
        """None if the call succeeds on the default endpoint, else its JSONRPCException."""
        try:
            self.node.rpc.call(name)
        except JSONRPCException as e:
            return e
        return None

    def run_test(self):
        self.node = self.add_node()
        self.node.start_and_wait()
        self.test_output_format()
        self.test_errors()
        self.test_named_and_stdin()
        self.test_rpcwallet()
        self.test_getinfo_netinfo_generate()
        self.test_rpcwait()
        self.test_password_auth()

    def test_output_format(self):
        self.log("string, number, object and null results")
        rpc = self.node.rpc
        self.expect(self.cli("getblockcount"), 0, out=f"{rpc.getblockcount()}\n", err="")
        # A string result is printed raw, without quotes.
        self.expect(self.cli("getbestblockhash"), 0, out=rpc.getbestblockhash() + "\n")
        self.expect(self.cli("getblockhash", "0"), 0, out=rpc.getblockhash(0) + "\n")
        # Objects and arrays: UniValue's indentation by 2, numbers exactly as the server wrote them.
        status, _h, body = rpc.raw(json.dumps({"method": "getblockchaininfo", "params": [],
                                               "id": 1}))
        assert status == 200, status
        expected = json.loads(body, parse_float=RawNumber)["result"]
        result = self.cli("getblockchaininfo")
        self.expect(result, 0)
        got = json.loads(result.stdout, parse_float=RawNumber)
        if set(got) != set(expected) or got["chain"] != "regtest":
            raise TestFailure(f"getblockchaininfo differs: {result.stdout!r}")
        # "time"-like fields may tick between the calls; the layout must match exactly.
        for key in ("size_on_disk",):
            got.pop(key, None)
            expected.pop(key, None)
        text = univalue_text(got) + "\n"
        relaid = result.stdout
        if "size_on_disk" in relaid:
            relaid = re.sub(r'  "size_on_disk": \d+,\n', "", relaid)
        if relaid != text:
            raise TestFailure(f"layout differs:\n{result.stdout}\nexpected\n{text}")
        # Empty containers print on two lines, as bitcoin-cli does.
        self.expect(self.cli("echo"), 0, out="[\n]\n")
        self.expect(self.cli("echo", "1", "true", "x y"), 0,
                    out='[\n  "1",\n  "true",\n  "x y"\n]\n')
        # Null prints nothing at all.
        if self.has_method("preciousblock"):
            self.expect(self.cli("preciousblock", rpc.getbestblockhash()), 0, out="", err="")
        self.expect(self.cli("uptime"), 0)
        assert re.fullmatch(r"\d+\n", self.cli("uptime").stdout)

    def test_errors(self):
        self.log("RPC errors on stderr with exit status |code|; local errors exit 1")
        self.expect_rpc_error(self.cli("getblockhash", "1000"), -8, "Block height out of range")
        self.expect_rpc_error(self.cli("nosuchmethod"), -32601, "Method not found")
        self.expect(self.cli("getblockhash", "abc"), 1, out="",
                    err="error: Error parsing JSON: abc\n")
        self.expect(self.cli(), 1, out="",
                    err="error: too few parameters (need at least command)\n")
        self.expect(self.cli("-getinfo", "extra"), 1, err="error: -getinfo takes no arguments\n")
        self.expect(self.cli("-getinfo", "-netinfo"), 1,
                    err="error: Only one of -getinfo, -netinfo may be specified.\n")
        # A chain-specific port ignored, a wrong one is Core's message.
        self.expect(self.cli("-rpcport=0", "getblockcount"), 1,
                    err="error: Invalid port provided in -rpcport: 0\n")

    def test_named_and_stdin(self):
        self.log("-named and -stdin")
        genesis = self.node.rpc.getblockhash(0)
        self.expect(self.cli("-named", "getblockhash", "height=0"), 0, out=genesis + "\n")
        # Positional words under -named travel in the "args" key.
        self.expect(self.cli("-named", "getblockhash", "0"), 0, out=genesis + "\n")
        result = self.cli("-named", "getblock", f"blockhash={genesis}", "verbosity=1")
        self.expect(result, 0)
        assert json.loads(result.stdout)["hash"] == genesis
        self.expect(self.cli("-named", "getblockhash", "height=x"), 1,
                    err="error: Error parsing JSON: x\n")
        result = self.cli("-named", "getblockhash", "nosuchname=0")
        assert result.returncode != 0 and result.stderr.startswith("error code: "), result
        # -stdin appends one argument per line, converted like the command line.
        self.expect(self.cli("-stdin", "getblockhash", stdin="0\n"), 0, out=genesis + "\n")
        self.expect(self.cli("-stdin", "echo", stdin="a b\n\nc\n"), 0,
                    out='[\n  "a b",\n  "",\n  "c"\n]\n')
        self.expect(self.cli("-stdin", "-named", "getblockhash", stdin="height=0\n"), 0,
                    out=genesis + "\n")

    def test_rpcwallet(self):
        self.log("-rpcwallet goes to /wallet/<urlencoded name>")
        name = "my wallet/ü"
        path = "/wallet/my%20wallet%2F%C3%BC"
        client = self.node.rpc.with_path(path)
        for method in ("getblockcount", "getwalletinfo"):
            result = self.cli(f"-rpcwallet={name}", method)
            try:
                value = client.call(method)
            except JSONRPCException as e:
                # The CLI shows exactly what the server answers on that endpoint.
                self.expect_rpc_error(result, e.code, e.message)
                continue
            self.expect(result, 0, out=(value if isinstance(value, str) else
                                        json.dumps(value)) + "\n")
        client.close()

    def test_getinfo_netinfo_generate(self):
        self.log("-getinfo, -netinfo, -generate with the methods this node has")
        info = self.node.rpc.getblockchaininfo()
        result = self.cli("-getinfo")
        self.expect(result, 0, err="")
        lines = result.stdout.split("\n")
        assert lines[0] == "Chain: regtest", lines
        assert lines[1] == f"Blocks: {info['blocks']}", lines
        assert lines[2] == f"Headers: {info['headers']}", lines
        assert re.fullmatch(r"Verification progress: (\S+ )?\d+\.\d{4}%", lines[3]), lines
        assert any(line.startswith("Difficulty: ") for line in lines), lines
        assert lines[-2].startswith("Warnings: "), lines
        has_network = self.has_method("getnetworkinfo")
        assert any(line.startswith("Network: in ") for line in lines) == has_network, lines
        # Wallet lines only when getwalletinfo answers (a wallet is loaded); this test loads none.
        has_wallet = self.rpc_error("getwalletinfo") is None
        assert any(line.startswith("Wallet: ") for line in lines) == has_wallet, lines
        self.expect(self.cli("-getinfo", "-color=never"), 0)
        assert "\x1b[" not in self.cli("-getinfo", "-color=never").stdout
        assert "\x1b[34mChain: regtest" in self.cli("-getinfo", "-color=always").stdout
        self.expect(self.cli("-getinfo", "-color=sometimes"), 1,
                    err="error: Invalid value for -color option. Valid values: always, auto, "
                        "never.\n")

        result = self.cli("-netinfo")
        if self.has_method("getpeerinfo") and has_network:
            self.expect(result, 0)
            assert "Local addresses" in result.stdout, result.stdout
        else:
            self.expect_rpc_error(result, -32601, "Method not found")
        self.expect(self.cli("-netinfo", "help"), 0)

        result = self.cli("-generate")
        error = self.rpc_error("getnewaddress")
        if error is None:
            self.expect(result, 0)
            assert len(json.loads(result.stdout)["blocks"]) == 1
        elif error.code == -19:
            # Several wallets and none chosen: Core's hint follows the message.
            self.expect(result, exit_status(-19), out="")
            assert result.stderr.startswith(f"error code: -19\nerror message:\n{error.message}")
        else:
            # As bitcoin-cli: getnewaddress's own error (no wallet RPCs, or none loaded).
            self.expect_rpc_error(result, error.code, error.message)

    def test_rpcwait(self):
        self.log("-rpcwait started before the node; -rpcwaittimeout gives up")
        self.node.stop()
        start = time.time()
        result = self.cli("-rpcwait", "-rpcwaittimeout=1", "getblockcount")
        elapsed = time.time() - start
        self.expect(result, 1, out="")
        prefix = (f"error: timeout on transient error: Could not connect to the server "
                  f"127.0.0.1:{self.node.rpc_port}")
        assert result.stderr.startswith(prefix), result.stderr
        assert 0.9 <= elapsed < 15, elapsed
        # Without -rpcwait the same failure at once.
        result = self.cli("getblockcount")
        self.expect(result, 1)
        assert result.stderr.startswith(prefix), result.stderr
        assert "Make sure the minibitd server is running" in result.stderr

        cmd = [os.path.abspath(self.options.cli), f"-datadir={self.node.datadir}", "-regtest",
               f"-rpcport={self.node.rpc_port}", "-rpcwait", "getblockcount"]
        waiting = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        time.sleep(1.5)
        assert waiting.poll() is None, "the CLI should still be waiting for the node"
        self.node.start_and_wait()
        out, err = waiting.communicate(timeout=60)
        if waiting.returncode != 0 or out != "0\n":
            raise TestFailure(f"-rpcwait: exit {waiting.returncode} out {out!r} err {err!r}")

    def test_password_auth(self):
        self.log("rpcuser/rpcpassword from a [regtest] section, -stdinrpcpass, wrong password")
        self.node.stop()
        self.node.start(["-rpcuser=alice", "-rpcpassword=s3cret"])
        client = self.node.rpc_client("alice", "s3cret")

        def ready():
            try:
                client.getblockcount()
                return True
            except (OSError, JSONRPCException):
                client.close()
                return False

        wait_until(ready, timeout=30, what="RPC with a password")
        self.node._rpc = client
        # A directory holding only the client's config: credentials and port come from
        # [regtest]; the top-level rpcport is for main only and must be ignored.
        cli_dir = os.path.join(self.tmpdir, "clidir")
        os.makedirs(cli_dir)
        with open(os.path.join(cli_dir, "minibit.conf"), "w", encoding="utf8") as f:
            f.write("rpcport=1\nserver=1\n[regtest]\n"
                    f"rpcport={self.node.rpc_port}\nrpcuser=alice\nrpcpassword=s3cret\n")
        self.expect(self.cli(f"-datadir={cli_dir}", "-regtest", "getblockcount", base=False), 0,
                    out="0\n")
        # The command line beats the file.
        self.expect(self.cli(f"-datadir={cli_dir}", "-regtest", "-rpcpassword=wrong",
                             "getblockcount", base=False),
                    1, out="", err="error: Authorization failed: Incorrect rpcuser or "
                                   "rpcpassword\n")

        self.expect(self.cli("-rpcuser=alice", "-stdinrpcpass", "getblockcount",
                             stdin="s3cret\n"), 0, out="0\n")
        # With -stdin too, the first line is the password and the rest are arguments.
        self.expect(self.cli("-rpcuser=alice", "-stdinrpcpass", "-stdin", "getblockhash",
                             stdin="s3cret\n0\n"), 0,
                    out=self.node.rpc.getblockhash(0) + "\n")
        self.expect(self.cli("-rpcuser=alice", "-stdinrpcpass", "getblockcount",
                             stdin="nope\n"),
                    1, err="error: Authorization failed: Incorrect rpcuser or rpcpassword\n")
        self.expect(self.cli("-rpcuser=alice", "-stdinrpcpass", "getblockcount", stdin=""), 1,
                    err="error: -stdinrpcpass specified but failed to read from standard input\n")
        # No password and no cookie (a password-configured node writes none).
        result = self.cli("getblockcount")
        self.expect(result, 1)
        assert result.stderr.startswith(
            "error: Could not locate RPC credentials. No authentication cookie could be found, "
            "and RPC password is not set."), result.stderr

        self.log("stop")
        self.expect(self.cli("-rpcuser=alice", "-rpcpassword=s3cret", "stop"), 0,
                    out="minibit stopping\n")
        assert self.node.wait_for_exit() == 0


if __name__ == "__main__":
    InterfaceCliTest().main()
