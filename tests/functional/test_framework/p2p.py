"""A raw Bitcoin P2P peer over a plain socket, written independently of the node: v1 framing,
payload serialisers and parsers for the messages tests send or read, a reader thread that
queues what arrives, and helpers to wait for messages or a disconnect.

Everything here is plain Python (socket, struct, threading); hashing and transactions come from
messages.py."""

import random
import socket
import struct
import threading
import time

from .messages import (Block, Tx, dsha256, hash_to_hex, read_compact_size, ser_compact_size,
                       ser_string, short_id, short_id_key)
from .util import TestFailure

# Network magic (Core's pchMessageStart).
MAGIC = {
    "main": bytes.fromhex("f9beb4d9"),
    "testnet": bytes.fromhex("0b110907"),
    "signet": bytes.fromhex("0a03cf40"),
    "regtest": bytes.fromhex("fabfb5da"),
}
REGTEST_MAGIC = MAGIC["regtest"]
HEADER_SIZE = 24
MAX_PROTOCOL_MESSAGE_LENGTH = 4_000_000
P2P_VERSION = 70016

NODE_NETWORK = 1
NODE_WITNESS = 1 << 3
NODE_NETWORK_LIMITED = 1 << 10

MSG_TX = 1
MSG_BLOCK = 2
MSG_FILTERED_BLOCK = 3
MSG_CMPCT_BLOCK = 4
MSG_WTX = 5
MSG_WITNESS_FLAG = 1 << 30
MSG_WITNESS_BLOCK = MSG_BLOCK | MSG_WITNESS_FLAG
MSG_WITNESS_TX = MSG_TX | MSG_WITNESS_FLAG

# BIP155 network ids and address lengths.
NET_IPV4 = 1
NET_IPV6 = 2
NET_TORV3 = 4
NET_I2P = 5
NET_CJDNS = 6

_IPV4_MAPPED_PREFIX = b"\x00" * 10 + b"\xff\xff"


# ---- framing -----------------------------------------------------------------------------------

def checksum(payload):
    """First four bytes of SHA-256d(payload)."""
    return dsha256(payload)[:4]


def frame(command, payload=b"", magic=REGTEST_MAGIC, check=None, length=None):
    """A v1 message: magic, 12-byte NUL-padded command, length, checksum, payload. check and
    length override the true values (for malformed frames); command may be bytes."""
    cmd = command.encode() if isinstance(command, str) else command
    if len(cmd) > 12:
        raise ValueError("command longer than 12 bytes")
    cmd = cmd.ljust(12, b"\x00")
    size = len(payload) if length is None else length
    return magic + cmd + struct.pack("<I", size) + (check or checksum(payload)) + payload


# ---- payload serialisers -----------------------------------------------------------------------

def ser_net_addr(ip="0.0.0.0", port=0, services=0, time_=None):
    """The version/addr (v1) address: [time u32 when time_ is given] services u64, 16-byte IPv6
    (IPv4 mapped), big-endian port."""
    out = b"" if time_ is None else struct.pack("<I", time_)
    return out + struct.pack("<Q", services) + ip_bytes16(ip) + struct.pack(">H", port)


def ip_bytes16(ip):
    """16-byte IPv6 form of a textual IPv4 or IPv6 address."""
    if ":" in ip:
        return socket.inet_pton(socket.AF_INET6, ip)
    return _IPV4_MAPPED_PREFIX + socket.inet_aton(ip)


def ser_version(version=P2P_VERSION, services=NODE_NETWORK | NODE_WITNESS, timestamp=None,
                addr_recv=("127.0.0.1", 0), addr_from=("0.0.0.0", 0), nonce=None,
                user_agent=b"/minibit-test:0.1/", start_height=0, relay=True):
    """version payload (relay byte included, as every peer since BIP37 sends it)."""
    timestamp = int(time.time()) if timestamp is None else timestamp
    nonce = random.getrandbits(64) if nonce is None else nonce
    ua = user_agent.encode() if isinstance(user_agent, str) else user_agent
    return (struct.pack("<iQq", version, services, timestamp) +
            ser_net_addr(addr_recv[0], addr_recv[1], 0) +
            ser_net_addr(addr_from[0], addr_from[1], services) +
            struct.pack("<Q", nonce) + ser_string(ua) + struct.pack("<i", start_height) +
            bytes([1 if relay else 0]))


