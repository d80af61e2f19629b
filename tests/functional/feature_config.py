#!/usr/bin/env python3
"""minibit.conf: errors name file and line and create nothing; sections and precedence."""

import os
import re

from test_framework.test_framework import MinibitTestFramework
from test_framework.util import assert_equal, assert_in, assert_not_in, wait_until

MICROS_LINE = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z ", re.M)
SECONDS_LINE = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ ", re.M)


class ConfigTest(MinibitTestFramework):
    def write_conf(self, node, text, name="minibit.conf"):
        path = os.path.join(node.datadir, name)
        with open(path, "w", encoding="utf8") as f:
            f.write(text)
        return path

    def start_and_stop(self, node, extra_args=(), log_path=None, chain_arg=True):
        """Runs the node until ready, stops it, returns what this run logged."""
        node.start(["-printtoconsole=0", *extra_args], chain_arg=chain_arg)
        node.wait_until_ready(path=log_path)
        assert_equal(node.stop(), 0)
        return node.read_log(log_path, since_start=True)

    def test_errors(self):
        bad_configs = [
            # (config text, extra args, expected line, expected message)
            ("debug=net\n\nfoo\n", [], 3, "parse error: foo"),
            ("nodebug\n", [], 1, "parse error: nodebug, if you intended to specify a negated "
                                 "option, use nodebug=1 instead"),
            ("# comment\n-debug=net\n", [], 2, "parse error: -debug=net, options in configuration "
                                               "file must be specified without leading -"),
            ("[regtest]\nfoo=1\n", [], 2, "Invalid configuration value regtest.foo"),
            ("logtimemicros=2\n", [], 1, "Invalid value '2' for -logtimemicros: expected 0 or 1"),
            ("printtoconsole=1\n[bogus]\n", [], 2, "Section [bogus] is not recognized"),
            ("bogus.debug=net\n", [], 1, "Section [bogus] is not recognized"),
            ("conf=other.conf\n", [], 1, "conf cannot be set in the configuration file"),
        ]
        for index, (text, extra, line, message) in enumerate(bad_configs):
            node = self.add_node(datadir=os.path.join(self.tmpdir, f"bad{index}"))
            path = self.write_conf(node, text)
            code, out, err = node.run(extra)
            assert_equal(code, 1, text)
            assert_in(f"Error: Error reading configuration file: {path}:{line}: {message}", err)
            assert_equal(out, "", text)
            # Nothing was created: no chain dir, no lock, no log.
            assert_equal(os.listdir(node.datadir), ["minibit.conf"], text)

        node = self.add_node(datadir=os.path.join(self.tmpdir, "badsettings"))
        self.log("explicit -conf that is missing is an error; the default may be absent")
        code, _, err = node.run(["-conf=missing.conf"])
        assert_equal(code, 1)
        missing = os.path.join(node.datadir, "missing.conf")
        assert_in(f'Error: Error reading configuration file: specified config file "{missing}" '
                  "could not be opened.", err)
        self.log("semantic errors in the config also stop startup before anything is written")
        for text, chain_arg, message in [
            ("debug=nosuchcategory\n", True,
             "Unsupported logging category -debug=nosuchcategory."),
            ("testnet=1\n", True, "Invalid combination of -regtest, -signet, -testnet, -testnet4 "
                                  "and -chain. Can use at most one."),
            ("chain=bogus\n", False, "Unknown chain bogus."),
            ("loglevel=loud\n", True, "Unsupported global logging level -loglevel=loud."),
            ("loglevel=net:loud\n", True, "Unsupported category-specific logging level "
                                          "-loglevel=net:loud."),
        ]:
            self.write_conf(node, text)
            code, _, err = node.run([], chain_arg=chain_arg)
            assert_equal(code, 1, text)
            assert_in(f"Error: {message}", err)
            assert_equal(os.listdir(node.datadir), ["minibit.conf"], text)

    def test_sections_and_precedence(self):
        node = self.add_node(datadir=os.path.join(self.tmpdir, "sections"))
        self.write_conf(node, "\n".join([
            "# top section applies to every chain unless a section overrides it",
            "  debug = net   # trailing comment",
            "logtimemicros=0",
            "debuglogfile=top.log",
            "[main]",
            "debuglogfile=main.log",
            "[regtest]",
            "logtimemicros=1",
            "debug=rpc",
            "",
        ]))
        self.log("[regtest] values beat the top section; [main] is ignored on regtest")
        top_log = os.path.join(node.chain_datadir, "top.log")
        log = self.start_and_stop(node, log_path=top_log)
        assert_in("Debug logging categories: net,rpc", log)
        assert_in("Log timestamps: microseconds", log)
        assert_equal(bool(MICROS_LINE.search(log)), True)
        assert_in("Config file arg: [regtest] logtimemicros=\"1\"", log)
        assert_equal(os.path.exists(os.path.join(node.chain_datadir, "main.log")), False)
        assert_equal(os.path.exists(os.path.join(node.chain_datadir, "debug.log")), False)

        self.log("the command line beats the config file")
        log = self.start_and_stop(node, ["-nologtimemicros", "-debuglogfile=cli.log",
                                         "-nodebug", "-debug=mempool"],
                                  log_path=os.path.join(node.chain_datadir, "cli.log"))
        assert_in("Log timestamps: seconds", log)
        assert_equal(bool(SECONDS_LINE.search(log)), True)
        assert_equal(bool(MICROS_LINE.search(log)), False)
        # Core's rule: a command-line negation followed by a value brings the
        # config file's values back ("zombie" values).
        assert_in("Debug logging categories: net,mempool,rpc", log)
        log = self.start_and_stop(node, ["-nodebug"], log_path=top_log)
        assert_in("Debug logging categories: none", log)

        self.log("regtest.key= prefixed lines count as the [regtest] section; -chain in config")
        node2 = self.add_node(datadir=os.path.join(self.tmpdir, "prefixed"))
        self.write_conf(node2, "chain=regtest\nregtest.debuglogfile=prefixed.log\n"
                               "main.debuglogfile=never.log\n")
        log = self.start_and_stop(node2, log_path=os.path.join(node2.chain_datadir,
                                                               "prefixed.log"), chain_arg=False)
        assert_in("Chain: regtest", log)
        assert_equal(os.path.exists(os.path.join(node2.chain_datadir, "never.log")), False)

        self.log("-conf may name another file, relative to the datadir; -nodebuglogfile")
        node3 = self.add_node(datadir=os.path.join(self.tmpdir, "otherconf"))
        self.write_conf(node3, "debug=validation\n", name="custom.conf")
        self.write_conf(node3, "this line would fail\n")
        node3.start(["-conf=custom.conf", "-nodebuglogfile"])
        # With no log file, readiness shows on the console.
        wait_until(lambda: "init message: Done loading" in node3.read_stdout(),
                   what="console readiness")
        assert_equal(node3.stop(), 0)
        out = node3.read_stdout()
        assert_in("Debug logging categories: validation", out)
        assert_in("Shutdown: done", out)
        # No debug.log (or pid file) was written; the chain data, the mempool, the fee
        # estimates, the address manager and the ban list (written at shutdown) are.
        assert_equal(sorted(os.listdir(node3.chain_datadir)),
                     [".lock", "banlist.json", "blocks", "chainstate", "fee_estimates.dat",
                      "mempool.dat", "peers.dat"])
        assert_not_in("this line", out)

    def run_test(self):
        self.test_errors()
        self.test_sections_and_precedence()


if __name__ == "__main__":
    ConfigTest().main()
