#!/usr/bin/env python3
"""-help, -version and command-line errors: output, grouping and exit codes."""

import os

from test_framework.test_framework import MinibitTestFramework
from test_framework.util import assert_equal, assert_in, assert_not_in


class HelpTest(MinibitTestFramework):
    def run_test(self):
        node = self.add_node()

        self.log("-help and its aliases print grouped usage and exit 0")
        for flag in ("-help", "-h", "-?", "--help"):
            code, out, err = node.run([flag])
            assert_equal(code, 0, flag)
            assert_equal(err, "", flag)
            assert_in("minibit version v0.1.0", out.splitlines()[0], flag)
            assert_in("Usage:  minibitd [options]", out, flag)
            headers = ["Options:", "Debugging/Testing options:", "Chain selection options:",
                       "RPC server options:"]
            positions = [out.index(h + "\n") for h in headers]
            assert_equal(positions, sorted(positions), "category order")
            for option in ("-datadir=<dir>", "-conf=<file>", "-debug=<category>", "-regtest",
                           "-chain=<chain>", "-printtoconsole", "-debuglogfile=<file>",
                           "-rpcport=<port>", "-rpcauth=<userpw>", "-rest"):
                assert_in(f"\n  {option}\n", out, flag)
            # Only categories that hold options are printed; hidden aliases are not listed.
            assert_in("Connection options:\n", out)
            for option in ("-port=<port>", "-bind=<addr>[:<port>]", "-listen", "-connect=<ip>"):
                assert_in(f"\n  {option}\n", out, flag)
            assert_not_in("  -help\n", out)
            # Debug categories are listed in -debug's help.
            assert_in("validation", out)

        self.log("-version prints the version and a copyright line, exit 0")
        code, out, err = node.run(["-version"])
        assert_equal(code, 0)
        lines = out.splitlines()
        assert_equal(lines[0], "minibit version v0.1.0")
        assert_in("Copyright (C)", lines[1])
        assert_not_in("Usage:", out)

        self.log("help exits before any file is created")
        assert_equal(os.listdir(node.datadir), [])

        self.log("unknown options and stray words are errors with exit 1")
        cases = [
            (["-foo"], "Error: Error parsing command line arguments: Invalid parameter -foo"),
            (["--foo=1"], "Invalid parameter --foo=1"),
            (["-nofoo"], "Invalid parameter -nofoo"),
            (["-regtest.debug=net"], "Invalid parameter -regtest.debug=net"),
            (["-printtoconsole=yes"], "Invalid value 'yes' for -printtoconsole: expected 0 or 1"),
            (["-nodatadir"], "Negating of -datadir is meaningless and therefore forbidden"),
            (["stray"], "Command line contains unexpected token 'stray'"),
        ]
        for args, expected in cases:
            code, out, err = node.run(args)
            assert_equal(code, 1, str(args))
            assert_in(expected, err, str(args))
            assert_equal(out, "", str(args))
        assert_equal(os.listdir(node.datadir), [])


if __name__ == "__main__":
    HelpTest().main()
