"""Assertions and polling helpers shared by functional tests."""

import time


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
    """Polls predicate() until it returns a truthy value; returns that value."""
    deadline = time.monotonic() + timeout
    while True:
        result = predicate()
        if result:
            return result
        if time.monotonic() > deadline:
            raise TestFailure(f"timed out after {timeout}s waiting for {what}")
        time.sleep(interval)
