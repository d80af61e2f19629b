"""Assertions and polling helpers shared by functional tests."""

import time

from .rpc import JSONRPCException
from .sanitizers import scaled


class TestFailure(Exception):
    """Raised by the assert helpers; the framework reports it and exits 1."""


def assert_equal(actual, expected, message=""):
    if actual != expected:
        raise TestFailure(f"{actual!r} != {expected!r} {message}".rstrip())


def assert_in(needle, haystack, message=""):
    if needle not in haystack:
        raise TestFailure(f"{needle!r} not found in {haystack!r} {message}".rstrip())


def assert_not_in(needle, haystack, message=""):
    if needle in haystack:
        raise TestFailure(f"{needle!r} unexpectedly found in {haystack!r} {message}".rstrip())


def wait_until(predicate, timeout=30.0, interval=0.05, what="condition"):
    """Polls predicate() until it returns a truthy value; returns that value. The timeout
    stretches by MINIBIT_TIMEOUT_FACTOR (sanitized builds are slower)."""
    timeout = scaled(timeout)
    deadline = time.monotonic() + timeout
    while True:
        result = predicate()
        if result:
            return result
        if time.monotonic() > deadline:
            raise TestFailure(f"timed out after {timeout}s waiting for {what}")
        time.sleep(interval)


def _raised_rpc_error(code, fn, args, kwargs):
    """Calls fn; returns the JSONRPCException it raised after checking its code (None: any)."""
    try:
        fn(*args, **kwargs)
    except JSONRPCException as e:
        if code is not None and e.code != code:
            raise TestFailure(f"error code {e.code} ({e.message!r}), expected {code}") from e
        return e
    raise TestFailure(f"no error from {getattr(fn, '__name__', fn)}{args}; expected code {code}")


def assert_raises_rpc_error(code, message, fn, *args, **kwargs):
    """fn(*args, **kwargs) must raise a JSON-RPC error with this code (None: any code) whose
    message contains message (None: any message). Returns the exception."""
    e = _raised_rpc_error(code, fn, args, kwargs)
    if message is not None and message not in e.message:
        raise TestFailure(f"error message {e.message!r} does not contain {message!r}")
    return e


def assert_raises_rpc_error_exact(code, message, fn, *args, **kwargs):
    """Like assert_raises_rpc_error, but the message must equal message exactly."""
    e = _raised_rpc_error(code, fn, args, kwargs)
    if message is not None and e.message != message:
        raise TestFailure(f"error message {e.message!r}, expected exactly {message!r}")
    return e


def vm_rss_kib(pid):
    """Resident set size of process pid in KiB, from /proc/<pid>/status (Linux)."""
    with open(f"/proc/{pid}/status", encoding="ascii") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise TestFailure(f"no VmRSS in /proc/{pid}/status")
