"""Bitcoin serialization, written independently of the node: hashes, compact sizes,
transactions, blocks, merkle roots and regtest proof of work.

Tests use these to check what the node returns, so they stay plain Python (hashlib, struct)
and never call the node."""

import hashlib
import struct

COIN = 100_000_000
# nBits of every regtest block and the target it encodes (the top bit of the hash is clear).
REGTEST_BITS = 0x207FFFFF
REGTEST_TARGET = 0x7FFFFF << (8 * (0x20 - 3))


# ---- hashes ------------------------------------------------------------------------------------

def sha256(data):
    """Single SHA-256 digest of data."""
    return hashlib.sha256(data).digest()


def dsha256(data):
    """Double SHA-256 (block hashes, txids, checksums)."""
    return sha256(sha256(data))


def hash160(data):
    """RIPEMD-160 of SHA-256 (P2PKH/P2WPKH key hashes, P2SH script hashes)."""
    return hashlib.new("ripemd160", sha256(data)).digest()


def hash_to_hex(h):
    """A 32-byte hash in internal byte order as the reversed hex RPC shows."""
    return h[::-1].hex()


def hex_to_hash(text):
    """The internal byte order of a hash RPC shows as hex."""
    return bytes.fromhex(text)[::-1]


def dsha256_hex(data):
    """Display hex of the double SHA-256 of data (a header's block hash, a tx's txid)."""
    return hash_to_hex(dsha256(data))


# ---- compact sizes and scripts -----------------------------------------------------------------

def ser_compact_size(n):
    """The CompactSize encoding of n: one byte below 0xfd, else a marker and 2, 4 or 8 bytes."""
    if n < 0xFD:
        return bytes([n])
    if n <= 0xFFFF:
        return b"\xfd" + struct.pack("<H", n)
    if n <= 0xFFFFFFFF:
        return b"\xfe" + struct.pack("<I", n)
    return b"\xff" + struct.pack("<Q", n)


def read_compact_size(data, pos):
    """Decodes the CompactSize at data[pos]; returns (value, position after it)."""
    first = data[pos]
    if first < 0xFD:
        return first, pos + 1
    size = {0xFD: 2, 0xFE: 4, 0xFF: 8}[first]
    return int.from_bytes(data[pos + 1:pos + 1 + size], "little"), pos + 1 + size


def ser_string(data):
    """Length-prefixed bytes (scripts, witness items)."""
    return ser_compact_size(len(data)) + data


def script_num_push(n):
    """The script push of a non-negative number, as CScript() << n writes it (BIP34 heights)."""
    if n == 0:
        return b"\x00"
    if 1 <= n <= 16:
        return bytes([0x50 + n])
    out = bytearray()
    while n:
        out.append(n & 0xFF)
        n >>= 8
    if out[-1] & 0x80:
        out.append(0)
    return bytes([len(out)]) + bytes(out)


# ---- transactions ------------------------------------------------------------------------------