def ser_ping(nonce):
    return struct.pack("<Q", nonce)


ser_pong = ser_ping


def ser_inv(entries):
    """inv/getdata/notfound payload from [(type, hash in internal byte order)]."""
    # One join: appending to bytes copies the whole buffer each time (50,000 entries took
    # over a minute that way).
    return ser_compact_size(len(entries)) + b"".join(
        struct.pack("<I", inv_type) + h for inv_type, h in entries)


def ser_getheaders(locator, hash_stop=b"\x00" * 32, version=P2P_VERSION):
    """getheaders/getblocks payload; locator hashes in internal byte order."""
    out = struct.pack("<I", version) + ser_compact_size(len(locator))
    for h in locator:
        out += h
    return out + hash_stop


def ser_headers(headers):
    """headers payload from 80-byte headers (each followed by a zero tx count)."""
    out = ser_compact_size(len(headers))
    for header in headers:
        out += header + b"\x00"
    return out


def ser_block(block):
    """block payload: a Block (with witness) or raw bytes."""
    return block if isinstance(block, (bytes, bytearray)) else block.serialize()


def ser_tx(tx):
    """tx payload: a Tx (with witness) or raw bytes."""
    return tx if isinstance(tx, (bytes, bytearray)) else tx.serialize()


def ser_sendcmpct(announce, version=2):
    return bytes([1 if announce else 0]) + struct.pack("<Q", version)


def ser_cmpctblock(header, nonce, short_ids, prefilled):
    """BIP152 cmpctblock: prefilled is [(absolute index, Tx)], written differentially."""
    out = header + struct.pack("<Q", nonce) + ser_compact_size(len(short_ids))
    for sid in short_ids:
        out += sid.to_bytes(6, "little")
    out += ser_compact_size(len(prefilled))
    last = -1
    for index, tx in prefilled:
        out += ser_compact_size(index - last - 1) + ser_tx(tx)
        last = index
    return out


def ser_getblocktxn(block_hash, indexes):
    """BIP152 getblocktxn with absolute indexes, written differentially."""
    out = block_hash + ser_compact_size(len(indexes))
    last = -1
    for index in indexes:
        out += ser_compact_size(index - last - 1)
        last = index
    return out


def ser_blocktxn(block_hash, txs):
    out = block_hash + ser_compact_size(len(txs))
    for tx in txs:
        out += ser_tx(tx)
    return out


def ser_addr(entries):
    """addr payload from [(time, services, ip, port)]."""
    out = ser_compact_size(len(entries))
    for time_, services, ip, port in entries:
        out += ser_net_addr(ip, port, services, time_)
    return out


def ser_addrv2(entries):
    """BIP155 addrv2 payload from [(time, services, network id, address bytes, port)]."""
    out = ser_compact_size(len(entries))
    for time_, services, net_id, addr, port in entries:
        out += (struct.pack("<I", time_) + ser_compact_size(services) + bytes([net_id]) +
                ser_string(addr) + struct.pack(">H", port))
    return out


def ser_feefilter(feerate_sat_per_kvb):
    return struct.pack("<q", feerate_sat_per_kvb)


# ---- payload parsers ---------------------------------------------------------------------------

def parse_version(payload):
    """dict of a version payload's fields."""
    version, services, timestamp = struct.unpack_from("<iQq", payload, 0)
    pos = 20 + 26 + 26
    (nonce,) = struct.unpack_from("<Q", payload, pos)
    length, pos = read_compact_size(payload, pos + 8)
    user_agent = payload[pos:pos + length]
    pos += length
    (start_height,) = struct.unpack_from("<i", payload, pos)
    pos += 4
    relay = payload[pos] != 0 if pos < len(payload) else True
    return {"version": version, "services": services, "timestamp": timestamp, "nonce": nonce,
            "user_agent": user_agent.decode(errors="replace"), "start_height": start_height,
            "relay": relay}


