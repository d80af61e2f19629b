// The real PeerManager fed message sequences in-process. A regtest node
// (chainstate in a scratch directory, mempool, addrman, banman, PeerManager on
// its validation executor) is set up once per process with a 110-block chain
// and a pool of signed transactions, as Core's process_messages target keeps
// its node between inputs. Each input connects a few peers (inbound and
// outbound, loopback and routable addresses), then delivers a sequence of
// (peer, command, payload) built from the input: handshakes, headers, blocks,
// compact blocks and transactions made from the pre-built chain (fresh,
// existing or with a byte flipped), inventories naming known and unknown
// objects, addresses, and arbitrary payloads under any command; then every
// peer disconnects.
//
// No ConnMan is attached (PeerManager::Start is not called), so nothing goes
// to a socket: the manager's sends fail as for a peer that is gone, and its
// maintenance timer does not run. State that outlives an input is bounded: at
// most MAX_BUILT blocks are built per process and the transaction pool is
// fixed.
//
// Invariants: nothing crashes; the executor still runs tasks after every
// message; when every peer is gone the manager holds no per-peer state; the
// tip is a fully validated block on the active chain, and its chain work
// never decreases.
#include <common/chainparams.h>
#include <consensus/block.h>
#include <consensus/transaction.h>
#include <kernel/chain.h>
#include <kernel/chainstate.h>
#include <kernel/mempool.h>
#include <kernel/policy.h>
#include <net/addrman.h>
#include <net/banman.h>
#include <net/blockmessages.h>
#include <net/connman.h>
#include <net/messages.h>
#include <net/netaddress.h>
#include <node/peerman.h>
#include <testutil/chain_builder.h>
#include <testutil/node_stack.h>
#include <util/executor.h>
#include <util/logging.h>

#include "fuzz_util.h"

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <system_error>
#include <unistd.h>
#include <vector>

namespace {

using Bytes = fuzz::Reader;
using fuzz::Check;

/// Blocks built per process at most, so a long run cannot grow the chain without bound.
constexpr size_t MAX_BUILT = 1000;
/// Messages delivered per input at most.
constexpr int MAX_MESSAGES = 64;
/// The clock may run this far past its start, so the tip never looks stale (IBD).
constexpr int64_t MAX_CLOCK_DRIFT = 6 * 3600;

/// The node under test and what the harness knows about its chain.
struct Node : testutil::NodeStack
{
    std::unique_ptr<const common::ChainParams> params{common::ChainParams::RegTest()};
    std::filesystem::path dir;
    int64_t start_time{0};
    std::atomic<int64_t> time{0};

    std::unique_ptr<testutil::ChainBuilder> builder;
    std::vector<consensus::Block> built;         //!< every block the builder made
    std::vector<consensus::TransactionRef> pool; //!< signed spends of mature coinbases
    net::NodeId next_id{0};
    consensus::ArithUint256 best_work{};

