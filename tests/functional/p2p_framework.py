#!/usr/bin/env python3
"""Self-test of the raw P2P framework (test_framework/p2p.py, messages.py) against known bytes,
without a node: framing and checksum, the regtest genesis block, SipHash-2-4 reference
vectors, BIP152 differential indexes, addr encodings. --minibitd is accepted and unused so the
test registers like the others."""

import argparse
import struct
import sys
import traceback

from test_framework.messages import (Block, Tx, block_subsidy, create_block, dsha256,
                                     hash_to_hex, merkle_root, siphash24)
from test_framework.p2p import (REGTEST_MAGIC, frame, parse_addr, parse_addrv2,
                                parse_blocktxn, parse_cmpctblock, parse_getblocktxn,
                                parse_getheaders, parse_headers, parse_inv, parse_version,
                                ser_addr, ser_addrv2, ser_blocktxn, ser_cmpctblock,
                                ser_getblocktxn, ser_getheaders, ser_headers, ser_inv,
                                ser_sendcmpct, ser_version)
from test_framework.util import TestFailure, assert_equal

# The genesis coinbase (Satoshi's "The Times 03/Jan/2009" transaction), shared by every chain.
GENESIS_COINBASE = bytes.fromhex(
    "01000000010000000000000000000000000000000000000000000000000000000000000000ffffffff4d04ff"
    "ff001d0104455468652054696d65732030332f4a616e2f32303039204368616e63656c6c6f72206f6e2062"
    "72696e6b206f66207365636f6e64206261696c6f757420666f722062616e6b73ffffffff0100f2052a0100"
    "0000434104678afdb0fe5548271967f1a67130b7105cd6a828e03909a67962e0ea1f61deb649f6bc3f4cef"
    "38c4f35504e51ec112de5c384df7ba0b8d578a4c702b6bf11d5fac00000000")
GENESIS_MERKLE = "4a5e1e4baab89f3a32518a88c31bc87f618f76673e2cc77ab2127b7afdeda33b"
REGTEST_GENESIS_HASH = "0f9188f13cb7b2c71f2a335e3a4fc328bf5beb436012afca590b1a11466e2206"
MAIN_GENESIS_HASH = "000000000019d6689c085ae165831e934ff763ae46a2a6c172b3f1b60a8ce26f"


def check_framing():
    # verack on mainnet: the empty payload's checksum is 5df6e0e2 (SHA-256d of "").
    assert_equal(frame("verack", magic=bytes.fromhex("f9beb4d9")).hex(),
                 "f9beb4d976657261636b000000000000000000005df6e0e2")
    ping = frame("ping", struct.pack("<Q", 1))
    assert_equal(ping[:4], REGTEST_MAGIC)
    assert_equal(ping[4:16], b"ping" + b"\x00" * 8)
    assert_equal(ping[16:20], b"\x08\x00\x00\x00")
    assert_equal(ping[20:24], dsha256(struct.pack("<Q", 1))[:4])
    # Overrides produce the malformed frames the invalid-message test sends.
    assert_equal(frame("ping", b"abc", length=4_000_001)[16:20], struct.pack("<I", 4_000_001))
    assert_equal(frame("ping", b"abc", check=b"\x00" * 4)[20:24], b"\x00" * 4)


def check_genesis():
    coinbase = Tx.from_bytes(GENESIS_COINBASE)
    assert_equal(coinbase.serialize(), GENESIS_COINBASE)
    assert_equal(coinbase.txid_hex(), GENESIS_MERKLE)
    assert_equal(hash_to_hex(merkle_root([coinbase.txid()])), GENESIS_MERKLE)
    regtest = Block(b"\x00" * 32, [coinbase], 1296688602, 0x207FFFFF, 1, 2)
    assert_equal(regtest.hash_hex(), REGTEST_GENESIS_HASH)
    main = Block(b"\x00" * 32, [coinbase], 1231006505, 0x1D00FFFF, 1, 2083236893)
    assert_equal(main.hash_hex(), MAIN_GENESIS_HASH)
    again = Block.from_bytes(regtest.serialize())
    assert_equal(again.hash_hex(), REGTEST_GENESIS_HASH)
    assert_equal(again.serialize(), regtest.serialize())
    assert_equal(parse_headers(ser_headers([regtest.header()])), [regtest.header()])
    assert_equal(ser_headers([regtest.header()])[-1], 0)