def parse_nonce(payload):
    """ping/pong nonce."""
    return struct.unpack("<Q", payload)[0]


def parse_inv(payload):
    """[(type, hash internal order)] of inv/getdata/notfound."""
    count, pos = read_compact_size(payload, 0)
    out = []
    for _ in range(count):
        (inv_type,) = struct.unpack_from("<I", payload, pos)
        out.append((inv_type, payload[pos + 4:pos + 36]))
        pos += 36
    return out


def parse_getheaders(payload):
    """(version, [locator hashes], hash_stop)."""
    (version,) = struct.unpack_from("<I", payload, 0)
    count, pos = read_compact_size(payload, 4)
    locator = [payload[pos + 32 * i:pos + 32 * (i + 1)] for i in range(count)]
    pos += 32 * count
    return version, locator, payload[pos:pos + 32]


def parse_headers(payload):
    """List of 80-byte headers."""
    count, pos = read_compact_size(payload, 0)
    out = []
    for _ in range(count):
        out.append(payload[pos:pos + 80])
        _txs, pos = read_compact_size(payload, pos + 80)
    return out


def parse_sendcmpct(payload):
    """(announce, version)."""
    return payload[0] != 0, struct.unpack_from("<Q", payload, 1)[0]


def parse_feefilter(payload):
    return struct.unpack("<q", payload)[0]


class CompactBlock:
    """A parsed BIP152 cmpctblock; prefilled indexes are absolute."""

    def __init__(self, header, nonce, short_ids, prefilled):
        self.header = header
        self.nonce = nonce
        self.short_ids = short_ids
        self.prefilled = prefilled  # [(index, Tx)]

    def block_hash(self):
        return dsha256(self.header)

    def block_hash_hex(self):
        return hash_to_hex(self.block_hash())

    def key(self):
        return short_id_key(self.header, self.nonce)

    def expected_short_ids(self, wtxids):
        """Short ids of wtxids (internal byte order) under this block's key."""
        key = self.key()
        return [short_id(key, w) for w in wtxids]


def parse_cmpctblock(payload):
    header = payload[:80]
    (nonce,) = struct.unpack_from("<Q", payload, 80)
    count, pos = read_compact_size(payload, 88)
    short_ids = [int.from_bytes(payload[pos + 6 * i:pos + 6 * (i + 1)], "little")
                 for i in range(count)]
    pos += 6 * count
    n_prefilled, pos = read_compact_size(payload, pos)
    prefilled, last = [], -1
    for _ in range(n_prefilled):
        diff, pos = read_compact_size(payload, pos)
        tx, pos = Tx.parse(payload, pos)
        last = last + diff + 1
        prefilled.append((last, tx))
    if pos != len(payload):
        raise ValueError("trailing bytes in cmpctblock")
    return CompactBlock(header, nonce, short_ids, prefilled)


def parse_getblocktxn(payload):
    """(block hash, [absolute indexes])."""
    block_hash = payload[:32]
    count, pos = read_compact_size(payload, 32)
    indexes, last = [], -1
    for _ in range(count):
        diff, pos = read_compact_size(payload, pos)
        last = last + diff + 1
        indexes.append(last)
    return block_hash, indexes


def parse_blocktxn(payload):
    """(block hash, [Tx])."""
    block_hash = payload[:32]
    count, pos = read_compact_size(payload, 32)
    txs = []
    for _ in range(count):
        tx, pos = Tx.parse(payload, pos)
        txs.append(tx)
    return block_hash, txs


