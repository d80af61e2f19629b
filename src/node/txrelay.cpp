// Transaction relay, following Bitcoin Core v28's net_processing and
// txrequest behaviour (see txrelay.h and the TxRelay section of README.md).
#include <node/txrelay.h>

#include <node/txrelay_request.h>

#include <consensus/amount.h>
#include <consensus/block.h>
#include <consensus/hash.h>
#include <consensus/serialize.h>
#include <consensus/validation_state.h>
#include <kernel/chain.h>
#include <kernel/chainstate.h>
#include <kernel/feerate.h>
#include <kernel/mempool.h>
#include <kernel/mempool_accept.h>
#include <kernel/orphanage.h>
#include <kernel/policy.h>
#include <net/blockmessages.h>
#include <util/logging.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>
#include <map>
#include <random>
#include <set>
#include <string>
#include <utility>
#include <vector>

namespace node {
namespace {

using consensus::Uint256;
using txrelay::BoundedHashSet;
using txrelay::Micros;
using txrelay::TxRequestTracker;

constexpr Micros SECOND{1'000'000};
/// Average trickle interval toward inbound peers (shared timer) and outbound peers.
constexpr Micros INBOUND_INVENTORY_BROADCAST_INTERVAL{5 * SECOND};
constexpr Micros OUTBOUND_INVENTORY_BROADCAST_INTERVAL{2 * SECOND};
/// Core (v27+): 14 announcements per second times the inbound interval, raised by 5 for each
/// 1,000 queued, never above 1,000 per flush.
constexpr size_t INVENTORY_BROADCAST_TARGET{14 * 5};
constexpr size_t INVENTORY_BROADCAST_MAX{1'000};
/// Request scheduling (Core's txrequest constants).
constexpr size_t MAX_PEER_TX_ANNOUNCEMENTS{5'000};
constexpr size_t MAX_PEER_TX_REQUEST_IN_FLIGHT{100};
constexpr Micros TXID_RELAY_DELAY{2 * SECOND};
constexpr Micros NONPREF_PEER_TX_DELAY{2 * SECOND};
constexpr Micros OVERLOADED_PEER_TX_DELAY{2 * SECOND};
constexpr Micros GETDATA_TX_INTERVAL{60 * SECOND};
constexpr size_t MAX_GETDATA_SZ{1'000};
/// Sizes of Core's rolling filters (here sets that forget their oldest entries).
constexpr size_t KNOWN_INVENTORY_SIZE{50'000};
constexpr size_t RECENT_REJECTS_SIZE{120'000};
constexpr size_t RECENT_CONFIRMED_SIZE{48'000};
/// Feefilter schedule and Core's FeeFilterRounder buckets.
constexpr Micros AVG_FEEFILTER_BROADCAST_INTERVAL{10 * 60 * SECOND};
constexpr Micros MAX_FEEFILTER_CHANGE_DELAY{5 * 60 * SECOND};
constexpr double MAX_FILTER_FEERATE{1e7};
constexpr double FEE_FILTER_SPACING{1.1};
/// Local transactions nobody requested yet are announced again after 10 to 15 minutes.
constexpr Micros UNBROADCAST_RETRY_MIN{10 * 60 * SECOND};
constexpr Micros UNBROADCAST_RETRY_SPREAD{5 * 60 * SECOND};

/// Core's FeeFilterRounder: quantises the filter we send into ~10% buckets and
/// usually rounds one bucket down, so the exact mempool minimum does not leak.
class FeeFilterRounder
{
public:
    explicit FeeFilterRounder(consensus::Amount incremental_fee_per_kvb)
    {
        const double min_limit =
            static_cast<double>(std::max<consensus::Amount>(1, incremental_fee_per_kvb / 2));
        m_buckets.insert(0);
        for (double boundary = min_limit; boundary <= MAX_FILTER_FEERATE;
             boundary *= FEE_FILTER_SPACING)
            m_buckets.insert(boundary);
    }
    consensus::Amount Round(consensus::Amount fee, std::mt19937_64& rng) const
    {
        auto it = m_buckets.lower_bound(static_cast<double>(fee));
        if (it == m_buckets.end() || (it != m_buckets.begin() && rng() % 3 != 0)) --it;
        return static_cast<consensus::Amount>(*it);
    }

private:
    std::set<double> m_buckets;
};

/// What we know about one peer's transaction relay.
struct TxPeer
{
    bool inbound{false};
    bool relay_txs{false};
    bool wtxid_relay{false};
    consensus::Amount fee_filter_received{0};
    int64_t last_tx_time{0};
    /// Hashes (of the kind this peer relays by) it already has or was told about.
    BoundedHashSet known{KNOWN_INVENTORY_SIZE};
    /// Queued announcements (wtxids for wtxid-relay peers, txids otherwise).
    std::set<Uint256> to_send;
    Micros next_inv_send{0}; //!< 0 until the first trickle after the handshake
    uint64_t last_inv_sequence{0};
    consensus::Amount fee_filter_sent{0};
    Micros next_send_feefilter{0};
};

/// Core's GetPackageHash: SHA-256 of the sorted wtxids, so a failed package
/// is remembered whatever order it arrives in.
Uint256 PackageHash(const std::vector<consensus::TransactionRef>& package)
{
    std::vector<Uint256> wtxids;
    for (const auto& tx : package)
        wtxids.push_back(tx->GetWitnessHash());
    std::sort(wtxids.begin(), wtxids.end());
    std::vector<uint8_t> data;
    for (const auto& wtxid : wtxids)
        data.insert(data.end(), wtxid.begin(), wtxid.end());
    return consensus::Sha256Hash(data);
}

/// A parent rejected for its fee and an orphan child that may pay for it (1p1c).
struct PackageToValidate
{
    consensus::TransactionRef parent;
    consensus::TransactionRef child;
    net::NodeId parent_sender;
    net::NodeId child_sender;
};

} // namespace

struct TxRelay::Impl
{
    Impl(kernel::ChainstateManager& chainman, kernel::TxMemPool& mempool,
         const kernel::PolicyOptions& policy, PeerSender& sender, TxRelayOptions options)
        : chainman{chainman}, mempool{mempool}, policy{policy}, sender{sender},
          options{std::move(options)}, rng{this->options.rng_seed ? this->options.rng_seed
                                                                  : std::random_device{}()},
          orphanage{MakeOrphanageOptions()},
          rounder{mempool.Options().incremental_relay_feerate.GetFeePerK()}
    {}

    kernel::OrphanageOptions MakeOrphanageOptions()
    {
        kernel::OrphanageOptions orphan_options;
        orphan_options.clock = [this] { return NowSeconds(); };
        orphan_options.random_range = kernel::MakeSeededRandomRange(rng());
        return orphan_options;
    }

    int64_t NowSeconds() const
    {
        if (options.clock) return options.clock();
        return std::chrono::duration_cast<std::chrono::seconds>(
                   std::chrono::system_clock::now().time_since_epoch())
            .count();
    }
    Micros Now() const { return NowSeconds() * SECOND; }

    /// Exponentially distributed delay with the given mean (Poisson process).
    Micros RandExp(Micros mean)
    {
        std::uniform_real_distribution<double> unit{0.0, 1.0};
        const double u = unit(rng);
        return static_cast<Micros>(-std::log1p(-u) * static_cast<double>(mean) + 0.5);
    }

    void Debug(util::LogCategory category, const std::string& message) const
    {
        if (options.logger) options.logger->Debug(category, message);
    }

    TxPeer* Find(net::NodeId id)
    {
        const auto it = peers.find(id);
        return it == peers.end() ? nullptr : &it->second;
    }
    const TxPeer* Find(net::NodeId id) const
    {
        const auto it = peers.find(id);
        return it == peers.end() ? nullptr : &it->second;
    }

    void MaybeResetRecentRejects()
    {
        const kernel::BlockIndex* tip = chainman.Tip();
        const Uint256 tip_hash = tip ? tip->hash : Uint256{};
        if (tip_hash == rejects_tip) return;
        // If the old tip left the active chain, blocks were disconnected: their
        // transactions are no longer confirmed.
        const kernel::BlockIndex* old_tip = chainman.LookupBlockIndex(rejects_tip);
        if (!old_tip || !chainman.ActiveChain().Contains(old_tip)) recent_confirmed.Clear();
        rejects_tip = tip_hash;
        recent_rejects.Clear();
        recent_rejects_reconsiderable.Clear();
    }

    /// Core's AlreadyHaveTx: in the mempool, the orphanage, recently confirmed
    /// or recently rejected.
    bool AlreadyHaveTx(const Uint256& hash, bool is_wtxid, bool include_reconsiderable)
    {
        MaybeResetRecentRejects();
        // The orphanage is keyed by wtxid; a txid only matches a non-witness orphan.
        if (orphanage.HaveTx(hash)) return true;
        if (include_reconsiderable && recent_rejects_reconsiderable.Contains(hash)) return true;
        if (recent_confirmed.Contains(hash)) return true;
        if (recent_rejects.Contains(hash)) return true;
        return is_wtxid ? mempool.GetByWtxid(hash) != nullptr : mempool.Exists(hash);
    }

    void AddTxAnnouncement(net::NodeId id, const TxPeer& peer, const Uint256& hash, bool is_wtxid,
                           Micros now)
    {
        if (requests.Count(id) >= MAX_PEER_TX_ANNOUNCEMENTS) return;
        const bool preferred = !peer.inbound;
        Micros delay{0};
        if (!preferred) delay += NONPREF_PEER_TX_DELAY;
        if (!is_wtxid && wtxid_relay_peers > 0) delay += TXID_RELAY_DELAY;
        if (requests.CountInFlight(id) >= MAX_PEER_TX_REQUEST_IN_FLIGHT)
            delay += OVERLOADED_PEER_TX_DELAY;
        requests.ReceivedInv(id, hash, is_wtxid, preferred, now + delay);
    }

    void RelayTransaction(const Uint256& txid, const Uint256& wtxid)
    {
        for (auto& [id, peer] : peers) {
            // Not before the first trickle: arrival times must not leak.
            if (peer.next_inv_send == 0) continue;
            const Uint256& hash = peer.wtxid_relay ? wtxid : txid;
            if (!peer.known.Contains(hash)) peer.to_send.insert(hash);
        }
    }

    void ForgetTx(const consensus::Transaction& tx)
    {
        requests.ForgetTxHash(tx.GetHash());
        requests.ForgetTxHash(tx.GetWitnessHash());
    }

    void ProcessValidTx(net::NodeId id, const consensus::TransactionRef& tx)
    {
        orphanage.AddChildrenToWorkSet(*tx);
        orphanage.EraseTx(tx->GetWitnessHash());
        ForgetTx(*tx);
        Debug(util::LogCategory::MEMPOOL,
              "AcceptToMemoryPool: peer=" + std::to_string(id) + ": accepted " +
                  tx->GetHash().GetHex() + " (wtxid=" + tx->GetWitnessHash().GetHex() +
                  ") (poolsz " + std::to_string(mempool.Size()) + " txn)");
        RelayTransaction(tx->GetHash(), tx->GetWitnessHash());
    }

    void ProcessInvalidTx(net::NodeId id, const consensus::TransactionRef& tx,
                          const consensus::TxValidationState& state)
    {
        Debug(util::LogCategory::MEMPOOLREJ,
              tx->GetHash().GetHex() + " (wtxid=" + tx->GetWitnessHash().GetHex() +
                  ") from peer=" + std::to_string(id) + " was not accepted: " + state.ToString());
        const auto result = state.GetResult();
        // A stripped witness says nothing about the real transaction.
        if (result != consensus::TxResult::WITNESS_STRIPPED) {
            if (result == consensus::TxResult::RECONSIDERABLE) {
                recent_rejects_reconsiderable.Insert(tx->GetWitnessHash());
            } else {
                recent_rejects.Insert(tx->GetWitnessHash());
            }
            requests.ForgetTxHash(tx->GetWitnessHash());
            // Non-standard inputs fail whatever the witness: the txid can be
            // remembered too (a non-witness tx's txid is its wtxid already).
            if (result == consensus::TxResult::INPUTS_NOT_STANDARD && tx->HasWitness()) {
                recent_rejects.Insert(tx->GetHash());
                requests.ForgetTxHash(tx->GetHash());
            }
        }
        // Only consensus failures are the peer's fault; policy is ours.
        if (result == consensus::TxResult::CONSENSUS) {
            sender.Misbehaving(id, "invalid transaction " + tx->GetHash().GetHex() + ": " +
                                       state.ToString());
        }
        if (result != consensus::TxResult::MISSING_INPUTS) orphanage.EraseTx(tx->GetWitnessHash());
    }

    /// Missing inputs: keep the orphan and ask its announcer for the parents,
    /// unless a parent was rejected already.
    void ProcessOrphan(net::NodeId id, TxPeer& peer, const consensus::TransactionRef& tx)
    {
        std::vector<Uint256> parents;
        for (const auto& in : tx->vin)
            parents.push_back(in.prevout.hash);
        std::sort(parents.begin(), parents.end());
        parents.erase(std::unique(parents.begin(), parents.end()), parents.end());
        MaybeResetRecentRejects();
        bool rejected_parents = false;
        bool reconsiderable_parent = false;
        for (const auto& parent : parents) {
            if (recent_rejects.Contains(parent)) {
                rejected_parents = true;
                break;
            }
            if (recent_rejects_reconsiderable.Contains(parent) && !mempool.Exists(parent)) {
                // A 1p1c package can rescue one low-fee parent, not two.
                if (reconsiderable_parent) {
                    rejected_parents = true;
                    break;
                }
                reconsiderable_parent = true;
            }
        }
        if (rejected_parents) {
            Debug(util::LogCategory::MEMPOOL, "not keeping orphan with rejected parents " +
                                                  tx->GetHash().GetHex() +
                                                  " (wtxid=" + tx->GetWitnessHash().GetHex() + ")");
            recent_rejects.Insert(tx->GetHash());
            recent_rejects.Insert(tx->GetWitnessHash());
            ForgetTx(*tx);
            return;
        }
        const Micros now = Now();
        for (const auto& parent : parents) {
            // Parents are only known by txid, so they are requested as MSG_TX
            // even from wtxid-relay peers.
            peer.known.Insert(parent);
            if (!AlreadyHaveTx(parent, false, false))
                AddTxAnnouncement(id, peer, parent, false, now);
        }
        if (orphanage.AddTx(tx, id)) {
            Debug(util::LogCategory::MEMPOOL, "stored orphan tx " + tx->GetHash().GetHex() +
                                                  " (wtxid=" + tx->GetWitnessHash().GetHex() +
                                                  ") from peer=" + std::to_string(id));
        }
        ForgetTx(*tx);
        orphanage.LimitOrphans(options.max_orphan_txs);
    }

    /// Core's Find1P1CPackage: an orphan child of a parent just rejected as
    /// RECONSIDERABLE, preferring the parent's sender, skipping pairs tried before.
    std::optional<PackageToValidate> Find1P1CPackage(const consensus::TransactionRef& parent,
                                                     net::NodeId id)
    {
        for (const auto& child : orphanage.GetChildrenFromSamePeer(parent, id)) {
            if (!recent_rejects_reconsiderable.Contains(PackageHash({parent, child})))
                return PackageToValidate{parent, child, id, id};
        }
        auto others = orphanage.GetChildrenFromDifferentPeer(parent, id);
        // Random order, so no child announcer can make itself tried first.
        std::shuffle(others.begin(), others.end(), rng);
        for (const auto& [child, child_sender] : others) {
            if (!recent_rejects_reconsiderable.Contains(PackageHash({parent, child})))
                return PackageToValidate{parent, child, id, child_sender};
        }
        return std::nullopt;
    }

    /// Submits a 1p1c package and settles each transaction as if it came alone.
    void ProcessPackage(const PackageToValidate& package)
    {
        const std::vector<consensus::TransactionRef> txs{package.parent, package.child};
        kernel::AcceptOptions accept;
        accept.policy = policy;
        const auto result = kernel::ProcessNewPackage(chainman, mempool, txs, accept);
        Debug(util::LogCategory::MEMPOOL,
              "package evaluation for parent " + package.parent->GetWitnessHash().GetHex() +
                  " and child " + package.child->GetWitnessHash().GetHex() + ": " +
                  (result.package_state.IsValid() ? std::string{"accepted"}
                                                  : result.package_state.ToString()));
        if (result.package_state.IsInvalid())
            recent_rejects_reconsiderable.Insert(PackageHash(txs));
        // Child first, so it leaves the orphanage before the parent's children are queued.
        const std::pair<consensus::TransactionRef, net::NodeId> order[] = {
            {package.child, package.child_sender}, {package.parent, package.parent_sender}};
        for (const auto& [tx, sender_id] : order) {
            const auto it = result.results.find(tx->GetWitnessHash());
            if (it == result.results.end()) continue;
            switch (it->second.kind) {
            case kernel::MempoolAcceptResult::Kind::VALID:
                ProcessValidTx(sender_id, tx);
                break;
            case kernel::MempoolAcceptResult::Kind::INVALID:
            case kernel::MempoolAcceptResult::Kind::DIFFERENT_WITNESS:
                if (it->second.state.IsInvalid()) ProcessInvalidTx(sender_id, tx, it->second.state);
                break;
            case kernel::MempoolAcceptResult::Kind::MEMPOOL_ENTRY:
                break;
            }
        }
    }

    kernel::MempoolAcceptResult Accept(const consensus::TransactionRef& tx)
    {
        kernel::AcceptOptions accept;
        accept.policy = policy;
        return kernel::AcceptToMemoryPool(chainman, mempool, tx, accept);
    }

    /// Retries orphans whose parents arrived, until no work set holds any.
    void ProcessOrphanWork()
    {
        bool progress = true;
        while (progress) {
            progress = false;
            std::vector<net::NodeId> ids;
            for (const auto& entry : peers)
                ids.push_back(entry.first);
            for (const net::NodeId id : ids) {
                while (auto orphan = orphanage.GetTxToReconsider(id)) {
                    const auto result = Accept(orphan);
                    if (result.kind == kernel::MempoolAcceptResult::Kind::VALID) {
                        Debug(util::LogCategory::MEMPOOL,
                              "accepted orphan tx " + orphan->GetHash().GetHex() +
                                  " (wtxid=" + orphan->GetWitnessHash().GetHex() + ")");
                        ProcessValidTx(id, orphan);
                        progress = true;
                    } else if (result.state.IsInvalid() &&
                               result.state.GetResult() != consensus::TxResult::MISSING_INPUTS) {
                        ProcessInvalidTx(id, orphan, result.state);
                    } else if (result.kind != kernel::MempoolAcceptResult::Kind::INVALID) {
                        // Already in the pool in some form: the orphan is done.
                        orphanage.EraseTx(orphan->GetWitnessHash());
                    }
                }
            }
        }
    }

    void OnTx(net::NodeId id, const consensus::TransactionRef& tx)
    {
        if (!tx) return;
        TxPeer* peer = Find(id);
        if (!peer) return;
        if (options.ignore_incoming_txs) {
            Debug(util::LogCategory::NET,
                  "transaction sent in violation of protocol peer=" + std::to_string(id));
            return;
        }
        // Without a synced chain the transaction cannot be judged; not the peer's fault.
        if (chainman.IsInitialBlockDownload()) return;
        const Uint256& txid = tx->GetHash();
        const Uint256& wtxid = tx->GetWitnessHash();
        peer->known.Insert(peer->wtxid_relay ? wtxid : txid);
        requests.ReceivedResponse(id, txid);
        if (tx->HasWitness()) requests.ReceivedResponse(id, wtxid);

        if (AlreadyHaveTx(wtxid, true, true)) {
            Debug(util::LogCategory::MEMPOOL, "already have " + txid.GetHex() +
                                                  " (wtxid=" + wtxid.GetHex() +
                                                  ") from peer=" + std::to_string(id));
            // Rejected for its fee alone, it may still pass with an orphan child.
            if (recent_rejects_reconsiderable.Contains(wtxid)) {
                if (auto package = Find1P1CPackage(tx, id)) {
                    ProcessPackage(*package);
                    ProcessOrphanWork();
                }
            }
            return;
        }
        const auto result = Accept(tx);
        if (result.kind == kernel::MempoolAcceptResult::Kind::VALID) {
            ProcessValidTx(id, tx);
            peer->last_tx_time = NowSeconds();
            if (options.on_accepted) options.on_accepted(id, tx);
            ProcessOrphanWork();
            return;
        }
        if (!result.state.IsInvalid()) return;
        if (result.state.GetResult() == consensus::TxResult::MISSING_INPUTS) {
            ProcessOrphan(id, *peer, tx);
            return;
        }
        ProcessInvalidTx(id, tx, result.state);
        if (result.state.GetResult() == consensus::TxResult::RECONSIDERABLE) {
            if (auto package = Find1P1CPackage(tx, id)) {
                ProcessPackage(*package);
                ProcessOrphanWork();
            }
        }
    }

    void OnInv(net::NodeId id, std::span<const net::Inv> items)
    {
        TxPeer* peer = Find(id);
        if (!peer) return;
        const Micros now = Now();
        const bool ibd = chainman.IsInitialBlockDownload();
        for (const auto& item : items) {
            const uint32_t base = item.type & ~net::MSG_WITNESS_FLAG;
            if (base != net::MSG_TX && base != net::MSG_WTX) continue;
            const bool is_wtxid = base == net::MSG_WTX;
            // Each peer announces by the one kind of hash it negotiated.
            if (is_wtxid != peer->wtxid_relay) continue;
            if (options.ignore_incoming_txs) {
                Debug(util::LogCategory::NET,
                      "transaction (" + item.hash.GetHex() +
                          ") inv sent in violation of protocol peer=" + std::to_string(id));
                return;
            }
            const bool have = AlreadyHaveTx(item.hash, is_wtxid, true);
            peer->known.Insert(item.hash);
            if (!have && !ibd) AddTxAnnouncement(id, *peer, item.hash, is_wtxid, now);
        }
    }

    bool OnGetData(net::NodeId id, const net::Inv& item)
    {
        TxPeer* peer = Find(id);
        if (!peer || !peer->relay_txs) return false;
        const uint32_t base = item.type & ~net::MSG_WITNESS_FLAG;
        if (base != net::MSG_TX && base != net::MSG_WTX) return false;
        const kernel::MempoolEntry* entry =
            base == net::MSG_WTX ? mempool.GetByWtxid(item.hash) : mempool.Get(item.hash);
        // Only what was in the pool when we last announced to this peer, so a
        // peer cannot learn of a transaction before its announcement.
        if (!entry || entry->GetSequence() >= peer->last_inv_sequence) return false;
        const consensus::Transaction& tx = entry->GetTx();
        std::vector<uint8_t> payload;
        if (item.type == net::MSG_TX) {
            consensus::Writer writer{payload};
            tx.SerializeWithoutWitness(writer);
        } else {
            payload = net::EncodeTx(tx);
        }
        sender.Send(id, net::msgtype::TX, std::move(payload));
        mempool.RemoveUnbroadcast(tx.GetHash());
        return true;
    }

    void OnNotFound(net::NodeId id, std::span<const net::Inv> items)
    {
        for (const auto& item : items) {
            const uint32_t base = item.type & ~net::MSG_WITNESS_FLAG;
            if (base != net::MSG_TX && base != net::MSG_WTX) continue;
            requests.ReceivedResponse(id, item.hash);
        }
    }

    void BlockConnected(const consensus::Block& block)
    {
        orphanage.EraseForBlock(block);
        for (const auto& tx : block.vtx) {
            if (!tx) continue;
            recent_confirmed.Insert(tx->GetHash());
            if (tx->HasWitness()) recent_confirmed.Insert(tx->GetWitnessHash());
            ForgetTx(*tx);
        }
        recent_rejects.Clear();
        recent_rejects_reconsiderable.Clear();
    }

    /// Announces queued transactions to one peer when its trickle timer fires.
    void MaybeTrickle(net::NodeId id, TxPeer& peer, Micros now)
    {
        if (peer.next_inv_send >= now) return;
        if (peer.inbound) {
            // One timer for all inbound peers, so they cannot compare arrival times.
            if (next_inv_to_inbounds < now)
                next_inv_to_inbounds = now + RandExp(INBOUND_INVENTORY_BROADCAST_INTERVAL);
            peer.next_inv_send = next_inv_to_inbounds;
        } else {
            peer.next_inv_send = now + RandExp(OUTBOUND_INVENTORY_BROADCAST_INTERVAL);
        }
        if (!peer.relay_txs) peer.to_send.clear();

        struct Candidate
        {
            Uint256 hash;
            const kernel::MempoolEntry* entry;
        };
        std::vector<Candidate> candidates;
        candidates.reserve(peer.to_send.size());
        for (const auto& hash : peer.to_send) {
            const kernel::MempoolEntry* entry =
                peer.wtxid_relay ? mempool.GetByWtxid(hash) : mempool.Get(hash);
            candidates.push_back({hash, entry});
        }
        // Parents before children, then higher fee rate first (Core's
        // CompareInvMempoolOrder); transactions gone from the pool go last.
        std::sort(candidates.begin(), candidates.end(), [](const Candidate& a, const Candidate& b) {
            if (!a.entry || !b.entry) return a.entry != nullptr && b.entry == nullptr;
            if (a.entry->CountWithAncestors() != b.entry->CountWithAncestors())
                return a.entry->CountWithAncestors() < b.entry->CountWithAncestors();
            // Compare fee/size cross-multiplied to avoid rounding.
            const __int128 lhs =
                static_cast<__int128>(a.entry->GetModifiedFee()) * b.entry->GetTxSize();
            const __int128 rhs =
                static_cast<__int128>(b.entry->GetModifiedFee()) * a.entry->GetTxSize();
            if (lhs != rhs) return lhs > rhs;
            return a.hash < b.hash;
        });
        const size_t broadcast_max = std::min(
            INVENTORY_BROADCAST_MAX, INVENTORY_BROADCAST_TARGET + (peer.to_send.size() / 1000) * 5);
        const kernel::FeeRate filter{peer.fee_filter_received};
        std::vector<net::Inv> invs;
        size_t relayed = 0;
        for (const auto& candidate : candidates) {
            if (relayed >= broadcast_max) break;
            peer.to_send.erase(candidate.hash);
            if (peer.known.Contains(candidate.hash)) continue;
            if (!candidate.entry) continue;
            if (candidate.entry->GetFee() < filter.GetFee(candidate.entry->GetTxSize())) continue;
            invs.push_back(net::Inv{peer.wtxid_relay ? net::MSG_WTX : net::MSG_TX, candidate.hash});
            ++relayed;
            peer.known.Insert(candidate.hash);
        }
        if (!invs.empty()) sender.Send(id, net::msgtype::INV, net::Encode(net::InvMessage{invs}));
        // getdata for anything in the pool now is fair game.
        peer.last_inv_sequence = mempool.CurrentSequence();
    }

    /// Core's MaybeSendFeefilter.
    void MaybeSendFeeFilter(net::NodeId id, TxPeer& peer, Micros now)
    {
        if (options.ignore_incoming_txs || !peer.relay_txs) return;
        consensus::Amount current = mempool.RollingMinFee(NowSeconds()).GetFeePerK();
        const consensus::Amount max_filter = rounder.Round(consensus::MAX_MONEY, rng);
        if (chainman.IsInitialBlockDownload()) {
            // Invs are ignored during IBD: ask peers not to send them.
            current = consensus::MAX_MONEY;
        } else if (peer.fee_filter_sent == max_filter) {
            peer.next_send_feefilter = 0;
        }
        if (now > peer.next_send_feefilter) {
            consensus::Amount to_send = rounder.Round(current, rng);
            to_send = std::max(to_send, mempool.Options().min_relay_feerate.GetFeePerK());
            if (to_send != peer.fee_filter_sent) {
                sender.Send(id, net::msgtype::FEEFILTER,
                            net::Encode(net::FeeFilterMessage{to_send}));
                peer.fee_filter_sent = to_send;
            }
            peer.next_send_feefilter = now + RandExp(AVG_FEEFILTER_BROADCAST_INTERVAL);
        } else if (now + MAX_FEEFILTER_CHANGE_DELAY < peer.next_send_feefilter &&
                   (current < 3 * peer.fee_filter_sent / 4 ||
                    current > 4 * peer.fee_filter_sent / 3)) {
            // A large change goes out within a few minutes rather than at the next slot.
            peer.next_send_feefilter = now + Uniform(MAX_FEEFILTER_CHANGE_DELAY);
        }
    }

    void SendRequests(net::NodeId id, Micros now)
    {
        std::vector<net::Inv> getdata;
        for (const auto& [hash, is_wtxid] : requests.GetRequestable(id, now)) {
            if (AlreadyHaveTx(hash, is_wtxid, false)) {
                requests.ForgetTxHash(hash);
                continue;
            }
            // A txid request asks for the witness serialisation.
            getdata.push_back(
                net::Inv{is_wtxid ? net::MSG_WTX : (net::MSG_TX | net::MSG_WITNESS_FLAG), hash});
            requests.RequestedTx(id, hash, now + GETDATA_TX_INTERVAL);
            if (getdata.size() >= MAX_GETDATA_SZ) {
                sender.Send(id, net::msgtype::GETDATA, net::Encode(net::InvMessage{getdata}));
                getdata.clear();
            }
        }
        if (!getdata.empty())
            sender.Send(id, net::msgtype::GETDATA, net::Encode(net::InvMessage{getdata}));
    }

    /// Core's ReattemptInitialBroadcast: transactions submitted locally that no
    /// peer has asked for yet are announced again every 10 to 15 minutes.
    void MaybeReattemptBroadcast(Micros now)
    {
        if (next_unbroadcast_retry == 0) {
            next_unbroadcast_retry =
                now + UNBROADCAST_RETRY_MIN + Uniform(UNBROADCAST_RETRY_SPREAD);
            return;
        }
        if (now < next_unbroadcast_retry) return;
        next_unbroadcast_retry = now + UNBROADCAST_RETRY_MIN + Uniform(UNBROADCAST_RETRY_SPREAD);
        for (const auto& txid : mempool.UnbroadcastTxids()) {
            if (const kernel::MempoolEntry* entry = mempool.Get(txid)) {
                RelayTransaction(txid, entry->GetTx().GetWitnessHash());
            } else {
                mempool.RemoveUnbroadcast(txid);
            }
        }
    }

    Micros Uniform(Micros range)
    {
        std::uniform_int_distribution<Micros> pick{0, range - 1};
        return pick(rng);
    }

    void Tick()
    {
        const Micros now = Now();
        MaybeReattemptBroadcast(now);
        for (auto& [id, peer] : peers) {
            MaybeTrickle(id, peer, now);
            MaybeSendFeeFilter(id, peer, now);
        }
        if (requests.Prepare(now)) {
            for (const auto& [id, peer] : peers) {
                (void)peer;
                SendRequests(id, now);
            }
        }
    }

    kernel::ChainstateManager& chainman;
    kernel::TxMemPool& mempool;
    const kernel::PolicyOptions& policy;
    PeerSender& sender;
    TxRelayOptions options;
    std::mt19937_64 rng;
    kernel::TxOrphanage orphanage;
    FeeFilterRounder rounder;
    TxRequestTracker requests;
    std::map<net::NodeId, TxPeer> peers;
    size_t wtxid_relay_peers{0};
    Micros next_inv_to_inbounds{0};
    Micros next_unbroadcast_retry{0};
    BoundedHashSet recent_rejects{RECENT_REJECTS_SIZE};
    BoundedHashSet recent_rejects_reconsiderable{RECENT_REJECTS_SIZE};
    BoundedHashSet recent_confirmed{RECENT_CONFIRMED_SIZE};
    Uint256 rejects_tip{};
};

TxRelay::TxRelay(kernel::ChainstateManager& chainman, kernel::TxMemPool& mempool,
                 const kernel::PolicyOptions& policy, PeerSender& sender, TxRelayOptions options)
    : m_impl{std::make_unique<Impl>(chainman, mempool, policy, sender, std::move(options))}
{}

TxRelay::~TxRelay() = default;

void TxRelay::PeerAdded(net::NodeId id, bool inbound, bool relay_txs, bool wtxid_relay)
{
    auto [it, inserted] = m_impl->peers.try_emplace(id);
    if (!inserted) return;
    it->second.inbound = inbound;
    it->second.relay_txs = relay_txs;
    it->second.wtxid_relay = wtxid_relay;
    if (wtxid_relay) ++m_impl->wtxid_relay_peers;
}

void TxRelay::PeerRemoved(net::NodeId id)
{
    const auto it = m_impl->peers.find(id);
    if (it == m_impl->peers.end()) return;
    if (it->second.wtxid_relay) --m_impl->wtxid_relay_peers;
    m_impl->peers.erase(it);
    m_impl->requests.DisconnectedPeer(id);
    m_impl->orphanage.EraseForPeer(id);
}

void TxRelay::SetFeeFilter(net::NodeId id, consensus::Amount fee_per_kvb)
{
    if (TxPeer* peer = m_impl->Find(id)) peer->fee_filter_received = fee_per_kvb;
}

void TxRelay::OnInv(net::NodeId id, std::span<const net::Inv> items)
{
    m_impl->OnInv(id, items);
}

bool TxRelay::OnGetData(net::NodeId id, const net::Inv& item)
{
    return m_impl->OnGetData(id, item);
}

void TxRelay::OnTx(net::NodeId id, const consensus::TransactionRef& tx)
{
    m_impl->OnTx(id, tx);
}

void TxRelay::OnNotFound(net::NodeId id, std::span<const net::Inv> items)
{
    m_impl->OnNotFound(id, items);
}

void TxRelay::RelayTransaction(const consensus::Uint256& txid, const consensus::Uint256& wtxid)
{
    m_impl->RelayTransaction(txid, wtxid);
}

void TxRelay::BlockConnected(const consensus::Block& block)
{
    m_impl->BlockConnected(block);
}

void TxRelay::Tick()
{
    m_impl->Tick();
}

TxRelayPeerStats TxRelay::GetStats(net::NodeId id) const
{
    TxRelayPeerStats stats;
    if (const TxPeer* peer = m_impl->Find(id)) {
        stats.relay_txs = peer->relay_txs;
        stats.wtxid_relay = peer->wtxid_relay;
        stats.min_fee_filter = peer->fee_filter_received;
        stats.last_tx_time = peer->last_tx_time;
    }
    return stats;
}

size_t TxRelay::OrphanCount() const
{
    return m_impl->orphanage.Size();
}

} // namespace node
