#include <wallet/spend.h>

#include <consensus/script/sighash.h>
#include <wallet/spend_internal.h>
#include <wallet/wallet.h>

#include <algorithm>
#include <chrono>
#include <map>
#include <random>
#include <set>

namespace wallet {

using consensus::Amount;
using consensus::Script;

namespace spend_internal {

FeeEnvironment FeeEnvironmentOf(const Wallet& wallet)
{
    FeeEnvironment env;
    env.settings = wallet.Settings();
    interfaces::Chain& chain = wallet.Chain();
    env.estimate = [&chain](int target, const std::string& mode) -> std::optional<Amount> {
        return chain.EstimateSmartFee(target, mode).feerate_per_kvb;
    };
    env.mempool_min_fee_per_kvb = chain.GetMempoolInfo().min_fee_per_kvb;
    return env;
}

std::optional<InputWeight> EstimateWalletInputWeight(const Wallet& wallet, const Script& script)
{
    common::SigningProvider provider;
    wallet.FillSigningProvider(script, provider);
    return EstimateInputWeight(script, provider);
}

std::optional<int> AntiFeeSnipingHeight(const Wallet& wallet)
{
    const BestBlock last = wallet.LastBlock();
    if (last.height < 0) return std::nullopt;
    const interfaces::TipSnapshot tip = wallet.Chain().Tip();
    if (tip.initial_block_download) return std::nullopt;
    int64_t block_time = 0;
    if (last.hash == tip.hash) {
        block_time = tip.time;
    } else if (auto info = wallet.Chain().GetBlockInfo(last.hash)) {
        block_time = info->header.time;
    } else {
        return std::nullopt;
    }
    const int64_t now = std::chrono::duration_cast<std::chrono::seconds>(
                            std::chrono::system_clock::now().time_since_epoch())
                            .count();
    if (block_time < now - MAX_ANTI_FEE_SNIPING_TIP_AGE) return std::nullopt;
    return last.height;
}

SelectionRng SeededRng()
{
    std::random_device device;
    std::seed_seq seed{device(), device(), device(), device()};
    return SelectionRng{seed};
}

} // namespace spend_internal

namespace {

using namespace spend_internal;

constexpr const char* ERROR_LOCKED =
    "Error: Please enter the wallet passphrase with walletpassphrase first.";

// Weights per script, so a wallet with many coins on one address asks for its keys once.
class WeightCache
{
public:
    explicit WeightCache(const Wallet& wallet) : m_wallet{wallet} {}

