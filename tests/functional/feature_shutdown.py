#!/usr/bin/env python3
"""SIGTERM and SIGINT shut minibitd down cleanly; SIGHUP reopens debug.log."""

import os
import signal

from test_framework.test_framework import MinibitTestFramework
from test_framework.util import assert_equal, assert_in, wait_until


class ShutdownTest(MinibitTestFramework):
    def run_test(self):
        node = self.add_node()
        pid_file = os.path.join(node.chain_datadir, "minibitd.pid")

        for sig in (signal.SIGTERM, signal.SIGINT):
            self.log(f"{sig.name}: exit 0, 'Shutdown: done' logged, lock and pid file released")
            node.start()
            node.wait_until_ready()
            with open(pid_file, encoding="utf8") as f:
                assert_equal(f.read().strip(), str(node.process.pid))
            assert_equal(node.stop(sig), 0)
            log = node.read_log()
            assert_in("Shutdown: In progress...", log)
            assert_in("Shutdown: done", log)
            assert_equal(log.rstrip().splitlines()[-1].endswith("Shutdown: done"), True)
            assert_equal(os.path.exists(pid_file), False)
            # The console got the same lines (-printtoconsole defaults to on).
            assert_in("Shutdown: done", node.read_stdout())
            assert_equal(node.read_stderr(), "")

        self.log("a restart finds the lock free and appends to the same debug.log")
        node.start(["-printtoconsole=0"])
        node.wait_until_ready()
        assert_equal(node.read_log().count("minibit version v0.1.0 starting"), 3)

        self.log("SIGHUP reopens debug.log after rotation")
        rotated = node.debug_log_path + ".1"
        os.rename(node.debug_log_path, rotated)
        node.send_signal(signal.SIGHUP)
        wait_until(lambda: os.path.exists(node.debug_log_path), what="debug.log to be reopened")
        assert_equal(node.stop(), 0)
        assert_in("Shutdown: done", node.read_log())
        assert_in("minibit version v0.1.0 starting", node.read_log(rotated))
        assert_equal(node.read_stdout(), "")


if __name__ == "__main__":
    ShutdownTest().main()