    Node()
    {
        std::error_code ec;
        std::filesystem::path base = "/dev/shm";
        if (!std::filesystem::is_directory(base, ec)) base = std::filesystem::temp_directory_path();
        dir = base / ("minibit-fuzz-msg-" + std::to_string(::getpid()));
        std::filesystem::remove_all(dir, ec);
        std::filesystem::create_directories(dir);

        // A few hours after genesis: the builder's one-second-apart blocks look recent.
        start_time = params->GenesisBlock().header.time + 3 * 3600;
        time = start_time;
        testutil::NodeStackOptions options;
        options.params = params.get();
        options.data_dir = dir;
        options.clock = [this] { return time.load(); };
        options.coins_cache_bytes = 4 << 20;
        options.user_agent = "/minibit-fuzz:0.1/";
        options.peerman_rng_seed = 11;
        // MINIBIT_FUZZ_LOG=<file> writes the node's net and validation log, to see what inputs do.
        if (const char* log_file = std::getenv("MINIBIT_FUZZ_LOG")) {
            logger.EnableCategory("net");
            logger.EnableCategory("validation");
            logger.EnableCategory("mempool");
            Check(logger.Start(util::LogOptions{.file = log_file}).has_value());
            options.log = true;
        }
        Check(Open(options).has_value());

        builder = std::make_unique<testutil::ChainBuilder>(*params, 1);
        for (int i = 0; i < 110; ++i) {
            auto block = builder->BuildBlock();
            Check(block.has_value());
            built.push_back(*block);
        }
        executor.Run([&] {
            for (const auto& block : built) {
                consensus::BlockValidationState state;
                Check(chainman->ProcessNewBlock(std::make_shared<const consensus::Block>(block),
                                                state));
            }
        });
        Check(TipHeight() == 110);
        const auto coins = builder->SpendableCoins(111);
        for (size_t i = 0; i < coins.size() && pool.size() < 16; ++i) {
            auto tx = builder->CreateSpend(
                std::span(&coins[i], 1), 2,
                i % 2 ? testutil::OutputKind::P2TR : testutil::OutputKind::P2WPKH, 10'000);
            Check(tx.has_value());
            pool.push_back(*tx);
        }
        Check(!pool.empty());
        best_work = executor.Run([&] { return chainman->Tip()->chain_work; });
    }

    ~Node()
    {
        Close();
        std::error_code ec;
        std::filesystem::remove_all(dir, ec);
    }

    int TipHeight()
    {
        return executor.Run([&] { return chainman->Tip()->height; });
    }

    /// Waits until everything queued so far (and whatever it queued) has run.
    void Drain()
    {
        for (int i = 0; i < 3; ++i)
            executor.Run([] {});
    }
};

Node& TheNode()
{
    // Created on first use and torn down at exit (atexit runs before the
    // executor's thread would be destroyed under it).
    static Node* node = [] {
        auto* n = new Node;
        std::atexit([] { delete &TheNode(); });
        return n;
    }();
    return *node;
}

std::string_view ALL_COMMANDS[] = {
    net::msgtype::VERSION,
    net::msgtype::VERACK,
    net::msgtype::PING,
    net::msgtype::PONG,
    net::msgtype::SENDHEADERS,
    net::msgtype::WTXIDRELAY,
    net::msgtype::SENDADDRV2,
    net::msgtype::FEEFILTER,
    net::msgtype::SENDCMPCT,
    net::msgtype::INV,
    net::msgtype::GETDATA,
    net::msgtype::NOTFOUND,
    net::msgtype::GETHEADERS,
    net::msgtype::GETBLOCKS,
    net::msgtype::HEADERS,
    net::msgtype::ADDR,
    net::msgtype::ADDRV2,
    net::msgtype::GETADDR,
    net::msgtype::BLOCK,
    net::msgtype::TX,
    net::msgtype::CMPCTBLOCK,
    net::msgtype::GETBLOCKTXN,
    net::msgtype::BLOCKTXN,
    "mempool",
    "filterload",
    "reject",
    "unknowncmd",
};

class Session
{
public:
    Session(Node& node, Bytes& in) : m_node{node}, m_in{in} {}

    void Run()
    {
        const size_t n_peers = 1 + m_in.U8() % 4;
        for (size_t i = 0; i < n_peers; ++i) {
            const uint8_t type = m_in.U8();
            Connect(type, m_in.U8());
        }
        for (int sent = 0; sent < MAX_MESSAGES && !m_in.Empty();)
            sent += Step();
        for (net::NodeId id : m_peers)
            m_node.peerman->OnDisconnected(id);
        m_node.Drain();
    }

private:
    Node& m_node;
    Bytes& m_in;
    std::vector<net::NodeId> m_peers;
    std::vector<net::ConnectionType> m_types;

    void Connect(uint8_t type_byte, uint8_t addr_byte)
    {
        net::ConnectionInfo info;
        info.id = m_node.next_id++;
        info.type = static_cast<net::ConnectionType>(type_byte % 6);
        switch (addr_byte % 3) {
        case 0:
            info.remote = net::Service{net::MakeIPv4(127, 0, 0, 1), 18444};
            break;
        case 1:
            info.remote = net::Service{net::MakeIPv4(1, 2, 3, addr_byte), 18444};
            break;
        default:
            info.remote = net::Service{
                net::NetAddr{net::Network::IPV6,
                             {0x2a, 0x00, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, addr_byte}},
                18444};
        }
        info.local = net::Service{net::MakeIPv4(127, 0, 0, 1), 18444};
        info.connected_time = m_node.time.load();
        m_node.peerman->OnConnected(info);
        m_peers.push_back(info.id);
        m_types.push_back(info.type);
    }