def check_siphash():
    # Reference vectors of SipHash-2-4 (key 00..0f, message 00 01 .. len-1).
    k0 = int.from_bytes(bytes(range(8)), "little")
    k1 = int.from_bytes(bytes(range(8, 16)), "little")
    vectors = {0: 0x726FDB47DD0E0E31, 1: 0x74F839C593DC67FD, 7: 0xAB0200F58B01D137,
               8: 0x93F5F5799A932462, 15: 0xA129CA6149BE45E5, 32: 0x7127512F72F27CCE}
    for length, expected in vectors.items():
        assert_equal(siphash24(k0, k1, bytes(range(length))), expected, f"length {length}")
    if siphash24(k0, k1 ^ 1, b"") == vectors[0]:
        raise TestFailure("siphash ignores its key")


def check_bip152():
    coinbase = Tx.from_bytes(GENESIS_COINBASE)
    header = bytes(80)
    payload = ser_cmpctblock(header, 7, [0x060504030201, 0xFFFFFFFFFFFF], [(0, coinbase),
                                                                           (3, coinbase)])
    # nonce, two 6-byte ids, two prefilled with differential indexes 0 and 2.
    assert_equal(payload[80:88], struct.pack("<Q", 7))
    assert_equal(payload[88:101].hex(), "02" + "010203040506" + "ffffffffffff")
    assert_equal(payload[101:103].hex(), "0200")
    cmpct = parse_cmpctblock(payload)
    assert_equal(cmpct.short_ids, [0x060504030201, 0xFFFFFFFFFFFF])
    assert_equal([i for i, _ in cmpct.prefilled], [0, 3])
    req = ser_getblocktxn(b"\x11" * 32, [0, 2, 5])
    assert_equal(req[32:].hex(), "03000102")
    assert_equal(parse_getblocktxn(req), (b"\x11" * 32, [0, 2, 5]))
    block_hash, txs = parse_blocktxn(ser_blocktxn(b"\x22" * 32, [coinbase]))
    assert_equal((block_hash, txs[0].serialize()), (b"\x22" * 32, GENESIS_COINBASE))
    assert_equal(ser_sendcmpct(True, 2).hex(), "010200000000000000")


def check_messages():
    inv = ser_inv([(2, b"\xab" * 32), (0x40000001, b"\xcd" * 32)])
    assert_equal(inv[:5].hex(), "0202000000")
    assert_equal(parse_inv(inv), [(2, b"\xab" * 32), (0x40000001, b"\xcd" * 32)])
    gh = ser_getheaders([b"\x01" * 32], version=70016)
    assert_equal(gh[:5].hex(), "8011010001")
    assert_equal(parse_getheaders(gh), (70016, [b"\x01" * 32], b"\x00" * 32))
    addr = ser_addr([(1700000000, 9, "1.2.3.4", 8333)])
    # IPv4-mapped IPv6 and a big-endian port.
    assert_equal(addr[13:31].hex(), "00000000000000000000ffff01020304208d")
    assert_equal(parse_addr(addr), [(1700000000, 9, "1.2.3.4", 8333)])
    v2 = ser_addrv2([(1700000000, 1033, 1, bytes([1, 2, 3, 4]), 18444)])
    assert_equal(v2.hex(), "01" + "00f15365" + "fd0904" + "01" + "04" + "01020304" + "480c")
    assert_equal(parse_addrv2(v2), [(1700000000, 1033, 1, bytes([1, 2, 3, 4]), 18444)])
    version = ser_version(services=9, timestamp=1, nonce=5, user_agent=b"/x/", start_height=3,
                          relay=False)
    assert_equal(len(version), 4 + 8 + 8 + 26 + 26 + 8 + 4 + 4 + 1)
    fields = parse_version(version)
    assert_equal((fields["services"], fields["nonce"], fields["user_agent"],
                  fields["start_height"], fields["relay"]), (9, 5, "/x/", 3, False))


def check_block_building():
    assert_equal(block_subsidy(149), 50 * 100_000_000)
    assert_equal(block_subsidy(150), 25 * 100_000_000)
    block = create_block(REGTEST_GENESIS_HASH, 1, 1296688603)
    assert int.from_bytes(block.hash(), "little") < 1 << 255
    coinbase = block.txs[0]
    # BIP34 height push padded to two bytes.
    assert_equal(coinbase.script_sigs[0], b"\x51\x00")
    assert_equal(block.merkle, coinbase.txid())


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--minibitd")
    parser.add_argument("--tmpdir")
    parser.parse_args()
    try:
        for check in (check_framing, check_genesis, check_siphash, check_bip152,
                      check_messages, check_block_building):
            check()
            print(f"[p2p_framework] {check.__name__} ok", flush=True)
    except Exception:
        traceback.print_exc()
        print("[p2p_framework] FAILED")
        sys.exit(1)
    print("[p2p_framework] PASSED")


if __name__ == "__main__":
    main()
