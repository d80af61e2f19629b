// Wallet transactions: recording them from blocks and the mempool (conflicts,
// used scripts), what the wallet derives from them (depth, trust, amounts,
// RBF), balances and spendable coins, committing and abandoning.
#include <wallet/wallet.h>

#include <common/key_io.h>
#include <common/solver.h>
#include <consensus/consensus_constants.h>
#include <util/logging.h>
#include <wallet/wallet_state.h>

#include <algorithm>
#include <chrono>

namespace wallet {

using consensus::Amount;
using consensus::OutPoint;
using consensus::Script;
using consensus::Uint256;

namespace detail {

int64_t NowSeconds()
{
    return std::chrono::duration_cast<std::chrono::seconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

util::Expected<void> CommitIfAny(WalletState& s, const WalletBatch& batch)
{
    if (batch.Empty()) return {};
    return s.db->Commit(batch);
}

const DescriptorSpkm* FindSpkm(const WalletState& s, const Script& script, int32_t* index)
{
    for (const auto& [id, spkm] : s.spkms) {
        if (const auto i = spkm->IndexOf(script)) {
            if (index != nullptr) *index = *i;
            return spkm.get();
        }
    }
    return nullptr;
}

bool IsChangeScript(const WalletState& s, const Script& script)
{
    for (const auto& [key, id] : s.active) {
        if (!key.second) continue;
        const auto it = s.spkms.find(id);
        if (it != s.spkms.end() && it->second->IndexOf(script)) return true;
    }
    return false;
}

int Depth(const WalletState& s, const WalletTx& wtx)
{
    switch (wtx.state.kind) {
    case TxState::Kind::CONFIRMED:
        return std::max(1, s.best.height - wtx.state.block_height + 1);
    case TxState::Kind::BLOCK_CONFLICTED:
        return -std::max(1, s.best.height - wtx.state.block_height + 1);
    default:
        return 0;
    }
}

int BlocksToMaturity(const WalletState& s, const WalletTx& wtx)
{
    if (!wtx.tx->IsCoinBase()) return 0;
    // Core: a coinbase is spendable once COINBASE_MATURITY blocks are built on top of it.
    return std::max(0, (consensus::COINBASE_MATURITY + 1) - Depth(s, wtx));
}

const consensus::TxOut* FindOutput(const WalletState& s, const OutPoint& outpoint)
{
    const auto it = s.txs.find(outpoint.hash);
    if (it == s.txs.end() || outpoint.n >= it->second.tx->vout.size()) return nullptr;
    return &it->second.tx->vout[outpoint.n];
}

Amount Debit(const WalletState& s, const consensus::Transaction& tx)
{
    if (tx.IsCoinBase()) return 0;
    Amount debit = 0;
    for (const auto& in : tx.vin) {
        const consensus::TxOut* out = FindOutput(s, in.prevout);
        if (out != nullptr && FindSpkm(s, out->script_pubkey) != nullptr) debit += out->value;
    }
    return debit;
}

bool IsSpent(const WalletState& s, const OutPoint& outpoint)
{
    const auto range = s.spends.equal_range(outpoint);
    for (auto it = range.first; it != range.second; ++it) {
        const auto tx = s.txs.find(it->second);
        if (tx == s.txs.end()) continue;
        if (!tx->second.state.abandoned &&
            tx->second.state.kind != TxState::Kind::BLOCK_CONFLICTED) {
            return true;
        }
    }
    return false;
}

namespace {
bool IsTrustedRec(const WalletState& s, const WalletTx& wtx, std::set<Uint256>& seen)
{
    const int depth = Depth(s, wtx);
    if (depth >= 1) return true;
    if (depth < 0) return false;
    if (wtx.state.kind != TxState::Kind::MEMPOOL) return false;
    if (Debit(s, *wtx.tx) <= 0) return false; // only our own unconfirmed txs are trusted
    for (const auto& in : wtx.tx->vin) {
        const auto parent = s.txs.find(in.prevout.hash);
        if (parent == s.txs.end()) return false;
        if (in.prevout.n >= parent->second.tx->vout.size()) return false;
        if (FindSpkm(s, parent->second.tx->vout[in.prevout.n].script_pubkey) == nullptr) {
            return false;
        }
        if (seen.contains(in.prevout.hash)) continue;
        seen.insert(in.prevout.hash);
        if (!IsTrustedRec(s, parent->second, seen)) return false;
    }
    return true;
}
} // namespace

bool IsTrusted(const WalletState& s, const WalletTx& wtx)
{
    std::set<Uint256> seen{wtx.Txid()};
    return IsTrustedRec(s, wtx, seen);
}

ScriptSet SpentScripts(const WalletState& s)
{
    ScriptSet used;
    for (const auto& [txid, wtx] : s.txs) {
        if (wtx.state.abandoned || wtx.state.kind == TxState::Kind::BLOCK_CONFLICTED) continue;
        if (wtx.tx->IsCoinBase()) continue;
        for (const auto& in : wtx.tx->vin) {
            const consensus::TxOut* out = FindOutput(s, in.prevout);
            if (out != nullptr && FindSpkm(s, out->script_pubkey) != nullptr) {
                used.insert(out->script_pubkey.bytes());
            }
        }
    }
    return used;
}

void AddSpends(WalletState& s, const WalletTx& wtx)
{
    if (wtx.tx->IsCoinBase()) return;
    for (const auto& in : wtx.tx->vin)
        s.spends.emplace(in.prevout, wtx.Txid());
}

namespace {
// Core's MarkConflicted: `txid` and its wallet descendants conflict with a block at `height`.
void MarkConflicted(WalletState& s, WalletBatch& batch, const Uint256& txid,
                    const Uint256& block_hash, int height)
{
    const int conflict_depth = -std::max(1, s.best.height - height + 1);
    RecursiveUpdate(s, batch, txid, [&](WalletTx& wtx) {
        if (conflict_depth >= Depth(s, wtx)) return false;
        TxState state;
        state.kind = TxState::Kind::BLOCK_CONFLICTED;
        state.block_hash = block_hash;
        state.block_height = height;
        wtx.state = state;
        return true;
    });
}
} // namespace

bool SyncTransaction(WalletState& s, WalletBatch& batch, uint32_t keypool,
                     const consensus::TransactionRef& tx, const TxState& state, bool update,
                     int64_t block_time)
{
    const Uint256& txid = tx->GetHash();
    bool wrote = false;
    if (state.kind == TxState::Kind::CONFIRMED && !tx->IsCoinBase()) {
        for (const auto& in : tx->vin) {
            const auto range = s.spends.equal_range(in.prevout);
            std::vector<Uint256> others;
            for (auto it = range.first; it != range.second; ++it) {
                if (it->second != txid) others.push_back(it->second);
            }
            for (const Uint256& other : others) {
                MarkConflicted(s, batch, other, state.block_hash, state.block_height);
                wrote = true;
            }
        }
    }
    auto it = s.txs.find(txid);
    const bool existed = it != s.txs.end();
    if (existed && !update) return wrote;
    if (!existed) {
        bool mine = Debit(s, *tx) > 0;
        for (const auto& out : tx->vout) {
            if (mine) break;
            mine = FindSpkm(s, out.script_pubkey) != nullptr;
        }
        if (!mine) return wrote;
    }
    // Scripts that receive move their descriptor's next index past them (Core's MarkUsed).
    for (const auto& out : tx->vout) {
        for (const auto& [id, spkm] : s.spkms) {
            if (spkm->MarkUsed(out.script_pubkey, keypool)) {
                batch.WriteDescriptor(id, spkm->Record());
                wrote = true;
            }
        }
    }
    if (!existed) {
        WalletTx wtx;
        wtx.tx = tx;
        wtx.state = state;
        wtx.time_received = NowSeconds();
        wtx.time_smart = wtx.time_received;
        if (state.kind == TxState::Kind::CONFIRMED && block_time > 0) {
            wtx.time_smart = std::min(wtx.time_received, block_time);
        }
        wtx.order_pos = s.order_pos_next++;
        batch.WriteOrderPosNext(s.order_pos_next);
        batch.WriteTx(wtx);
        AddSpends(s, wtx);
        s.txs.emplace(txid, std::move(wtx));
        return true;
    }
    if (it->second.state != state) {
        it->second.state = state;
        batch.WriteTx(it->second);
        wrote = true;
    }
    return wrote;
}

void ScanBlock(WalletState& s, WalletBatch& batch, uint32_t keypool, const consensus::Block& block,
               const Uint256& hash, int height, int64_t time)
{
    for (size_t i = 0; i < block.vtx.size(); ++i) {
        TxState state;
        state.kind = TxState::Kind::CONFIRMED;
        state.block_hash = hash;
        state.block_height = height;
        state.index_in_block = static_cast<int>(i);
        SyncTransaction(s, batch, keypool, block.vtx[i], state, true, time);
    }
}

} // namespace detail

namespace {

using detail::FindSpkm;

// Virtual size of the input spending `script`, from its template (Core's MaxInputWeight on the
// inferred descriptor, assuming low-R signatures when we can grind and a segwit transaction).
int InputVsize(const WalletState& s, const Script& script, const DescriptorSpkm& spkm)
{
    const int sig = spkm.HasPrivate() || spkm.Record().has_private ? 71 : 72;
    std::vector<std::vector<uint8_t>> solutions;
    const common::TxoutType type = common::Solver(script, solutions);
    int64_t weight = -1;
    const int64_t outpoint_sequence = 32 + 4 + 4;
    switch (type) {
    case common::TxoutType::PUBKEYHASH: {
        const int64_t sat = 1 + sig + 1 + 33;
        weight = (outpoint_sequence + 1 + sat) * 4 + 1;
        break;
    }
    case common::TxoutType::PUBKEY: {
        const int64_t sat = 1 + sig;
        weight = (outpoint_sequence + 1 + sat) * 4 + 1;
        break;
    }
    case common::TxoutType::WITNESS_V0_KEYHASH:
        weight = (outpoint_sequence + 1) * 4 + 1 + (1 + sig + 1 + 33);
        break;
    case common::TxoutType::WITNESS_V1_TAPROOT:
        // Key path: one 64-byte signature, 65 with a non-default hash type (Core counts 65).
        weight = (outpoint_sequence + 1) * 4 + 1 + (1 + 65);
        break;
    case common::TxoutType::SCRIPTHASH:
        if (spkm.Public().GetOutputType() == common::DescriptorOutputType::P2SH_SEGWIT &&
            spkm.Public().IsSingleType()) {
            // scriptSig pushes the 22-byte P2WPKH program.
            weight = (outpoint_sequence + 1 + 23) * 4 + 1 + (1 + sig + 1 + 33);
        }
        break;
    default:
        break;
    }
    (void)s;
    if (weight < 0) return -1;
    return static_cast<int>((weight + 3) / 4);
}

} // namespace

std::optional<TxView> Wallet::GetTransaction(const Uint256& txid) const
{
    std::lock_guard lock(m_mutex);
    const WalletState& s = *m_state;
    const auto it = s.txs.find(txid);
    if (it == s.txs.end()) return std::nullopt;
    const WalletTx& wtx = it->second;
    TxView view;
    view.wtx = wtx;
    view.confirmations = detail::Depth(s, wtx);
    view.trusted = detail::IsTrusted(s, wtx);
    view.in_mempool = wtx.state.kind == TxState::Kind::MEMPOOL;
    view.coinbase = wtx.tx->IsCoinBase();
    view.blocks_to_maturity = detail::BlocksToMaturity(s, wtx);
    if (wtx.state.kind == TxState::Kind::CONFIRMED) {
        if (const auto info = m_chain.GetBlockInfo(wtx.state.block_hash)) {
            view.block_time = info->header.time;
        }
    }
    view.debit = detail::Debit(s, *wtx.tx);
    bool all_inputs_ours = !wtx.tx->IsCoinBase();
    if (all_inputs_ours) {
        for (const auto& in : wtx.tx->vin) {
            const consensus::TxOut* out = detail::FindOutput(s, in.prevout);
            if (out == nullptr || FindSpkm(s, out->script_pubkey) == nullptr) {
                all_inputs_ours = false;
                break;
            }
        }
    }
    for (const auto& out : wtx.tx->vout) {
        OutputView ov;
        ov.mine = FindSpkm(s, out.script_pubkey) != nullptr;
        ov.change = ov.mine && detail::IsChangeScript(s, out.script_pubkey);
        if (const auto dest = common::ExtractDestination(out.script_pubkey);
            dest && common::IsValidDestination(*dest)) {
            ov.address = common::EncodeDestination(*dest, *s.params);
            const auto entry = s.address_book.find(*ov.address);
            if (entry != s.address_book.end()) ov.label = entry->second.label;
        }
        if (ov.mine) view.credit += out.value;
        if (ov.change) view.change += out.value;
        view.outputs.push_back(std::move(ov));
    }
    if (all_inputs_ours) view.fee = view.debit - wtx.tx->GetValueOut();
    if (!wtx.tx->IsCoinBase()) {
        std::set<Uint256> conflicts;
        for (const auto& in : wtx.tx->vin) {
            const auto range = s.spends.equal_range(in.prevout);
            for (auto r = range.first; r != range.second; ++r) {
                if (r->second != txid) conflicts.insert(r->second);
            }
        }
        view.conflicts.assign(conflicts.begin(), conflicts.end());
    }
    // Core's RBF status: confirmed txs are final; otherwise the tx's own signal, else what the
    // mempool knows of its ancestors, else unknown.
    view.bip125_replaceable = "no";
    if (view.confirmations <= 0) {
        bool signals = false;
        for (const auto& in : wtx.tx->vin)
            signals = signals || in.sequence < 0xfffffffe;
        if (signals) {
            view.bip125_replaceable = "yes";
        } else if (const auto entry = m_chain.GetMempoolEntry(txid)) {
            view.bip125_replaceable = entry->bip125_replaceable ? "yes" : "no";
        } else {
            view.bip125_replaceable = "unknown";
        }
    }
    return view;
}

std::vector<TxView> Wallet::ListTransactions() const
{
    std::vector<std::pair<int64_t, Uint256>> order;
    {
        std::lock_guard lock(m_mutex);
        for (const auto& [txid, wtx] : m_state->txs)
            order.emplace_back(wtx.order_pos, txid);
    }
    std::sort(order.begin(), order.end());
    std::vector<TxView> out;
    for (const auto& [pos, txid] : order) {
        if (auto view = GetTransaction(txid)) out.push_back(std::move(*view));
    }
    return out;
}

Balances Wallet::GetBalances(int min_depth, bool avoid_reuse) const
{
    std::lock_guard lock(m_mutex);
    const WalletState& s = *m_state;
    const bool reuse_flag = (s.flags & WALLET_FLAG_AVOID_REUSE) != 0;
    const detail::ScriptSet used = reuse_flag ? detail::SpentScripts(s) : detail::ScriptSet{};
    // Core's GetBalance, once with used outputs left out (when asked) and once with them.
    const auto compute = [&](bool skip_used) {
        Balances b;
        for (const auto& [txid, wtx] : s.txs) {
            const bool trusted = detail::IsTrusted(s, wtx);
            const int depth = detail::Depth(s, wtx);
            const bool immature = detail::BlocksToMaturity(s, wtx) > 0;
            Amount available = 0;
            Amount credit = 0;
            for (uint32_t i = 0; i < wtx.tx->vout.size(); ++i) {
                const auto& out = wtx.tx->vout[i];
                if (FindSpkm(s, out.script_pubkey) == nullptr) continue;
                credit += out.value;
                if (immature) continue;
                if (detail::IsSpent(s, OutPoint{txid, i})) continue;
                if (skip_used && used.contains(out.script_pubkey.bytes())) continue;
                available += out.value;
            }
            if (trusted && depth >= min_depth) b.trusted += available;
            if (!trusted && depth == 0 && wtx.state.kind == TxState::Kind::MEMPOOL) {
                b.untrusted_pending += available;
            }
            if (immature && depth > 0) b.immature += credit;
        }
        return b;
    };
    Balances result = compute(reuse_flag && avoid_reuse);
    if (reuse_flag) {
        const Balances full = compute(false);
        result.used =
            full.trusted + full.untrusted_pending - result.trusted - result.untrusted_pending;
    }
    return result;
}

std::vector<WalletCoin> Wallet::AvailableCoins(const CoinFilter& filter) const
{
    std::lock_guard lock(m_mutex);
    const WalletState& s = *m_state;
    const bool reuse_flag = (s.flags & WALLET_FLAG_AVOID_REUSE) != 0;
    const detail::ScriptSet used = reuse_flag ? detail::SpentScripts(s) : detail::ScriptSet{};
    std::vector<WalletCoin> coins;
    Amount total = 0;
    for (const auto& [txid, wtx] : s.txs) {
        if (detail::BlocksToMaturity(s, wtx) > 0) continue;
        const int depth = detail::Depth(s, wtx);
        if (depth < 0) continue;
        // Unconfirmed coins count only while in our mempool (conflicts may hide elsewhere).
        if (depth == 0 && wtx.state.kind != TxState::Kind::MEMPOOL) continue;
        bool safe = detail::IsTrusted(s, wtx);
        if (depth == 0 && (wtx.map_value.contains("replaces_txid") ||
                           wtx.map_value.contains("replaced_by_txid"))) {
            safe = false;
        }
        if (!filter.include_unsafe && !safe) continue;
        if (depth < filter.min_depth || depth > filter.max_depth) continue;
        const bool from_me = detail::Debit(s, *wtx.tx) > 0;
        for (uint32_t i = 0; i < wtx.tx->vout.size(); ++i) {
            const auto& out = wtx.tx->vout[i];
            const OutPoint outpoint{txid, i};
            if (filter.min_amount && out.value < *filter.min_amount) continue;
            if (filter.max_amount && out.value > *filter.max_amount) continue;
            if (!filter.include_locked && s.locked_coins.contains(outpoint)) continue;
            if (detail::IsSpent(s, outpoint)) continue;
            int32_t index = 0;
            const DescriptorSpkm* spkm = FindSpkm(s, out.script_pubkey, &index);
            if (spkm == nullptr) continue;
            const bool reused = reuse_flag && used.contains(out.script_pubkey.bytes());
            const bool spendable = spkm->Record().has_private;
            if (filter.only_spendable && !spendable) continue;
            if (!filter.addresses.empty()) {
                const auto dest = common::ExtractDestination(out.script_pubkey);
                if (!dest ||
                    !filter.addresses.contains(common::EncodeDestination(*dest, *s.params))) {
                    continue;
                }
            }
            WalletCoin coin;
            coin.outpoint = outpoint;
            coin.txout = out;
            coin.depth = depth;
            coin.safe = safe;
            coin.spendable = spendable;
            coin.solvable = spkm->Public().IsSolvable();
            coin.coinbase = wtx.tx->IsCoinBase();
            coin.from_me = from_me;
            coin.reused = reused;
            coin.time = wtx.time_smart;
            coin.input_vsize = coin.solvable ? InputVsize(s, out.script_pubkey, *spkm) : -1;
            coin.desc_id = spkm->Id();
            coin.desc_index = index;
            coins.push_back(std::move(coin));
            total += out.value;
            if (filter.min_sum && total >= *filter.min_sum) return coins;
            if (filter.max_count && coins.size() >= *filter.max_count) return coins;
        }
    }
    return coins;
}

std::optional<consensus::TxOut> Wallet::GetWalletOutput(const OutPoint& outpoint) const
{
    std::lock_guard lock(m_mutex);
    const consensus::TxOut* out = detail::FindOutput(*m_state, outpoint);
    if (out == nullptr) return std::nullopt;
    return *out;
}

bool Wallet::IsSpent(const OutPoint& outpoint) const
{
    std::lock_guard lock(m_mutex);
    return detail::IsSpent(*m_state, outpoint);
}

util::Expected<void> Wallet::CommitTransaction(const consensus::TransactionRef& tx,
                                               std::map<std::string, std::string> map_value)
{
    {
        std::lock_guard lock(m_mutex);
        WalletState& s = *m_state;
        WalletBatch batch;
        auto it = s.txs.find(tx->GetHash());
        if (it == s.txs.end()) {
            WalletTx wtx;
            wtx.tx = tx;
            wtx.time_received = detail::NowSeconds();
            wtx.time_smart = wtx.time_received;
            wtx.order_pos = s.order_pos_next++;
            wtx.from_me = true;
            wtx.map_value = std::move(map_value);
            batch.WriteOrderPosNext(s.order_pos_next);
            batch.WriteTx(wtx);
            for (const auto& out : tx->vout) {
                for (const auto& [id, spkm] : s.spkms) {
                    if (spkm->MarkUsed(out.script_pubkey, m_settings.keypool_size)) {
                        batch.WriteDescriptor(id, spkm->Record());
                    }
                }
            }
            if (auto ok = s.db->Commit(batch); !ok) {
                --s.order_pos_next;
                return ok;
            }
            detail::AddSpends(s, wtx);
            s.txs.emplace(tx->GetHash(), std::move(wtx));
        } else {
            it->second.from_me = true;
            for (auto& [key, value] : map_value)
                it->second.map_value[key] = value;
            batch.WriteTx(it->second);
            if (auto ok = s.db->Commit(batch); !ok) return ok;
        }
    }
    const interfaces::TxAcceptResult result = m_chain.AcceptTransaction(tx, false, 0);
    if (!result.allowed && !result.already_in_mempool) {
        if (m_logger) {
            m_logger->Info("CommitTransaction(): " + tx->GetHash().GetHex() +
                           " not accepted to the mempool: " + result.reject_reason);
        }
        return util::Unexpected(result.reject_reason);
    }
    // Core marks it in-mempool at once; the notification that follows agrees.
    std::lock_guard lock(m_mutex);
    WalletState& s = *m_state;
    auto it = s.txs.find(tx->GetHash());
    if (it != s.txs.end() && it->second.state.kind == TxState::Kind::INACTIVE) {
        it->second.state = TxState{};
        it->second.state.kind = TxState::Kind::MEMPOOL;
        WalletBatch batch;
        batch.WriteTx(it->second);
        if (auto ok = s.db->Commit(batch); !ok) return ok;
    }
    return {};
}

util::Expected<void> Wallet::AbandonTransaction(const Uint256& txid)
{
    std::lock_guard lock(m_mutex);
    WalletState& s = *m_state;
    const auto it = s.txs.find(txid);
    if (it == s.txs.end()) return util::Unexpected("Invalid or non-wallet transaction id");
    if (detail::Depth(s, it->second) != 0 || it->second.state.kind == TxState::Kind::MEMPOOL) {
        return util::Unexpected("Transaction not eligible for abandonment");
    }
    WalletBatch batch;
    detail::RecursiveUpdate(s, batch, txid, [](WalletTx& wtx) {
        if (wtx.state.kind != TxState::Kind::INACTIVE || wtx.state.abandoned) return false;
        wtx.state.abandoned = true;
        return true;
    });
    return s.db->Commit(batch);
}

util::Expected<void> Wallet::MarkReplaced(const Uint256& old_txid, const Uint256& new_txid)
{
    std::lock_guard lock(m_mutex);
    WalletState& s = *m_state;
    const auto old_it = s.txs.find(old_txid);
    if (old_it == s.txs.end()) return util::Unexpected("Invalid or non-wallet transaction id");
    WalletBatch batch;
    old_it->second.map_value["replaced_by_txid"] = new_txid.GetHex();
    batch.WriteTx(old_it->second);
    const auto new_it = s.txs.find(new_txid);
    if (new_it != s.txs.end()) {
        new_it->second.map_value["replaces_txid"] = old_txid.GetHex();
        batch.WriteTx(new_it->second);
    }
    return s.db->Commit(batch);
}

} // namespace wallet
