// PeerManager: BIP152 compact blocks (version 2): high-bandwidth peer choice,
// reconstruction from the mempool, getblocktxn/blocktxn in both directions.
#include <node/peerman_impl.h>

#include <consensus/block_check.h>
#include <kernel/chainstate.h>
#include <kernel/mempool.h>

#include <algorithm>
#include <unordered_map>

namespace node {

namespace {

std::string PeerStr(const Peer& peer)
{
    return "peer=" + std::to_string(peer.info.id);
}

std::vector<uint8_t> EncodeSendCmpct(bool high_bandwidth)
{
    return net::Encode(net::SendCmpctMessage{.high_bandwidth = high_bandwidth, .version = 2});
}

} // namespace

void PeerManager::Impl::OnSendCmpct(Peer& peer, const net::Message& message)
{
    auto decoded = net::DecodeSendCmpct(message.payload);
    if (!decoded) return LogDecodeFailure(message, decoded.error());
    // Only version 2 (wtxid short ids) is spoken; other versions are ignored, as Core.
    if (decoded->version != 2) return;
    peer.provides_cmpct = true;
    peer.hb_from = decoded->high_bandwidth;
}

bool PeerManager::Impl::SendCompactBlock(Peer& peer, const consensus::Block& block)
{
    auto payload = net::Encode(net::MakeCompactBlock(block, m_rng()));
    if (!payload) return false;
    return SendMsg(peer.info.id, net::msgtype::CMPCTBLOCK, std::move(*payload));
}

void PeerManager::Impl::MaybeSetHighBandwidth(net::NodeId id)
{
    if (!m_options.compact_blocks) return;
    Peer* peer = GetPeer(id);
    if (!peer || !peer->provides_cmpct || peer->disconnecting) return;
    auto it = std::find(m_hb_peers.begin(), m_hb_peers.end(), id);
    if (it != m_hb_peers.end()) {
        // Already one: it becomes the most recent.
        m_hb_peers.erase(it);
        m_hb_peers.push_back(id);
        return;
    }
    if (m_hb_peers.size() >= MAX_HB_PEERS) {
        const net::NodeId oldest = m_hb_peers.front();
        m_hb_peers.pop_front();
        if (Peer* old = GetPeer(oldest)) {
            SendMsg(oldest, net::msgtype::SENDCMPCT, EncodeSendCmpct(false));
            old->hb_to = false;
        }
    }
    SendMsg(id, net::msgtype::SENDCMPCT, EncodeSendCmpct(true));
    peer->hb_to = true;
    m_hb_peers.push_back(id);
}

void PeerManager::Impl::OnCmpctBlock(Peer& peer, const net::Message& message)
{
    auto decoded = net::DecodeCompactBlock(message.payload);
    if (!decoded) return LogDecodeFailure(message, decoded.error());
    const net::CompactBlockMessage& cmpct = *decoded;
    const consensus::Uint256 hash = cmpct.header.GetHash();
    const net::NodeId id = peer.info.id;

    if (!m_chainman.LookupBlockIndex(cmpct.header.prev_block)) {
        // Does not connect: fetch the headers in between rather than punish.
        if (!m_chainman.IsInitialBlockDownload()) {
            MaybeSendGetHeaders(peer, m_chainman.BestHeader());
        }
        return;
    }
    consensus::BlockValidationState state;
    const kernel::BlockIndex* index = nullptr;
    if (!m_chainman.ProcessNewBlockHeaders(std::span{&cmpct.header, 1}, state, &index)) {
        if (state.IsInvalid()) {
            MaybePunishForBlock(id, state, true, "invalid header via cmpctblock");
            return;
        }
    }
    if (!index) index = m_chainman.LookupBlockIndex(hash);
    if (!index) return;
    UpdateBlockAvailability(peer, hash);
    if (index->HaveData()) return;
    const kernel::BlockIndex* tip = m_chainman.Tip();
    // Only the block right on top of our tip is rebuilt; others go through the normal download.
    if (!tip || index->prev != tip || m_chainman.IsInitialBlockDownload()) {
        ScheduleDownloads();
        return;
    }

    const size_t total = cmpct.short_ids.size() + cmpct.prefilled.size();
    if (total == 0 || total > net::MAX_COMPACT_BLOCK_TXS) {
        Misbehaving(id, "invalid compact block");
        return;
    }
    PartialBlock partial;
    partial.peer = id;
    partial.header = cmpct.header;
    partial.txs.assign(total, nullptr);
    for (const net::PrefilledTransaction& pre : cmpct.prefilled) {
        if (pre.index >= total || !pre.tx) {
            Misbehaving(id, "invalid compact block");
            return;
        }
        partial.txs[pre.index] = pre.tx;
    }
    partial.prefilled = cmpct.prefilled.size();
    // Positions not prefilled take the short ids in order.
    std::unordered_map<uint64_t, size_t> slot_of;
    slot_of.reserve(cmpct.short_ids.size());
    size_t next = 0;
    bool duplicate_ids = false;
    for (uint64_t sid : cmpct.short_ids) {
        while (next < total && partial.txs[next])
            ++next;
        if (!slot_of.emplace(sid, next).second) duplicate_ids = true;
        ++next;
    }
    auto request_full = [&](const std::string& why) {
        LogAt(util::LogCategory::CMPCTBLOCK, "Failed to reconstruct block " + hash.GetHex() + " (" +
                                                 why + "), requesting full block from " +
                                                 PeerStr(peer));
        if (RequestBlock(peer, *index)) {
            net::InvMessage getdata;
            getdata.entries.push_back(net::Inv{net::MSG_BLOCK | net::MSG_WITNESS_FLAG, hash});
            SendMsg(id, net::msgtype::GETDATA, net::Encode(getdata));
        }
    };
    if (duplicate_ids) {
        request_full("short id collision");
        return;
    }
    if (m_mempool && !slot_of.empty()) {
        const net::ShortIdKey key = net::ComputeShortIdKey(cmpct.header, cmpct.nonce);
        std::vector<uint8_t> hits(total, 0);
        for (const kernel::MempoolEntry* entry : m_mempool->Entries()) {
            const auto& tx = entry->GetSharedTx();
            auto found = slot_of.find(net::ComputeShortId(key, tx->GetWitnessHash()));
            if (found == slot_of.end()) continue;
            const size_t slot = found->second;
            // Two pool transactions behind one short id: ask for that one instead.
            if (++hits[slot] == 1) {
                partial.txs[slot] = tx;
                ++partial.from_mempool;
            } else if (hits[slot] == 2) {
                partial.txs[slot] = nullptr;
                --partial.from_mempool;
            }
        }
    }
    for (size_t i = 0; i < total; ++i) {
        if (!partial.txs[i]) partial.missing.push_back(static_cast<uint16_t>(i));
    }
    if (partial.missing.empty()) {
        RemoveBlockRequest(hash, std::nullopt);
        FinishCompactBlock(peer, std::move(partial), false);
        return;
    }
    RequestBlock(peer, *index, true);
    net::GetBlockTxnMessage request;
    request.block_hash = hash;
    request.indexes = partial.missing;
    auto payload = net::Encode(request);
    m_partial_blocks[hash] = std::move(partial);
    if (payload) SendMsg(id, net::msgtype::GETBLOCKTXN, std::move(*payload));
}

void PeerManager::Impl::FinishCompactBlock(Peer& peer, PartialBlock partial, bool fetched)
{
    auto block = std::make_shared<consensus::Block>();
    block->header = partial.header;
    block->vtx = std::move(partial.txs);
    const consensus::Uint256 hash = block->GetHash();
    // A short id matched the wrong transaction if the commitments disagree: get the real block.
    consensus::BlockValidationState check;
    if (!consensus::CheckBlock(*block, check, m_chainman.Params().GetConsensus(), false, true) &&
        check.GetResult() == consensus::BlockResult::MUTATED) {
        LogAt(util::LogCategory::CMPCTBLOCK, "Failed to reconstruct block " + hash.GetHex() + " (" +
                                                 check.ToString() +
                                                 "), requesting full block from " + PeerStr(peer));
        const kernel::BlockIndex* index = m_chainman.LookupBlockIndex(hash);
        if (index && RequestBlock(peer, *index)) {
            net::InvMessage getdata;
            getdata.entries.push_back(net::Inv{net::MSG_BLOCK | net::MSG_WITNESS_FLAG, hash});
            SendMsg(peer.info.id, net::msgtype::GETDATA, net::Encode(getdata));
        }
        return;
    }
    if (fetched) {
        ++peer.cmpct_fetched_missing;
    } else {
        ++peer.cmpct_reconstructed;
    }
    LogAt(util::LogCategory::CMPCTBLOCK,
          "Successfully reconstructed block " + hash.GetHex() + " with " +
              std::to_string(partial.prefilled) + " txn prefilled, " +
              std::to_string(partial.from_mempool) +
              " txn from mempool (incl at least 0 from "
              "extra pool) and " +
              std::to_string(partial.missing.size()) + " txn requested");
    ProcessBlock(peer, block, true);
}

void PeerManager::Impl::OnBlockTxn(Peer& peer, const net::Message& message)
{
    auto decoded = net::DecodeBlockTxn(message.payload);
    if (!decoded) return LogDecodeFailure(message, decoded.error());
    auto it = m_partial_blocks.find(decoded->block_hash);
    if (it == m_partial_blocks.end() || it->second.peer != peer.info.id) {
        LogAt(util::LogCategory::CMPCTBLOCK, "Peer " + std::to_string(peer.info.id) +
                                                 " sent us block transactions for block we "
                                                 "weren't expecting");
        return;
    }
    PartialBlock partial = std::move(it->second);
    m_partial_blocks.erase(it);
    RemoveBlockRequest(decoded->block_hash, peer.info.id);
    if (decoded->txs.size() != partial.missing.size()) {
        Misbehaving(peer.info.id, "invalid compact block/non-matching block transactions");
        return;
    }
    for (size_t i = 0; i < partial.missing.size(); ++i) {
        if (!decoded->txs[i]) {
            Misbehaving(peer.info.id, "invalid compact block/non-matching block transactions");
            return;
        }
        partial.txs[partial.missing[i]] = decoded->txs[i];
    }
    FinishCompactBlock(peer, std::move(partial), true);
}

void PeerManager::Impl::OnGetBlockTxn(Peer& peer, const net::Message& message)
{
    auto decoded = net::DecodeGetBlockTxn(message.payload);
    if (!decoded) return LogDecodeFailure(message, decoded.error());
    const kernel::BlockIndex* index = m_chainman.LookupBlockIndex(decoded->block_hash);
    if (!index || !index->HaveData()) {
        LogNet("Peer " + std::to_string(peer.info.id) +
               " sent us a getblocktxn for a block we don't have");
        return;
    }
    const kernel::BlockIndex* tip = m_chainman.Tip();
    if (!tip || tip->height - index->height > MAX_BLOCKTXN_DEPTH) {
        LogNet("Peer " + std::to_string(peer.info.id) + " sent us a getblocktxn for a block > " +
               std::to_string(MAX_BLOCKTXN_DEPTH) + " deep");
        peer.getdata_queue.push_back(
            net::Inv{net::MSG_BLOCK | net::MSG_WITNESS_FLAG, decoded->block_hash});
        ProcessGetData(peer);
        return;
    }
    auto block = m_chainman.ReadBlock(*index);
    if (!block) {
        LogNet("Cannot load block from disk " + index->hash.GetHex());
        return;
    }
    net::BlockTxnMessage reply;
    reply.block_hash = decoded->block_hash;
    for (uint16_t i : decoded->indexes) {
        if (i >= block->vtx.size()) {
            Misbehaving(peer.info.id, "getblocktxn with out-of-bounds tx indices");
            return;
        }
        reply.txs.push_back(block->vtx[i]);
    }
    auto payload = net::Encode(reply);
    if (payload) SendMsg(peer.info.id, net::msgtype::BLOCKTXN, std::move(*payload));
}

} // namespace node
