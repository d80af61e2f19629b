#!/usr/bin/env python3
"""kill -9 at random moments during 200 getnewaddress and sendtoaddress calls: after each
restart every address and transaction id the node returned before the kill is still known to
the wallet."""

import random
import threading
import time
from decimal import Decimal

from test_framework.rpc import JSONRPCException
from test_framework.test_framework import MinibitTestFramework
from test_framework.util import assert_equal, wait_until
from test_framework.wallet_util import WALLET_ARGS

CALLS = 200
ROUNDS = 4


class WalletCrashTest(MinibitTestFramework):
    def run_test(self):
        node = self.add_node()
        node.start_and_wait(WALLET_ARGS)
        node.createwallet("w")
        w = node.wallet("w")
        # 100 mature coins: every send can spend a confirmed one even when a kill lost the
        # mempool. gettxoutsetinfo flushes the chainstate, so the kills cannot take the
        # blocks away (unflushed blocks are lost on kill -9, as in Core).
        node.generatetoaddress(200, w.getnewaddress())
        node.gettxoutsetinfo()
        returned_addresses, returned_txids, rpc_errors = [], [], []
        rng = random.Random(20261122)
        calls_left = CALLS
        for round_no in range(ROUNDS):
            budget = calls_left // (ROUNDS - round_no)
            calls_left -= budget
            self.log(f"round {round_no}: up to {budget} calls, then kill -9")
            client = node.wallet("w")
            done = threading.Event()

            def work(client=client, budget=budget, done=done):
                try:
                    for i in range(budget):
                        if i % 2 == 0:
                            returned_addresses.append(client.getnewaddress())
                        else:
                            target = returned_addresses[-1]
                            returned_txids.append(client.sendtoaddress(target, Decimal("0.01")))
                except JSONRPCException as e:
                    rpc_errors.append(e)  # a refusal is a bug, not the kill
                except (OSError, ConnectionError):
                    pass  # the node died mid-call: that call's result was never returned
                finally:
                    done.set()

            worker = threading.Thread(target=work)
            already = len(returned_addresses) + len(returned_txids)
            # Kill after a random number of this round's calls returned, a few milliseconds
            # into the next one, so the kill lands inside a call.
            target = already + rng.randrange(budget // 2, budget)
            worker.start()
            wait_until(lambda: done.is_set() or
                       len(returned_addresses) + len(returned_txids) >= target,
                       timeout=120, what="the round's calls")
            time.sleep(rng.uniform(0, 0.03))
            node.kill()
            worker.join(timeout=60)
            assert done.is_set()
            assert not rpc_errors, rpc_errors

            node.start_and_wait(WALLET_ARGS)
            node.loadwallet("w")
            w = node.wallet("w")
            assert node.getblockcount() >= 200
            for address in returned_addresses:
                info = w.getaddressinfo(address)
                assert info["ismine"], f"address {address} lost"
            for txid in returned_txids:
                assert_equal(w.gettransaction(txid)["txid"], txid)
            self.log(f"  {len(returned_addresses)} addresses and {len(returned_txids)} "
                     f"transactions known after the restart")
            # New addresses never repeat one handed out before the crash.
            fresh = w.getnewaddress()
            assert fresh not in returned_addresses
            returned_addresses.append(fresh)
        # Every round ran at least half its calls before its kill.
        assert len(returned_addresses) + len(returned_txids) >= CALLS // 2, (
            len(returned_addresses), len(returned_txids))
        assert_equal(node.stop(), 0)


if __name__ == "__main__":
    WalletCrashTest().main()
