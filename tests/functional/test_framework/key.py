"""Pure-Python secp256k1, written independently of the node: public keys of private keys and
BIP32 public derivation. Slow and not constant-time: for test vectors only."""

import hashlib
import hmac

from .address import base58check_decode

# The curve y^2 = x^3 + 7 over the prime field P, its group order N and generator G.
P = 2**256 - 2**32 - 977
N = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141
G = (
    0x79BE667EF9DCBBAC55A06295CE870B07029BFCDB2DCE28D959F2815B16F81798,
    0x483ADA7726A3C4655DA4FBFC0E1108A8FD17B448A68554199C47D08FFB10D4B8,
)


def point_add(a, b):
    """Sum of two affine points; None stands for the point at infinity."""
    if a is None:
        return b
    if b is None:
        return a
    if a[0] == b[0] and (a[1] + b[1]) % P == 0:
        return None
    if a == b:
        lam = 3 * a[0] * a[0] * pow(2 * a[1], P - 2, P) % P
    else:
        lam = (b[1] - a[1]) * pow(b[0] - a[0], P - 2, P) % P
    x = (lam * lam - a[0] - b[0]) % P
    return (x, (lam * (a[0] - x) - a[1]) % P)


def point_mul(k, point=G):
    """k times point (default G) by double-and-add."""
    result = None
    while k:
        if k & 1:
            result = point_add(result, point)
        point = point_add(point, point)
        k >>= 1
    return result


def serialize_point(point, compressed=True):
    """SEC1 encoding: 02/03 and x when compressed, else 04, x and y."""
    x, y = point
    if compressed:
        return bytes([2 + (y & 1)]) + x.to_bytes(32, "big")
    return b"\x04" + x.to_bytes(32, "big") + y.to_bytes(32, "big")


def parse_point(data):
    """The affine point of a compressed (33-byte) or uncompressed (65-byte) public key."""
    x = int.from_bytes(data[1:33], "big")
    if len(data) == 65 and data[0] == 4:
        return (x, int.from_bytes(data[33:], "big"))
    if len(data) != 33 or data[0] not in (2, 3):
        raise ValueError("not a SEC1 public key")
    # P = 3 mod 4, so a square root is the (P+1)/4-th power.
    y = pow((x**3 + 7) % P, (P + 1) // 4, P)
    if y & 1 != data[0] & 1:
        y = P - y
    return (x, y)


def pubkey_from_secret(secret, compressed=True):
    """The serialized public key of a private key given as an integer."""
    return serialize_point(point_mul(secret), compressed)


def decode_xpub(text):
    """(chain code, compressed public key) of a base58check extended public key."""
    data = base58check_decode(text)
    if len(data) != 78:
        raise ValueError("an extended key has 78 bytes")
    return data[13:45], data[45:78]


def ckd_pub(chaincode, pubkey, index):
    """BIP32 non-hardened child: (child chain code, child compressed public key)."""
    if index >= 0x80000000:
        raise ValueError("public derivation cannot make hardened children")
    digest = hmac.new(chaincode, pubkey + index.to_bytes(4, "big"), hashlib.sha512).digest()
    tweak = int.from_bytes(digest[:32], "big")
    if tweak >= N:
        raise ValueError("invalid child (tweak above the group order)")
    child = point_add(point_mul(tweak), parse_point(pubkey))
    return digest[32:], serialize_point(child)


def derive_xpub(xpub, path):
    """The compressed public key at a path of non-hardened indices below an xpub."""
    chaincode, pubkey = decode_xpub(xpub)
    for index in path:
        chaincode, pubkey = ckd_pub(chaincode, pubkey, index)
    return pubkey
