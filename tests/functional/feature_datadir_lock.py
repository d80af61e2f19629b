#!/usr/bin/env python3
"""A second minibitd on the same data directory is refused; other chains are not."""

import os

from test_framework.test_framework import MinibitTestFramework
from test_framework.util import assert_equal, assert_in


class DatadirLockTest(MinibitTestFramework):
    def run_test(self):
        node = self.add_node()
        node.start()
        node.wait_until_ready()
        assert_equal(os.path.exists(os.path.join(node.chain_datadir, ".lock")), True)

        self.log("a second daemon on the same datadir fails with Core's message")
        second = self.add_node(datadir=node.datadir)
        code, out, err = second.run(["-printtoconsole=0"])
        assert_equal(code, 1)
        assert_in(
            f"Error: Cannot obtain a lock on data directory {node.chain_datadir}. "
            "minibit is probably already running.",
            err,
        )
        assert_equal(node.process.poll(), None, "first node must keep running")

        self.log("the lock is per chain: signet in the same datadir may run")
        signet = self.add_node(datadir=node.datadir, chain_subdir="signet")
        signet.start(["-signet", "-printtoconsole=0"], chain_arg=False)
        signet.wait_until_ready()
        assert_equal(signet.stop(), 0)

        self.log("after the first stops, the datadir can be used again")
        assert_equal(node.stop(), 0)
        second.start(["-printtoconsole=0"])
        second.wait_until_ready()
        assert_equal(second.stop(), 0)

        self.log("a missing -datadir is an error and is not created")
        missing = os.path.join(self.tmpdir, "does_not_exist")
        ghost = self.add_node(datadir=missing, create=False)
        code, _, err = ghost.run([])
        assert_equal(code, 1)
        assert_in(f'Error: Specified data directory "{missing}" does not exist.', err)
        assert_equal(os.path.exists(missing), False)


if __name__ == "__main__":
    DatadirLockTest().main()
