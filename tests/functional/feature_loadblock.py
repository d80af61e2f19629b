#!/usr/bin/env python3
"""-loadblock imports mainnet blocks 1-255; the chain survives restarts,
-reindex and -reindex-chainstate; a kill -9 loses nothing that was flushed."""

import os

from test_framework.test_framework import MinibitTestFramework
from test_framework.util import assert_equal, assert_in

DATA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "data", "blocks")
BLOCKS = os.path.join(DATA, "mainnet-blocks-1-255.dat")
TIP = "00000000d0a75c861fabf9ff7b92022f60e4afeed9331fe5aa073d8e4706fe3c"


class LoadBlockTest(MinibitTestFramework):
    def run_test(self):
        node = self.add_node(chain_subdir="")
        # Mainnet with no peers yet: nothing but the given file arrives.
        main = ["-chain=main", "-printtoconsole=0"]

        self.log("-loadblock imports all 255 blocks and reports the tip")
        node.start(main + [f"-loadblock={BLOCKS}"], chain_arg=False)
        node.wait_until_ready(timeout=60)
        log = node.read_log()
        assert_in(f"Import finished: tip {TIP} at height 255", log)
        for name in ("blocks/blk00000.dat", "blocks/rev00000.dat", "blocks/index", "chainstate"):
            assert os.path.exists(os.path.join(node.datadir, name)), name
        assert_equal(node.stop(), 0)

        self.log("a restart finds the same tip without the file")
        node.start(main, chain_arg=False)
        node.wait_until_ready()
        assert_in(f"Loaded best chain: hashBestChain={TIP} height=255", node.read_log(since_start=True))
        assert_equal(node.stop(), 0)

        for option in ("-reindex", "-reindex-chainstate"):
            self.log(f"{option} rebuilds the same tip")
            node.start(main + [option], chain_arg=False)
            node.wait_until_ready(timeout=60)
            assert_equal(node.stop(), 0)
            node.start(main, chain_arg=False)
            node.wait_until_ready()
            assert_in(f"hashBestChain={TIP} height=255", node.read_log(since_start=True))
            assert_equal(node.stop(), 0)

        self.log("kill -9 after a clean start: the next start finds the tip again")
        node.start(main, chain_arg=False)
        node.wait_until_ready()
        node.kill()
        node.start(main, chain_arg=False)
        node.wait_until_ready()
        assert_in(f"hashBestChain={TIP} height=255", node.read_log(since_start=True))
        assert_equal(node.stop(), 0)

        self.log("a missing block file is named, and -reindex is suggested")
        os.rename(os.path.join(node.datadir, "blocks", "blk00000.dat"),
                  os.path.join(node.datadir, "blk00000.dat.bak"))
        code, _out, err = node.run(main, chain_arg=False)
        assert_equal(code, 1)
        assert_in("blk00000.dat is missing", err)
        assert_in("-reindex", err)

        self.log("-checklevel out of range is refused before anything is touched")
        code, _out, err = node.run(main + ["-checklevel=5"], chain_arg=False)
        assert_equal(code, 1)
        assert_in("-checklevel", err)


if __name__ == "__main__":
    LoadBlockTest().main()
