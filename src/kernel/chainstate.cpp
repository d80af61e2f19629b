// Loading, header and block acceptance, chain selection and flushing. The
// rules a block must satisfy against the UTXO set live in connect.cpp;
// import, reindex and startup verification in import.cpp.
#include <kernel/chainstate.h>

#include <consensus/block_check.h>
#include <consensus/pow.h>
#include <util/logging.h>

#include <algorithm>
#include <chrono>
#include <limits>
#include <string>

namespace kernel {

namespace {

// The ancestors of a block as the retarget rules see them.
class IndexChainView : public consensus::HeaderChainView
{
public:
    explicit IndexChainView(const BlockIndex* tip) : m_tip{tip} {}
    uint32_t BitsAt(int height) const override { return m_tip->GetAncestor(height)->bits; }
    int64_t TimeAt(int height) const override { return m_tip->GetAncestor(height)->time; }

private:
    const BlockIndex* m_tip;
};

// Blocks connected per ActivateBestChainStep before tip notifications and
// flush checks run again (keeps memory bounded during long reorgs).
constexpr int MAX_CONNECT_BATCH = 32;

} // namespace

ChainstateManager::ChainstateManager(ChainstateOptions options)
    : m_options{std::move(options)}, m_log{m_options.logger}, m_check_queue{std::max(
                                                                  1u, m_options.script_threads)}
{}

ChainstateManager::~ChainstateManager()
{
    if (!m_fatal_error && m_coins) {
        if (auto r = FlushStateToDisk(FlushMode::ALWAYS); !r && m_log) {
            m_log->Error("Failed to flush the chainstate at shutdown: " + r.error().message);
        }
    }
}

int64_t ChainstateManager::Now() const
{
    if (m_options.clock) return m_options.clock();
    return std::chrono::duration_cast<std::chrono::seconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

util::Error ChainstateManager::Fatal(util::Error error)
{
    if (!m_fatal_error) {
        m_fatal_error = error;
        if (m_log) m_log->Error("Fatal chainstate error, writes stopped: " + error.message);
        if (m_options.on_fatal_error) m_options.on_fatal_error(error);
    }
    return error;
}

BlockIndex* ChainstateManager::LookupBlockIndex(const consensus::Uint256& hash) const
{
    const auto it = m_index.find(hash);
    return it == m_index.end() ? nullptr : it->second.get();
}

std::vector<const BlockIndex*> ChainstateManager::AllBlockIndexes() const
{
    std::vector<const BlockIndex*> all;
    all.reserve(m_index.size());
    for (const auto& [hash, index] : m_index)
        all.push_back(index.get());
    return all;
}

bool ChainstateManager::IsInitialBlockDownload() const
{
    const BlockIndex* tip = m_chain.Tip();
    if (!tip) return true;
    if (tip->chain_work < m_options.minimum_chain_work) return true;
    return tip->time < Now() - 24 * 60 * 60;
}

util::Expected<consensus::Block> ChainstateManager::ReadBlock(const BlockIndex& index) const
{
    if (!index.HaveData()) {
        return util::Unexpected("Block " + index.hash.GetHex() + " is not stored on disk");
    }
    auto block = m_block_files->ReadBlock(index.DataPos(), index.hash);
    // A damaged or missing block is logged where it is found (as Core's block
    // reads do); callers only add what the failure meant to them.
    if (!block && m_log) {
        m_log->Error("ReadBlock: block " + index.hash.GetHex() + ": " + block.error().message);
    }
    return block;
}

// ---- loading ------------------------------------------------------------------

util::Expected<std::unique_ptr<ChainstateManager>>
ChainstateManager::Open(ChainstateOptions options)
{
    if (!options.params) return util::Unexpected("ChainstateManager: no chain parameters given");
    std::unique_ptr<ChainstateManager> chainman{new ChainstateManager(std::move(options))};
    if (auto r = chainman->Load(); !r) {
        // Nothing half-loaded may be written back on the way out.
        chainman->m_fatal_error = r.error();
        return r.error();
    }
    return chainman;
}

util::Expected<void> ChainstateManager::Load()
{
    const auto blocks_dir = m_options.data_dir / "blocks";
    std::error_code ec;
    std::filesystem::create_directories(blocks_dir, ec);
    if (ec) return util::Unexpected("Cannot create " + blocks_dir.string() + ": " + ec.message());

    storage::BlockTreeDBOptions tree_options;
    tree_options.path = blocks_dir / "index";
    tree_options.cache_bytes = m_options.block_tree_db_cache_bytes;
    tree_options.wipe = m_options.reindex;
    tree_options.logger = m_log;
    auto tree = storage::BlockTreeDB::Open(tree_options);
    if (!tree) return tree.error();
    m_block_tree = std::move(*tree);

    bool reindex = m_options.reindex;
    if (!reindex) {
        auto flag = m_block_tree->ReadReindexing();
        if (!flag) return flag.error();
        if (*flag) {
            if (m_log) m_log->Info("An interrupted reindex is resumed");
            reindex = true;
        }
    }
    if (reindex) {
        if (auto r = m_block_tree->WriteReindexing(true); !r) return r;
    }

    storage::CoinsDBOptions coins_options;
    coins_options.path = m_options.data_dir / "chainstate";
    coins_options.cache_bytes = m_options.coins_db_cache_bytes;
    coins_options.wipe = reindex || m_options.reindex_chainstate;
    coins_options.batch_write_bytes = m_options.coins_batch_write_bytes;
    coins_options.logger = m_log;
    coins_options.crash_after_batch = m_options.crash_after_batch;
    auto coins_db = storage::CoinsDB::Open(std::move(coins_options));
    if (!coins_db) return coins_db.error();
    m_coins_db = std::move(*coins_db);
    m_coins = std::make_unique<CoinsCache>(*m_coins_db);

    // A wiped index loads empty; a resumed reindex keeps what it had stored.
    if (auto r = LoadBlockIndex(); !r) return r;
    if (reindex) {
        if (auto r = Reindex(); !r) return r;
    }
    if (auto r = LoadGenesis(); !r) return r;
    if (auto r = ReplayBlocks(); !r) return r;
    if (auto r = LoadChainTip(); !r) return r;
    m_last_flush = Now();
    return ActivateBestChain();
}

util::Expected<void> ChainstateManager::LoadBlockIndex()
{
    // Entries arrive in hash order; parents are linked by hash afterwards.
    std::vector<std::pair<BlockIndex*, consensus::Uint256>> prev_hashes;
    auto loaded = m_block_tree->LoadBlockIndex(
        [&](const consensus::Uint256& hash, const storage::DiskBlockIndex& disk) {
            auto entry = std::make_unique<BlockIndex>();
            entry->hash = hash;
            entry->height = disk.height;
            entry->status = disk.status;
            entry->tx_count = disk.tx_count;
            entry->file = disk.file;
            entry->data_pos = disk.data_pos;
            entry->undo_pos = disk.undo_pos;
            entry->SetHeaderFields(disk.header);
            prev_hashes.emplace_back(entry.get(), disk.header.prev_block);
            m_index.emplace(hash, std::move(entry));
            return true;
        });
    if (!loaded) return loaded.error();

    const auto corrupt = [](const std::string& what) {
        return util::Unexpected("Corrupted block index: " + what +
                                ". Restart with -reindex to rebuild it from the block files.");
    };
    for (auto& [entry, prev_hash] : prev_hashes) {
        if (prev_hash.IsNull()) {
            if (entry->hash != Params().GetConsensus().hash_genesis_block) {
                return corrupt("block " + entry->hash.GetHex() + " has no parent");
            }
            continue;
        }
        entry->prev = LookupBlockIndex(prev_hash);
        if (!entry->prev) {
            return corrupt("the parent of block " + entry->hash.GetHex() + " is missing");
        }
    }

    std::vector<BlockIndex*> by_height;
    by_height.reserve(m_index.size());
    for (auto& [hash, entry] : m_index)
        by_height.push_back(entry.get());
    std::sort(by_height.begin(), by_height.end(),
              [](const BlockIndex* a, const BlockIndex* b) { return a->height < b->height; });
    for (BlockIndex* entry : by_height) {
        if (entry->prev && entry->prev->height + 1 != entry->height) {
            return corrupt("block " + entry->hash.GetHex() + " has a wrong height");
        }
        if (!consensus::CheckProofOfWork(entry->hash, entry->bits, Params().GetConsensus())) {
            return corrupt("block " + entry->hash.GetHex() + " does not meet its target");
        }
        entry->ComputeChainFields();
        if (entry->tx_count > 0 && entry->HaveData()) {
            if (!entry->prev) {
                entry->chain_tx_count = entry->tx_count;
            } else if (entry->prev->chain_tx_count > 0) {
                entry->chain_tx_count = entry->prev->chain_tx_count + entry->tx_count;
            } else {
                m_unlinked.emplace(entry->prev, entry);
            }
        }
        if (entry->prev && entry->prev->IsFailed() && !entry->IsFailed()) {
            entry->status |= storage::BLOCK_FAILED_CHILD;
            SetDirty(entry);
        }
        if (entry->IsFailed()) {
            if (!m_best_invalid || entry->chain_work > m_best_invalid->chain_work) {
                m_best_invalid = entry;
            }
        } else if (entry->IsValid(storage::BLOCK_VALID_TREE) &&
                   (!m_best_header || BlockIndexWorkComparator{}(m_best_header, entry))) {
            m_best_header = entry;
        }
    }

    auto last_file = m_block_tree->ReadLastBlockFile();
    if (!last_file) return last_file.error();
    const int last = last_file->value_or(0);
    std::vector<storage::FileSizes> sizes;
    for (int file = 0; file <= last; ++file) {
        auto info = m_block_tree->ReadBlockFileInfo(file);
        if (!info) return info.error();
        m_file_info.push_back(info->value_or(storage::BlockFileInfo{}));
        sizes.push_back({m_file_info.back().size, m_file_info.back().undo_size});
    }
    m_block_files = MakeBlockFiles(std::move(sizes), last);

    // Every block file an entry points into must exist.
    std::set<int> files_needed;
    for (const BlockIndex* entry : by_height) {
        if (entry->HaveData() || entry->HaveUndo()) files_needed.insert(entry->file);
    }
    for (int file : files_needed) {
        if (!std::filesystem::exists(m_block_files->BlockFileName(file))) {
            return corrupt("block file " + m_block_files->BlockFileName(file).string() +
                           " is missing");
        }
    }
    return {};
}

std::unique_ptr<storage::BlockFiles>
ChainstateManager::MakeBlockFiles(std::vector<storage::FileSizes> sizes, int last_file) const
{
    storage::BlockFilesOptions options;
    options.blocks_dir = m_options.data_dir / "blocks";
    options.magic = Params().GetMessageStart();
    options.max_blockfile_size = m_options.max_blockfile_size;
    return std::make_unique<storage::BlockFiles>(options, std::move(sizes), last_file);
}

util::Expected<void> ChainstateManager::LoadGenesis()
{
    if (LookupBlockIndex(Params().GetConsensus().hash_genesis_block)) return {};
    auto genesis = std::make_shared<const consensus::Block>(Params().GenesisBlock());
    auto pos = SaveBlock(*genesis, 0);
    if (!pos) return pos.error();
    BlockIndex* index = AddToBlockIndex(genesis->header, genesis->GetHash());
    ReceivedBlockTransactions(*genesis, index, *pos);
    return FlushBlockIndex();
}

util::Expected<void> ChainstateManager::LoadChainTip()
{
    auto best = m_coins_db->GetBestBlock();
    if (!best) return best.error();
    if (best->IsNull()) {
        // A new (or wiped) chainstate: ActivateBestChain starts from genesis.
        m_chain.SetTip(nullptr);
    } else {
        BlockIndex* tip = LookupBlockIndex(*best);
        if (!tip) {
            return util::Unexpected("The chainstate's tip " + best->GetHex() +
                                    " is not in the block index. Restart with "
                                    "-reindex-chainstate (or -reindex) to rebuild it.");
        }
        m_chain.SetTip(tip);
        m_coins->SetBestBlock(tip->hash);
    }
    for (auto& [hash, entry] : m_index) {
        if (entry->IsValid(storage::BLOCK_VALID_TRANSACTIONS) && entry->chain_tx_count > 0) {
            AddCandidateIfBetter(entry.get());
        }
    }
    if (m_log && m_chain.Tip()) {
        m_log->Info("Loaded best chain: hashBestChain=" + m_chain.Tip()->hash.GetHex() +
                    " height=" + std::to_string(m_chain.Height()));
    }
    return {};
}

// ---- headers and blocks ---------------------------------------------------------------

consensus::HeaderContext
ChainstateManager::MakeHeaderContext(const BlockIndex* prev,
                                     const consensus::BlockHeader& header) const
{
    consensus::HeaderContext context;
    context.height = prev->height + 1;
    context.expected_bits =
        consensus::GetNextWorkRequired(prev->height, prev->time, prev->bits, header.time,
                                       IndexChainView{prev}, Params().GetConsensus());
    context.prev_time = prev->time;
    context.prev_median_time = prev->GetMedianTimePast();
    context.now = Now();
    return context;
}

BlockIndex* ChainstateManager::AddToBlockIndex(const consensus::BlockHeader& header,
                                               const consensus::Uint256& hash)
{
    auto [it, inserted] = m_index.try_emplace(hash, nullptr);
    if (!inserted) return it->second.get();
    it->second = std::make_unique<BlockIndex>();
    BlockIndex* entry = it->second.get();
    entry->hash = hash;
    entry->SetHeaderFields(header);
    entry->prev = header.prev_block.IsNull() ? nullptr : LookupBlockIndex(header.prev_block);
    if (entry->prev) entry->height = entry->prev->height + 1;
    entry->ComputeChainFields();
    entry->RaiseValidity(storage::BLOCK_VALID_TREE);
    if (!m_best_header || m_best_header->chain_work < entry->chain_work) m_best_header = entry;
    SetDirty(entry);
    return entry;
}

bool ChainstateManager::AcceptBlockHeader(const consensus::BlockHeader& header,
                                          consensus::BlockValidationState& state, BlockIndex** out)
{
    const consensus::Uint256 hash = header.GetHash();
    if (BlockIndex* known = LookupBlockIndex(hash)) {
        if (out) *out = known;
        if (known->IsFailed()) {
            return state.Invalid(consensus::BlockResult::CACHED_INVALID, "duplicate-invalid",
                                 "block " + hash.GetHex() + " was previously marked invalid");
        }
        return true;
    }
    if (!consensus::CheckBlockHeader(header, state, Params().GetConsensus())) return false;
    BlockIndex* prev = LookupBlockIndex(header.prev_block);
    if (!prev) {
        return state.Invalid(consensus::BlockResult::MISSING_PREV, "prev-blk-not-found",
                             "previous block " + header.prev_block.GetHex() + " not found");
    }
    if (prev->IsFailed()) {
        return state.Invalid(consensus::BlockResult::INVALID_PREV, "bad-prevblk",
                             "previous block " + header.prev_block.GetHex() + " is invalid");
    }
    if (!consensus::ContextualCheckBlockHeader(header, state, MakeHeaderContext(prev, header),
                                               Params().GetConsensus())) {
        return false;
    }
    BlockIndex* entry = AddToBlockIndex(header, hash);
    if (out) *out = entry;
    return true;
}

bool ChainstateManager::ProcessNewBlockHeaders(std::span<const consensus::BlockHeader> headers,
                                               consensus::BlockValidationState& state,
                                               const BlockIndex** last)
{
    for (const auto& header : headers) {
        BlockIndex* index = nullptr;
        if (!AcceptBlockHeader(header, state, &index)) return false;
        if (last) *last = index;
    }
    return true;
}

void ChainstateManager::ReceivedBlockTransactions(const consensus::Block& block, BlockIndex* index,
                                                  const storage::FlatFilePos& pos)
{
    index->tx_count = static_cast<uint32_t>(block.vtx.size());
    index->file = pos.file;
    index->data_pos = pos.pos;
    index->status |= storage::BLOCK_HAVE_DATA;
    const bool has_witness = std::any_of(block.vtx.begin(), block.vtx.end(),
                                         [](const auto& tx) { return tx->HasWitness(); });
    if (index->height >= Params().GetConsensus().segwit_height || has_witness) {
        index->status |= storage::BLOCK_OPT_WITNESS;
    }
    index->RaiseValidity(storage::BLOCK_VALID_TRANSACTIONS);
    SetDirty(index);

    if (index->prev && index->prev->chain_tx_count == 0) {
        m_unlinked.emplace(index->prev, index);
        return;
    }
    // This block and any waiting descendants are now linked to genesis.
    std::vector<BlockIndex*> queue{index};
    while (!queue.empty()) {
        BlockIndex* linked = queue.back();
        queue.pop_back();
        linked->chain_tx_count =
            (linked->prev ? linked->prev->chain_tx_count : 0) + linked->tx_count;
        linked->sequence_id = m_next_sequence++;
        AddCandidateIfBetter(linked);
        auto range = m_unlinked.equal_range(linked);
        for (auto it = range.first; it != range.second; ++it)
            queue.push_back(it->second);
        m_unlinked.erase(range.first, range.second);
    }
}

bool ChainstateManager::AcceptBlock(const std::shared_ptr<const consensus::Block>& block,
                                    consensus::BlockValidationState& state, BlockIndex** out,
                                    const storage::FlatFilePos* known_pos, bool* new_block)
{
    if (new_block) *new_block = false;
    // Every consensus rejection is logged with its reason, header rules included (as
    // Core's ProcessNewBlock does).
    const auto log_failure = [&] {
        if (m_log) m_log->Error("AcceptBlock FAILED (" + state.ToString() + ")");
    };
    const auto& consensus_params = Params().GetConsensus();
    BlockIndex* index = LookupBlockIndex(block->GetHash());
    if (index && index->HaveData()) {
        if (out) *out = index;
        // A known block: fails only as a duplicate of an invalid one.
        if (AcceptBlockHeader(block->header, state, &index)) return true;
        log_failure();
        return false;
    }
    // Context-free checks first: a block failing them whose header was not
    // known leaves no trace in the index (as in Core).
    const bool checked = consensus::CheckBlock(*block, state, consensus_params);
    if (checked) {
        if (!AcceptBlockHeader(block->header, state, &index)) {
            log_failure();
            return false;
        }
        if (out) *out = index;
    }
    if (!checked || !consensus::ContextualCheckBlock(
                        *block, state, index->height,
                        index->prev ? index->prev->GetMedianTimePast() : 0, consensus_params)) {
        log_failure();
        // As in Core's ProcessNewBlock, a CheckBlock failure never marks the block invalid,
        // even when its header is known, and a mutated block may be a valid block with
        // damaged data: keep its hash usable.
        if (!index || !checked) return false;
        if (state.GetResult() != consensus::BlockResult::MUTATED) {
            index->status |= storage::BLOCK_FAILED_VALID;
            SetDirty(index);
            InvalidChainFound(index);
        }
        return false;
    }

    storage::FlatFilePos pos;
    if (known_pos) {
        pos = *known_pos;
    } else {
        auto saved = SaveBlock(*block, index->height);
        // A local write failure (like the two below) is no fault of the block or of the peer
        // that sent it: UNSET punishes nobody, as Core's state.Error() does.
        if (!saved) {
            Fatal(saved.error());
            return state.Invalid(consensus::BlockResult::UNSET, "write-failed",
                                 saved.error().message);
        }
        pos = *saved;
    }
    ReceivedBlockTransactions(*block, index, pos);
    if (new_block) *new_block = true;
    if (auto r = FlushStateToDisk(FlushMode::IF_NEEDED); !r) {
        return state.Invalid(consensus::BlockResult::UNSET, "flush-failed", r.error().message);
    }
    return true;
}

bool ChainstateManager::ProcessNewBlock(const std::shared_ptr<const consensus::Block>& block,
                                        consensus::BlockValidationState& state, bool* new_block)
{
    if (new_block) *new_block = false;
    if (m_fatal_error) {
        return state.Invalid(consensus::BlockResult::UNSET, "chainstate-stopped",
                             m_fatal_error->message);
    }
    if (!AcceptBlock(block, state, nullptr, nullptr, new_block)) {
        m_signals.BlockChecked(*block, state);
        return false;
    }
    // Failures while connecting are reported through BlockChecked and the log;
    // the block itself was acceptable.
    if (auto r = ActivateBestChain(block); !r && m_log) {
        m_log->Error("ActivateBestChain failed: " + r.error().message);
    }
    return true;
}

util::Expected<storage::FlatFilePos> ChainstateManager::SaveBlock(const consensus::Block& block,
                                                                  int height)
{
    if (m_fatal_error) return *m_fatal_error;
    auto pos = m_block_files->WriteBlock(block);
    if (!pos) return pos.error();
    if (static_cast<size_t>(pos->file) >= m_file_info.size()) m_file_info.resize(pos->file + 1);
    auto& info = m_file_info[pos->file];
    info.AddBlock(static_cast<uint32_t>(height), block.header.time);
    info.size = m_block_files->GetFileSizes()[pos->file].blk;
    m_dirty_files.insert(pos->file);
    return pos;
}

// ---- chain selection ---------------------------------------------------------------------

void ChainstateManager::AddCandidateIfBetter(BlockIndex* index)
{
    if (!index->IsValid(storage::BLOCK_VALID_TRANSACTIONS) || index->chain_tx_count == 0) return;
    const BlockIndex* tip = m_chain.Tip();
    if (tip && BlockIndexWorkComparator{}(index, tip)) return;
    m_candidates.insert(index);
}

void ChainstateManager::PruneCandidates()
{
    const BlockIndex* tip = m_chain.Tip();
    if (!tip) return;
    // Everything that sorts before the tip has less work (or arrived later).
    for (auto it = m_candidates.begin(); it != m_candidates.end();) {
        if (BlockIndexWorkComparator{}(*it, tip)) {
            it = m_candidates.erase(it);
        } else {
            ++it;
        }
    }
}

BlockIndex* ChainstateManager::FindMostWorkChain()
{
    while (!m_candidates.empty()) {
        BlockIndex* candidate = *m_candidates.rbegin();
        // The path from the active chain to the candidate must be complete and not failed.
        bool usable = true;
        for (BlockIndex* walk = candidate; walk && !m_chain.Contains(walk); walk = walk->prev) {
            if (walk->IsFailed() || !walk->HaveData()) {
                if (walk->IsFailed()) {
                    // Everything between the failure and the candidate fails with it.
                    for (BlockIndex* mark = candidate; mark != walk; mark = mark->prev) {
                        if (!mark->IsFailed()) {
                            mark->status |= storage::BLOCK_FAILED_CHILD;
                            SetDirty(mark);
                        }
                    }
                    if (!m_best_invalid || candidate->chain_work > m_best_invalid->chain_work) {
                        m_best_invalid = candidate;
                    }
                } else {
                    // Missing data: the candidate waits until the block arrives.
                    m_unlinked.emplace(walk->prev, walk);
                }
                usable = false;
                break;
            }
        }
        if (usable) return candidate;
        m_candidates.erase(candidate);
    }
    return nullptr;
}

util::Expected<void>
ChainstateManager::ActivateBestChain(const std::shared_ptr<const consensus::Block>& block)
{
    if (m_fatal_error) return *m_fatal_error;
    while (!Interrupted()) {
        BlockIndex* best = FindMostWorkChain();
        if (!best || best == m_chain.Tip()) break;
        const BlockIndex* old_tip = m_chain.Tip();
        bool invalid_found = false;
        auto progressed = ActivateBestChainStep(best, invalid_found, block);
        if (!progressed) return progressed.error();
        const BlockIndex* new_tip = m_chain.Tip();
        if (new_tip && new_tip != old_tip) {
            m_signals.UpdatedBlockTip(*new_tip, LastCommonAncestor(old_tip, new_tip),
                                      IsInitialBlockDownload());
        }
        if (auto r = FlushStateToDisk(FlushMode::PERIODIC); !r) return r;
    }
    PruneCandidates();
    return {};
}

util::Expected<bool>
ChainstateManager::ActivateBestChainStep(BlockIndex* target, bool& invalid_found,
                                         const std::shared_ptr<const consensus::Block>& block)
{
    const BlockIndex* fork = m_chain.FindFork(target);
    while (m_chain.Tip() && m_chain.Tip() != fork) {
        if (auto r = DisconnectTip(); !r) return r.error();
    }
    // Connect forward from the fork, at most MAX_CONNECT_BATCH blocks per step.
    std::vector<BlockIndex*> path;
    for (BlockIndex* walk = target; walk && walk != fork; walk = walk->prev)
        path.push_back(walk);
    std::reverse(path.begin(), path.end());
    if (path.size() > MAX_CONNECT_BATCH) path.resize(MAX_CONNECT_BATCH);
    for (BlockIndex* next : path) {
        // The block just received need not be read back from disk.
        auto connected =
            ConnectTip(next, block && next->hash == block->GetHash() ? block : nullptr);
        if (!connected) return connected.error();
        if (!*connected) {
            invalid_found = true;
            break;
        }
    }
    PruneCandidates();
    return true;
}

util::Expected<bool> ChainstateManager::ConnectTip(BlockIndex* index,
                                                   std::shared_ptr<const consensus::Block> block)
{
    if (!block) {
        auto read = ReadBlock(*index);
        if (!read) return Fatal(util::Unexpected("Failed to read block: " + read.error().message));
        block = std::make_shared<const consensus::Block>(std::move(*read));
    }
    consensus::BlockValidationState state;
    CoinsCache view{*m_coins};
    auto ok = ConnectBlock(*block, state, index, view);
    if (!ok) return Fatal(ok.error());
    m_signals.BlockChecked(*block, state);
    if (!*ok) {
        InvalidBlockFound(index, state);
        if (m_log) {
            m_log->Error("ConnectBlock " + index->hash.GetHex() + " failed, " + state.ToString());
        }
        return false;
    }
    if (auto r = view.Flush(); !r) return Fatal(r.error());
    m_chain.SetTip(index);
    if (auto r = FlushStateToDisk(FlushMode::IF_NEEDED); !r) return r.error();
    m_signals.BlockConnected(*block, *index);
    if (m_log && m_log->WillLog(util::LogCategory::VALIDATION, util::LogLevel::DEBUG)) {
        m_log->Debug(util::LogCategory::VALIDATION,
                     "UpdateTip: new best=" + index->hash.GetHex() +
                         " height=" + std::to_string(index->height) +
                         " tx=" + std::to_string(index->chain_tx_count));
    }
    return true;
}

util::Expected<void> ChainstateManager::DisconnectTip()
{
    BlockIndex* tip = m_chain.Tip();
    auto block = ReadBlock(*tip);
    if (!block) return Fatal(util::Unexpected("Failed to read block: " + block.error().message));
    CoinsCache view{*m_coins};
    auto result = DisconnectBlock(*block, tip, view);
    if (!result) return Fatal(result.error());
    if (*result != DisconnectResult::OK) {
        return Fatal(util::Unexpected("Failed to disconnect block " + tip->hash.GetHex() +
                                      ": its undo data does not match the UTXO set"));
    }
    if (auto r = view.Flush(); !r) return Fatal(r.error());
    m_chain.SetTip(tip->prev);
    // The disconnected block may become the tip again later.
    AddCandidateIfBetter(tip);
    if (auto r = FlushStateToDisk(FlushMode::IF_NEEDED); !r) return r;
    m_signals.BlockDisconnected(*block, *tip);
    return {};
}

void ChainstateManager::InvalidChainFound(BlockIndex* index)
{
    // Every known descendant fails with it, so no header or block can build on it.
    for (auto& [hash, entry] : m_index) {
        BlockIndex* e = entry.get();
        if (e->height > index->height && !e->IsFailed() && e->GetAncestor(index->height) == index) {
            e->status |= storage::BLOCK_FAILED_CHILD;
            SetDirty(e);
            m_candidates.erase(e);
        }
    }
    if (!m_best_invalid || index->chain_work > m_best_invalid->chain_work) m_best_invalid = index;
    if (m_best_header && LastCommonAncestor(m_best_header, index) == index) {
        // The best header descends from the invalid block: pick the best valid one again.
        m_best_header = m_chain.Tip();
        for (auto& [hash, entry] : m_index) {
            if (!entry->IsFailed() && entry->IsValid(storage::BLOCK_VALID_TREE) &&
                LastCommonAncestor(entry.get(), index) != index &&
                (!m_best_header || m_best_header->chain_work < entry->chain_work)) {
                m_best_header = entry.get();
            }
        }
    }
    if (m_log) {
        m_log->Warning("InvalidChainFound: invalid block=" + index->hash.GetHex() +
                       " height=" + std::to_string(index->height));
    }
}

void ChainstateManager::InvalidBlockFound(BlockIndex* index,
                                          const consensus::BlockValidationState& state)
{
    if (state.GetResult() != consensus::BlockResult::MUTATED) {
        index->status |= storage::BLOCK_FAILED_VALID;
        SetDirty(index);
        m_candidates.erase(index);
        InvalidChainFound(index);
    }
}

// ---- invalidateblock / reconsiderblock / preciousblock ------------------------------------

util::Expected<void> ChainstateManager::InvalidateBlock(BlockIndex* index)
{
    if (m_fatal_error) return *m_fatal_error;
    if (index->height == 0) return util::Unexpected("Cannot invalidate the genesis block");
    while (m_chain.Contains(index)) {
        if (auto r = DisconnectTip(); !r) return r;
    }
    index->status |= storage::BLOCK_FAILED_VALID;
    SetDirty(index);
    InvalidChainFound(index); // marks the descendants
    // Chains that lost to the invalidated one may be best again.
    m_candidates.clear();
    for (auto& [hash, entry] : m_index)
        AddCandidateIfBetter(entry.get());
    if (auto r = ActivateBestChain(); !r) return r;
    return FlushStateToDisk(FlushMode::ALWAYS);
}

util::Expected<void> ChainstateManager::ReconsiderBlock(BlockIndex* index)
{
    if (m_fatal_error) return *m_fatal_error;
    for (auto& [hash, entry] : m_index) {
        BlockIndex* e = entry.get();
        const bool descendant =
            e->height >= index->height && e->GetAncestor(index->height) == index;
        const bool ancestor = index->GetAncestor(e->height) == e;
        if ((descendant || ancestor) && e->IsFailed()) {
            e->status &= ~uint32_t{storage::BLOCK_FAILED_MASK};
            SetDirty(e);
            AddCandidateIfBetter(e);
            if (e == m_best_invalid) m_best_invalid = nullptr;
        }
        if (descendant && !e->IsFailed() &&
            (!m_best_header || m_best_header->chain_work < e->chain_work)) {
            m_best_header = e;
        }
    }
    if (auto r = ActivateBestChain(); !r) return r;
    return FlushStateToDisk(FlushMode::ALWAYS);
}

util::Expected<void> ChainstateManager::PreciousBlock(BlockIndex* index)
{
    if (m_fatal_error) return *m_fatal_error;
    const BlockIndex* tip = m_chain.Tip();
    if (tip && index->chain_work < tip->chain_work) return {};
    if (tip && index->chain_work == tip->chain_work) {
        // Later precious calls win over earlier ones; the count restarts only once
        // the chain has gained work since the last call.
        if (tip->chain_work > m_last_precious_work) m_precious_sequence = 0;
        m_last_precious_work = tip->chain_work;
        m_candidates.erase(index);
        if (m_precious_sequence > std::numeric_limits<int32_t>::min()) --m_precious_sequence;
        index->sequence_id = m_precious_sequence;
        AddCandidateIfBetter(index);
    }
    return ActivateBestChain();
}

// ---- flushing -------------------------------------------------------------------------------

util::Expected<void> ChainstateManager::FlushBlockIndex()
{
    if (m_fatal_error) return *m_fatal_error;
    // Block and undo data first: the index may only point at synced bytes.
    if (auto r = m_block_files->Flush(); !r) return Fatal(r.error());
    if (m_dirty_index.empty() && m_dirty_files.empty()) return {};
    std::vector<std::pair<int, storage::BlockFileInfo>> files;
    for (int file : m_dirty_files) {
        auto& info = m_file_info[file];
        info.size = m_block_files->GetFileSizes()[file].blk;
        info.undo_size = m_block_files->GetFileSizes()[file].rev;
        files.emplace_back(file, info);
    }
    std::vector<storage::DiskBlockIndex> blocks;
    blocks.reserve(m_dirty_index.size());
    for (const BlockIndex* entry : m_dirty_index)
        blocks.push_back(entry->ToDisk());
    if (auto r = m_block_tree->WriteBatchSync(files, m_block_files->GetLastFile(), blocks,
                                              CLIENT_VERSION);
        !r) {
        return Fatal(r.error());
    }
    m_dirty_index.clear();
    m_dirty_files.clear();
    return {};
}

util::Expected<void> ChainstateManager::FlushStateToDisk(FlushMode mode)
{
    if (m_fatal_error) return *m_fatal_error;
    const size_t usage = m_coins->DynamicMemoryUsage();
    const int64_t now = Now();
    const bool cache_full = usage > m_options.coins_cache_bytes;
    const bool periodic =
        mode == FlushMode::PERIODIC && now - m_last_flush >= m_options.flush_interval_seconds;
    if (mode != FlushMode::ALWAYS && !cache_full && !periodic) return {};
    // Like Core's -debug=coindb lines: crash tests tell a flush from the rest by them.
    const bool log_flush =
        m_log && m_log->WillLog(util::LogCategory::COINDB, util::LogLevel::DEBUG);
    if (log_flush) {
        m_log->Debug(util::LogCategory::COINDB, "Writing chainstate to disk: coins cache " +
                                                    std::to_string(usage >> 10) + " KiB" +
                                                    (cache_full ? " (full)" : ""));
    }
    if (auto r = FlushBlockIndex(); !r) return r;
    // Until a first block connects there is no state worth recording.
    if (!m_chain.Tip()) return {};
    m_coins->SetBestBlock(m_chain.Tip()->hash);
    if (auto r = m_coins->Flush(); !r) return Fatal(r.error());
    m_last_flush = now;
    if (log_flush) {
        m_log->Debug(util::LogCategory::COINDB,
                     "Chainstate written at height " + std::to_string(m_chain.Height()));
    }
    return {};
}

util::Expected<void> ChainstateManager::ForceFlush()
{
    return FlushStateToDisk(FlushMode::ALWAYS);
}

util::Expected<CoinsStats> ChainstateManager::GetCoinsStats(bool with_muhash)
{
    if (auto r = ForceFlush(); !r) return r.error();
    return ComputeCoinsStats(*m_coins_db, with_muhash);
}

util::Expected<std::unique_ptr<storage::CoinsCursor>> ChainstateManager::SnapshotCoins()
{
    if (auto r = ForceFlush(); !r) return r.error();
    // A LevelDB iterator reads the state of the moment it was made.
    return m_coins_db->Cursor();
}

uint64_t ChainstateManager::BlockFilesSize() const
{
    uint64_t total = 0;
    for (const auto& info : m_file_info)
        total += uint64_t{info.size} + info.undo_size;
    return total;
}

uint32_t ChainstateManager::NextWorkRequired(const BlockIndex& prev, int64_t block_time) const
{
    return consensus::GetNextWorkRequired(prev.height, prev.time, prev.bits, block_time,
                                          IndexChainView{&prev}, Params().GetConsensus());
}

} // namespace kernel
