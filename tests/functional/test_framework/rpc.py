"""A JSON-RPC client over http.client (keep-alive), shaped like Core's AuthServiceProxy."""

import base64
import decimal
import http.client
import json


class JSONRPCException(Exception):
    """An RPC error reply: .code, .message, .http_status (and .error, the whole object)."""

    def __init__(self, error, http_status=None):
        self.error = error
        self.code = error.get("code")
        self.message = error.get("message")
        self.http_status = http_status
        super().__init__(f"{self.message} ({self.code})")


def _encode_decimal(value):
    if isinstance(value, decimal.Decimal):
        return float(value)
    raise TypeError(f"{value!r} is not JSON serializable")


class RPCClient:
    """Calls methods as attributes: client.getblockcount(), client.getblock(h, verbosity=2).

    Positional and named arguments may not be mixed. Numbers with a fraction come back as
    decimal.Decimal so amounts compare exactly.
    """

    def __init__(self, host, port, user, password, path="/", timeout=60):
        self.host = host
        self.port = port
        self.path = path
        self.timeout = timeout
        self.auth = "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()
        self._conn = None
        self._id = 0

    def with_path(self, path):
        """The same credentials on another endpoint, e.g. "/wallet/w1"."""
        user, password = base64.b64decode(self.auth[6:]).decode().split(":", 1)
        return RPCClient(self.host, self.port, user, password, path, self.timeout)

    def close(self):
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    def raw(self, body, path=None, headers=None, method="POST", auth=True):
        """Sends one HTTP request; returns (status, headers dict (lower-case names), body bytes)."""
        if isinstance(body, str):
            body = body.encode()
        hdrs = {"Content-Type": "application/json"}
        if auth:
            hdrs["Authorization"] = self.auth
        hdrs.update(headers or {})
        for attempt in range(2):
            if self._conn is None:
                self._conn = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
            try:
                self._conn.request(method, path or self.path, body=body, headers=hdrs)
                resp = self._conn.getresponse()
                data = resp.read()
                result_headers = {k.lower(): v for k, v in resp.getheaders()}
                if result_headers.get("connection", "").lower() == "close":
                    self.close()
                return resp.status, result_headers, data
            except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError):
                # The server closed an idle keep-alive connection: reconnect once.
                self.close()
                if attempt == 1:
                    raise
            except BaseException:
                # Whatever failed, the connection is in an unknown state.
                self.close()
                raise
        raise AssertionError("unreachable")

    def call(self, method, *args, **named):
        if args and named:
            raise ValueError("positional and named arguments cannot be mixed")
        self._id += 1
        request = {"version": "1.1", "method": method, "params": named or list(args), "id": self._id}
        status, _headers, data = self.raw(json.dumps(request, default=_encode_decimal))
        if not data:
            raise JSONRPCException({"code": -342, "message": f"empty reply, HTTP {status}"}, status)
        try:
            reply = json.loads(data, parse_float=decimal.Decimal)
        except ValueError:
            # Not JSON-RPC at all (503 "Work queue depth exceeded", ...).
            raise JSONRPCException({"code": -342, "message": data.decode(errors="replace")},
                                   status) from None
        if reply.get("error") is not None:
            raise JSONRPCException(reply["error"], status)
        if "result" not in reply:
            raise JSONRPCException({"code": -343, "message": "missing JSON-RPC result"}, status)
        return reply["result"]

    def batch(self, calls):
        """calls: list of (method, params); returns the list of reply objects."""
        body = [
            {"jsonrpc": "2.0", "method": m, "params": p, "id": i} for i, (m, p) in enumerate(calls)
        ]
        status, _headers, data = self.raw(json.dumps(body, default=_encode_decimal))
        if status != 200:
            raise JSONRPCException({"code": -344, "message": f"HTTP {status}: {data!r}"}, status)
        return json.loads(data, parse_float=decimal.Decimal)

    def __getattr__(self, name):
        if name.startswith("__"):
            raise AttributeError(name)
        return lambda *args, **named: self.call(name, *args, **named)
