#!/usr/bin/env python3
"""The JSON-RPC server as Bitcoin Core's clients see it: warm-up, the cookie, every way to
authenticate, the whitelist, legacy and 2.0 replies, batches, named parameters, HTTP errors,
a full work queue, malformed requests, and control methods."""

import base64
import hashlib
import hmac
import json
import os
import socket
import stat

from test_framework.rpc import JSONRPCException
from test_framework.test_framework import MinibitTestFramework
from test_framework.util import (TestFailure, assert_equal, assert_in, assert_raises_rpc_error,
                                 wait_until)

ADDRESS = "bcrt1qjqmxmkpmxt80xz4y3746zgt0q3u3ferr34acd5"


def raw_http(port, data, read_timeout=5):
    """Sends raw bytes on a fresh connection; returns everything received until close."""
    with socket.create_connection(("127.0.0.1", port), timeout=read_timeout) as s:
        s.sendall(data)
        chunks = []
        try:
            while True:
                chunk = s.recv(65536)
                if not chunk:
                    break
                chunks.append(chunk)
        except socket.timeout:
            pass
    return b"".join(chunks)


class RpcInterfaceTest(MinibitTestFramework):
    def run_test(self):
        self.node = self.add_node()
        self.test_warmup()
        self.test_cookie_and_auth()
        self.test_envelopes()
        self.test_malformed()
        self.test_control()
        self.test_rpcuser_rpcauth_whitelist()
        self.test_work_queue()
        self.test_bind()

    def test_warmup(self):
        self.log("-28 'Loading block index…' while the chainstate loads, then calls run")
        node = self.node
        fifo = os.path.join(self.tmpdir, "blocks.fifo")
        os.mkfifo(fifo)
        # -loadblock blocks on the FIFO until a writer opens it: the node stays in warm-up.
        node.start([f"-loadblock={fifo}"])
        wait_until(lambda: os.path.exists(node.cookie_path), what="cookie")
        e = wait_until(lambda: self.warmup_error(), what="an answer in warm-up")
        assert_equal(e.code, -28)
        assert_equal(e.message, "Loading block index\u2026")
        with open(fifo, "wb"):
            pass  # no blocks: the import ends at once
        node.wait_for_rpc()
        assert_equal(node.getblockcount(), 0)

    def warmup_error(self):
        try:
            self.node.rpc_client().getblockcount()
        except JSONRPCException as e:
            return e
        except OSError:
            return None
        raise TestFailure("call succeeded during warm-up")

    def test_cookie_and_auth(self):
        node = self.node
        self.log("the cookie: __cookie__:<64 hex>, mode 0600")
        with open(node.cookie_path, encoding="utf8") as f:
            cookie = f.read()
        user, password = cookie.split(":")
        assert_equal(user, "__cookie__")
        assert_equal(len(password), 64)
        int(password, 16)
        assert_equal(stat.S_IMODE(os.stat(node.cookie_path).st_mode), 0o600)

        self.log("no credentials and wrong credentials: 401 with a Basic challenge")
        client = node.rpc_client()
        status, headers, body = client.raw('{"method":"getblockcount"}', auth=False)
        assert_equal(status, 401)
        assert_equal(headers.get("www-authenticate"), 'Basic realm="jsonrpc"')
        assert_equal(body, b"")
        bad = node.rpc_client("__cookie__", "0" * 64)
        status, _headers, _body = bad.raw('{"method":"getblockcount"}')
        assert_equal(status, 401)
        status, _h, _b = client.raw('{"method":"getblockcount"}',
                                    headers={"Authorization": "Basic !!notbase64"})
        assert_equal(status, 401)

        self.log("a clean stop removes the cookie; the next start writes a new one")
        assert_equal(node.rpc.stop(), "minibit stopping")
        assert_equal(node.wait_for_exit(), 0)
        assert not os.path.exists(node.cookie_path)
        node.start_and_wait()
        with open(node.cookie_path, encoding="utf8") as f:
            assert f.read() != cookie

    def post(self, body, path="/"):
        status, headers, data = self.node.rpc.raw(body, path=path)
        return status, headers, (json.loads(data) if data else None)

    def test_envelopes(self):
        node = self.node
        node.generatetoaddress(2, ADDRESS)
        self.log("legacy replies: result, error and id; 404 for an unknown method, 500 else")
        status, headers, reply = self.post('{"method":"getblockcount","id":"x"}')
        assert_equal((status, reply), (200, {"result": 2, "error": None, "id": "x"}))
        assert_equal(headers["content-type"], "application/json")
        status, _h, reply = self.post('{"method":"nosuchmethod","id":1}')
        assert_equal(status, 404)
        assert_equal(reply, {"result": None, "error": {"code": -32601, "message": "Method not found"},
                             "id": 1})
        status, _h, reply = self.post('{"method":"getblockhash","params":[99],"id":1}')
        assert_equal(status, 500)
        assert_equal(reply["error"], {"code": -8, "message": "Block height out of range"})
        status, _h, reply = self.post('{"method":"getblockhash","params":["a"],"id":1}')
        assert_equal((status, reply["error"]["code"]), (500, -3))
        status, _h, reply = self.post('{"method":"getblockhash","params":[],"id":1}')
        assert_equal(reply["error"]["code"], -1)
        assert_in("getblockhash height", reply["error"]["message"])

        self.log("JSON-RPC 2.0: only one of result/error, HTTP 200 on errors, 204 for notifications")
        status, _h, reply = self.post('{"jsonrpc":"2.0","method":"getblockcount","id":5}')
        assert_equal((status, reply), (200, {"jsonrpc": "2.0", "result": 2, "id": 5}))
        status, _h, reply = self.post('{"jsonrpc":"2.0","method":"nosuchmethod","id":5}')
        assert_equal(status, 200)
        assert_equal(reply, {"jsonrpc": "2.0", "error": {"code": -32601, "message": "Method not found"},
                             "id": 5})
        status, headers, reply = self.post('{"jsonrpc":"2.0","method":"getblockcount"}')
        assert_equal((status, reply), (204, None))
        # A notification still runs: generatetoaddress mines although no reply comes.
        status, _h, reply = self.post(json.dumps(
            {"jsonrpc": "2.0", "method": "generatetoaddress", "params": [1, ADDRESS]}))
        assert_equal(status, 204)
        assert_equal(node.getblockcount(), 3)
        status, _h, reply = self.post('{"jsonrpc":"3.0","method":"getblockcount","id":1}')
        assert_equal(reply["error"]["code"], -32600)

        self.log("batches: one reply per request, in order, errors included; notifications dropped")
        replies = node.rpc.batch([("getblockcount", []), ("nosuchmethod", []),
                                  ("getblockhash", [0]), ("getblockhash", [1000])])
        assert_equal([r["id"] for r in replies], [0, 1, 2, 3])
        assert_equal(replies[0]["result"], 3)
        assert_equal(replies[1]["error"]["code"], -32601)
        assert_equal(replies[2]["result"], node.getblockhash(0))
        assert_equal(replies[3]["error"]["code"], -8)
        status, _h, reply = self.post('[{"jsonrpc":"2.0","method":"getblockcount"},'
                                      '{"jsonrpc":"2.0","method":"getblockcount","id":9}]')
        assert_equal((status, reply), (200, [{"jsonrpc": "2.0", "result": 3, "id": 9}]))
        status, _h, reply = self.post('[1, {"method":"getblockcount","id":2}]')
        assert_equal(status, 200)
        assert_equal(reply[0]["error"]["code"], -32600)
        assert_equal(reply[1]["result"], 3)

        self.log("named parameters, the args key, and their errors")
        assert_equal(node.rpc.call("getblockhash", height=1), node.getblockhash(1))
        block = node.rpc.call("getblock", blockhash=node.getblockhash(1), verbosity=1)
        assert_equal(block["height"], 1)
        assert_equal(node.rpc.call("echo", args=["a", "b"]), ["a", "b"])
        assert_raises_rpc_error(-8, "Unknown named parameter nosuch", node.rpc.call, "getblockhash",
                         nosuch=1)

        self.log("help lists every category; help <method> has Arguments, Result, Examples")
        text = node.help()
        for header in ("== Blockchain ==", "== Control ==", "== Generating ==", "== Mining =="):
            assert_in(header, text)
        for method in ("getblockcount", "getblock", "stop", "uptime", "logging", "getrpcinfo",
                       "getmemoryinfo", "generatetoaddress", "submitblock", "submitheader"):
            assert_in(method, text)
        one = node.help("getblockhash")
        for section in ("Arguments:", "Result:", "Examples:", "getblockhash height"):
            assert_in(section, one)
        assert_in(str(node.rpc_port), one)

        self.log("/wallet/<name> is served by the same dispatcher")
        status, _h, reply = self.post('{"method":"getblockcount","id":1}', path="/wallet/w1")
        assert_equal((status, reply["result"]), (200, 3))

    def test_malformed(self):
        node = self.node
        port = node.rpc_port
        auth = node.rpc.auth
        self.log("parse errors, wrong types and nesting limits answer -32700/-32600")
        status, _h, reply = self.post('{"method":')
        assert_equal(status, 500)
        assert_equal(reply, {"result": None, "error": {"code": -32700, "message": "Parse error"},
                             "id": None})
        status, _h, reply = self.post("[" * 100000)
        assert_equal(reply["error"]["code"], -32700)
        status, _h, reply = self.post('{"method":5,"id":1}')
        assert_equal(reply["error"], {"code": -32600, "message": "Method must be a string"})
        status, _h, reply = self.post('{"method":"getblockcount","params":5,"id":1}')
        assert_equal(reply["error"], {"code": -32600, "message": "Params must be an array or object"})
        status, _h, reply = self.post('"just a string"')
        assert_equal(reply["error"], {"code": -32700, "message": "Top-level object parse error"})

        self.log("HTTP level: GET is 405, unknown paths 404, garbage 400, big bodies 413")
        status, _h, _b = node.rpc.raw("", method="GET")
        assert_equal(status, 405)
        status, _h, _b = node.rpc.raw('{"method":"getblockcount"}', path="/nosuchpath")
        assert_equal(status, 404)
        answer = raw_http(port, b"THIS IS NOT HTTP\r\n\r\n")
        assert answer.startswith(b"HTTP/1.1 400"), answer[:40]
        huge = b"POST / HTTP/1.1\r\nHost: x\r\nAuthorization: " + auth.encode() + \
            b"\r\nContent-Length: 40000000\r\n\r\n"
        answer = raw_http(port, huge)
        assert answer.startswith(b"HTTP/1.1 413"), answer[:40]
        long_header = b"POST / HTTP/1.1\r\nX: " + b"a" * 20000 + b"\r\n\r\n"
        answer = raw_http(port, long_header)
        assert answer.startswith(b"HTTP/1.1 4"), answer[:40]

        self.log("a truncated request and a client that goes silent do not hurt others")
        with socket.create_connection(("127.0.0.1", port)) as silent:
            silent.sendall(b"POST / HTTP/1.1\r\nContent-Length: 100\r\n\r\n{\"method\"")
            assert_equal(node.getblockcount(), 3)
        for _ in range(20):
            with socket.create_connection(("127.0.0.1", port)) as s:
                s.sendall(b"POST / HTTP/1.1\r\nContent-Length: 50\r\n\r\n{")
        assert_equal(node.getblockcount(), 3)

        self.log("keep-alive: several calls on one connection")
        client = node.rpc_client()
        for _ in range(5):
            client.getblockcount()
        sock = client._conn.sock
        client.getblockcount()
        assert client._conn.sock is sock

    def test_control(self):
        node = self.node
        self.log("uptime, getrpcinfo, logging, getmemoryinfo")
        assert node.uptime() >= 0
        info = node.getrpcinfo()
        assert_equal(info["logpath"], os.path.join(node.chain_datadir, "debug.log"))
        assert_equal([c["method"] for c in info["active_commands"]], ["getrpcinfo"])
        assert info["active_commands"][0]["duration"] >= 0
        categories = node.logging()
        assert_equal(categories["net"], False)
        assert_equal(node.logging(["net", "rpc"])["net"], True)
        after = node.logging([], ["net"])
        assert_equal((after["net"], after["rpc"]), (False, True))
        assert_raises_rpc_error(-8, "unknown logging category nosuch", node.logging, ["nosuch"])
        assert_equal(node.logging()["rpc"], True)  # the failed call changed nothing
        node.logging([], ["all"])
        assert not any(node.logging().values())
        locked = node.getmemoryinfo()["locked"]
        assert_equal(sorted(locked), ["chunks_free", "chunks_used", "free", "locked", "total", "used"])
        assert_in("<malloc", node.getmemoryinfo("mallocinfo"))
        assert_raises_rpc_error(-8, "unknown mode foo", node.getmemoryinfo, "foo")
        assert_equal(node.echo("a", 1, {"b": [2]}), ["a", 1, {"b": [2]}])

    def restart(self, args):
        node = self.node
        node.rpc.stop()
        node.wait_for_exit()
        node.start(args)

    def test_rpcuser_rpcauth_whitelist(self):
        node = self.node
        self.log("-rpcuser/-rpcpassword: no cookie; -rpcauth users; wrong password 401")
        salt = "c0ffee" * 4
        hmac_hex = hmac.new(salt.encode(), b"alicepw", hashlib.sha256).hexdigest()
        args = ["-rpcuser=bob", "-rpcpassword=bobpw", f"-rpcauth=alice:{salt}${hmac_hex}",
                "-rpcauth=carol:00$" + "00" * 32, "-rpcwhitelist=alice:getblockcount,getbestblockhash",
                "-rpcwhitelist=dave:"]
        self.restart(args)
        bob = node.rpc_client("bob", "bobpw")
        alice = node.rpc_client("alice", "alicepw")
        wait_until(lambda: self.answers(alice), what="RPC with -rpcauth")
        assert not os.path.exists(node.cookie_path)
        assert_equal(alice.getblockcount(), 3)
        status, _h, _b = node.rpc_client("bob", "wrong").raw('{"method":"getblockcount"}')
        assert_equal(status, 401)
        status, _h, _b = node.rpc_client("alice", "bobpw").raw('{"method":"getblockcount"}')
        assert_equal(status, 401)
        status, _h, _b = node.rpc_client("carol", "anything").raw('{"method":"getblockcount"}')
        assert_equal(status, 401)

        self.log("-rpcwhitelist: listed methods only, 403 otherwise; default deny for others")
        status, _h, body = alice.raw('{"method":"getblockhash","params":[0],"id":1}')
        assert_equal((status, body), (403, b""))
        status, _h, _b = alice.raw('[{"method":"getblockcount","id":1},{"method":"uptime","id":2}]')
        assert_equal(status, 403)
        assert_equal(len(alice.getbestblockhash()), 64)
        # With any whitelist given, users without one may call nothing.
        status, _h, _b = bob.raw('{"method":"getblockcount","id":1}')
        assert_equal(status, 403)

        self.log("without whitelists, -rpcuser/-rpcpassword may call everything")
        alice.raw('{"method":"stop"}')  # refused: stop is not on alice's list
        node.send_signal(15)
        node.wait_for_exit()
        node.start(args[:3])
        wait_until(lambda: self.answers(bob), what="RPC with -rpcuser")
        assert_equal(bob.getblockcount(), 3)
        assert_equal(bob.uptime() >= 0, True)

        self.log("-rpcpassword without -rpcuser is refused at startup")
        bob.stop()
        node.wait_for_exit()
        code, _out, err = node.run(["-rpcpassword=x"])
        assert_equal(code, 1)
        assert_in("-rpcuser", err)
        code, _out, err = node.run(["-rpcauth=broken"])
        assert_equal(code, 1)
        assert_in("Invalid -rpcauth argument.", err)
        code, _out, err = node.run(["-rpcallowip=300.1.1.1"])
        assert_equal(code, 1)
        assert_in("Invalid -rpcallowip subnet specification: 300.1.1.1", err)

    @staticmethod
    def answers(client):
        try:
            client.getblockcount()
            return True
        except (OSError, JSONRPCException):
            return False

    def test_work_queue(self):
        node = self.node
        self.log("-rpcworkqueue=1 -rpcthreads=1: calls beyond the queue get 503")
        node.start_and_wait(["-rpcworkqueue=1", "-rpcthreads=1"])
        # Four long-polls sent at once on their own connections, before any reply is read:
        # one runs, at most one waits in the queue, and the server refuses the others at once.
        body = json.dumps({"method": "waitfornewblock", "params": [4000], "id": 1}).encode()
        request = (b"POST / HTTP/1.1\r\nHost: x\r\nAuthorization: " + node.rpc.auth.encode() +
                   b"\r\nContent-Type: application/json\r\nConnection: close\r\n"
                   b"Content-Length: " + str(len(body)).encode() + b"\r\n\r\n" + body)
        sockets = [socket.create_connection(("127.0.0.1", node.rpc_port), timeout=30)
                   for _ in range(4)]
        for s in sockets:
            s.sendall(request)
        answers = []
        for s in sockets:
            chunks = []
            while True:
                chunk = s.recv(65536)
                if not chunk:
                    break
                chunks.append(chunk)
            s.close()
            answers.append(b"".join(chunks))
        statuses = sorted(int(a.split(b" ", 2)[1]) for a in answers)
        # At most one runs and one waits, so at least two are refused; whether the second
        # one found the queue free depends on how fast the worker picked up the first.
        assert statuses in ([200, 200, 503, 503], [200, 503, 503, 503]), statuses
        for a in answers:
            if a.startswith(b"HTTP/1.1 503"):
                assert_in(b"Work queue depth exceeded", a)
            else:
                assert_in(b'"height":3', a)
        # The server serves again once the queue drains.
        assert_equal(node.getblockcount(), 3)
        assert_equal(node.stop(), 0)

    @staticmethod
    def can_connect(host, port):
        try:
            with socket.create_connection((host, port), timeout=5):
                return True
        except OSError:
            return False

    def test_bind(self):
        node = self.node
        # Whether this machine has ::1 at all (a listener on it proves it).
        ipv6 = False
        try:
            with socket.socket(socket.AF_INET6) as probe:
                probe.bind(("::1", 0))
                ipv6 = True
        except OSError:
            pass
        self.log("-rpcbind with -rpcallowip listens only where told")
        node.start_and_wait(["-rpcbind=127.0.0.1", "-rpcallowip=127.0.0.1"])
        assert self.can_connect("127.0.0.1", node.rpc_port)
        if ipv6:
            assert not self.can_connect("::1", node.rpc_port)
        assert_in("Binding RPC on address 127.0.0.1 port", node.read_log(since_start=True))
        assert_equal(node.stop(), 0)

        self.log("-rpcbind without -rpcallowip is ignored with a warning: loopback only")
        node.start_and_wait(["-rpcbind=127.0.0.1"])
        assert_in("option -rpcbind was ignored because -rpcallowip was not specified",
                  node.read_log(since_start=True))
        assert self.can_connect("127.0.0.1", node.rpc_port)
        assert_equal(node.getblockcount(), 3)
        assert_equal(node.stop(), 0)


if __name__ == "__main__":
    RpcInterfaceTest().main()
