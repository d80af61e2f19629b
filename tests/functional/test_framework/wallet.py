"""Anyone-can-spend coins for mempool tests: coinbases paid to the OP_TRUE P2WSH address are
spent with the witness [OP_TRUE], so transactions need no signing. Fees and sizes are
computed here in Python, independently of the node."""

from decimal import Decimal

from .address import p2wsh_address
from .messages import COIN, OP_TRUE_P2WSH_SPK, OP_TRUE_SCRIPT, Tx, hex_to_hash

OP_TRUE_ADDRESS = p2wsh_address(OP_TRUE_SCRIPT)
COINBASE_MATURITY = 100


class Utxo:
    """An OP_TRUE P2WSH output: txid (display hex), vout, value in satoshis; coinbase
    outputs remember their block height."""

    def __init__(self, txid, vout, value, coinbase_height=None):
        self.txid = txid
        self.vout = vout
        self.value = value
        self.coinbase_height = coinbase_height

    def __repr__(self):
        return f"Utxo({self.txid}:{self.vout}, {self.value})"


class BuiltTx:
    """A transaction built by OpTrueWallet with its fee and the outputs it creates."""

    def __init__(self, tx, fee, spent):
        self.tx = tx
        self.fee = fee
        self.spent = spent
        self.hex = tx.serialize().hex()
        self.txid = tx.txid_hex()
        self.wtxid = tx.wtxid_hex()
        self.vsize = tx.vsize()
        self.weight = tx.weight()
        self.utxos = [Utxo(self.txid, n, value) for n, (value, script) in enumerate(tx.outputs)
                      if script == OP_TRUE_P2WSH_SPK]

    def feerate(self):
        """Satoshis per virtual byte."""
        return Decimal(self.fee) / self.vsize


class OpTrueWallet:
    """Tracks coinbases mined to OP_TRUE_ADDRESS and builds transactions spending them."""

    def __init__(self, node):
        self.node = node
        self.utxos = []

    def generate(self, count):
        """Mines count blocks paying OP_TRUE_ADDRESS; remembers their coinbases."""
        hashes = self.node.generatetoaddress(count, OP_TRUE_ADDRESS)
        for block_hash in hashes:
            block = self.node.getblock(block_hash, 2)
            coinbase = block["tx"][0]
            value = int(coinbase["vout"][0]["value"] * COIN)
            self.utxos.append(Utxo(coinbase["txid"], 0, value, block["height"]))
        return hashes

    def get_utxo(self, mature=True):
        """Removes and returns a spendable coin (a mature coinbase unless mature=False,
        which returns the newest coinbase)."""
        if not mature:
            return self.utxos.pop()
        tip = self.node.getblockcount()
        for i, utxo in enumerate(self.utxos):
            if utxo.coinbase_height is None or tip - utxo.coinbase_height + 1 > COINBASE_MATURITY:
                return self.utxos.pop(i)
        raise AssertionError("no mature coin left; mine more blocks")

    def create(self, utxos=None, fee=None, fee_rate=10, num_outputs=1, extra_outputs=(),
               version=2, locktime=0, sequence=0xFFFFFFFD, witness=None):
        """Spends utxos (default: one mature coin) into num_outputs equal OP_TRUE outputs plus
        extra_outputs [(value, script)]; the fee is fee satoshis or fee_rate sat/vB."""
        if utxos is None:
            utxos = [self.get_utxo()]
        elif isinstance(utxos, Utxo):
            utxos = [utxos]
        witness = [OP_TRUE_SCRIPT] if witness is None else witness
        inputs = [(hex_to_hash(u.txid), u.vout, list(witness)) for u in utxos]
        outputs = [(0, OP_TRUE_P2WSH_SPK)] * num_outputs + list(extra_outputs)
        tx = Tx(inputs, outputs, locktime=locktime, version=version,
                sequences=[sequence] * len(utxos))
        if fee is None:
            fee = int((Decimal(fee_rate) * tx.vsize()).to_integral_value(rounding="ROUND_CEILING"))
        available = sum(u.value for u in utxos) - fee - sum(v for v, _ in extra_outputs)
        if num_outputs:
            each = available // num_outputs
            values = [each] * (num_outputs - 1) + [available - each * (num_outputs - 1)]
            tx.outputs = [(v, OP_TRUE_P2WSH_SPK) for v in values] + list(extra_outputs)
        return BuiltTx(tx, fee, utxos)

    def send(self, built, **kwargs):
        """sendrawtransaction; checks the node answers with the txid computed here."""
        txid = self.node.sendrawtransaction(built.hex, **kwargs)
        if txid != built.txid:
            raise AssertionError(f"sendrawtransaction returned {txid}, expected {built.txid}")
        return built

    def send_self_transfer(self, **kwargs):
        """create() then send()."""
        return self.send(self.create(**kwargs))

    def send_chain(self, utxo, length, fee_rate=10):
        """length transactions each spending the previous one's output."""
        chain = []
        for _ in range(length):
            built = self.send(self.create(utxos=utxo, fee_rate=fee_rate))
            chain.append(built)
            utxo = built.utxos[0]
        return chain

    def fill_mempool(self, outputs=2000, start_fee_rate=2, max_count=60, check=None):
        """Sends large transactions (outputs OP_TRUE outputs each, about 86 kvB at 2000) at
        feerates rising from start_fee_rate sat/vB by 0.1 until the pool evicted something,
        i.e. getmempoolinfo's mempoolminfee exceeds minrelaytxfee. check(info) runs after each.
        Needs one mature coin per transaction. Returns the transactions sent."""
        sent = []
        for i in range(max_count):
            fee_rate = Decimal(start_fee_rate) + Decimal(i) / 10
            sent.append(self.send(self.create(num_outputs=outputs, fee_rate=fee_rate)))
            info = self.node.getmempoolinfo()
            if check:
                check(info)
            if info["mempoolminfee"] > info["minrelaytxfee"]:
                return sent
        raise AssertionError(f"the pool did not fill with {max_count} transactions")
