"""Address and descriptor encodings, written independently of the node: base58check,
bech32/bech32m (BIP173/BIP350), segwit, P2PKH and P2SH addresses, WIF keys and the BIP380
descriptor checksum."""

from .messages import dsha256, hash160, sha256

# Version bytes shared by testnet, signet and regtest.
REGTEST_P2PKH = 0x6F
REGTEST_P2SH = 0xC4
REGTEST_WIF = 0xEF
REGTEST_HRP = "bcrt"


# ---- base58check -------------------------------------------------------------------------------

B58_ALPHABET = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"


def base58check_encode(payload):
    """Base58 of payload plus the first four bytes of its double SHA-256; each leading zero
    byte becomes a leading '1'."""
    data = payload + dsha256(payload)[:4]
    n = int.from_bytes(data, "big")
    out = ""
    while n:
        n, r = divmod(n, 58)
        out = B58_ALPHABET[r] + out
    pad = len(data) - len(data.lstrip(b"\0"))
    return "1" * pad + out


def base58check_decode(text):
    """The payload of a base58check string; raises ValueError on a bad character or checksum."""
    n = 0
    for c in text:
        if c not in B58_ALPHABET:
            raise ValueError(f"invalid base58 character {c!r}")
        n = n * 58 + B58_ALPHABET.index(c)
    pad = len(text) - len(text.lstrip("1"))
    data = b"\0" * pad + n.to_bytes((n.bit_length() + 7) // 8, "big")
    if len(data) < 4 or dsha256(data[:-4])[:4] != data[-4:]:
        raise ValueError("bad base58 checksum")
    return data[:-4]


def p2pkh_address(pubkey, version=REGTEST_P2PKH):
    """The base58 P2PKH address of a serialized public key."""
    return base58check_encode(bytes([version]) + hash160(pubkey))


def p2sh_address(script, version=REGTEST_P2SH):
    """The base58 P2SH address of a redeem script."""
    return base58check_encode(bytes([version]) + hash160(script))


def encode_wif(secret, compressed=True, version=REGTEST_WIF):
    """The WIF text of a private key given as an integer."""
    return base58check_encode(bytes([version]) + secret.to_bytes(32, "big")
                              + (b"\x01" if compressed else b""))


def decode_wif(text, version=REGTEST_WIF):
    """(secret integer, compressed) of a WIF key; raises ValueError if it is not one."""
    data = base58check_decode(text)
    if data[0] != version or len(data) not in (33, 34) or (len(data) == 34 and data[33] != 1):
        raise ValueError("not a WIF key")
    return int.from_bytes(data[1:33], "big"), len(data) == 34


# ---- bech32 / bech32m --------------------------------------------------------------------------

BECH32_CHARSET = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"
BECH32_CONST = 1
BECH32M_CONST = 0x2BC830A3


BECH32_GENERATOR = [0x3B6A57B2, 0x26508E6D, 0x1EA119FA, 0x3D4233DD, 0x2A1462B3]


def bch_polymod(values, generator, bits):
    """Remainder of a BCH code over GF(32) with a bits-wide checksum register, fed 5-bit values;
    both bech32 (30 bits) and the descriptor checksum (40 bits) are of this form."""
    chk = 1
    for value in values:
        top = chk >> (bits - 5)
        chk = (chk & ((1 << (bits - 5)) - 1)) << 5 ^ value
        for i, g in enumerate(generator):
            chk ^= g if (top >> i) & 1 else 0
    return chk


def bech32_polymod(values):
    """The checksum polynomial of BIP173 over 5-bit values."""
    return bch_polymod(values, BECH32_GENERATOR, 30)


def bech32_hrp_expand(hrp):
    """The human-readable part as the checksum sees it: high bits, a zero, low bits."""
    return [ord(c) >> 5 for c in hrp] + [0] + [ord(c) & 31 for c in hrp]


def convertbits(data, frombits, tobits, pad=True):
    """Regroups a sequence of frombits-bit values into tobits-bit values; without pad,
    leftover bits must be zero padding of less than frombits bits (else ValueError)."""
    acc, bits, out = 0, 0, []
    maxv = (1 << tobits) - 1
    for value in data:
        acc = (acc << frombits) | value
        bits += frombits
        while bits >= tobits:
            bits -= tobits
            out.append((acc >> bits) & maxv)
    if pad:
        if bits:
            out.append((acc << (tobits - bits)) & maxv)
    elif bits >= frombits or ((acc << (tobits - bits)) & maxv):
        raise ValueError("invalid padding")
    return out


def bech32_encode(hrp, data, const):
    """hrp, '1', the 5-bit data and a six-character checksum (const: BECH32_CONST or
    BECH32M_CONST)."""
    polymod = bech32_polymod(bech32_hrp_expand(hrp) + list(data) + [0] * 6) ^ const
    checksum = [(polymod >> 5 * (5 - i)) & 31 for i in range(6)]
    return hrp + "1" + "".join(BECH32_CHARSET[d] for d in list(data) + checksum)


def bech32_decode(text):
    """(hrp, 5-bit data without checksum, const) of a bech32 or bech32m string; raises
    ValueError on mixed case, bad characters or a checksum of neither kind."""
    if text.lower() != text and text.upper() != text:
        raise ValueError("mixed case")
    text = text.lower()
    pos = text.rfind("1")
    if pos < 1 or pos + 7 > len(text):
        raise ValueError("no separator or checksum")
    hrp = text[:pos]
    data = [BECH32_CHARSET.find(c) for c in text[pos + 1:]]
    if -1 in data:
        raise ValueError("invalid bech32 character")
    const = bech32_polymod(bech32_hrp_expand(hrp) + data)
    if const not in (BECH32_CONST, BECH32M_CONST):
        raise ValueError("bad bech32 checksum")
    return hrp, data[:-6], const


def segwit_address(hrp, version, program):
    """The segwit address of a witness program: bech32 for version 0, bech32m above."""
    const = BECH32_CONST if version == 0 else BECH32M_CONST
    return bech32_encode(hrp, [version] + convertbits(program, 8, 5), const)


def decode_segwit_address(text):
    """(hrp, witness version, program bytes) of a segwit address, checksum verified."""
    hrp, data, _const = bech32_decode(text)
    if not data:
        raise ValueError("empty data section")
    return hrp, data[0], bytes(convertbits(data[1:], 5, 8, False))


def p2wpkh_address(pubkey, hrp=REGTEST_HRP):
    """The P2WPKH address of a serialized compressed public key."""
    return segwit_address(hrp, 0, hash160(pubkey))


def p2wsh_address(script, hrp=REGTEST_HRP):
    """The P2WSH address of a witness script."""
    return segwit_address(hrp, 0, sha256(script))


# ---- BIP380 descriptor checksum ----------------------------------------------------------------

DESC_INPUT_CHARSET = ("0123456789()[],'/*abcdefgh@:$%{}IJKLMNOPQRSTUVWXYZ&+-.;<=>?!^_|~"
                      "ijklmnopqrstuvwxyzABCDEFGH`#\"\\ ")
DESC_GENERATOR = [0xF5DEE51989, 0xA9FDCA3312, 0x1BAB10E32D, 0x3706B1677A, 0x644D626FFD]


def descsum_polymod(symbols):
    """The 40-bit checksum polynomial of BIP380 over 5-bit symbols."""
    return bch_polymod(symbols, DESC_GENERATOR, 40)


def descsum_expand(text):
    """A descriptor's characters as symbols: each one's position within its group of 32,
    plus one symbol for the group numbers of every three characters."""
    groups, symbols = [], []
    for c in text:
        v = DESC_INPUT_CHARSET.find(c)
        if v < 0:
            raise ValueError(f"character {c!r} is not allowed in a descriptor")
        symbols.append(v & 31)
        groups.append(v >> 5)
        if len(groups) == 3:
            symbols.append(groups[0] * 9 + groups[1] * 3 + groups[2])
            groups = []
    if len(groups) == 1:
        symbols.append(groups[0])
    elif len(groups) == 2:
        symbols.append(groups[0] * 3 + groups[1])
    return symbols


def descsum(text):
    """The eight-character checksum of a descriptor without one."""
    checksum = descsum_polymod(descsum_expand(text) + [0] * 8) ^ 1
    return "".join(BECH32_CHARSET[(checksum >> (5 * (7 - i))) & 31] for i in range(8))


def descsum_create(text):
    """The descriptor with '#' and its checksum appended."""
    return text + "#" + descsum(text)