    std::optional<InputWeight> Get(const Script& script)
    {
        auto it = m_cache.find(script.bytes());
        if (it == m_cache.end()) {
            it = m_cache.emplace(script.bytes(), EstimateWalletInputWeight(m_wallet, script)).first;
        }
        return it->second;
    }

private:
    const Wallet& m_wallet;
    // Keyed by bytes with a plain-loop order (gcc 12 misreports memcmp bounds otherwise).
    std::map<std::vector<uint8_t>, std::optional<InputWeight>, common::ShorterBytesFirst> m_cache;
};

// The output types of the wallet's active change descriptors.
std::vector<OutputType> InternalTypes(const Wallet& wallet)
{
    std::vector<OutputType> types;
    auto descriptors = wallet.ListDescriptors(false);
    if (!descriptors) return types;
    for (const auto& info : *descriptors) {
        if (!info.active || !info.internal.value_or(false)) continue;
        const std::string& d = info.desc;
        if (d.rfind("tr(", 0) == 0) {
            types.push_back(OutputType::BECH32M);
        } else if (d.rfind("wpkh(", 0) == 0) {
            types.push_back(OutputType::BECH32);
        } else if (d.rfind("sh(wpkh(", 0) == 0) {
            types.push_back(OutputType::P2SH_SEGWIT);
        } else if (d.rfind("pkh(", 0) == 0) {
            types.push_back(OutputType::LEGACY);
        }
    }
    return types;
}

std::vector<WalletCoin> SpendableCoins(const Wallet& wallet, const CoinControl& control)
{
    CoinFilter filter;
    filter.min_depth = control.min_depth;
    filter.max_depth = control.max_depth;
    filter.include_unsafe = control.include_unsafe;
    filter.only_spendable = true;
    auto coins = wallet.AvailableCoins(filter);
    if (control.avoid_reuse && wallet.HasFlag(WALLET_FLAG_AVOID_REUSE)) {
        std::erase_if(coins, [](const WalletCoin& coin) { return coin.reused; });
    }
    return coins;
}

// A wallet coin for the builder; the wallet's own vsize stands in when we cannot solve it.
std::optional<BuildCoin> ToBuildCoin(const WalletCoin& coin, WeightCache& weights)
{
    BuildCoin out{coin.outpoint, coin.txout, coin.depth, coin.from_me, {}};
    if (auto weight = weights.Get(coin.txout.script_pubkey)) {
        out.weight = *weight;
    } else if (coin.input_vsize >= 0) {
        out.weight = InputWeight{static_cast<int64_t>(coin.input_vsize) * 4, true};
    } else {
        return std::nullopt;
    }
    return out;
}

// Signs every input; false when any stays incomplete.
bool SignAll(const Wallet& wallet, consensus::MutableTransaction& tx,
             const std::vector<consensus::TxOut>& spent)
{
    std::map<consensus::OutPoint, consensus::TxOut> coins;
    for (size_t i = 0; i < tx.vin.size() && i < spent.size(); ++i)
        coins.emplace(tx.vin[i].prevout, spent[i]);
    auto result = wallet.SignTransaction(tx, coins, consensus::SIGHASH_DEFAULT);
    return result && result->empty();
}

// Signs (when asked) and applies the limits that need the signed transaction.
util::Expected<CreatedTransaction> Finish(const Wallet& wallet, BuildResult built,
                                          const FeeChoice& fee_choice, bool sign)
{
    CreatedTransaction created;
    if (sign) {
        if (!SignAll(wallet, built.tx, built.spent)) {
            return util::Unexpected("Signing transaction failed");
        }
        const consensus::Transaction signed_tx{built.tx};
        if (signed_tx.GetWeight() > static_cast<size_t>(MAX_STANDARD_TX_WEIGHT)) {
            return util::Unexpected("Transaction too large");
        }
        created.complete = true;
    }
    created.tx = std::move(built.tx);
    created.fee = built.fee;
    created.change_position = built.change_position;
    created.fee_choice = fee_choice;
    return created;
}

} // namespace

util::Expected<FeeChoice> ChooseFeeRate(const Wallet& wallet, const CoinControl& control)
{
    return ChooseFeeRateFrom(FeeEnvironmentOf(wallet), control);
}

util::Expected<CreatedTransaction> CreateTransaction(Wallet& wallet,
                                                     const std::vector<Recipient>& recipients,
                                                     const CoinControl& control)
{
    if (recipients.empty()) {
        return util::Unexpected("Transaction must have at least one recipient");
    }
    for (const auto& recipient : recipients) {
        if (recipient.amount < 0)
            return util::Unexpected("Transaction amounts must not be negative");
    }
    if (control.sign && wallet.IsLocked()) return util::Unexpected(ERROR_LOCKED);

    auto fee_choice = ChooseFeeRate(wallet, control);
    if (!fee_choice) return fee_choice.error();

    const WalletSettings& settings = wallet.Settings();
    WeightCache weights{wallet};
    BuildRequest request;
    request.recipients = recipients;
    request.add_inputs = control.add_inputs;
    request.fee_rate_per_kvb = fee_choice->fee_rate_per_kvb;
    request.long_term_fee_rate_per_kvb = settings.consolidate_fee_per_kvb;
    request.discard_fee_rate_per_kvb = settings.discard_fee_per_kvb;
    request.max_tx_fee = settings.max_tx_fee;
    request.spend_zeroconf_change = settings.spend_zeroconf_change;
    request.include_unsafe = control.include_unsafe;
    request.signal_rbf = control.signal_rbf.value_or(settings.signal_rbf);
    request.locktime = control.locktime;
    request.change_position = control.change_position;
    if (!control.locktime) request.anti_fee_sniping_height = AntiFeeSnipingHeight(wallet);

    for (const auto& outpoint : control.inputs) {
        const auto txout = wallet.GetWalletOutput(outpoint);
        if (!txout) return util::Unexpected("Not found pre-selected input " + outpoint.ToString());
        const auto weight = weights.Get(txout->script_pubkey);
        if (!weight) {
            return util::Unexpected("Not solvable pre-selected input " + outpoint.ToString());
        }
        request.preset.push_back(BuildCoin{outpoint, *txout, 0, true, *weight});
    }
    if (control.add_inputs) {
        for (const auto& coin : SpendableCoins(wallet, control)) {
            if (auto built = ToBuildCoin(coin, weights)) request.available.push_back(*built);
        }
    }

    if (control.change_script) {
        request.change_script = *control.change_script;
        const auto weight = weights.Get(*control.change_script);
        request.change_spend_vsize = weight ? InputVsize(*weight) : DUMMY_NESTED_P2WPKH_INPUT_SIZE;
    } else {
        const OutputType type =
            ChangeTypeFor(control.change_type, recipients, InternalTypes(wallet));
        request.change_type = type;
        request.change_spend_vsize = SpendVsizeForType(type);
        // Only drawn when change is made, so change-less spends use no change index.
        request.new_change_script = [&wallet, type] { return wallet.GetNewChangeScript(type); };
    }

    SelectionRng rng = SeededRng();
    auto built = BuildTransaction(request, rng);
    if (!built) return built.error();
    return Finish(wallet, std::move(*built), *fee_choice, control.sign);
}

util::Expected<CreatedTransaction>
CreateSendAll(Wallet& wallet, const std::vector<Recipient>& recipients, const CoinControl& control)
{
    const bool any_without_amount = std::any_of(recipients.begin(), recipients.end(),
                                                [](const Recipient& r) { return r.amount == 0; });
    if (!any_without_amount) {
        return util::Unexpected("Must provide at least one address without a specified amount");
    }
    if (control.sign && wallet.IsLocked()) return util::Unexpected(ERROR_LOCKED);

    auto fee_choice = ChooseFeeRate(wallet, control);
    if (!fee_choice) return fee_choice.error();

    const WalletSettings& settings = wallet.Settings();
    WeightCache weights{wallet};
    SendAllRequest request;
    request.recipients = recipients;
    request.fee_rate_per_kvb = fee_choice->fee_rate_per_kvb;
    request.max_tx_fee = settings.max_tx_fee;
    request.signal_rbf = control.signal_rbf.value_or(settings.signal_rbf);
    request.locktime = control.locktime;
    if (!control.locktime) request.anti_fee_sniping_height = AntiFeeSnipingHeight(wallet);
    request.params = &wallet.Chain().Params();

    constexpr const char* UNSOLVABLE =
        "Unable to determine the size of the transaction, the wallet contains unsolvable "
        "descriptors";
    if (!control.inputs.empty()) {
        for (const auto& outpoint : control.inputs) {
            if (wallet.IsSpent(outpoint)) {
                return util::Unexpected("Input not available. UTXO (" + outpoint.ToString() +
                                        ") was already spent.");
            }
            const auto txout = wallet.GetWalletOutput(outpoint);
            if (!txout || !wallet.IsMine(txout->script_pubkey)) {
                return util::Unexpected("Input not found. UTXO (" + outpoint.ToString() +
                                        ") is not part of wallet.");
            }
            const auto weight = weights.Get(txout->script_pubkey);
            if (!weight) return util::Unexpected(UNSOLVABLE);
            request.coins.push_back(BuildCoin{outpoint, *txout, 0, true, *weight});
        }
    } else {
        for (const auto& coin : SpendableCoins(wallet, control)) {
            auto built = ToBuildCoin(coin, weights);
            if (!built) return util::Unexpected(UNSOLVABLE);
            request.coins.push_back(*built);
        }
    }

    SelectionRng rng = SeededRng();
    auto built = BuildSendAll(request, rng);
    if (!built) return built.error();
    return Finish(wallet, std::move(*built), *fee_choice, control.sign);
}

} // namespace wallet
