#!/usr/bin/env python3
"""-help, -version and command-line errors: output, grouping and exit codes. minibitd's -help
lists every option registered in the sources (AddArg) but the hidden ones, grouped by category;
minibit-cli -help and minibit-localnet --help (and each command's --help) likewise."""

import os
import re
import subprocess
import sys

from test_framework.test_framework import MinibitTestFramework
from test_framework.util import assert_equal, assert_in, assert_not_in

REPO = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
# minibitd's categories in print order (src/util/args.h OptionsCategory).
CATEGORIES = ["Options:", "Connection options:", "Wallet options:",
              "ZeroMQ notification options:", "Debugging/Testing options:",
              "Chain selection options:", "Node relay options:", "Block creation options:",
              "RPC server options:"]
LOCALNET_COMMANDS = ["up", "status", "mine", "send", "partition", "heal", "cli", "logs", "down"]


def registered_options(paths):
    """Option names registered with AddArg in these sources, and the hidden ones among them.
    Names built at run time ("-zmqpub" + name) are left out."""
    shown, hidden = set(), set()
    for path in paths:
        with open(path, encoding="utf8") as f:
            text = f.read()
        for match in re.finditer(r'AddArg\(\s*"(-[a-z0-9-]+)(?:=[^"]*)?"\s*([+,])(.*?)\);',
                                 text, re.S):
            if match.group(2) == "+":
                continue
            (hidden if "OptionsCategory::HIDDEN" in match.group(3) else shown).add(
                match.group(1))
    return shown, hidden


def listed_options(help_text):
    """Option names of a -help text: the lines "  -name" or "  -name=<...>"."""
    return set(re.findall(r"^  (-[a-z][a-z0-9-]*)", help_text, re.M))


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

        self.log("minibitd -help: every category in order, every registered option once")
        code, out, err = node.run(["-help"])
        positions = [out.index("\n" + h + "\n") for h in CATEGORIES]
        assert_equal(positions, sorted(positions), "category order")
        sources = [os.path.join(REPO, "src", "node", f) for f in
                   sorted(os.listdir(os.path.join(REPO, "src", "node"))) if f.endswith(".cpp")]
        shown, hidden = registered_options(sources)
        assert_in("-wallet", shown)  # the parse found the wallet options
        assert_equal(sorted(shown - listed_options(out)), [], "registered but not in -help")
        assert_equal(sorted(listed_options(out) & hidden), [], "hidden but listed")
        for option in listed_options(out):
            assert_equal(out.count(f"\n  {option}\n") + out.count(f"\n  {option}="), 1, option)
        # The wallet options, under their own category.
        wallet = out[out.index("\nWallet options:\n"):out.index("\nZeroMQ notification options:")]
        for option in ("-wallet=<path>", "-walletdir=<dir>", "-disablewallet", "-keypool=<n>",
                       "-fallbackfee=<amt>", "-mintxfee=<amt>", "-discardfee=<amt>",
                       "-maxtxfee=<amt>", "-consolidatefeerate=<amt>", "-walletrbf",
                       "-spendzeroconfchange", "-txconfirmtarget=<n>"):
            assert_in(f"\n  {option}\n", wallet, option)
        # Every option with a non-empty help line.
        for block in re.split(r"\n(?=  -)", out)[1:]:
            lines = block.splitlines()
            assert lines[1].startswith("       ") and lines[1].strip(), f"no help: {lines[0]}"

        bin_dir = os.path.dirname(self.options.minibitd)
        self.log("minibit-cli -help: usage, options and chain selection, every option registered")
        cli = os.path.join(bin_dir, "minibit-cli")
        result = subprocess.run([cli, "-help"], capture_output=True, text=True, timeout=30)
        assert_equal(result.returncode, 0)
        cli_help = result.stdout
        assert_in("Usage:  minibit-cli [options] <command> [params]", cli_help)
        assert cli_help.index("\nOptions:\n") < cli_help.index("\nChain selection options:\n")
        shown, hidden = registered_options([os.path.join(REPO, "rpc", "cli.cpp")])
        assert_in("-rpcwallet", shown)
        assert_equal(sorted(shown - listed_options(cli_help)), [], "minibit-cli options")
        for option in ("-datadir=<dir>", "-rpcwait", "-rpcwallet=<walletname>", "-named",
                       "-getinfo", "-netinfo", "-generate", "-stdin", "-regtest"):
            assert_in(f"\n  {option}\n", cli_help, option)

        self.log("minibit-localnet --help and each command's --help")
        localnet = [sys.executable, os.path.join(bin_dir, "minibit-localnet")]
        if not os.path.exists(localnet[1]):
            localnet[1] = os.path.join(REPO, "contrib", "localnet", "minibit-localnet")
        result = subprocess.run(localnet + ["--help"], capture_output=True, text=True, timeout=30)
        assert_equal(result.returncode, 0)
        listed = re.findall(r"^    ([a-z_]+) ", result.stdout, re.M)
        assert_equal(listed, LOCALNET_COMMANDS)
        expected_options = {"up": ["--nodes", "--topology", "--mine-every"], "status": ["--json"],
                            "mine": ["--node"], "send": ["--from", "--to"], "logs": ["--follow"]}
        for command in LOCALNET_COMMANDS:
            result = subprocess.run(localnet + [command, "--help"], capture_output=True,
                                    text=True, timeout=30)
            assert_equal(result.returncode, 0, command)
            assert_in(f"usage: minibit-localnet {command}", result.stdout, command)
            for option in ["--dir", "--bin-dir"] + expected_options.get(command, []):
                assert_in(f" {option}", result.stdout, f"{command} {option}")
        result = subprocess.run(localnet + ["nosuchcommand"], capture_output=True, text=True,
                                timeout=30)
        assert_equal(result.returncode, 2)
        assert_in("invalid choice", result.stderr)

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
