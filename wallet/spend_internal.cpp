#include <wallet/spend_internal.h>

#include <common/key_io.h>
#include <common/solver.h>
#include <consensus/hash.h>
#include <consensus/serialize.h>

#include <algorithm>
#include <cstdio>
#include <map>
#include <set>

namespace wallet {

uint32_t AntiFeeSnipingLocktime(int height, bool randomize)
{
    std::random_device device;
    SelectionRng rng{(static_cast<uint64_t>(device()) << 32) ^ device()};
    return spend_internal::AntiFeeSnipingLocktimeWith(height, randomize, rng);
}

namespace spend_internal {

using consensus::Amount;
using consensus::Script;
using consensus::TxOut;

namespace {

int CompactSize(uint64_t n)
{
    return static_cast<int>(consensus::CompactSizeLen(n));
}

// Bytes a minimal push of `n` data bytes takes in a script.
int PushSize(size_t n)
{
    if (n < consensus::OP_PUSHDATA1) return 1 + static_cast<int>(n);
    if (n <= 0xff) return 2 + static_cast<int>(n);
    if (n <= 0xffff) return 3 + static_cast<int>(n);
    return 5 + static_cast<int>(n);
}

// Weight of an input whose unlocking data is all in a scriptSig of `script_sig_len` bytes.
InputWeight LegacyInput(int script_sig_len)
{
    // outpoint + sequence + scriptSig length + scriptSig; one empty-witness byte (Core counts it
    // per input as if the transaction were segwit; EstimateTxWeight takes it back otherwise).
    const int64_t base = 32 + 4 + 4 + CompactSize(script_sig_len) + script_sig_len;
    return InputWeight{base * consensus::WITNESS_SCALE_FACTOR + 1, false};
}

// Weight of a segwit input with `script_sig_len` bytes of scriptSig and these witness items.
InputWeight WitnessInput(int script_sig_len, const std::vector<int>& items)
{
    const int64_t base = 32 + 4 + 4 + CompactSize(script_sig_len) + script_sig_len;
    int64_t witness = CompactSize(items.size());
    for (int item : items)
        witness += CompactSize(item) + item;
    return InputWeight{base * consensus::WITNESS_SCALE_FACTOR + witness, true};
}

size_t PubKeySizeFor(const std::vector<uint8_t>& key_hash, const common::SigningProvider& provider)
{
    const auto it = provider.keys.find(consensus::Uint160{key_hash});
    // Without the key (a locked wallet) assume compressed, as every descriptor wallet key is.
    if (it == provider.keys.end()) return 33;
    return it->second.IsCompressed() ? 33 : 65;
}

// The stack items (sizes) that satisfy a legacy-style script inside P2SH or P2WSH, without the
// script itself; nullopt for scripts we cannot solve.
std::optional<std::vector<int>> InnerItems(const Script& script,
                                           const common::SigningProvider& provider)
{
    std::vector<std::vector<uint8_t>> sol;
    switch (common::Solver(script, sol)) {
    case common::TxoutType::PUBKEY:
        return std::vector<int>{ECDSA_SIG_MAX_SIZE};
    case common::TxoutType::PUBKEYHASH:
        return std::vector<int>{ECDSA_SIG_MAX_SIZE,
                                static_cast<int>(PubKeySizeFor(sol[0], provider))};
    case common::TxoutType::MULTISIG: {
        // The CHECKMULTISIG dummy, then m signatures.
        std::vector<int> items{0};
        for (int i = 0; i < sol.front()[0]; ++i)
            items.push_back(ECDSA_SIG_MAX_SIZE);
        return items;
    }
    default:
        return std::nullopt;
    }
}

int ScriptSigLen(const std::vector<int>& pushes)
{
    int len = 0;
    for (int item : pushes)
        len += item == 0 ? 1 : PushSize(static_cast<size_t>(item));
    return len;
}

std::optional<Script> FindWitnessScript(const std::vector<uint8_t>& program,
                                        const common::SigningProvider& provider)
{
    for (const auto& [id, script] : provider.scripts) {
        const auto hash = consensus::Sha256Hash(script.span());
        if (std::equal(hash.begin(), hash.end(), program.begin(), program.end())) return script;
    }
    return std::nullopt;
}

std::optional<InputWeight> WitnessScriptInput(const std::vector<uint8_t>& program,
                                              int script_sig_len,
                                              const common::SigningProvider& provider)
{
    const auto witness_script = FindWitnessScript(program, provider);
    if (!witness_script) return std::nullopt;
    auto items = InnerItems(*witness_script, provider);
    if (!items) return std::nullopt;
    items->push_back(static_cast<int>(witness_script->size()));
    return WitnessInput(script_sig_len, *items);
}

std::string ToHex(std::span<const uint8_t> bytes)
{
    static constexpr char DIGITS[] = "0123456789abcdef";
    std::string out;
    for (uint8_t b : bytes) {
        out.push_back(DIGITS[b >> 4]);
        out.push_back(DIGITS[b & 0xf]);
    }
    return out;
}

std::string InternalBug(const std::string& what)
{
    return "Internal bug detected: " + what;
}

// The output-type bucket coin selection keeps apart before it allows mixing.
int TypeBucket(const Script& script)
{
    std::vector<std::vector<uint8_t>> sol;
    return static_cast<int>(common::Solver(script, sol));
}

bool IsGenericSelectionError(const util::Error& error)
{
    return error.message == ERROR_INSUFFICIENT_FUNDS || error.message == ERROR_NO_SOLUTION;
}

// Core's SelectionResult ordering: less waste first, then more inputs.
bool BetterResult(const SelectionResult& a, const SelectionResult& b)
{
    const Amount wa = a.waste.value_or(0);
    const Amount wb = b.waste.value_or(0);
    if (wa != wb) return wa < wb;
    return a.inputs.size() > b.inputs.size();
}

struct EligibilityPass
{
    int conf_mine{0};
    int conf_theirs{0};
    bool allow_mixed{true};
};

// Runs selection per output type (and then mixed when allowed) on one pass's coins.
util::Expected<SelectionResult> AttemptSelection(const std::vector<SelectionCoin>& coins,
                                                 const std::vector<int>& buckets, Amount target,
                                                 const SelectionParams& params, bool allow_mixed,
                                                 SelectionRng& rng)
{
    std::map<int, std::vector<SelectionCoin>> by_type;
    for (size_t i = 0; i < coins.size(); ++i)
        by_type[buckets[i]].push_back(coins[i]);
    std::optional<SelectionResult> best;
    for (const auto& [type, group] : by_type) {
        auto result = ChooseSelectionResult(group, target, params, rng);
        if (!result) {
            if (!IsGenericSelectionError(result.error())) return result.error();
            continue;
        }
        if (!best || BetterResult(*result, *best)) best = std::move(*result);
    }
    if (best) return std::move(*best);
    if (allow_mixed && by_type.size() > 1) return ChooseSelectionResult(coins, target, params, rng);
    return util::Unexpected(ERROR_INSUFFICIENT_FUNDS);
}

void ApplyLocktime(consensus::MutableTransaction& tx, const std::optional<uint32_t>& locktime,
                   const std::optional<int>& anti_fee_sniping_height, SelectionRng& rng)
{
    if (locktime) {
        tx.locktime = *locktime;
    } else if (anti_fee_sniping_height) {
        tx.locktime = AntiFeeSnipingLocktimeWith(*anti_fee_sniping_height, true, rng);
    } else {
        // A lagging chain cannot discourage fee sniping; a constant avoids a fingerprint.
        tx.locktime = 0;
    }
}

std::string DescribeScript(const Script& script, const common::ChainParams* params)
{
    if (params) {
        if (auto dest = common::ExtractDestination(script)) {
            return common::EncodeDestination(*dest, *params);
        }
    }
    return ToHex(script.span());
}

} // namespace

std::string FormatMoney(Amount amount)
{
    const Amount abs = amount < 0 ? -amount : amount;
    char buf[64];
    std::snprintf(buf, sizeof(buf), "%lld.%08lld", static_cast<long long>(abs / consensus::COIN),
                  static_cast<long long>(abs % consensus::COIN));
    std::string str{buf};
    // Keep at least two decimals.
    while (str.size() > 2 && str.back() == '0' && str[str.size() - 3] != '.')
        str.pop_back();
    if (amount < 0) str.insert(str.begin(), '-');
    return str;
}

std::string FormatFeeRate(Amount per_kvb)
{
    char buf[64];
    std::snprintf(buf, sizeof(buf), "%lld.%03lld sat/vB", static_cast<long long>(per_kvb / 1000),
                  static_cast<long long>(per_kvb % 1000));
    return buf;
}

FeeChoice MinimumFeeRate(const FeeEnvironment& env, const CoinControl& control, bool& fallback_used)
{
    fallback_used = false;
    const auto& settings = env.settings;
    FeeChoice choice;
    if (control.fee_rate_per_kvb) {
        choice = {*control.fee_rate_per_kvb, FEE_REASON_PAYTXFEE};
    } else {
        const int target = control.conf_target.value_or(settings.confirm_target);
        // Economical estimates when the transaction can be replaced later, unless told otherwise.
        bool conservative = !control.signal_rbf.value_or(settings.signal_rbf);
        if (control.estimate_mode == "conservative") conservative = true;
        if (control.estimate_mode == "economical") conservative = false;
        std::optional<Amount> estimate;
        if (env.estimate)
            estimate = env.estimate(target, conservative ? "conservative" : "economical");
        if (estimate && *estimate > 0) {
            choice = {*estimate, FEE_REASON_ESTIMATE};
        } else {
            fallback_used = true;
            choice = {settings.fallback_fee_per_kvb, FEE_REASON_FALLBACK};
            if (settings.fallback_fee_per_kvb == 0) return choice;
        }
        if (choice.fee_rate_per_kvb < env.mempool_min_fee_per_kvb) {
            choice = {env.mempool_min_fee_per_kvb, FEE_REASON_MEMPOOL_MIN};
        }
    }
    const Amount required = std::max(settings.min_fee_per_kvb, settings.min_relay_fee_per_kvb);
    if (required > choice.fee_rate_per_kvb) choice = {required, FEE_REASON_REQUIRED};
    return choice;
}

util::Expected<FeeChoice> ChooseFeeRateFrom(const FeeEnvironment& env, const CoinControl& control)
{
    bool fallback_used = false;
    FeeChoice choice = MinimumFeeRate(env, control, fallback_used);
    if (control.fee_rate_per_kvb && choice.fee_rate_per_kvb > *control.fee_rate_per_kvb) {
        return util::Unexpected("Fee rate (" + FormatFeeRate(*control.fee_rate_per_kvb) +
                                ") is lower than the minimum fee rate setting (" +
                                FormatFeeRate(choice.fee_rate_per_kvb) + ")");
    }
    if (fallback_used && env.settings.fallback_fee_per_kvb == 0) {
        return util::Unexpected("Fee estimation failed. Fallbackfee is disabled. Wait a few blocks "
                                "or enable -fallbackfee.");
    }
    return choice;
}

int OutputSize(const TxOut& out)
{
    return 8 + CompactSize(out.script_pubkey.size()) + static_cast<int>(out.script_pubkey.size());
}

Amount DustThreshold(const TxOut& out, Amount dust_fee_per_kvb)
{
    if (out.script_pubkey.IsUnspendable()) return 0;
    int64_t size = OutputSize(out);
    int version = 0;
    std::vector<uint8_t> program;
    // The cheapest input that could spend it: 107 bytes of signature and key, discounted in a
    // witness.
    if (out.script_pubkey.IsWitnessProgram(version, program)) {
        size += 32 + 4 + 1 + 107 / consensus::WITNESS_SCALE_FACTOR + 4;
    } else {
        size += 32 + 4 + 1 + 107 + 4;
    }
    return FeeAtRate(dust_fee_per_kvb, size);
}

bool IsDust(const TxOut& out, Amount dust_fee_per_kvb)
{
    return out.value < DustThreshold(out, dust_fee_per_kvb);
}

std::optional<InputWeight> EstimateInputWeight(const Script& script_pubkey,
                                               const common::SigningProvider& provider)
{
    std::vector<std::vector<uint8_t>> sol;
    switch (common::Solver(script_pubkey, sol)) {
    case common::TxoutType::PUBKEY:
    case common::TxoutType::PUBKEYHASH:
    case common::TxoutType::MULTISIG: {
        const auto items = InnerItems(script_pubkey, provider);
        if (!items) return std::nullopt;
        return LegacyInput(ScriptSigLen(*items));
    }
    case common::TxoutType::WITNESS_V0_KEYHASH:
        return WitnessInput(0, {ECDSA_SIG_MAX_SIZE, 33});
    case common::TxoutType::WITNESS_V1_TAPROOT:
        // Key path (our tr() descriptors); a script path would be larger.
        return WitnessInput(0, {SCHNORR_SIG_SIZE});
    case common::TxoutType::WITNESS_V0_SCRIPTHASH:
        return WitnessScriptInput(sol[0], 0, provider);
    case common::TxoutType::SCRIPTHASH: {
        const auto it = provider.scripts.find(consensus::Uint160{sol[0]});
        if (it == provider.scripts.end()) return std::nullopt;
        const Script& redeem = it->second;
        const int redeem_push = PushSize(redeem.size());
        std::vector<std::vector<uint8_t>> inner;
        switch (common::Solver(redeem, inner)) {
        case common::TxoutType::WITNESS_V0_KEYHASH:
            return WitnessInput(redeem_push, {ECDSA_SIG_MAX_SIZE, 33});
        case common::TxoutType::WITNESS_V0_SCRIPTHASH:
            return WitnessScriptInput(inner[0], redeem_push, provider);
        default: {
            const auto items = InnerItems(redeem, provider);
            if (!items) return std::nullopt;
            return LegacyInput(ScriptSigLen(*items) + redeem_push);
        }
        }
    }
    default:
        return std::nullopt;
    }
}

int64_t WeightToVsize(int64_t weight)
{
    return (weight + consensus::WITNESS_SCALE_FACTOR - 1) / consensus::WITNESS_SCALE_FACTOR;
}

int InputVsize(const InputWeight& weight)
{
    return static_cast<int>(WeightToVsize(weight.weight));
}

int64_t EstimateTxWeight(const std::vector<TxOut>& outputs, const std::vector<InputWeight>& inputs)
{
    int64_t base = 4 + 4 + CompactSize(inputs.size()) + CompactSize(outputs.size());
    for (const auto& out : outputs)
        base += OutputSize(out);
    int64_t weight = base * consensus::WITNESS_SCALE_FACTOR;
    const bool segwit =
        std::any_of(inputs.begin(), inputs.end(), [](const InputWeight& in) { return in.segwit; });
    // Marker and flag; without any witness the per-input empty-stack byte does not exist.
    if (segwit) weight += 2;
    for (const auto& in : inputs)
        weight += in.weight - (segwit ? 0 : 1);
    return weight;
}

Script PrototypeScript(OutputType type)
{
    std::vector<uint8_t> bytes;
    switch (type) {
    case OutputType::LEGACY:
        bytes = {consensus::OP_DUP, consensus::OP_HASH160, 20};
        bytes.resize(23, 0);
        bytes.push_back(consensus::OP_EQUALVERIFY);
        bytes.push_back(consensus::OP_CHECKSIG);
        break;
    case OutputType::P2SH_SEGWIT:
        bytes = {consensus::OP_HASH160, 20};
        bytes.resize(22, 0);
        bytes.push_back(consensus::OP_EQUAL);
        break;
    case OutputType::BECH32:
        bytes = {consensus::OP_0, 20};
        bytes.resize(22, 0);
        break;
    case OutputType::BECH32M:
        bytes = {consensus::OP_1, 32};
        bytes.resize(34, 0);
        break;
    }
    return Script{std::move(bytes)};
}

int SpendVsizeForType(OutputType type)
{
    switch (type) {
    case OutputType::LEGACY:
        return InputVsize(LegacyInput(PushSize(ECDSA_SIG_MAX_SIZE) + PushSize(33)));
    case OutputType::P2SH_SEGWIT:
        return InputVsize(WitnessInput(PushSize(22), {ECDSA_SIG_MAX_SIZE, 33}));
    case OutputType::BECH32:
        return InputVsize(WitnessInput(0, {ECDSA_SIG_MAX_SIZE, 33}));
    case OutputType::BECH32M:
        return InputVsize(WitnessInput(0, {SCHNORR_SIG_SIZE}));
    }
    return DUMMY_NESTED_P2WPKH_INPUT_SIZE;
}

OutputType ChangeTypeFor(const std::optional<OutputType>& requested,
                         const std::vector<Recipient>& recipients,
                         const std::vector<OutputType>& internal_types)
{
    if (requested) return *requested;
    bool any_tr = false, any_wpkh = false, any_sh = false, any_pkh = false;
    for (const auto& recipient : recipients) {
        std::vector<std::vector<uint8_t>> sol;
        switch (common::Solver(recipient.script, sol)) {
        case common::TxoutType::WITNESS_V1_TAPROOT:
            any_tr = true;
            break;
        case common::TxoutType::WITNESS_V0_KEYHASH:
            any_wpkh = true;
            break;
        case common::TxoutType::SCRIPTHASH:
            any_sh = true;
            break;
        case common::TxoutType::PUBKEYHASH:
            any_pkh = true;
            break;
        default:
            break;
        }
    }
    const auto has = [&](OutputType type) {
        return std::find(internal_types.begin(), internal_types.end(), type) !=
               internal_types.end();
    };
    // Match a recipient's type so the change does not stand out, preferring the newest type.
    if (has(OutputType::BECH32M) && any_tr) return OutputType::BECH32M;
    if (has(OutputType::BECH32) && any_wpkh) return OutputType::BECH32;
    if (has(OutputType::P2SH_SEGWIT) && any_sh) return OutputType::P2SH_SEGWIT;
    if (has(OutputType::LEGACY) && any_pkh) return OutputType::LEGACY;
    if (has(OutputType::BECH32M)) return OutputType::BECH32M;
    if (has(OutputType::BECH32)) return OutputType::BECH32;
    return OutputType::BECH32; // the default address type
}

uint32_t AntiFeeSnipingLocktimeWith(int height, bool randomize, SelectionRng& rng)
{
    if (height < 0) return 0;
    int locktime = height;
    // Now and then step back, so transactions delayed after signing do not stand out.
    if (randomize && std::uniform_int_distribution<int>{0, 9}(rng) == 0) {
        locktime = std::max(0, locktime - std::uniform_int_distribution<int>{0, 99}(rng));
    }
    return static_cast<uint32_t>(locktime);
}

util::Expected<BuildResult> BuildTransaction(const BuildRequest& request, SelectionRng& rng)
{
    const auto& recipients = request.recipients;
    if (recipients.empty()) {
        return util::Unexpected("Transaction must have at least one recipient");
    }
    for (const auto& recipient : recipients) {
        if (recipient.amount < 0)
            return util::Unexpected("Transaction amounts must not be negative");
    }

    // Outputs and fixed overhead: version, lock time, input count and the segwit marker/flag.
    int tx_noinputs_size = 10 + CompactSize(recipients.size());
    Amount recipients_sum = 0;
    unsigned subtract_count = 0;
    for (const auto& recipient : recipients) {
        const TxOut out{recipient.amount, recipient.script};
        if (IsDust(out)) return util::Unexpected("Transaction amount too small");
        tx_noinputs_size += OutputSize(out);
        recipients_sum += recipient.amount;
        if (recipient.subtract_fee) ++subtract_count;
    }
    if (!consensus::MoneyRange(recipients_sum)) {
        return util::Unexpected("Transaction amounts must not be negative");
    }
    const bool sffo = subtract_count > 0;

    const Script change_prototype =
        request.change_script ? *request.change_script : PrototypeScript(request.change_type);
    const TxOut change_prototype_out{0, change_prototype};
    const Amount rate = request.fee_rate_per_kvb;
    SelectionParams params = MakeSelectionParams(
        rate, request.long_term_fee_rate_per_kvb, request.discard_fee_rate_per_kvb,
        OutputSize(change_prototype_out), request.change_spend_vsize, tx_noinputs_size,
        DustThreshold(change_prototype_out, request.discard_fee_rate_per_kvb),
        recipients_sum / static_cast<Amount>(recipients.size()), rng);
    params.subtract_fee_outputs = sffo;

    const Amount not_input_fees = FeeAtRate(rate, sffo ? 0 : tx_noinputs_size);
    const Amount selection_target = recipients_sum + not_input_fees;
    if (selection_target == 0 && request.preset.empty()) {
        return util::Unexpected("Transaction requires one destination of non-zero value, a "
                                "non-zero feerate, or a pre-selected input");
    }

    const auto to_selection = [&](const BuildCoin& coin) {
        return MakeSelectionCoin(coin.outpoint, coin.txout.value, InputVsize(coin.weight), rate,
                                 request.long_term_fee_rate_per_kvb, coin.depth);
    };

    std::vector<SelectionCoin> preset;
    std::set<consensus::OutPoint> preset_outpoints;
    Amount preset_total = 0;
    for (const auto& coin : request.preset) {
        if (!preset_outpoints.insert(coin.outpoint).second) continue;
        preset.push_back(to_selection(coin));
        preset_total += sffo ? preset.back().value : preset.back().effective_value;
    }

    SelectionResult result;
    const Amount remaining = selection_target - preset_total;
    if (!request.add_inputs && remaining > 0) {
        return util::Unexpected(
            "The preselected coins total amount does not cover the transaction target. Please "
            "allow other inputs to be automatically selected or include more coins manually");
    }
    if (remaining <= 0) {
        result.inputs = preset;
        result.target = selection_target;
        result.algorithm = SelectionAlgorithm::MANUAL;
        result.use_effective = !sffo;
    } else {
        std::vector<SelectionCoin> candidates;
        std::vector<const BuildCoin*> sources;
        Amount available_total = 0;
        for (const auto& coin : request.available) {
            if (preset_outpoints.count(coin.outpoint)) continue;
            candidates.push_back(to_selection(coin));
            sources.push_back(&coin);
            available_total += sffo ? candidates.back().value : candidates.back().effective_value;
        }
        if (remaining > available_total) return util::Unexpected(ERROR_INSUFFICIENT_FUNDS);

        // Core's eligibility passes, narrowest first: well-confirmed coins (and without mixing
        // output types), then confirmed, then our own unconfirmed change, then unsafe coins.
        std::vector<EligibilityPass> passes{{1, 6, false}, {1, 1, true}};
        if (request.spend_zeroconf_change) {
            passes.push_back({0, 1, true});
            if (request.include_unsafe) passes.push_back({0, 0, true});
        }
        std::optional<util::Error> detailed_error;
        std::optional<SelectionResult> found;
        for (const auto& pass : passes) {
            std::vector<SelectionCoin> eligible;
            std::vector<int> buckets;
            for (size_t i = 0; i < candidates.size(); ++i) {
                const int needed = sources[i]->from_me ? pass.conf_mine : pass.conf_theirs;
                if (sources[i]->depth < needed) continue;
                eligible.push_back(candidates[i]);
                buckets.push_back(TypeBucket(sources[i]->txout.script_pubkey));
            }
            if (eligible.empty()) continue;
            auto attempt =
                AttemptSelection(eligible, buckets, remaining, params, pass.allow_mixed, rng);
            if (attempt) {
                found = std::move(*attempt);
                break;
            }
            if (!IsGenericSelectionError(attempt.error()) && !detailed_error) {
                detailed_error = attempt.error();
            }
        }
        if (!found) {
            if (detailed_error) return *detailed_error;
            return util::Unexpected(ERROR_INSUFFICIENT_FUNDS);
        }
        result = std::move(*found);
        if (!preset.empty()) {
            result.inputs.insert(result.inputs.begin(), preset.begin(), preset.end());
            result.target = selection_target;
            result.RecalculateWaste(params.min_viable_change, params.cost_of_change,
                                    params.change_fee);
            const int max_inputs_weight =
                MAX_STANDARD_TX_WEIGHT - tx_noinputs_size * consensus::WITNESS_SCALE_FACTOR;
            if (result.Weight() > max_inputs_weight) {
                return util::Unexpected(
                    "The combination of the pre-selected inputs and the wallet automatic inputs "
                    "selection exceeds the transaction maximum weight. Please try sending a "
                    "smaller amount or manually consolidating your wallet's UTXOs");
            }
        }
    }

    BuildResult built;
    built.algorithm = result.algorithm;
    auto& tx = built.tx;
    tx.version = request.version;
    for (const auto& recipient : recipients)
        tx.vout.push_back(TxOut{recipient.amount, recipient.script});

    const Amount change_amount = result.GetChange(params.min_viable_change, params.change_fee);
    std::optional<unsigned> change_pos;
    if (change_amount > 0) {
        Script change_script;
        if (request.change_script) {
            change_script = *request.change_script;
        } else {
            auto made = request.new_change_script
                            ? request.new_change_script()
                            : util::Expected<Script>{util::Unexpected("no change descriptor")};
            if (!made) {
                return util::Unexpected(
                    "Transaction needs a change address, but we can't generate it. " +
                    made.error().message);
            }
            change_script = std::move(*made);
        }
        if (request.change_position) {
            if (*request.change_position < 0 ||
                static_cast<size_t>(*request.change_position) > tx.vout.size()) {
                return util::Unexpected("Transaction change output index out of range");
            }
            change_pos = static_cast<unsigned>(*request.change_position);
        } else {
            change_pos = static_cast<unsigned>(
                std::uniform_int_distribution<size_t>{0, tx.vout.size()}(rng));
        }
        tx.vout.insert(tx.vout.begin() + *change_pos, TxOut{change_amount, change_script});
    }

    // Inputs: preset ones first in the caller's order, the selected ones shuffled after them.
    std::map<consensus::OutPoint, const BuildCoin*> coin_by_outpoint;
    for (const auto& coin : request.available)
        coin_by_outpoint.emplace(coin.outpoint, &coin);
    for (const auto& coin : request.preset)
        coin_by_outpoint[coin.outpoint] = &coin;
    std::vector<SelectionCoin> chosen = result.inputs;
    const auto first_auto =
        std::stable_partition(chosen.begin(), chosen.end(), [&](const SelectionCoin& c) {
            return preset_outpoints.count(c.outpoint) > 0;
        });
    std::shuffle(first_auto, chosen.end(), rng);
    std::stable_sort(chosen.begin(), first_auto,
                     [&](const SelectionCoin& a, const SelectionCoin& b) {
                         const auto pos = [&](const consensus::OutPoint& op) {
                             for (size_t i = 0; i < request.preset.size(); ++i) {
                                 if (request.preset[i].outpoint == op) return i;
                             }
                             return request.preset.size();
                         };
                         return pos(a.outpoint) < pos(b.outpoint);
                     });

    const uint32_t sequence = request.signal_rbf ? MAX_BIP125_RBF_SEQUENCE : MAX_SEQUENCE_NONFINAL;
    std::vector<InputWeight> weights;
    Amount selected_value = 0;
    for (const auto& coin : chosen) {
        const BuildCoin* source = coin_by_outpoint.at(coin.outpoint);
        consensus::TxIn in;
        in.prevout = coin.outpoint;
        in.sequence = sequence;
        tx.vin.push_back(std::move(in));
        weights.push_back(source->weight);
        built.spent.push_back(source->txout);
        selected_value += source->txout.value;
    }
    ApplyLocktime(tx, request.locktime, request.anti_fee_sniping_height, rng);

    built.estimated_weight = EstimateTxWeight(tx.vout, weights);
    const Amount fee_needed = FeeAtRate(rate, WeightToVsize(built.estimated_weight));
    const auto output_value = [&] {
        Amount sum = 0;
        for (const auto& out : tx.vout)
            sum += out.value;
        return sum;
    };
    Amount current_fee = selected_value - output_value();
    if (current_fee < 0) return util::Unexpected(InternalBug("Fee paid < 0"));

    // Whatever the estimate leaves over goes back to the change.
    if (change_pos && fee_needed < current_fee) {
        tx.vout[*change_pos].value += current_fee - fee_needed;
        current_fee = selected_value - output_value();
    }

    if (sffo) {
        const Amount to_reduce = fee_needed - current_fee;
        size_t i = 0;
        bool first = true;
        for (const auto& recipient : recipients) {
            if (change_pos && i == *change_pos) ++i;
            TxOut& out = tx.vout[i];
            if (recipient.subtract_fee) {
                out.value -= to_reduce / static_cast<Amount>(subtract_count);
                // The first one also pays what does not divide evenly.
                if (first) {
                    first = false;
                    out.value -= to_reduce % static_cast<Amount>(subtract_count);
                }
                if (IsDust(out)) {
                    if (out.value < 0) {
                        return util::Unexpected(
                            "The transaction amount is too small to pay the fee");
                    }
                    return util::Unexpected("The transaction amount is too small to send after "
                                            "the fee has been deducted");
                }
            }
            ++i;
        }
        current_fee = selected_value - output_value();
        if (current_fee != fee_needed) {
            return util::Unexpected(InternalBug("SFFO: Fee needed != fee paid"));
        }
    }
    if (fee_needed > current_fee) return util::Unexpected(InternalBug("Fee needed > fee paid"));

    if (built.estimated_weight > MAX_STANDARD_TX_WEIGHT) {
        return util::Unexpected("Transaction too large");
    }
    if (current_fee > request.max_tx_fee) return util::Unexpected(ERROR_MAX_FEE_EXCEEDED);

    built.fee = current_fee;
    built.change_position = change_pos;
    return built;
}

util::Expected<BuildResult> BuildSendAll(const SendAllRequest& request, SelectionRng& rng)
{
    size_t without_amount = 0;
    for (const auto& recipient : request.recipients) {
        if (recipient.amount == 0) ++without_amount;
        if (recipient.amount < 0) return util::Unexpected("Amount out of range");
    }
    if (without_amount == 0) {
        return util::Unexpected("Must provide at least one address without a specified amount");
    }

    BuildResult built;
    auto& tx = built.tx;
    tx.version = request.version;
    const uint32_t sequence = request.signal_rbf ? MAX_BIP125_RBF_SEQUENCE : MAX_SEQUENCE_NONFINAL;
    std::vector<InputWeight> weights;
    Amount total_input = 0;
    for (const auto& coin : request.coins) {
        consensus::TxIn in;
        in.prevout = coin.outpoint;
        in.sequence = sequence;
        tx.vin.push_back(std::move(in));
        weights.push_back(coin.weight);
        built.spent.push_back(coin.txout);
        total_input += coin.txout.value;
    }
    for (const auto& recipient : request.recipients)
        tx.vout.push_back(TxOut{recipient.amount, recipient.script});

    built.estimated_weight = EstimateTxWeight(tx.vout, weights);
    const Amount fee = FeeAtRate(request.fee_rate_per_kvb, WeightToVsize(built.estimated_weight));
    const Amount effective_value = total_input - fee;
    if (fee > request.max_tx_fee) return util::Unexpected(ERROR_MAX_FEE_EXCEEDED);
    if (effective_value <= 0) {
        return util::Unexpected(
            "Total value of UTXO pool too low to pay for transaction. Try using lower feerate or "
            "excluding uneconomic UTXOs with 'send_max' option.");
    }
    if (built.estimated_weight > MAX_STANDARD_TX_WEIGHT) {
        return util::Unexpected("Transaction too large.");
    }
    Amount claimed = 0;
    for (const auto& out : tx.vout)
        claimed += out.value;
    if (claimed > total_input) {
        return util::Unexpected("Assigned more value to outputs than available funds.");
    }
    const Amount remainder = effective_value - claimed;
    if (remainder < 0) {
        return util::Unexpected("Insufficient funds for fees after creating specified outputs.");
    }
    const Amount share = remainder / static_cast<Amount>(without_amount);
    bool gave_odd = false;
    for (size_t i = 0; i < tx.vout.size(); ++i) {
        auto& out = tx.vout[i];
        if (request.recipients[i].amount == 0) {
            out.value = share;
            if (!gave_odd) {
                out.value += remainder % static_cast<Amount>(without_amount);
                gave_odd = true;
            }
            if (IsDust(out)) {
                return util::Unexpected("Dynamically assigned remainder results in dust output.");
            }
        } else if (IsDust(out)) {
            return util::Unexpected("Specified output amount to " +
                                    DescribeScript(out.script_pubkey, request.params) +
                                    " is below dust threshold.");
        }
    }
    ApplyLocktime(tx, request.locktime, request.anti_fee_sniping_height, rng);
    built.fee = fee;
    return built;
}

} // namespace spend_internal
} // namespace wallet