    void Deliver(size_t peer, std::string_view command, std::vector<uint8_t> payload)
    {
        m_node.peerman->OnMessage(m_peers[peer],
                                  net::Message{std::string{command}, std::move(payload)});
        m_node.Drain();
    }

    consensus::Uint256 HashFrom(uint8_t sel)
    {
        const size_t k = sel / 8;
        switch (sel % 8) {
        case 0:
            return m_node.params->GenesisBlock().GetHash();
        case 1:
            return m_node.executor.Run([&] { return m_node.chainman->Tip()->hash; });
        case 2:
            return m_node.built[m_node.built.size() - 1 - k % m_node.built.size()].GetHash();
        case 3:
            return m_node.pool[k % m_node.pool.size()]->GetHash();
        case 4:
            return m_node.pool[k % m_node.pool.size()]->GetWitnessHash();
        case 5: {
            consensus::Uint256 h;
            std::fill(h.begin(), h.end(), sel);
            return h;
        }
        case 6:
            return m_node.built[k % m_node.built.size()].vtx[0]->GetHash();
        default:
            return consensus::Uint256{};
        }
    }

    /// A block: one already built (recent ones most likely), or a fresh one on a
    /// chosen parent holding some pool transactions (which may double-spend).
    consensus::Block BlockFrom(uint8_t sel, std::optional<consensus::Uint256> parent = {})
    {
        if (sel < 128 || m_node.built.size() >= MAX_BUILT) {
            return m_node
                .built[m_node.built.size() - 1 - sel % std::min<size_t>(m_node.built.size(), 32)];
        }
        // On the node's tip unless asked otherwise; the builder's own tip may be a
        // block the node refused, and a recent block gives a fork.
        testutil::BlockOptions options;
        const auto tip = m_node.executor.Run([&] { return m_node.chainman->Tip()->hash; });
        if (m_node.builder->Info(tip)) options.parent = tip;
        if (sel & 2) options.parent.reset();
        if (sel & 4) options.parent = m_node.built[m_node.built.size() - 1 - sel % 8].GetHash();
        if (parent) options.parent = parent;
        std::vector<consensus::TransactionRef> txs;
        consensus::Amount fees = 0;
        if (sel & 8) {
            const size_t first = m_in.U8() % m_node.pool.size();
            const size_t count = 1 + m_in.U8() % 3;
            for (size_t i = 0; i < count && first + i < m_node.pool.size(); ++i) {
                txs.push_back(m_node.pool[first + i]);
                fees += 10'000;
            }
        }
        // Sometimes claim more fees than the transactions pay: an invalid coinbase.
        if (sel & 16) fees += 1;
        options.fees = fees;
        auto block = m_node.builder->BuildBlock(txs, options);
        if (!block) return m_node.built.back();
        m_node.built.push_back(*block);
        return *block;
    }

    /// Flips one byte of an encoding now and then, at a position from the input.
    void MaybeMutate(std::vector<uint8_t>& bytes)
    {
        const uint8_t how = m_in.U8();
        if (how < 160 || bytes.empty()) return;
        const size_t pos = m_in.Le(2) % bytes.size();
        bytes[pos] ^= static_cast<uint8_t>(1 + how % 255);
    }

    net::VersionMessage MakeVersion(uint8_t version_sel, uint8_t services, bool relay)
    {
        static constexpr int32_t VERSIONS[] = {70016, 70015, 70014, 70012, 31800, 209, 0, -1};
        net::VersionMessage v;
        v.version = VERSIONS[version_sel % 8];
        v.services = (services & 1 ? uint64_t{net::NODE_NETWORK} : 0) |
                     (services & 2 ? uint64_t{net::NODE_WITNESS} : 0) |
                     (services & 4 ? uint64_t{net::NODE_NETWORK_LIMITED} : 0) | (services & 0xf0u);
        v.timestamp = m_node.time.load() + static_cast<int8_t>(m_in.U8()) * 60;
        v.nonce = m_in.Le(8);
        v.user_agent = "/fuzz:0.1/";
        v.start_height = static_cast<int32_t>(m_in.Le(1)) * 2;
        v.relay = relay;
        return v;
    }

