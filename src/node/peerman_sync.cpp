// PeerManager: headers-first sync, block download (moving window, per-peer
// limits, stalling and timeouts), serving headers and blocks, block
// announcements and the chainstate event handlers.
#include <node/peerman_impl.h>

#include <consensus/block.h>
#include <consensus/block_check.h>
#include <consensus/pow.h>
#include <kernel/chainstate.h>
#include <net/netaddress.h>

#include <algorithm>

namespace node {

namespace {

/// Blocks this old (relative to the best header) off the active chain are not served.
constexpr int64_t STALE_RELAY_AGE_LIMIT = 30 * 24 * 60 * 60;

std::string PeerStr(const Peer& peer)
{
    return "peer=" + std::to_string(peer.info.id);
}

} // namespace

std::vector<consensus::Uint256> PeerManager::Impl::LocatorFor(const kernel::BlockIndex* index) const
{
    return m_chainman.ActiveChain().GetLocator(index);
}

bool PeerManager::Impl::MaybeSendGetHeaders(Peer& peer, const kernel::BlockIndex* from,
                                            const consensus::Uint256& stop)
{
    const int64_t now = Now();
    // One outstanding getheaders at a time, as Core, so a peer cannot make us loop.
    if (peer.last_getheaders_time != 0 && now - peer.last_getheaders_time < HEADERS_RESPONSE_TIME) {
        return false;
    }
    net::GetHeadersMessage msg;
    msg.version = static_cast<uint32_t>(PROTOCOL_VERSION);
    msg.locator = LocatorFor(from);
    msg.stop_hash = stop;
    SendMsg(peer.info.id, net::msgtype::GETHEADERS, net::Encode(msg));
    peer.last_getheaders_time = now;
    return true;
}

void PeerManager::Impl::MaybeStartSync(Peer& peer)
{
    if (peer.sync_started || !peer.handshake_complete || peer.disconnecting) return;
    if (peer.info.type == net::ConnectionType::FEELER ||
        peer.info.type == net::ConnectionType::ADDR_FETCH) {
        return;
    }
    if (!(peer.services & (net::NODE_NETWORK | net::NODE_NETWORK_LIMITED))) return;
    const kernel::BlockIndex* best = m_chainman.BestHeader();
    if (!best) return;
    bool preferred = !peer.inbound;
    if (!preferred) {
        // Inbound peers are used when no outbound peer can serve us (Core's nPreferredDownload).
        bool any_outbound = false;
        for (const auto& [id, other] : m_peers) {
            if (!other.inbound && other.handshake_complete && !other.disconnecting &&
                (other.services & net::NODE_NETWORK)) {
                any_outbound = true;
            }
        }
        preferred = !any_outbound || m_blocks_in_flight.empty();
    }
    const bool recent = static_cast<int64_t>(best->time) > Now() - 24 * 60 * 60;
    if (!((m_sync_started == 0 && preferred) || recent)) return;
    const kernel::BlockIndex* start = best->prev ? best->prev : best;
    peer.last_getheaders_time = 0;
    if (MaybeSendGetHeaders(peer, start)) {
        peer.sync_started = true;
        ++m_sync_started;
        const int64_t now = Now();
        const int64_t spacing = m_chainman.Params().GetConsensus().pow_target_spacing;
        const int64_t expected_headers = std::max<int64_t>(now - best->time, 0) / spacing;
        peer.headers_sync_timeout = now + HEADERS_DOWNLOAD_TIMEOUT_BASE + expected_headers / 1000;
        LogNet("initial getheaders (" + std::to_string(start->height) + ") to " + PeerStr(peer) +
               " (startheight:" + std::to_string(peer.starting_height) + ")");
    }
}

void PeerManager::Impl::CheckHeadersSyncTimeout(Peer& peer, int64_t now)
{
    if (!peer.sync_started || peer.headers_sync_timeout == 0) return;
    const kernel::BlockIndex* best = m_chainman.BestHeader();
    if (best && static_cast<int64_t>(best->time) > now - 24 * 60 * 60) {
        peer.headers_sync_timeout = 0; // caught up once: never again
        return;
    }
    if (now <= peer.headers_sync_timeout || m_sync_started != 1) return;
    // Only worth it when another peer could take over.
    bool others = false;
    for (const auto& [id, other] : m_peers) {
        if (id != peer.info.id && !other.inbound && other.handshake_complete &&
            !other.disconnecting && (other.services & net::NODE_NETWORK)) {
            others = true;
        }
    }
    if (!others || peer.inbound || peer.manual) return;
    LogNet("Timeout downloading headers from " + PeerStr(peer) + ", disconnecting");
    Disconnect(peer, "headers sync timeout");
}

void PeerManager::Impl::ProcessBlockAvailability(Peer& peer)
{
    if (!peer.last_unknown_block) return;
    const kernel::BlockIndex* index = m_chainman.LookupBlockIndex(*peer.last_unknown_block);
    if (index && index->IsValid(storage::BLOCK_VALID_TREE)) {
        if (!peer.best_known || index->chain_work >= peer.best_known->chain_work) {
            peer.best_known = index;
        }
        peer.last_unknown_block.reset();
    }
}

void PeerManager::Impl::UpdateBlockAvailability(Peer& peer, const consensus::Uint256& hash)
{
    ProcessBlockAvailability(peer);
    const kernel::BlockIndex* index = m_chainman.LookupBlockIndex(hash);
    if (index && index->IsValid(storage::BLOCK_VALID_TREE)) {
        if (!peer.best_known || index->chain_work >= peer.best_known->chain_work) {
            peer.best_known = index;
        }
    } else {
        peer.last_unknown_block = hash;
    }
}

bool PeerManager::Impl::PeerHasHeader(const Peer& peer, const kernel::BlockIndex* index) const
{
    if (!index) return false;
    if (peer.best_known && peer.best_known->GetAncestor(index->height) == index) return true;
    if (peer.best_header_sent && peer.best_header_sent->GetAncestor(index->height) == index) {
        return true;
    }
    return false;
}

// ---- headers ---------------------------------------------------------------------------

void PeerManager::Impl::OnHeaders(Peer& peer, const net::Message& message)
{
    auto decoded = net::DecodeHeaders(message.payload);
    if (!decoded) {
        const auto count = LeadingCount(message.payload);
        if (count && *count > net::MAX_HEADERS_RESULTS) {
            Misbehaving(peer.info.id, "headers message size = " + std::to_string(*count));
            return;
        }
        return LogDecodeFailure(message, decoded.error());
    }
    // An answer arrived: the next getheaders may go out at once.
    peer.last_getheaders_time = 0;
    if (HandlePresync(peer, decoded->headers)) return;
    ProcessHeaders(peer, decoded->headers);
}

consensus::ArithUint256 PeerManager::Impl::AntiDoSWorkThreshold() const
{
    consensus::ArithUint256 near_tip{};
    if (const kernel::BlockIndex* tip = m_chainman.Tip()) {
        const consensus::ArithUint256 margin =
            consensus::GetBlockProof(tip->bits) * consensus::ArithUint256{144};
        if (tip->chain_work > margin) near_tip = tip->chain_work - margin;
    }
    return std::max(near_tip, m_chainman.MinimumChainWork());
}

void PeerManager::Impl::SendGetHeadersAfter(Peer& peer, const consensus::Uint256& hash,
                                            const kernel::BlockIndex* fork)
{
    net::GetHeadersMessage msg;
    msg.version = static_cast<uint32_t>(PROTOCOL_VERSION);
    msg.locator = LocatorFor(fork);
    msg.locator.insert(msg.locator.begin(), hash);
    SendMsg(peer.info.id, net::msgtype::GETHEADERS, net::Encode(msg));
    peer.last_getheaders_time = Now();
}

bool PeerManager::Impl::HandlePresync(Peer& peer,
                                      const std::vector<consensus::BlockHeader>& headers)
{
    if (!peer.presync) return false;
    const bool full = headers.size() == net::MAX_HEADERS_RESULTS;
    HeadersPresync::Outcome outcome = peer.presync->Process(headers, full);
    const kernel::BlockIndex* fork = m_chainman.LookupBlockIndex(peer.presync->ForkHash());
    if (!outcome.release.empty()) {
        // Proven to lead to enough work: the chainstate checks and stores them as usual.
        consensus::BlockValidationState state;
        const kernel::BlockIndex* last = nullptr;
        if (!m_chainman.ProcessNewBlockHeaders(outcome.release, state, &last) &&
            state.IsInvalid()) {
            peer.presync.reset();
            MaybePunishForBlock(peer.info.id, state, false, "invalid header received");
            return true;
        }
        if (last) UpdateBlockAvailability(peer, last->hash);
    }
    if (outcome.abort) {
        LogNet("Ignoring low-work chain from " + PeerStr(peer) + ": " + *outcome.abort);
        peer.presync.reset();
        return true;
    }
    if (outcome.restart_from_fork) {
        LogNet("Headers from " + PeerStr(peer) + " reach the minimum chain work after " +
               std::to_string(peer.presync->PresyncedCount()) +
               " headers; downloading them again to store them");
        peer.last_getheaders_time = 0;
        MaybeSendGetHeaders(peer, fork);
        return true;
    }
    if (outcome.continue_after) SendGetHeadersAfter(peer, *outcome.continue_after, fork);
    if (outcome.done) {
        LogNet("Low-work headers sync with " + PeerStr(peer) + " complete");
        peer.presync.reset();
        if (!outcome.continue_after) ScheduleDownloads();
    }
    return true;
}

void PeerManager::Impl::ProcessHeaders(Peer& peer,
                                       const std::vector<consensus::BlockHeader>& headers)
{
    if (headers.empty()) return;
    for (size_t i = 1; i < headers.size(); ++i) {
        if (headers[i].prev_block != headers[i - 1].GetHash()) {
            Misbehaving(peer.info.id, "non-continuous headers sequence");
            return;
        }
    }
    const kernel::BlockIndex* best = m_chainman.BestHeader();
    if (!m_chainman.LookupBlockIndex(headers.front().prev_block)) {
        // Probably a announcement racing a reorg or a block we have not heard of:
        // ask for the chain leading to it instead of punishing (Core v28).
        if (MaybeSendGetHeaders(peer, best)) {
            LogNet("received header " + headers.front().GetHash().GetHex() +
                   ": missing prev block " + headers.front().prev_block.GetHex() +
                   ", sending getheaders (" + std::to_string(best ? best->height : 0) +
                   ") to end (" + PeerStr(peer) + ")");
        }
        UpdateBlockAvailability(peer, headers.back().GetHash());
        return;
    }
    // A chain we do not know yet must carry enough work before any of it is stored.
    if (const kernel::BlockIndex* prev = m_chainman.LookupBlockIndex(headers.front().prev_block);
        !m_chainman.LookupBlockIndex(headers.back().GetHash())) {
        consensus::ArithUint256 work = prev->chain_work;
        for (const consensus::BlockHeader& header : headers)
            work += consensus::GetBlockProof(header.bits);
        const consensus::ArithUint256 threshold = AntiDoSWorkThreshold();
        if (work < threshold) {
            if (headers.size() != net::MAX_HEADERS_RESULTS) {
                LogNet("Ignoring low-work chain (height=" +
                       std::to_string(prev->height + static_cast<int>(headers.size())) + ") from " +
                       PeerStr(peer));
                return;
            }
            LogNet("Starting low-work headers presync with " + PeerStr(peer) + " from height " +
                   std::to_string(prev->height));
            peer.presync = std::make_unique<HeadersPresync>(
                prev->hash, prev->chain_work, prev->GetMedianTimePast(), threshold,
                m_chainman.Params().GetConsensus(), Now());
            peer.presync_fork_height = prev->height;
            HandlePresync(peer, headers);
            return;
        }
    }
    consensus::BlockValidationState state;
    const kernel::BlockIndex* last = nullptr;
    if (!m_chainman.ProcessNewBlockHeaders(headers, state, &last)) {
        if (state.IsInvalid()) {
            MaybePunishForBlock(peer.info.id, state, false, "invalid header received");
            return;
        }
    }
    if (!last) return;
    UpdateBlockAvailability(peer, last->hash);
    // Once the best header is recent every peer syncs headers (and so can serve blocks): start
    // them now rather than at the next tick, so they join the download early.
    if (last == m_chainman.BestHeader() &&
        static_cast<int64_t>(last->time) > Now() - 24 * 60 * 60) {
        for (auto& [id, other] : m_peers) {
            if (id != peer.info.id) MaybeStartSync(other);
        }
    }
    if (headers.size() == net::MAX_HEADERS_RESULTS) {
        peer.last_getheaders_time = 0;
        if (MaybeSendGetHeaders(peer, last)) {
            LogNet("more getheaders (" + std::to_string(last->height) + ") to end to " +
                   PeerStr(peer) + " (startheight:" + std::to_string(peer.starting_height) + ")");
        }
    }
    // A single new block on our tip from a BIP152 peer: ask for it as a compact block (Core).
    const kernel::BlockIndex* tip = m_chainman.Tip();
    if (m_options.compact_blocks && peer.provides_cmpct && last->prev == tip && !last->HaveData() &&
        m_blocks_in_flight.empty() && !m_chainman.IsInitialBlockDownload() &&
        (peer.services & net::NODE_WITNESS) && RequestBlock(peer, *last, true)) {
        net::InvMessage getdata;
        getdata.entries.push_back(net::Inv{net::MSG_CMPCT_BLOCK, last->hash});
        SendMsg(peer.info.id, net::msgtype::GETDATA, net::Encode(getdata));
        LogNet("Requesting compact block " + last->hash.GetHex() + " from " + PeerStr(peer));
        return;
    }
    ScheduleDownloads();
}

void PeerManager::Impl::OnGetHeaders(Peer& peer, const net::Message& message, bool blocks)
{
    auto decoded = net::DecodeGetHeaders(message.payload);
    if (!decoded) {
        const auto count = LeadingCount(message.payload, 4);
        if (count && *count > net::MAX_LOCATOR_SZ) {
            LogNet(message.command + " locator size " + std::to_string(*count) + " > " +
                   std::to_string(net::MAX_LOCATOR_SZ) + ", disconnect " + PeerStr(peer));
            Disconnect(peer, "oversized locator");
            return;
        }
        return LogDecodeFailure(message, decoded.error());
    }
    const kernel::Chain& chain = m_chainman.ActiveChain();
    // Core v24+: headers are served in initial download too, so nodes that all start at
    // genesis can sync from whoever mines first; only a chain below -minimumchainwork is
    // withheld, with an empty reply so the peer does not wait for one.
    if (!blocks && (!chain.Tip() || chain.Tip()->chain_work < m_chainman.MinimumChainWork())) {
        LogNet("Ignoring getheaders from " + PeerStr(peer) +
               " because active chain has too little work; sending empty response");
        SendMsg(peer.info.id, net::msgtype::HEADERS, net::Encode(net::HeadersMessage{}));
        return;
    }
    // The last locator entry on our active chain, else genesis.
    auto find_fork = [&]() -> const kernel::BlockIndex* {
        for (const consensus::Uint256& hash : decoded->locator) {
            const kernel::BlockIndex* index = m_chainman.LookupBlockIndex(hash);
            if (!index) continue;
            if (chain.Contains(index)) return index;
            if (index->GetAncestor(chain.Height()) == chain.Tip()) return chain.Tip();
        }
        return chain.Genesis();
    };
    const kernel::BlockIndex* start = nullptr;
    if (decoded->locator.empty()) {
        if (blocks) return;
        start = m_chainman.LookupBlockIndex(decoded->stop_hash);
        if (!start) return;
        if (!BlockRequestAllowed(*start)) {
            LogNet("ignoring request from " + PeerStr(peer) +
                   " for old block header that isn't in the main chain");
            return;
        }
    } else {
        const kernel::BlockIndex* fork = find_fork();
        start = fork ? chain.Next(fork) : nullptr;
    }

    if (blocks) {
        net::InvMessage inv;
        int limit = MAX_GETBLOCKS_RESULTS;
        for (const kernel::BlockIndex* index = start; index; index = chain.Next(index)) {
            if (index->hash == decoded->stop_hash) {
                LogNet("getblocks stopping at " + std::to_string(index->height) + " " +
                       index->hash.GetHex());
                break;
            }
            inv.entries.push_back(net::Inv{net::MSG_BLOCK, index->hash});
            if (--limit <= 0) {
                LogNet("getblocks stopping at limit " + std::to_string(index->height) + " " +
                       index->hash.GetHex());
                break;
            }
        }
        if (!inv.entries.empty()) SendMsg(peer.info.id, net::msgtype::INV, net::Encode(inv));
        return;
    }

    net::HeadersMessage reply;
    const kernel::BlockIndex* last = nullptr;
    int limit = static_cast<int>(net::MAX_HEADERS_RESULTS);
    for (const kernel::BlockIndex* index = start; index;) {
        reply.headers.push_back(index->GetHeader());
        last = index;
        if (--limit <= 0 || index->hash == decoded->stop_hash) break;
        // The stop-hash-only form asks for exactly one header, which may be off our chain.
        if (decoded->locator.empty()) break;
        index = chain.Next(index);
    }
    // Later announcements may be headers that build on what the peer now has.
    peer.best_header_sent = last ? last : chain.Tip();
    SendMsg(peer.info.id, net::msgtype::HEADERS, net::Encode(reply));
}

// ---- inv and getdata -------------------------------------------------------------------

void PeerManager::Impl::OnBlockInv(Peer& peer, const std::vector<net::Inv>& items)
{
    const consensus::Uint256* best_block = nullptr;
    for (const net::Inv& inv : items) {
        if ((inv.type & ~net::MSG_WITNESS_FLAG) != net::MSG_BLOCK) continue;
        const bool have = m_chainman.LookupBlockIndex(inv.hash) != nullptr;
        LogNet("got inv: block " + inv.hash.GetHex() + (have ? "  have " : "  new ") +
               PeerStr(peer));
        UpdateBlockAvailability(peer, inv.hash);
        if (!have && !IsRequested(inv.hash)) best_block = &inv.hash;
    }
    if (best_block) {
        const kernel::BlockIndex* best = m_chainman.BestHeader();
        if (MaybeSendGetHeaders(peer, best)) {
            LogNet("getheaders (" + std::to_string(best ? best->height : 0) + ") " +
                   best_block->GetHex() + " to " + PeerStr(peer));
        }
    }
}

void PeerManager::Impl::ProcessGetData(Peer& peer)
{
    net::ConnMan* connman = m_connman.load();
    if (!connman) return;
    net::InvMessage notfound;
    while (!peer.getdata_queue.empty() && !peer.disconnecting) {
        // Resume later (from Tick) when the peer reads what we already queued.
        if (connman->IsSendBufferFull(peer.info.id)) break;
        const net::Inv inv = peer.getdata_queue.front();
        peer.getdata_queue.pop_front();
        const uint32_t base = inv.type & ~net::MSG_WITNESS_FLAG;
        if (base == net::MSG_TX || base == net::MSG_WTX) {
            // Core: a peer we relay no transactions to gets no answer at all.
            if (peer.block_relay_only || !peer.relay) continue;
            if (!m_txrelay || !m_txrelay->OnGetData(peer.info.id, inv)) {
                notfound.entries.push_back(inv);
            }
        } else if (base == net::MSG_BLOCK || base == net::MSG_FILTERED_BLOCK ||
                   base == net::MSG_CMPCT_BLOCK) {
            if (!ServeBlock(peer, inv)) notfound.entries.push_back(inv);
        }
    }
    if (!notfound.entries.empty()) {
        SendMsg(peer.info.id, net::msgtype::NOTFOUND, net::Encode(notfound));
    }
}

bool PeerManager::Impl::BlockRequestAllowed(const kernel::BlockIndex& index) const
{
    if (m_chainman.ActiveChain().Contains(&index)) return true;
    const kernel::BlockIndex* best = m_chainman.BestHeader();
    return index.IsValid(storage::BLOCK_VALID_SCRIPTS) && best &&
           static_cast<int64_t>(best->time) - static_cast<int64_t>(index.time) <
               STALE_RELAY_AGE_LIMIT;
}

bool PeerManager::Impl::ServeBlock(Peer& peer, const net::Inv& inv)
{
    const kernel::BlockIndex* index = m_chainman.LookupBlockIndex(inv.hash);
    if (!index || !index->HaveData()) return false;
    if (!BlockRequestAllowed(*index)) {
        LogNet("ignoring request from " + PeerStr(peer) +
               " for old block that isn't in the main chain");
        return false;
    }
    const uint32_t base = inv.type & ~net::MSG_WITNESS_FLAG;
    // Without BIP37 filters a filtered block request gets nothing (Core sends nothing).
    if (base == net::MSG_FILTERED_BLOCK) return true;
    auto block = m_chainman.ReadBlock(*index);
    if (!block) {
        LogNet("Cannot load block from disk " + inv.hash.GetHex() + ": " + block.error().message);
        return false;
    }
    const kernel::BlockIndex* tip = m_chainman.Tip();
    if (base == net::MSG_CMPCT_BLOCK && tip &&
        tip->height - index->height <= MAX_CMPCTBLOCK_DEPTH) {
        return SendCompactBlock(peer, *block);
    }
    const bool witness = (inv.type & net::MSG_WITNESS_FLAG) != 0 || base == net::MSG_CMPCT_BLOCK;
    SendMsg(peer.info.id, net::msgtype::BLOCK,
            witness ? net::EncodeBlock(*block) : consensus::EncodeBlockNoWitness(*block));
    return true;
}

// ---- receiving blocks ------------------------------------------------------------------

void PeerManager::Impl::OnBlock(Peer& peer, const net::Message& message)
{
    auto decoded = net::DecodeBlock(message.payload);
    if (!decoded) return LogDecodeFailure(message, decoded.error());
    auto block = std::make_shared<const consensus::Block>(std::move(*decoded));
    const consensus::Uint256 hash = block->GetHash();
    LogNet("received block " + hash.GetHex() + " " + PeerStr(peer));
    // Core v27+: a copy whose transactions do not match its header is refused before
    // validation and its sender punished; the hash stays downloadable from others, and
    // only this peer's request for it is dropped, so an honest delivery goes on.
    consensus::BlockValidationState mutation;
    if (const kernel::BlockIndex* prev = m_chainman.LookupBlockIndex(block->header.prev_block);
        prev && consensus::IsBlockMutated(
                    *block, prev->height + 1 >= m_chainman.Params().GetConsensus().segwit_height,
                    mutation)) {
        // Core names the mutation in the validation log; the sender only hears "mutated block".
        if (mutation.IsInvalid()) {
            LogAt(util::LogCategory::VALIDATION, "Block mutated: " + mutation.ToString());
        }
        LogNet("Received mutated block from " + PeerStr(peer));
        RemoveBlockRequest(hash, peer.info.id);
        Misbehaving(peer.info.id, "mutated block");
        return;
    }
    RemoveBlockRequest(hash, peer.info.id);
    ProcessBlock(peer, block, false);
}

void PeerManager::Impl::ProcessBlock(Peer& peer,
                                     const std::shared_ptr<const consensus::Block>& block,
                                     bool from_compact)
{
    const consensus::Uint256 hash = block->GetHash();
    const net::NodeId id = peer.info.id;
    m_block_source[hash] = {id, from_compact};
    consensus::BlockValidationState state;
    bool new_block = false;
    const bool accepted = m_chainman.ProcessNewBlock(block, state, &new_block);
    // BlockChecked reported (and punished) failures already; connected blocks too.
    if (!accepted) m_block_source.erase(hash);
    Peer* still = GetPeer(id);
    if (!still) return;
    if (new_block) {
        still->last_block_time = Now();
        UpdateEviction(*still);
    }
    if (!accepted && state.GetResult() == consensus::BlockResult::MUTATED) {
        LogNet("Received mutated block " + hash.GetHex() + " from " + PeerStr(*still) + ": " +
               state.ToString());
    }
    ScheduleDownloads();
}

void PeerManager::Impl::MaybePunishForBlock(net::NodeId id,
                                            const consensus::BlockValidationState& state,
                                            bool via_compact, const std::string& message)
{
    using consensus::BlockResult;
    const std::string reason = message.empty() ? state.ToString() : message;
    const Peer* peer = GetPeer(id);
    switch (state.GetResult()) {
    case BlockResult::UNSET:
    case BlockResult::HEADER_LOW_WORK:
    case BlockResult::TIME_FUTURE:
    case BlockResult::RECENT_CONSENSUS_CHANGE:
    // Full blocks are gated by IsBlockMutated in OnBlock; a reconstructed compact block
    // that fails its merkle root is a short-id collision, not the sender's fault.
    case BlockResult::MUTATED:
        break;
    case BlockResult::CONSENSUS:
        if (!via_compact) return Misbehaving(id, reason);
        break;
    case BlockResult::CACHED_INVALID:
        if (peer && !via_compact && !peer->inbound) return Misbehaving(id, reason);
        break;
    case BlockResult::INVALID_HEADER:
    case BlockResult::INVALID_PREV:
    case BlockResult::MISSING_PREV:
        return Misbehaving(id, reason);
    }
    LogNet("peer=" + std::to_string(id) + ": " + reason);
}

// ---- download scheduling ---------------------------------------------------------------

bool PeerManager::Impl::IsRequested(const consensus::Uint256& hash) const
{
    return m_blocks_in_flight.count(hash) != 0;
}

bool PeerManager::Impl::RequestBlock(Peer& peer, const kernel::BlockIndex& index, bool from_compact)
{
    auto it = m_blocks_in_flight.find(index.hash);
    if (it != m_blocks_in_flight.end()) {
        if (it->second == peer.info.id) return false;
        RemoveBlockRequest(index.hash, std::nullopt);
    }
    if (peer.in_flight.empty()) peer.downloading_since_ms = SteadyMs();
    peer.in_flight.push_back(QueuedBlock{index.hash, index.height, from_compact});
    m_blocks_in_flight[index.hash] = peer.info.id;
    return true;
}

bool PeerManager::Impl::RemoveBlockRequest(const consensus::Uint256& hash,
                                           std::optional<net::NodeId> from)
{
    auto it = m_blocks_in_flight.find(hash);
    if (it == m_blocks_in_flight.end()) return false;
    if (from && it->second != *from) return false;
    if (Peer* peer = GetPeer(it->second)) {
        auto queued = std::find_if(peer->in_flight.begin(), peer->in_flight.end(),
                                   [&](const QueuedBlock& q) { return q.hash == hash; });
        if (queued != peer->in_flight.end()) {
            // The clock of the next request starts when the front one is answered.
            if (queued == peer->in_flight.begin()) {
                peer->downloading_since_ms = std::max(peer->downloading_since_ms, SteadyMs());
            }
            peer->in_flight.erase(queued);
        }
        peer->stalling_since_ms = 0;
    }
    m_blocks_in_flight.erase(it);
    m_partial_blocks.erase(hash);
    return true;
}

void PeerManager::Impl::FindNextBlocksToDownload(Peer& peer, size_t count,
                                                 std::vector<const kernel::BlockIndex*>& blocks,
                                                 std::optional<net::NodeId>& staller)
{
    if (count == 0) return;
    ProcessBlockAvailability(peer);
    const kernel::Chain& chain = m_chainman.ActiveChain();
    const kernel::BlockIndex* tip = chain.Tip();
    if (!peer.best_known || !tip || peer.best_known->chain_work < tip->chain_work) return;
    if (!peer.last_common) {
        // Guess from our own chain (a wrong guess is corrected below); a guess taken from
        // the peer's chain would skip the fork blocks at or below our height.
        peer.last_common = chain[std::min(peer.best_known->height, chain.Height())];
    }
    peer.last_common = kernel::LastCommonAncestor(peer.last_common, peer.best_known);
    if (!peer.last_common || peer.last_common == peer.best_known) return;

    const kernel::BlockIndex* walk = peer.last_common;
    const int window_end = peer.last_common->height + BLOCK_DOWNLOAD_WINDOW;
    const int max_height = std::min(peer.best_known->height, window_end + 1);
    std::optional<net::NodeId> waiting_for;
    std::vector<const kernel::BlockIndex*> to_fetch;
    while (walk->height < max_height) {
        const int step = std::min<int>(max_height - walk->height,
                                       std::max<int>(static_cast<int>(count - blocks.size()), 128));
        to_fetch.assign(static_cast<size_t>(step), nullptr);
        walk = peer.best_known->GetAncestor(walk->height + step);
        to_fetch[static_cast<size_t>(step) - 1] = walk;
        for (size_t i = static_cast<size_t>(step) - 1; i > 0; --i) {
            to_fetch[i - 1] = to_fetch[i]->prev;
        }
        for (const kernel::BlockIndex* index : to_fetch) {
            if (!index->IsValid(storage::BLOCK_VALID_TREE)) return; // an invalid chain
            if (index->HaveData() || chain.Contains(index)) {
                if (index->chain_tx_count != 0 || chain.Contains(index)) peer.last_common = index;
                continue;
            }
            auto in_flight = m_blocks_in_flight.find(index->hash);
            if (in_flight == m_blocks_in_flight.end()) {
                if (index->height > window_end) {
                    // The window is full and someone else holds its first block.
                    if (blocks.empty() && waiting_for && *waiting_for != peer.info.id) {
                        staller = waiting_for;
                    }
                    return;
                }
                blocks.push_back(index);
                if (blocks.size() == count) return;
            } else if (!waiting_for) {
                waiting_for = in_flight->second;
            }
        }
    }
}

void PeerManager::Impl::ScheduleDownloads()
{
    const bool ibd = m_chainman.IsInitialBlockDownload();
    for (auto& [id, peer] : m_peers) {
        if (!peer.handshake_complete || peer.disconnecting) continue;
        if (peer.info.type == net::ConnectionType::FEELER ||
            peer.info.type == net::ConnectionType::ADDR_FETCH) {
            continue;
        }
        const bool full = (peer.services & net::NODE_NETWORK) != 0;
        const bool limited = (peer.services & net::NODE_NETWORK_LIMITED) != 0;
        if (!(peer.services & net::NODE_WITNESS) || !(full || (limited && !ibd))) continue;
        if (peer.in_flight.size() >= MAX_BLOCKS_IN_TRANSIT_PER_PEER) continue;
        std::vector<const kernel::BlockIndex*> blocks;
        std::optional<net::NodeId> staller;
        FindNextBlocksToDownload(peer, MAX_BLOCKS_IN_TRANSIT_PER_PEER - peer.in_flight.size(),
                                 blocks, staller);
        if (blocks.empty() && staller) {
            Peer* slow = GetPeer(*staller);
            if (slow && slow->stalling_since_ms == 0) {
                slow->stalling_since_ms = SteadyMs();
                LogNet("Stall started peer=" + std::to_string(*staller));
            }
        }
        net::InvMessage getdata;
        for (const kernel::BlockIndex* index : blocks) {
            if (!RequestBlock(peer, *index)) continue;
            getdata.entries.push_back(
                net::Inv{net::MSG_BLOCK | net::MSG_WITNESS_FLAG, index->hash});
            LogNet("Requesting block " + index->hash.GetHex() + " (" +
                   std::to_string(index->height) + ") " + PeerStr(peer));
        }
        if (!getdata.entries.empty()) {
            SendMsg(id, net::msgtype::GETDATA, net::Encode(getdata));
        }
    }
}

void PeerManager::Impl::CheckTimeouts()
{
    const int64_t now_ms = SteadyMs();
    const int64_t spacing_ms = m_chainman.Params().GetConsensus().pow_target_spacing * 1000;
    int downloading = 0;
    for (const auto& [id, peer] : m_peers) {
        if (!peer.in_flight.empty()) ++downloading;
    }
    for (auto& [id, peer] : m_peers) {
        if (peer.disconnecting) continue;
        if (peer.stalling_since_ms != 0 &&
            now_ms - peer.stalling_since_ms > BLOCK_STALLING_TIMEOUT_MS) {
            LogNet("Peer=" + std::to_string(id) + " is stalling block download, disconnecting");
            Disconnect(peer, "stalling block download");
            continue;
        }
        if (!peer.in_flight.empty()) {
            // Core: one block interval, plus half an interval per other downloading peer.
            const int64_t timeout_ms = spacing_ms + spacing_ms * (downloading - 1) / 2;
            if (now_ms > peer.downloading_since_ms + timeout_ms) {
                LogNet("Timeout downloading block " + peer.in_flight.front().hash.GetHex() +
                       " from peer=" + std::to_string(id) + ", disconnecting");
                Disconnect(peer, "block download timeout");
            }
        }
    }
}

// ---- announcements ---------------------------------------------------------------------

void PeerManager::Impl::SendAnnouncements(Peer& peer)
{
    if (peer.blocks_to_announce.empty()) return;
    ProcessBlockAvailability(peer);
    const kernel::Chain& chain = m_chainman.ActiveChain();
    const bool hb = peer.hb_from && peer.provides_cmpct && m_options.compact_blocks;
    bool revert_to_inv =
        (!peer.prefer_headers && !hb) || peer.blocks_to_announce.size() > MAX_BLOCKS_TO_ANNOUNCE;
    std::vector<const kernel::BlockIndex*> headers;
    const kernel::BlockIndex* best_index = nullptr;
    if (!revert_to_inv) {
        bool found_start = false;
        for (const consensus::Uint256& hash : peer.blocks_to_announce) {
            const kernel::BlockIndex* index = m_chainman.LookupBlockIndex(hash);
            if (!index || chain[index->height] != index) {
                revert_to_inv = true; // reorganised away since
                break;
            }
            if (best_index && index->prev != best_index) {
                revert_to_inv = true;
                break;
            }
            best_index = index;
            if (found_start) {
                headers.push_back(index);
            } else if (PeerHasHeader(peer, index)) {
                continue;
            } else if (!index->prev || PeerHasHeader(peer, index->prev)) {
                found_start = true;
                headers.push_back(index);
            } else {
                revert_to_inv = true; // the peer would not be able to connect them
                break;
            }
        }
    }
    if (!revert_to_inv && !headers.empty()) {
        if (headers.size() == 1 && hb) {
            bool sent = false;
            if (m_recent_block && m_recent_block->GetHash() == best_index->hash) {
                sent = SendCompactBlock(peer, *m_recent_block);
            } else if (auto block = m_chainman.ReadBlock(*best_index)) {
                sent = SendCompactBlock(peer, *block);
            }
            if (sent) {
                LogAt(util::LogCategory::NET, "sending header-and-ids " +
                                                  best_index->hash.GetHex() + " to " +
                                                  PeerStr(peer));
                peer.best_header_sent = best_index;
            } else {
                revert_to_inv = true;
            }
        } else if (peer.prefer_headers) {
            net::HeadersMessage msg;
            for (const kernel::BlockIndex* index : headers)
                msg.headers.push_back(index->GetHeader());
            SendMsg(peer.info.id, net::msgtype::HEADERS, net::Encode(msg));
            peer.best_header_sent = best_index;
        } else {
            revert_to_inv = true;
        }
    }
    if (revert_to_inv && !peer.blocks_to_announce.empty()) {
        const kernel::BlockIndex* index =
            m_chainman.LookupBlockIndex(peer.blocks_to_announce.back());
        if (index && chain[index->height] == index && !PeerHasHeader(peer, index)) {
            net::InvMessage inv;
            inv.entries.push_back(net::Inv{net::MSG_BLOCK, index->hash});
            SendMsg(peer.info.id, net::msgtype::INV, net::Encode(inv));
        }
    }
    peer.blocks_to_announce.clear();
}

// ---- chainstate events -----------------------------------------------------------------

void PeerManager::Impl::OnBlockConnected(const consensus::Block& block)
{
    if (!m_chainman.IsInitialBlockDownload()) {
        m_recent_block = std::make_shared<const consensus::Block>(block);
    }
    m_partial_blocks.erase(block.GetHash());
    if (m_txrelay) m_txrelay->BlockConnected(block);
}

void PeerManager::Impl::OnUpdatedBlockTip(const kernel::BlockIndex& new_tip,
                                          const kernel::BlockIndex* fork, bool ibd)
{
    if (ibd) return;
    std::vector<consensus::Uint256> hashes;
    for (const kernel::BlockIndex* index = &new_tip; index && index != fork; index = index->prev) {
        hashes.push_back(index->hash);
        if (hashes.size() == MAX_BLOCKS_TO_ANNOUNCE) break;
    }
    std::reverse(hashes.begin(), hashes.end());
    for (auto& [id, peer] : m_peers) {
        if (!peer.handshake_complete || peer.disconnecting) continue;
        peer.blocks_to_announce.insert(peer.blocks_to_announce.end(), hashes.begin(), hashes.end());
        SendAnnouncements(peer);
    }
}

void PeerManager::Impl::OnBlockChecked(const consensus::Block& block,
                                       const consensus::BlockValidationState& state)
{
    const consensus::Uint256 hash = block.GetHash();
    auto it = m_block_source.find(hash);
    if (it == m_block_source.end()) return;
    const auto [id, via_compact] = it->second;
    m_block_source.erase(it);
    if (state.IsInvalid()) {
        if (GetPeer(id)) MaybePunishForBlock(id, state, via_compact, "");
    } else if (!m_chainman.IsInitialBlockDownload() && m_blocks_in_flight.empty()) {
        // A peer that gives us new blocks first is a good high-bandwidth source.
        MaybeSetHighBandwidth(id);
    }
}

} // namespace node