def parse_addr(payload):
    """[(time, services, ip text, port)] of an addr (v1) message."""
    count, pos = read_compact_size(payload, 0)
    out = []
    for _ in range(count):
        time_, services = struct.unpack_from("<IQ", payload, pos)
        raw = payload[pos + 12:pos + 28]
        (port,) = struct.unpack_from(">H", payload, pos + 28)
        ip = (socket.inet_ntoa(raw[12:]) if raw.startswith(_IPV4_MAPPED_PREFIX)
              else socket.inet_ntop(socket.AF_INET6, raw))
        out.append((time_, services, ip, port))
        pos += 30
    return out


def parse_addrv2(payload):
    """[(time, services, network id, address bytes, port)] of an addrv2 message."""
    count, pos = read_compact_size(payload, 0)
    out = []
    for _ in range(count):
        (time_,) = struct.unpack_from("<I", payload, pos)
        services, pos = read_compact_size(payload, pos + 4)
        net_id = payload[pos]
        length, pos = read_compact_size(payload, pos + 1)
        addr = payload[pos:pos + length]
        (port,) = struct.unpack_from(">H", payload, pos + length)
        pos += length + 2
        out.append((time_, services, net_id, addr, port))
    return out


def parse_block(payload):
    return Block.from_bytes(payload)


# ---- the connection ----------------------------------------------------------------------------

class Message:
    """One received message: command (str) and payload (bytes)."""

    def __init__(self, command, payload):
        self.command = command
        self.payload = payload

    def __repr__(self):
        return f"Message({self.command}, {len(self.payload)} bytes)"


