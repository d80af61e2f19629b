"""Sanitizer reports and slower sanitized binaries (contrib/test.sh --sanitizers).

Everything here is inert unless the environment asks for it, so plain runs behave as
before: the report checks switch on when ASAN_OPTIONS, UBSAN_OPTIONS or TSAN_OPTIONS is
set, and timeouts scale only when MINIBIT_TIMEOUT_FACTOR is set.

A sanitizer report must fail the test that provoked it, even when the process that hit
it was a node the test later killed or a tool whose exit code the test ignores. ASan,
LSan and TSan write reports to files named by log_path, which main() points into the
test's temp dir; gcc's UBSan runtime ignores log_path when it runs beside ASan and prints
to stderr, so each node's stderr is scanned too (before a restart truncates it).
"""

import glob
import os

OPTION_VARS = ("ASAN_OPTIONS", "UBSAN_OPTIONS", "TSAN_OPTIONS", "LSAN_OPTIONS")

# Lines that begin a report worth failing for. Sanitizer warnings that are not reports
# (for example ASan's note about swapcontext) do not contain these.
REPORT_MARKERS = (
    "ERROR: AddressSanitizer",
    "ERROR: LeakSanitizer",
    "WARNING: ThreadSanitizer",
    "ThreadSanitizer: reported",
    "runtime error:",
    "SUMMARY: UndefinedBehaviorSanitizer",
)


def active():
    """Whether this run asked for sanitizer checks (any *SAN_OPTIONS set and non-empty)."""
    return any(os.environ.get(name) for name in OPTION_VARS)


def timeout_factor():
    """MINIBIT_TIMEOUT_FACTOR as a number >= 1 (1 when unset or unreadable)."""
    try:
        return max(1.0, float(os.environ.get("MINIBIT_TIMEOUT_FACTOR", "1")))
    except ValueError:
        return 1.0


def scaled(timeout):
    """A timeout stretched for slow (sanitized) binaries; None stays None."""
    return None if timeout is None else timeout * timeout_factor()


def route_reports(report_dir):
    """Points every sanitizer's log_path into report_dir for all processes this test starts
    (the child processes inherit os.environ). A later option overrides an earlier one."""
    os.makedirs(report_dir, exist_ok=True)
    prefix = os.path.join(report_dir, "report")
    for name in OPTION_VARS:
        current = os.environ.get(name, "")
        os.environ[name] = f"{current}:log_path={prefix}" if current else f"log_path={prefix}"


def find_reports(text):
    """True if text holds a sanitizer report."""
    return any(marker in text for marker in REPORT_MARKERS)


def read_text(path):
    try:
        with open(path, encoding="utf8", errors="replace") as f:
            return f.read()
    except OSError:
        return ""


def collect_reports(report_dir, nodes):
    """Every report written under report_dir or held by the nodes: a list of (source, text)."""
    reports = []
    for path in sorted(glob.glob(os.path.join(report_dir, "report*"))):
        text = read_text(path)
        if find_reports(text):
            reports.append((path, text))
    for node in nodes:
        reports.extend(getattr(node, "sanitizer_reports", []))
        text = read_text(node.stderr_path)
        if find_reports(text):
            reports.append((node.stderr_path, text))
    return reports