class Tx:
    """A transaction: inputs [(prev txid in internal byte order, vout, [witness items])],
    outputs [(value in satoshis, scriptPubKey)], one scriptSig and nSequence per input."""

    def __init__(self, inputs, outputs, script_sigs=None, locktime=0, version=2, sequences=None):
        self.inputs = inputs
        self.outputs = outputs
        self.script_sigs = script_sigs or [b""] * len(inputs)
        self.sequences = sequences or [0xFFFFFFFF] * len(inputs)
        self.locktime = locktime
        self.version = version

    def has_witness(self):
        """Whether any input carries witness data (then the BIP144 form is serialized)."""
        return any(witness for _txid, _vout, witness in self.inputs)

    def _body(self):
        out = ser_compact_size(len(self.inputs))
        for (txid, vout, _witness), sig, sequence in zip(self.inputs, self.script_sigs,
                                                         self.sequences):
            out += txid + struct.pack("<I", vout) + ser_string(sig) + struct.pack("<I", sequence)
        out += ser_compact_size(len(self.outputs))
        for value, script in self.outputs:
            out += struct.pack("<q", value) + ser_string(script)
        return out

    def serialize(self, with_witness=True):
        """Network serialization; with_witness=False gives the stripped form txids hash."""
        segwit = with_witness and self.has_witness()
        out = struct.pack("<i", self.version)
        if segwit:
            out += b"\x00\x01"
        out += self._body()
        if segwit:
            for _txid, _vout, witness in self.inputs:
                out += ser_compact_size(len(witness))
                for item in witness:
                    out += ser_string(item)
        return out + struct.pack("<I", self.locktime)

    def txid(self):
        """Hash of the stripped serialization, internal byte order."""
        return dsha256(self.serialize(with_witness=False))

    def wtxid(self):
        """Hash of the full serialization (BIP141), internal byte order."""
        return dsha256(self.serialize())

    def weight(self):
        """BIP141 weight: three times the stripped size plus the full size."""
        return 3 * len(self.serialize(with_witness=False)) + len(self.serialize())

    def vsize(self):
        """Virtual size, weight / 4 rounded up (no sigop adjustment)."""
        return (self.weight() + 3) // 4

    def txid_hex(self):
        """The txid as RPC shows it."""
        return hash_to_hex(self.txid())

    def wtxid_hex(self):
        """The wtxid as RPC shows it (getblock's "hash" of a transaction)."""
        return hash_to_hex(self.wtxid())

    @classmethod
    def parse(cls, data, pos=0):
        """Reads one transaction (with or without BIP144 witness) at data[pos];
        returns (Tx, position after it)."""
        (version,) = struct.unpack_from("<i", data, pos)
        pos += 4
        segwit = data[pos] == 0 and data[pos + 1] == 1
        if segwit:
            pos += 2
        n_in, pos = read_compact_size(data, pos)
        prevouts, script_sigs, sequences = [], [], []
        for _ in range(n_in):
            txid = data[pos:pos + 32]
            (vout,) = struct.unpack_from("<I", data, pos + 32)
            length, pos = read_compact_size(data, pos + 36)
            script_sigs.append(data[pos:pos + length])
            (sequence,) = struct.unpack_from("<I", data, pos + length)
            sequences.append(sequence)
            prevouts.append((txid, vout))
            pos += length + 4
        n_out, pos = read_compact_size(data, pos)
        outputs = []
        for _ in range(n_out):
            (value,) = struct.unpack_from("<q", data, pos)
            length, pos = read_compact_size(data, pos + 8)
            outputs.append((value, data[pos:pos + length]))
            pos += length
        witnesses = [[] for _ in range(n_in)]
        if segwit:
            for witness in witnesses:
                items, pos = read_compact_size(data, pos)
                for _ in range(items):
                    length, pos = read_compact_size(data, pos)
                    witness.append(data[pos:pos + length])
                    pos += length
        (locktime,) = struct.unpack_from("<I", data, pos)
        inputs = [(txid, vout, w) for (txid, vout), w in zip(prevouts, witnesses)]
        return cls(inputs, outputs, script_sigs, locktime, version, sequences), pos + 4

    @classmethod
    def from_bytes(cls, data):
        """Parses a buffer holding exactly one transaction; trailing bytes are an error."""
        tx, end = cls.parse(data)
        if end != len(data):
            raise ValueError(f"transaction ends at {end} of {len(data)} bytes")
        return tx


# ---- blocks ------------------------------------------------------------------------------------

def parse_block(data):
    """Splits a serialized block into (80-byte header, [Tx]); it must be read to its end."""
    header = data[:80]
    count, pos = read_compact_size(data, 80)
    txs = []
    for _ in range(count):
        tx, pos = Tx.parse(data, pos)
        txs.append(tx)
    if pos != len(data):
        raise ValueError(f"block ends at {pos} of {len(data)} bytes")
    return header, txs


