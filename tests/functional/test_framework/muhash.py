"""MuHash3072, the rolling UTXO set hash of gettxoutsetinfo "muhash", written independently of
the node in plain Python: ChaCha20 (RFC 8439 block function) and integers modulo the largest
3072-bit safe prime.

An element is the 384-byte ChaCha20 keystream keyed by SHA256(data) (zero nonce, counter 0),
read as a little-endian number. The set is the product of its elements; the digest is the
SHA256 of that product modulo the prime, as 384 little-endian bytes."""

import hashlib
import struct

MODULUS = 2**3072 - 1103717
NUM_BYTES = 384

_MASK32 = 0xFFFFFFFF


def _rotl32(value, bits):
    return ((value << bits) | (value >> (32 - bits))) & _MASK32


def _quarter_round(s, a, b, c, d):
    s[a] = (s[a] + s[b]) & _MASK32
    s[d] = _rotl32(s[d] ^ s[a], 16)
    s[c] = (s[c] + s[d]) & _MASK32
    s[b] = _rotl32(s[b] ^ s[c], 12)
    s[a] = (s[a] + s[b]) & _MASK32
    s[d] = _rotl32(s[d] ^ s[a], 8)
    s[c] = (s[c] + s[d]) & _MASK32
    s[b] = _rotl32(s[b] ^ s[c], 7)


def chacha20_block(key, counter, nonce):
    """One 64-byte ChaCha20 keystream block (32-byte key, 32-bit counter, 12-byte nonce)."""
    assert len(key) == 32 and len(nonce) == 12
    # "expand 32-byte k" as four little-endian words.
    state = [0x61707865, 0x3320646E, 0x79622D32, 0x6B206574]
    state += list(struct.unpack("<8I", key))
    state += [counter & _MASK32] + list(struct.unpack("<3I", nonce))
    working = list(state)
    for _ in range(10):
        _quarter_round(working, 0, 4, 8, 12)
        _quarter_round(working, 1, 5, 9, 13)
        _quarter_round(working, 2, 6, 10, 14)
        _quarter_round(working, 3, 7, 11, 15)
        _quarter_round(working, 0, 5, 10, 15)
        _quarter_round(working, 1, 6, 11, 12)
        _quarter_round(working, 2, 7, 8, 13)
        _quarter_round(working, 3, 4, 9, 14)
    return struct.pack("<16I", *[(w + s) & _MASK32 for w, s in zip(working, state)])


def chacha20_keystream(key, length):
    """The first `length` bytes of the keystream for `key` with a zero nonce."""
    out = b""
    counter = 0
    while len(out) < length:
        out += chacha20_block(key, counter, bytes(12))
        counter += 1
    return out[:length]


def data_to_num3072(data):
    """The set element for `data`: the keystream keyed by its SHA256, little-endian."""
    key = hashlib.sha256(data).digest()
    return int.from_bytes(chacha20_keystream(key, NUM_BYTES), "little")


class MuHash3072:
    """A multiset of byte strings; insertion order does not matter."""

    def __init__(self):
        self.numerator = 1
        self.denominator = 1

    def insert(self, data):
        self.numerator = (self.numerator * data_to_num3072(data)) % MODULUS

    def remove(self, data):
        self.denominator = (self.denominator * data_to_num3072(data)) % MODULUS

    def digest(self):
        """SHA256 of numerator/denominator mod the prime, 384 bytes little-endian (raw order)."""
        value = (self.numerator * pow(self.denominator, -1, MODULUS)) % MODULUS
        return hashlib.sha256(value.to_bytes(NUM_BYTES, "little")).digest()

    def digest_hex(self):
        """The digest as the RPC prints a uint256 (byte-reversed hex)."""
        return self.digest()[::-1].hex()