class P2PConnection:
    """A raw peer. Messages received are kept in order (self.messages) until a wait_for_*
    consumes them; callbacks[command] run on the reader thread for each arrival."""

    def __init__(self, magic=REGTEST_MAGIC):
        self.magic = magic
        self.sock = None
        self.callbacks = {}
        self.answer_pings = True
        self.messages = []
        self.received = {}  # command -> count, never consumed
        self.peer_version = None
        self.disconnect_reason = None
        self._cond = threading.Condition()
        self._connected = False
        self._thread = None
        self._send_lock = threading.Lock()

    # -- socket --

    def connect(self, host, port, timeout=30):
        """Opens the TCP connection (retrying while the listener is not up yet) and starts
        the reader thread."""
        deadline = time.monotonic() + timeout
        while True:
            try:
                self.sock = socket.create_connection((host, port), timeout=5)
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)
        self.sock.settimeout(None)
        self._connected = True
        self._thread = threading.Thread(target=self._read_loop, daemon=True)
        self._thread.start()

    def _read_loop(self):
        buf = b""
        try:
            while True:
                data = self.sock.recv(1 << 16)
                if not data:
                    self.disconnect_reason = "closed by peer"
                    break
                buf += data
                while len(buf) >= HEADER_SIZE:
                    if buf[:4] != self.magic:
                        self.disconnect_reason = f"bad magic {buf[:4].hex()} from node"
                        return
                    command = buf[4:16].rstrip(b"\x00").decode(errors="replace")
                    (length,) = struct.unpack_from("<I", buf, 16)
                    if len(buf) < HEADER_SIZE + length:
                        break
                    payload = buf[HEADER_SIZE:HEADER_SIZE + length]
                    if checksum(payload) != buf[20:24]:
                        self.disconnect_reason = f"bad checksum on {command} from node"
                        return
                    buf = buf[HEADER_SIZE + length:]
                    self._deliver(Message(command, payload))
        except OSError as e:
            self.disconnect_reason = self.disconnect_reason or f"socket error {e}"
        finally:
            with self._cond:
                self._connected = False
                self._cond.notify_all()
            try:
                self.sock.close()
            except OSError:
                pass

    def _deliver(self, msg):
        if msg.command == "ping" and self.answer_pings and len(msg.payload) == 8:
            self.send_message("pong", msg.payload)
        if msg.command == "version" and self.peer_version is None:
            try:
                self.peer_version = parse_version(msg.payload)
            except (struct.error, IndexError):
                pass
        callback = self.callbacks.get(msg.command)
        if callback:
            callback(msg)
        with self._cond:
            self.messages.append(msg)
            self.received[msg.command] = self.received.get(msg.command, 0) + 1
            self._cond.notify_all()

    @property
    def is_connected(self):
        with self._cond:
            return self._connected

    def close(self):
        """Closes our side; the reader thread ends."""
        if self.sock is not None:
            try:
                self.sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            try:
                self.sock.close()
            except OSError:
                pass
        if self._thread is not None:
            self._thread.join(timeout=5)

    # -- sending --

    def send_raw(self, data):
        """Writes bytes as they are. Raises if the connection is gone."""
        with self._send_lock:
            self.sock.sendall(data)

    def send_message(self, command, payload=b"", **frame_kwargs):
        """Frames and sends one message (frame_kwargs: magic, check, length overrides)."""
        frame_kwargs.setdefault("magic", self.magic)
        try:
            self.send_raw(frame(command, payload, **frame_kwargs))
        except OSError:
            if threading.current_thread() is not self._thread:
                raise

    # -- waiting --

    def wait_for(self, predicate, timeout=30, what="condition"):
        """Waits (under the message lock) until predicate() is truthy; returns its value."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                result = predicate()
                if result:
                    return result
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise TestFailure(f"timed out after {timeout}s waiting for {what}")
                self._cond.wait(min(remaining, 0.5))

    def wait_for_message(self, command, timeout=30, predicate=None, consume=True):
        """The first queued message with this command (and predicate(msg), if given); it is
        removed from the queue unless consume=False. Fails early if the connection drops."""

        def find():
            for i, msg in enumerate(self.messages):
                if msg.command == command and (predicate is None or predicate(msg)):
                    if consume:
                        del self.messages[i]
                    return msg
            if not self._connected:
                raise TestFailure(f"disconnected ({self.disconnect_reason}) while waiting for "
                                  f"{command}")
            return None

        return self.wait_for(find, timeout, f"{command} message")

    def has_message(self, command):
        """Whether an unconsumed message with this command is queued."""
        with self._cond:
            return any(m.command == command for m in self.messages)

    def clear_messages(self):
        with self._cond:
            self.messages = []

    def wait_for_disconnect(self, timeout=30):
        """Waits until the node closed the connection."""
        self.wait_for(lambda: not self._connected, timeout, "the node to disconnect")

    def sync_with_ping(self, timeout=30):
        """Sends a ping with a fresh nonce and waits for its pong: everything sent before was
        processed by the node (it handles a peer's messages in order)."""
        nonce = random.getrandbits(64) or 1
        self.send_message("ping", ser_ping(nonce))
        self.wait_for_message("pong", timeout, lambda m: m.payload == ser_pong(nonce))

    # -- protocol --

    def handshake(self, services=NODE_NETWORK | NODE_WITNESS, start_height=0, relay=True,
                  wtxidrelay=True, sendaddrv2=True, timeout=30, version=P2P_VERSION,
                  user_agent=b"/minibit-test:0.1/"):
        """version, then (BIP339) wtxidrelay and (BIP155) sendaddrv2 before verack, then
        waits for the node's version and verack. Returns the node's version fields."""
        self.send_message("version", ser_version(version=version, services=services,
                                                 start_height=start_height, relay=relay,
                                                 user_agent=user_agent))
        if wtxidrelay:
            self.send_message("wtxidrelay")
        if sendaddrv2:
            self.send_message("sendaddrv2")
        self.send_message("verack")
        self.wait_for_message("version", timeout, consume=False)
        self.wait_for_message("verack", timeout, consume=False)
        return self.peer_version

    def send_block(self, block):
        self.send_message("block", ser_block(block))

    def send_tx(self, tx):
        self.send_message("tx", ser_tx(tx))

    def send_headers(self, headers):
        self.send_message("headers", ser_headers(headers))

    def send_getheaders(self, locator, hash_stop=b"\x00" * 32):
        self.send_message("getheaders", ser_getheaders(locator, hash_stop))

    def send_getdata(self, entries):
        self.send_message("getdata", ser_inv(entries))

    def send_inv(self, entries):
        self.send_message("inv", ser_inv(entries))
