"""Base class: argument parsing, temporary directories, guaranteed cleanup."""

import argparse
import os
import shutil
import signal
import sys
import tempfile
import traceback

from . import node as node_module
from . import sanitizers
from .node import MinibitNode
from .util import wait_until


class MinibitTestFramework:
    """Subclass and implement run_test(); call main() from the script."""

    def __init__(self):
        self.nodes = []
        self.tmpdir = None
        self.options = None

    def add_node(self, datadir=None, create=True, chain_subdir="regtest"):
        """A node with a fresh datadir under the test's temp dir (created unless told not to)."""
        index = len(self.nodes)
        datadir = datadir or os.path.join(self.tmpdir, f"node{index}")
        if create:
            os.makedirs(datadir, exist_ok=True)
        node = MinibitNode(self.options.minibitd, datadir, index, chain_subdir)
        self.nodes.append(node)
        return node

    # Multi-node helpers (nodes by index or object).
    def _node(self, n):
        return self.nodes[n] if isinstance(n, int) else n

    def connect_nodes(self, a, b, **kwargs):
        node_module.connect_nodes(self._node(a), self._node(b), **kwargs)

    def disconnect_nodes(self, a, b, **kwargs):
        node_module.disconnect_nodes(self._node(a), self._node(b), **kwargs)

    def sync_blocks(self, nodes=None, timeout=60):
        node_module.sync_blocks([self._node(n) for n in (nodes or self.nodes)], timeout)

    def sync_mempools(self, nodes=None, timeout=60):
        node_module.sync_mempools([self._node(n) for n in (nodes or self.nodes)], timeout)

    @staticmethod
    def wait_until(predicate, timeout=30, what="condition"):
        return wait_until(predicate, timeout=timeout, what=what)

    def log(self, message):
        print(f"[{type(self).__name__}] {message}", flush=True)

    def _no_sanitizer_reports(self, report_dir):
        """Prints every sanitizer report of this test's processes; True when there was none."""
        reports = sanitizers.collect_reports(report_dir, self.nodes)
        for source, text in reports:
            self.log(f"sanitizer report in {source}:\n{text}")
        return not reports

    def add_options(self, parser):
        """Override to add test-specific command-line options to the argparse parser."""

    def run_test(self):
        raise NotImplementedError

    def main(self):
        parser = argparse.ArgumentParser(description=type(self).__doc__)
        parser.add_argument("--minibitd", required=True, help="path to the minibitd binary")
        parser.add_argument("--tmpdir", help="parent for the test's temp dir")
        parser.add_argument("--nocleanup", action="store_true", help="keep the temp dir")
        self.add_options(parser)
        self.options = parser.parse_args()
        self.options.minibitd = os.path.abspath(self.options.minibitd)
        self.tmpdir = tempfile.mkdtemp(prefix="minibit_func_", dir=self.options.tmpdir)
        report_dir = os.path.join(self.tmpdir, "sanitizer_reports")
        if sanitizers.active():
            sanitizers.route_reports(report_dir)

        # A SIGTERM from ctest's timeout still runs the finally block below.
        def on_term(signum, _frame):
            raise SystemExit(128 + signum)

        signal.signal(signal.SIGTERM, on_term)
        success = False
        try:
            self.run_test()
            success = True
        except Exception:  # report every failure the same way
            traceback.print_exc()
        finally:
            for node in self.nodes:
                node.kill()
            if sanitizers.active() and not self._no_sanitizer_reports(report_dir):
                success = False
            if success and not self.options.nocleanup:
                shutil.rmtree(self.tmpdir, ignore_errors=True)
            else:
                self.log(f"keeping {self.tmpdir} for inspection")
        self.log("PASSED" if success else "FAILED")
        sys.exit(0 if success else 1)
