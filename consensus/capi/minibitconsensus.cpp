// The C API boundary: validates arguments, decodes the transaction and runs
// the interpreter. Nothing may escape: every exception is caught here.
#include <minibitconsensus.h>

#include <consensus/script/interpreter.h>
#include <consensus/script/sighash.h>
#include <consensus/serialize.h>
#include <consensus/transaction.h>

#include <exception>
#include <span>
#include <vector>

namespace {

using namespace consensus;

int Fail(minibitconsensus_error* err, minibitconsensus_error code)
{
    if (err) *err = code;
    return 0;
}

// Unknown bits are rejected as in libbitcoinconsensus. Combinations the
// interpreter does not support (WITNESS without P2SH) made Core's library
// abort; here they are an argument error instead.
bool ValidFlags(unsigned int flags)
{
    if ((flags & ~static_cast<unsigned int>(minibitconsensus_SCRIPT_FLAGS_VERIFY_ALL)) != 0) {
        return false;
    }
    return IsValidFlagCombination(flags);
}

// A (pointer, length) pair from C is readable if it is not a NULL with a length.
bool Readable(const unsigned char* data, unsigned int len)
{
    return data != nullptr || len == 0;
}

std::span<const uint8_t> View(const unsigned char* data, unsigned int len)
{
    return len == 0 ? std::span<const uint8_t>{} : std::span<const uint8_t>{data, len};
}

// Shared body of the three entry points. spent_outputs empty means "not given".
int Verify(const unsigned char* script_pubkey, unsigned int script_pubkey_len, Amount amount,
           const unsigned char* tx_to, unsigned int tx_to_len, std::vector<TxOut> spent_outputs,
           unsigned int n_in, unsigned int flags, minibitconsensus_error* err)
{
    if (!ValidFlags(flags)) return Fail(err, minibitconsensus_ERR_INVALID_FLAGS);
    if ((flags & minibitconsensus_SCRIPT_FLAGS_VERIFY_TAPROOT) && spent_outputs.empty()) {
        return Fail(err, minibitconsensus_ERR_SPENT_OUTPUTS_REQUIRED);
    }
    if (!Readable(tx_to, tx_to_len) || !Readable(script_pubkey, script_pubkey_len)) {
        return Fail(err, minibitconsensus_ERR_TX_DESERIALIZE);
    }

    // Decode by hand rather than with DecodeTransaction: trailing bytes are a
    // size mismatch here, not a decoding failure, as in libbitcoinconsensus.
    MutableTransaction mtx;
    Reader reader{View(tx_to, tx_to_len)};
    try {
        mtx.Unserialize(reader);
    } catch (const std::exception&) {
        return Fail(err, minibitconsensus_ERR_TX_DESERIALIZE);
    }
    const Transaction tx{std::move(mtx)};

    if (!spent_outputs.empty() && spent_outputs.size() != tx.vin.size()) {
        return Fail(err, minibitconsensus_ERR_SPENT_OUTPUTS_MISMATCH);
    }
    if (n_in >= tx.vin.size()) return Fail(err, minibitconsensus_ERR_TX_INDEX);
    if (!reader.Empty()) return Fail(err, minibitconsensus_ERR_TX_SIZE_MISMATCH);

    // From here on the arguments were usable; the return value is the verdict.
    if (err) *err = minibitconsensus_ERR_OK;
    PrecomputedTxData txdata;
    txdata.Init(tx, std::move(spent_outputs));
    const TransactionSignatureChecker checker{&tx, n_in, amount, txdata};
    const TxIn& in = tx.vin[n_in];
    const Script spk{std::vector<uint8_t>(script_pubkey, script_pubkey + script_pubkey_len)};
    return VerifyScript(in.script_sig, spk, &in.witness, flags, checker, nullptr) ? 1 : 0;
}

// Runs `body`, turning any escaping exception (allocation failure) into an error.
template <class F>
int Guarded(minibitconsensus_error* err, F&& body)
{
    try {
        return body();
    } catch (...) {
        return Fail(err, minibitconsensus_ERR_TX_DESERIALIZE);
    }
}

} // namespace

extern "C" {

MINIBITCONSENSUS_API int minibitconsensus_verify_script_with_spent_outputs(
    const unsigned char* script_pubkey, unsigned int script_pubkey_len, int64_t amount,
    const unsigned char* tx_to, unsigned int tx_to_len, const minibitconsensus_utxo* spent_outputs,
    unsigned int spent_outputs_len, unsigned int n_in, unsigned int flags,
    minibitconsensus_error* err)
{
    return Guarded(err, [&] {
        if (!ValidFlags(flags)) return Fail(err, minibitconsensus_ERR_INVALID_FLAGS);
        if ((flags & minibitconsensus_SCRIPT_FLAGS_VERIFY_TAPROOT) && spent_outputs == nullptr) {
            return Fail(err, minibitconsensus_ERR_SPENT_OUTPUTS_REQUIRED);
        }
        std::vector<TxOut> outputs;
        if (spent_outputs != nullptr) {
            outputs.reserve(spent_outputs_len);
            for (unsigned int i = 0; i < spent_outputs_len; ++i) {
                const minibitconsensus_utxo& u = spent_outputs[i];
                if (!Readable(u.script_pubkey, u.script_pubkey_size)) {
                    return Fail(err, minibitconsensus_ERR_TX_DESERIALIZE);
                }
                const auto bytes = View(u.script_pubkey, u.script_pubkey_size);
                outputs.push_back(TxOut{u.value, Script{{bytes.begin(), bytes.end()}}});
            }
        }
        // An empty array counts as "not given", as in libbitcoinconsensus.
        return Verify(script_pubkey, script_pubkey_len, amount, tx_to, tx_to_len,
                      std::move(outputs), n_in, flags, err);
    });
}

MINIBITCONSENSUS_API int minibitconsensus_verify_script_with_amount(
    const unsigned char* script_pubkey, unsigned int script_pubkey_len, int64_t amount,
    const unsigned char* tx_to, unsigned int tx_to_len, unsigned int n_in, unsigned int flags,
    minibitconsensus_error* err)
{
    return Guarded(err, [&] {
        return Verify(script_pubkey, script_pubkey_len, amount, tx_to, tx_to_len, {}, n_in, flags,
                      err);
    });
}

MINIBITCONSENSUS_API int
minibitconsensus_verify_script(const unsigned char* script_pubkey, unsigned int script_pubkey_len,
                               const unsigned char* tx_to, unsigned int tx_to_len,
                               unsigned int n_in, unsigned int flags, minibitconsensus_error* err)
{
    if (flags & minibitconsensus_SCRIPT_FLAGS_VERIFY_WITNESS) {
        return Fail(err, minibitconsensus_ERR_AMOUNT_REQUIRED);
    }
    return Guarded(err, [&] {
        return Verify(script_pubkey, script_pubkey_len, 0, tx_to, tx_to_len, {}, n_in, flags, err);
    });
}

MINIBITCONSENSUS_API unsigned int minibitconsensus_version(void)
{
    return MINIBITCONSENSUS_API_VER;
}

} // extern "C"