def merkle_root(hashes):
    """The merkle root of hashes (internal byte order), pairing the last one with itself on
    odd levels as Bitcoin does."""
    level = list(hashes)
    while len(level) > 1:
        if len(level) % 2:
            level.append(level[-1])
        level = [dsha256(level[i] + level[i + 1]) for i in range(0, len(level), 2)]
    return level[0]


def solve_regtest(header, max_tries=1 << 20):
    """Grinds the nonce of a header (76 bytes, or 80 whose nonce is replaced) until its hash
    meets the regtest target; returns the full 80-byte header."""
    prefix = header[:76]
    for nonce in range(max_tries):
        candidate = prefix + struct.pack("<I", nonce)
        if int.from_bytes(dsha256(candidate), "little") <= REGTEST_TARGET:
            return candidate
    raise ValueError("no nonce meets the regtest target")


# ---- anyone-can-spend outputs ------------------------------------------------------------------

# A P2WSH output whose witness script is OP_TRUE: spent by the witness [OP_TRUE], no signature.
OP_TRUE_SCRIPT = b"\x51"


def p2wsh_script(witness_script):
    """The scriptPubKey OP_0 <sha256(witness_script)>."""
    return b"\x00\x20" + sha256(witness_script)


OP_TRUE_P2WSH_SPK = p2wsh_script(OP_TRUE_SCRIPT)


def spend_op_true(txid_hex, vout, value):
    """A version-2 segwit transaction spending an OP_TRUE P2WSH output (txid in display hex)
    into one OP_TRUE P2WSH output of value satoshis."""
    return Tx([(hex_to_hash(txid_hex), vout, [OP_TRUE_SCRIPT])], [(value, OP_TRUE_P2WSH_SPK)])


# ---- SipHash-2-4 (BIP152 short transaction ids) ------------------------------------------------

_MASK64 = (1 << 64) - 1


def _rotl64(x, b):
    return ((x << b) | (x >> (64 - b))) & _MASK64


def siphash24(k0, k1, data):
    """SipHash-2-4 of data under the 128-bit key (k0, k1), two little-endian 64-bit words."""
    v0 = k0 ^ 0x736F6D6570736575
    v1 = k1 ^ 0x646F72616E646F6D
    v2 = k0 ^ 0x6C7967656E657261
    v3 = k1 ^ 0x7465646279746573

    def rounds(n):
        nonlocal v0, v1, v2, v3
        for _ in range(n):
            v0 = (v0 + v1) & _MASK64
            v1 = _rotl64(v1, 13) ^ v0
            v0 = _rotl64(v0, 32)
            v2 = (v2 + v3) & _MASK64
            v3 = _rotl64(v3, 16) ^ v2
            v0 = (v0 + v3) & _MASK64
            v3 = _rotl64(v3, 21) ^ v0
            v2 = (v2 + v1) & _MASK64
            v1 = _rotl64(v1, 17) ^ v2
            v2 = _rotl64(v2, 32)

    full = len(data) - len(data) % 8
    for i in range(0, full, 8):
        m = int.from_bytes(data[i:i + 8], "little")
        v3 ^= m
        rounds(2)
        v0 ^= m
    # The last word holds the leftover bytes and the length's low byte on top.
    m = int.from_bytes(data[full:], "little") | ((len(data) & 0xFF) << 56)
    v3 ^= m
    rounds(2)
    v0 ^= m
    v2 ^= 0xFF
    rounds(4)
    return v0 ^ v1 ^ v2 ^ v3


def short_id_key(header, nonce):
    """BIP152: the SipHash key is the first two little-endian words of
    SHA256(80-byte header || 8-byte little-endian nonce)."""
    h = sha256(header + struct.pack("<Q", nonce))
    return int.from_bytes(h[0:8], "little"), int.from_bytes(h[8:16], "little")


def short_id(key, wtxid):
    """BIP152 version 2 short id: low 48 bits of SipHash-2-4(key, wtxid in internal order)."""
    return siphash24(key[0], key[1], wtxid) & 0xFFFFFFFFFFFF


# ---- building blocks ---------------------------------------------------------------------------