    /// One operation; returns how many messages it delivered.
    int Step()
    {
        const uint8_t kind = m_in.U8();
        const size_t peer = m_in.U8() % m_peers.size();
        switch (kind % 20) {
        case 0: { // a whole handshake
            const uint8_t flags = m_in.U8();
            const uint8_t version_sel = m_in.U8();
            const uint8_t services = m_in.U8();
            const auto v = MakeVersion(version_sel, services, flags & 4);
            Deliver(peer, net::msgtype::VERSION, net::Encode(v));
            int sent = 1;
            if (flags & 1) Deliver(peer, net::msgtype::WTXIDRELAY, {}), ++sent;
            if (flags & 2) Deliver(peer, net::msgtype::SENDADDRV2, {}), ++sent;
            if (!(flags & 8)) Deliver(peer, net::msgtype::VERACK, {}), ++sent;
            return sent;
        }
        case 1: { // a version with raw fields
            net::VersionMessage v;
            v.version = static_cast<int32_t>(m_in.Le(4));
            v.services = m_in.Le(8);
            v.timestamp = static_cast<int64_t>(m_in.Le(8));
            v.nonce = m_in.Le(8);
            const auto ua = m_in.Take(m_in.U8() % 32);
            v.user_agent.assign(ua.begin(), ua.end());
            v.start_height = static_cast<int32_t>(m_in.Le(4));
            v.relay = m_in.Bool();
            auto payload = net::Encode(v);
            if (m_in.Bool()) payload.pop_back(); // omit the relay flag
            Deliver(peer, net::msgtype::VERSION, std::move(payload));
            return 1;
        }
        case 2:
            Deliver(peer, net::msgtype::VERACK, {});
            return 1;
        case 3: {
            static constexpr std::string_view EMPTY[] = {
                net::msgtype::SENDHEADERS, net::msgtype::WTXIDRELAY, net::msgtype::SENDADDRV2,
                net::msgtype::GETADDR, net::msgtype::VERACK};
            const uint8_t sel = m_in.U8();
            std::vector<uint8_t> payload;
            if (sel & 0x80) payload.push_back(sel);
            Deliver(peer, EMPTY[sel % 5], std::move(payload));
            return 1;
        }
        case 4: {
            const bool pong = m_in.Bool();
            Deliver(peer, pong ? net::msgtype::PONG : net::msgtype::PING,
                    net::Encode(net::PingMessage{m_in.Le(8)}));
            return 1;
        }
        case 5: {
            const uint8_t sel = m_in.U8();
            const int64_t rate =
                sel < 200 ? static_cast<int64_t>(sel) * 1000 : static_cast<int64_t>(m_in.Le(8));
            Deliver(peer, net::msgtype::FEEFILTER, net::Encode(net::FeeFilterMessage{rate}));
            return 1;
        }
        case 6: {
            net::SendCmpctMessage m;
            m.high_bandwidth = m_in.Bool();
            const uint8_t v = m_in.U8();
            m.version = v < 250 ? v % 4 : m_in.Le(8);
            Deliver(peer, net::msgtype::SENDCMPCT, net::Encode(m));
            return 1;
        }
        case 7: {
            static constexpr std::string_view CMDS[] = {net::msgtype::INV, net::msgtype::GETDATA,
                                                        net::msgtype::NOTFOUND};
            static constexpr uint32_t TYPES[] = {net::MSG_TX,
                                                 net::MSG_BLOCK,
                                                 net::MSG_WTX,
                                                 net::MSG_CMPCT_BLOCK,
                                                 net::MSG_FILTERED_BLOCK,
                                                 net::MSG_BLOCK | net::MSG_WITNESS_FLAG,
                                                 net::MSG_TX | net::MSG_WITNESS_FLAG,
                                                 0};
            const uint8_t cmd = m_in.U8();
            net::InvMessage m;
            const size_t n = m_in.U8() % 17;
            for (size_t i = 0; i < n; ++i) {
                const uint8_t t = m_in.U8();
                m.entries.push_back(net::Inv{t < 248 ? TYPES[t % 8] : t, HashFrom(m_in.U8())});
            }
            Deliver(peer, CMDS[cmd % 3], net::Encode(m));
            return 1;
        }
        case 8: {
            const bool blocks = m_in.Bool();
            net::GetHeadersMessage m;
            m.version = 70016;
            const size_t n = m_in.U8() % 6;
            for (size_t i = 0; i < n; ++i)
                m.locator.push_back(HashFrom(m_in.U8()));
            if (m_in.Bool()) m.stop_hash = HashFrom(m_in.U8());
            Deliver(peer, blocks ? net::msgtype::GETBLOCKS : net::msgtype::GETHEADERS,
                    net::Encode(m));
            return 1;
        }
        case 9: { // headers: fresh ones on a chosen parent, or recent ones, maybe one broken
            net::HeadersMessage m;
            const size_t n = 1 + m_in.U8() % 8;
            for (size_t i = 0; i < n; ++i) {
                // Fresh blocks after the first extend the one before: a connected run.
                std::optional<consensus::Uint256> parent;
                if (i > 0) parent = m.headers.back().GetHash();
                m.headers.push_back(BlockFrom(m_in.U8(), parent).header);
            }
            const uint8_t breaker = m_in.U8();
            if (breaker >= 192) {
                auto& h = m.headers[breaker % m.headers.size()];
                switch (breaker % 4) {
                case 0:
                    h.bits = 0x1d00ffff;
                    break; // wrong difficulty
                case 1:
                    h.prev_block = HashFrom(m_in.U8());
                    break;
                case 2:
                    h.time = static_cast<uint32_t>(m_in.Le(4));
                    break;
                default:
                    h.nonce ^= 1;
                    break; // most likely no longer meets the target
                }
            }
            Deliver(peer, net::msgtype::HEADERS, net::Encode(m));
            return 1;
        }
        case 10: {
            auto payload = net::EncodeBlock(BlockFrom(m_in.U8()));
            MaybeMutate(payload);
            Deliver(peer, net::msgtype::BLOCK, std::move(payload));
            return 1;
        }
        case 11: {
            auto payload = net::EncodeTx(*m_node.pool[m_in.U8() % m_node.pool.size()]);
            MaybeMutate(payload);
            Deliver(peer, net::msgtype::TX, std::move(payload));
            return 1;
        }
        case 12: {
            const auto block = BlockFrom(m_in.U8());
            auto m = net::MakeCompactBlock(block, m_in.Le(8));
            const uint8_t how = m_in.U8();
            if (how & 1) { // also prefill a few more, as a peer may
                for (size_t i = 1; i < block.vtx.size() && i < 4 && !m.short_ids.empty(); ++i) {
                    m.prefilled.push_back(
                        net::PrefilledTransaction{static_cast<uint16_t>(i), block.vtx[i]});
                    m.short_ids.erase(m.short_ids.begin());
                }
            }
            if ((how & 2) && !m.prefilled.empty()) m.prefilled.clear();
            if (how & 4) m.short_ids.push_back(m_in.Le(6));
            auto payload = net::Encode(m);
            if (!payload) return 0;
            MaybeMutate(*payload);
            Deliver(peer, net::msgtype::CMPCTBLOCK, std::move(*payload));
            return 1;
        }
        case 13: {
            net::GetBlockTxnMessage m;
            m.block_hash = HashFrom(m_in.U8());
            const size_t n = m_in.U8() % 8;
            uint32_t next = 0;
            for (size_t i = 0; i < n && next <= 65535; ++i) {
                next += m_in.U8() % 4;
                if (next > 65535) break;
                m.indexes.push_back(static_cast<uint16_t>(next));
                ++next;
            }
            auto payload = net::Encode(m);
            if (!payload) return 0;
            Deliver(peer, net::msgtype::GETBLOCKTXN, std::move(*payload));
            return 1;
        }
        case 14: {
            const auto block = BlockFrom(m_in.U8());
            net::BlockTxnMessage m;
            m.block_hash = block.GetHash();
            const uint8_t mask = m_in.U8();
            for (size_t i = 0; i < block.vtx.size() && i < 8; ++i)
                if (mask & (1u << i)) m.txs.push_back(block.vtx[i]);
            if (mask & 0x80) m.txs.push_back(m_node.pool[mask % m_node.pool.size()]);
            auto payload = net::Encode(m);
            if (!payload) return 0;
            Deliver(peer, net::msgtype::BLOCKTXN, std::move(*payload));
            return 1;
        }
        case 15: {
            const bool v2 = m_in.Bool();
            const uint8_t count_sel = m_in.U8();
            const size_t n = count_sel == 255 ? 1001 : count_sel % 24;
            const uint8_t seed = m_in.U8();
            const bool fresh = m_in.Bool();
            net::AddrMessage m;
            for (size_t i = 0; i < n; ++i) {
                net::AddrEntry e;
                e.time = static_cast<uint32_t>(m_node.time.load() - (fresh ? 60 : 86400 * 20));
                e.services = net::NODE_NETWORK | net::NODE_WITNESS;
                if (v2 && (seed + i) % 5 == 0) {
                    e.net = net::Network::TORV3;
                    e.addr.assign(32, static_cast<uint8_t>(seed + i));
                } else {
                    e.net = net::Network::IPV4;
                    e.addr = {static_cast<uint8_t>(1 + seed % 200), static_cast<uint8_t>(i >> 8),
                              static_cast<uint8_t>(i), seed};
                }
                e.port = 8333;
                m.entries.push_back(std::move(e));
            }
            Deliver(peer, v2 ? net::msgtype::ADDRV2 : net::msgtype::ADDR,
                    v2 ? net::EncodeAddrV2(m) : net::EncodeAddr(m));
            return 1;
        }
        case 16: { // any command, raw payload
            const uint8_t sel = m_in.U8();
            const size_t len = m_in.Le(2) % 4096;
            Deliver(peer, ALL_COMMANDS[sel % std::size(ALL_COMMANDS)], m_in.Take(len));
            return 1;
        }
        case 17: { // time passes
            const int64_t step = 1 + static_cast<int64_t>(m_in.Le(2)) % 1200;
            if (m_node.time.load() + step <= m_node.start_time + MAX_CLOCK_DRIFT) {
                m_node.time += step;
            }
            return 0;
        }
        case 18: { // the peer leaves; another of the same kind takes its place
            m_node.peerman->OnDisconnected(m_peers[peer]);
            m_node.Drain();
            const auto type = m_types[peer];
            m_peers.erase(m_peers.begin() + static_cast<std::ptrdiff_t>(peer));
            m_types.erase(m_types.begin() + static_cast<std::ptrdiff_t>(peer));
            Connect(static_cast<uint8_t>(type), m_in.U8());
            return 1;
        }
        default: { // a transaction spending a pool output (valid scripts not needed) or an unknown
                   // one
            consensus::MutableTransaction mtx;
            mtx.version = 2;
            const uint8_t sel = m_in.U8();
            consensus::OutPoint prevout;
            prevout.hash =
                sel & 1 ? m_node.pool[sel % m_node.pool.size()]->GetHash() : HashFrom(m_in.U8());
            prevout.n = sel >> 6;
            consensus::TxIn in;
            in.prevout = prevout;
            in.script_sig = consensus::Script{m_in.Take(m_in.U8() % 8)};
            mtx.vin.push_back(in);
            consensus::TxOut out;
            out.value = static_cast<consensus::Amount>(m_in.Le(3));
            out.script_pubkey = consensus::Script{std::vector<uint8_t>{0x51}};
            mtx.vout.push_back(out);
            Deliver(peer, net::msgtype::TX, consensus::Encode(mtx));
            return 1;
        }
        }
    }
};

void CheckNode(Node& node)
{
    node.executor.Run([&] {
        const kernel::BlockIndex* tip = node.chainman->Tip();
        Check(tip != nullptr);
        Check(tip->IsValid(storage::BLOCK_VALID_SCRIPTS) && !tip->IsFailed() && tip->HaveData());
        const auto& chain = node.chainman->ActiveChain();
        Check(chain.Height() == tip->height && chain[tip->height] == tip);
        Check(tip->prev == nullptr || chain[tip->height - 1] == tip->prev);
        Check(!(tip->chain_work < node.best_work));
        node.best_work = tip->chain_work;
    });
    // Every peer has gone, so nothing about any of them may remain.
    Check(node.peerman->GetPeerStats().empty());
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    if (size > 16 * 1024) return 0;
    Node& node = TheNode();
    try {
        Bytes in{std::span<const uint8_t>{data, size}};
        Session{node, in}.Run();
        CheckNode(node);
    } catch (const std::exception&) {
        // The harness only calls what must not throw (Run on a live executor,
        // encoders of values it built): anything caught here is a bug.
        std::abort();
    }
    return 0;
}
