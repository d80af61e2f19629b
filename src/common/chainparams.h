// Per-network parameters: genesis block, magic bytes, ports, address prefixes,
// DNS seeds and consensus rules for mainnet, testnet3, testnet4, signet and
// regtest. There is no global "current network": whoever needs parameters is
// handed a ChainParams.
#pragma once

#include <consensus/block.h>
#include <consensus/params.h>
#include <util/chaintype.h>

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace common {

/// Which base58 version prefix a payload carries.
enum class Base58Type
{
    PUBKEY_ADDRESS,
    SCRIPT_ADDRESS,
    SECRET_KEY,
    EXT_PUBLIC_KEY,
    EXT_SECRET_KEY
};
/// Number of Base58Type values.
inline constexpr size_t BASE58_TYPE_COUNT = 5;

/// The four bytes that open every P2P message and every record in blk*.dat.
using MessageStart = std::array<uint8_t, 4>;

/// Settings for a custom signet (BIP325); empty fields mean the default signet.
struct SignetOptions
{
    /// Block challenge script; unset means the default signet's 1-of-2 multisig.
    std::optional<std::vector<uint8_t>> challenge{};
    /// DNS seeds to use instead of the built-in ones.
    std::optional<std::vector<std::string>> seeds{};
};

/// Everything that distinguishes one network from another. Immutable after
/// construction, so any thread may read it.
class ChainParams
{
    // Only the factories below may build one (a passkey keeps make_unique usable).
    struct PrivateTag
    {};

public:
    /// Use the named factories; the tag keeps outsiders from building half-filled params.
    explicit ChainParams(PrivateTag) {}

    /// Bitcoin mainnet.
    static std::unique_ptr<const ChainParams> Main();
    /// The third public test network (testnet3).
    static std::unique_ptr<const ChainParams> TestNet();
    /// The fourth public test network (BIP94).
    static std::unique_ptr<const ChainParams> TestNet4();
    /// Signet: the default one, or a custom one when options name a challenge.
    static std::unique_ptr<const ChainParams> SigNet(const SignetOptions& options = {});
    /// Local regression-test network with trivial proof of work.
    static std::unique_ptr<const ChainParams> RegTest();

    /// Which network these parameters describe.
    util::ChainType GetChainType() const { return m_chain_type; }
    /// The -chain name ("main", "test", "testnet4", "signet", "regtest").
    std::string GetChainTypeString() const { return util::ChainTypeToString(m_chain_type); }
    /// Consensus rules of this network.
    const consensus::ConsensusParams& GetConsensus() const { return m_consensus; }
    /// P2P message start (network magic).
    const MessageStart& GetMessageStart() const { return m_message_start; }
    /// Default TCP port for P2P connections.
    uint16_t GetDefaultPort() const { return m_default_port; }
    /// Default TCP port of the JSON-RPC server.
    uint16_t GetDefaultRpcPort() const { return m_default_rpc_port; }
    /// Block 0, built from its fields; its hash equals GetConsensus().hash_genesis_block.
    const consensus::Block& GenesisBlock() const { return m_genesis; }
    /// Host names queried for peer addresses, as Bitcoin Core lists them.
    const std::vector<std::string>& DnsSeeds() const { return m_dns_seeds; }
    /// Version bytes placed before a base58check payload of the given kind.
    const std::vector<uint8_t>& Base58Prefix(Base58Type type) const
    {
        return m_base58_prefixes[static_cast<size_t>(type)];
    }
    /// Human-readable part of this network's segwit addresses ("bc", "tb", "bcrt").
    const std::string& Bech32Hrp() const { return m_bech32_hrp; }
    /// Subfolder of -datadir for this network ("" for mainnet).
    std::string DataSubdir() const { return util::ChainDataSubdir(m_chain_type); }
    /// Blocks to keep before pruning may start.
    uint64_t PruneAfterHeight() const { return m_prune_after_height; }
    /// True for every network except mainnet.
    bool IsTestChain() const { return m_chain_type != util::ChainType::MAIN; }
    /// True where mocktime and similar test hooks may be used (regtest).
    bool IsMockableChain() const { return m_chain_type == util::ChainType::REGTEST; }

private:
    util::ChainType m_chain_type{util::ChainType::MAIN};
    consensus::ConsensusParams m_consensus{};
    MessageStart m_message_start{};
    uint16_t m_default_port{0};
    uint16_t m_default_rpc_port{0};
    uint64_t m_prune_after_height{0};
    consensus::Block m_genesis{};
    std::vector<std::string> m_dns_seeds{};
    std::array<std::vector<uint8_t>, BASE58_TYPE_COUNT> m_base58_prefixes{};
    std::string m_bech32_hrp{};
};

/// Parameters for the named network (default signet for SIGNET).
std::unique_ptr<const ChainParams> CreateChainParams(util::ChainType chain);

/// The network whose message start is `magic` (default signet only), if any.
std::optional<util::ChainType> GetNetworkForMagic(std::span<const uint8_t> magic);

/// A genesis block as Bitcoin's are built: one coinbase paying `reward` to
/// `output_script`, its input script pushing 486604799, 4 and `message`.
consensus::Block CreateGenesisBlock(std::string_view message,
                                    const consensus::Script& output_script, uint32_t time,
                                    uint32_t nonce, uint32_t bits, int32_t version,
                                    consensus::Amount reward);

} // namespace common