# Regtest halves the subsidy every 150 blocks (Core's chainparams).
REGTEST_HALVING_INTERVAL = 150
WITNESS_COMMITMENT_HEADER = b"\xaa\x21\xa9\xed"


def block_subsidy(height, halving_interval=REGTEST_HALVING_INTERVAL):
    """Block reward in satoshis at height."""
    halvings = height // halving_interval
    return 0 if halvings >= 64 else (50 * COIN) >> halvings


def create_coinbase(height, value, script_pubkey=OP_TRUE_P2WSH_SPK, extra_outputs=()):
    """A coinbase for height (BIP34 push, padded to Core's 2-byte minimum scriptSig) paying
    value to script_pubkey, plus extra_outputs [(value, script)]."""
    script_sig = script_num_push(height)
    if len(script_sig) < 2:
        script_sig += b"\x00"
    return Tx([(b"\x00" * 32, 0xFFFFFFFF, [])], [(value, script_pubkey)] + list(extra_outputs),
              script_sigs=[script_sig], version=1)


class Block:
    """A block: header fields plus transactions; serialize()/hash() use the fields as set,
    so tests can mutate either side on purpose."""

    def __init__(self, prev_hash, txs, time, bits=REGTEST_BITS, version=0x20000000, nonce=0,
                 merkle=None):
        self.version = version
        self.prev_hash = prev_hash  # internal byte order
        self.txs = list(txs)
        self.merkle = merkle if merkle is not None else self.compute_merkle_root()
        self.time = time
        self.bits = bits
        self.nonce = nonce

    def compute_merkle_root(self):
        return merkle_root([tx.txid() for tx in self.txs])

    def header(self):
        """The 80-byte header."""
        return (struct.pack("<i", self.version) + self.prev_hash + self.merkle +
                struct.pack("<III", self.time, self.bits, self.nonce))

    def hash(self):
        """Block hash, internal byte order."""
        return dsha256(self.header())

    def hash_hex(self):
        return hash_to_hex(self.hash())

    def solve(self):
        """Grinds the nonce to meet the regtest target; returns self."""
        self.nonce = struct.unpack("<I", solve_regtest(self.header())[76:])[0]
        return self

    def serialize(self, with_witness=True):
        out = self.header() + ser_compact_size(len(self.txs))
        for tx in self.txs:
            out += tx.serialize(with_witness)
        return out

    @classmethod
    def from_bytes(cls, data):
        header, txs = parse_block(data)
        version, = struct.unpack_from("<i", header, 0)
        time, bits, nonce = struct.unpack_from("<III", header, 68)
        return cls(header[4:36], txs, time, bits, version, nonce, merkle=header[36:68])


def add_witness_commitment(coinbase, txs):
    """BIP141: gives coinbase the reserved value witness and an output committing to the
    witness merkle root of [coinbase] + txs (the coinbase's wtxid counts as zero)."""
    wtxids = [b"\x00" * 32] + [tx.wtxid() for tx in txs]
    reserved = b"\x00" * 32
    commitment = dsha256(merkle_root(wtxids) + reserved)
    txid, vout, _ = coinbase.inputs[0]
    coinbase.inputs[0] = (txid, vout, [reserved])
    coinbase.outputs.append((0, b"\x6a\x24" + WITNESS_COMMITMENT_HEADER + commitment))


def create_block(prev_hash_hex, height, time, txs=(), coinbase_value=None,
                 script_pubkey=OP_TRUE_P2WSH_SPK):
    """A solved regtest block at height on prev_hash_hex (display hex) with a coinbase paying
    coinbase_value (default: the subsidy; fees are not added) and txs after it; a witness
    commitment is added when any tx has witness data."""
    value = block_subsidy(height) if coinbase_value is None else coinbase_value
    coinbase = create_coinbase(height, value, script_pubkey)
    txs = list(txs)
    if any(tx.has_witness() for tx in txs):
        add_witness_commitment(coinbase, txs)
    return Block(hex_to_hash(prev_hash_hex), [coinbase] + txs, time).solve()
