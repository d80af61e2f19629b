#include <common/chainparams.h>

#include <consensus/amount.h>
#include <consensus/hash.h>
#include <consensus/merkle.h>
#include <consensus/script/script.h>
#include <consensus/serialize.h>
#include <consensus/transaction.h>
#include <util/strings.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <utility>

namespace common {
namespace {

using consensus::Uint256;

// The constants below are compiled in; a malformed one is a programming error
// that must stop the program before it talks to any peer.
[[noreturn]] void Fail(const char* what)
{
    std::fprintf(stderr, "chainparams: %s\n", what);
    std::abort();
}

Uint256 HashFromHex(std::string_view hex)
{
    const auto hash = Uint256::FromHex(hex);
    if (!hash) Fail("malformed hash constant");
    return *hash;
}

std::vector<uint8_t> BytesFromHex(std::string_view hex)
{
    auto bytes = util::TryParseHex(hex);
    if (!bytes) Fail("malformed hex constant");
    return std::move(*bytes);
}

void CheckGenesis(const consensus::Block& genesis, std::string_view hash_hex,
                  std::string_view merkle_hex)
{
    if (genesis.GetHash() != HashFromHex(hash_hex)) Fail("genesis block hash mismatch");
    if (genesis.header.merkle_root != HashFromHex(merkle_hex)) Fail("genesis merkle root mismatch");
}

// Satoshi's genesis coinbase, shared by mainnet, testnet3, signet and regtest.
consensus::Block CreateSatoshiGenesis(uint32_t time, uint32_t nonce, uint32_t bits)
{
    consensus::Script output_script;
    output_script << BytesFromHex(
                         "04678afdb0fe5548271967f1a67130b7105cd6a828e03909a67962e0ea1f61de"
                         "b649f6bc3f4cef38c4f35504e51ec112de5c384df7ba0b8d578a4c702b6bf11d5f")
                  << consensus::OP_CHECKSIG;
    return CreateGenesisBlock(
        "The Times 03/Jan/2009 Chancellor on brink of second bailout for banks", output_script,
        time, nonce, bits, 1, 50 * consensus::COIN);
}

constexpr std::string_view SATOSHI_MERKLE_ROOT =
    "4a5e1e4baab89f3a32518a88c31bc87f618f76673e2cc77ab2127b7afdeda33b";

// Prefixes shared by every test network.
void SetTestBase58Prefixes(std::array<std::vector<uint8_t>, BASE58_TYPE_COUNT>& prefixes)
{
    prefixes[static_cast<size_t>(Base58Type::PUBKEY_ADDRESS)] = {111};
    prefixes[static_cast<size_t>(Base58Type::SCRIPT_ADDRESS)] = {196};
    prefixes[static_cast<size_t>(Base58Type::SECRET_KEY)] = {239};
    prefixes[static_cast<size_t>(Base58Type::EXT_PUBLIC_KEY)] = {0x04, 0x35, 0x87, 0xCF};
    prefixes[static_cast<size_t>(Base58Type::EXT_SECRET_KEY)] = {0x04, 0x35, 0x83, 0x94};
}

constexpr std::string_view DEFAULT_SIGNET_CHALLENGE =
    "512103ad5e0edad18cb1f0fc0d28a3d4f1f3e445640337489abb10404f2d1e086be430210359ef5021964fe22d"
    "6f8e05b2463c9540ce96883fe3b278760f048f5189f2e6c452ae";

} // namespace

consensus::Block CreateGenesisBlock(std::string_view message,
                                    const consensus::Script& output_script, uint32_t time,
                                    uint32_t nonce, uint32_t bits, int32_t version,
                                    consensus::Amount reward)
{
    consensus::MutableTransaction tx;
    tx.version = 1;
    tx.vin.resize(1);
    tx.vout.resize(1);
    // The numbers are pushed as data (not OP_4): that is how the original block encoded them.
    const auto* msg = reinterpret_cast<const uint8_t*>(message.data());
    tx.vin[0].script_sig << consensus::Script::EncodeNum(486604799)
                         << consensus::Script::EncodeNum(4)
                         << std::span<const uint8_t>{msg, message.size()};
    tx.vout[0].value = reward;
    tx.vout[0].script_pubkey = output_script;

    consensus::Block genesis;
    genesis.header.version = version;
    genesis.header.time = time;
    genesis.header.bits = bits;
    genesis.header.nonce = nonce;
    genesis.vtx.push_back(consensus::MakeTransactionRef(std::move(tx)));
    genesis.header.merkle_root = consensus::BlockMerkleRoot(genesis);
    return genesis;
}

std::unique_ptr<const ChainParams> ChainParams::Main()
{
    auto p = std::make_unique<ChainParams>(PrivateTag{});
    p->m_chain_type = util::ChainType::MAIN;
    auto& c = p->m_consensus;
    c.subsidy_halving_interval = 210'000;
    c.bip34_height = 227'931;
    c.bip34_hash = HashFromHex("000000000000024b89b42a942fe0d9fea3bb44ab7bd1b19115dd6a759c0808b8");
    c.bip65_height = 388'381;
    c.bip66_height = 363'725;
    c.csv_height = 419'328;
    c.segwit_height = 481'824;
    c.taproot_height = 709'632;
    c.bip16_exception_block =
        HashFromHex("00000000000002dc756eebf4f49723ed8d30cc28a5f108eb94b1ba88ac4f9c22");
    c.taproot_exception_block =
        HashFromHex("0000000000000000000f14c35b2d841e986ab5441de8c585d5ffe55ea1e395ad");
    c.pow_limit = HashFromHex("00000000ffffffffffffffffffffffffffffffffffffffffffffffffffffffff");
    // Bitcoin Core's defaults at block 886157.
    c.minimum_chain_work =
        HashFromHex("0000000000000000000000000000000000000000b1f3b93b65b16d035a82be84");
    c.default_assume_valid =
        HashFromHex("00000000000000000001b658dd1120e82e66d2790811f89ede9742ada3ed6d77");
    c.pow_target_timespan = 14 * 24 * 60 * 60;
    c.pow_target_spacing = 10 * 60;
    c.pow_allow_min_difficulty_blocks = false;
    c.pow_no_retargeting = false;
    c.enforce_bip94 = false;

    p->m_message_start = {0xf9, 0xbe, 0xb4, 0xd9};
    p->m_default_port = 8333;
    p->m_default_rpc_port = 8332;
    p->m_prune_after_height = 100'000;

    p->m_genesis = CreateSatoshiGenesis(1231006505, 2083236893, 0x1d00ffff);
    CheckGenesis(p->m_genesis, "000000000019d6689c085ae165831e934ff763ae46a2a6c172b3f1b60a8ce26f",
                 SATOSHI_MERKLE_ROOT);
    c.hash_genesis_block = p->m_genesis.GetHash();

    p->m_dns_seeds = {
        "seed.bitcoin.sipa.be.",   "dnsseed.bluematt.me.",         "seed.bitcoin.jonasschnelli.ch.",
        "seed.btc.petertodd.net.", "seed.bitcoin.sprovoost.nl.",   "dnsseed.emzy.de.",
        "seed.bitcoin.wiz.biz.",   "seed.mainnet.achownodes.xyz.",
    };

    auto& b58 = p->m_base58_prefixes;
    b58[static_cast<size_t>(Base58Type::PUBKEY_ADDRESS)] = {0};
    b58[static_cast<size_t>(Base58Type::SCRIPT_ADDRESS)] = {5};
    b58[static_cast<size_t>(Base58Type::SECRET_KEY)] = {128};
    b58[static_cast<size_t>(Base58Type::EXT_PUBLIC_KEY)] = {0x04, 0x88, 0xB2, 0x1E};
    b58[static_cast<size_t>(Base58Type::EXT_SECRET_KEY)] = {0x04, 0x88, 0xAD, 0xE4};
    p->m_bech32_hrp = "bc";
    return p;
}

std::unique_ptr<const ChainParams> ChainParams::TestNet()
{
    auto p = std::make_unique<ChainParams>(PrivateTag{});
    p->m_chain_type = util::ChainType::TESTNET;
    auto& c = p->m_consensus;
    c.subsidy_halving_interval = 210'000;
    c.bip34_height = 21'111;
    c.bip34_hash = HashFromHex("0000000023b3a96d3484e5abb3755c413e7d41500f8e2a5c3f0dd01299cd8ef8");
    c.bip65_height = 581'885;
    c.bip66_height = 330'776;
    c.csv_height = 770'112;
    c.segwit_height = 834'624;
    // Core keeps Taproot on testnet3 as a BIP9 deployment rather than a buried
    // height; this is the first block of the period after its lock-in, for
    // reporting only (script rules do not consult it).
    c.taproot_height = 2'011'968;
    c.bip16_exception_block =
        HashFromHex("00000000dd30457c001f4095d208cc1296b0eed002427aa599874af7a432b105");
    c.pow_limit = HashFromHex("00000000ffffffffffffffffffffffffffffffffffffffffffffffffffffffff");
    c.pow_target_timespan = 14 * 24 * 60 * 60;
    c.pow_target_spacing = 10 * 60;
    c.pow_allow_min_difficulty_blocks = true;
    c.pow_no_retargeting = false;
    c.enforce_bip94 = false;

    p->m_message_start = {0x0b, 0x11, 0x09, 0x07};
    p->m_default_port = 18333;
    p->m_default_rpc_port = 18332;
    p->m_prune_after_height = 1000;

    p->m_genesis = CreateSatoshiGenesis(1296688602, 414098458, 0x1d00ffff);
    CheckGenesis(p->m_genesis, "000000000933ea01ad0ee984209779baaec3ced90fa3f408719526f8d77f4943",
                 SATOSHI_MERKLE_ROOT);
    c.hash_genesis_block = p->m_genesis.GetHash();

    p->m_dns_seeds = {
        "testnet-seed.bitcoin.jonasschnelli.ch.", "seed.tbtc.petertodd.net.",
        "seed.testnet.bitcoin.sprovoost.nl.",     "testnet-seed.bluematt.me.",
        "seed.testnet.achownodes.xyz.",
    };
    SetTestBase58Prefixes(p->m_base58_prefixes);
    p->m_bech32_hrp = "tb";
    return p;
}

std::unique_ptr<const ChainParams> ChainParams::TestNet4()
{
    auto p = std::make_unique<ChainParams>(PrivateTag{});
    p->m_chain_type = util::ChainType::TESTNET4;
    auto& c = p->m_consensus;
    c.subsidy_halving_interval = 210'000;
    c.bip34_height = 1;
    c.bip34_hash = Uint256{};
    c.bip65_height = 1;
    c.bip66_height = 1;
    c.csv_height = 1;
    c.segwit_height = 1;
    c.taproot_height = 0; // always active
    c.pow_limit = HashFromHex("00000000ffffffffffffffffffffffffffffffffffffffffffffffffffffffff");
    c.pow_target_timespan = 14 * 24 * 60 * 60;
    c.pow_target_spacing = 10 * 60;
    c.pow_allow_min_difficulty_blocks = true;
    c.pow_no_retargeting = false;
    c.enforce_bip94 = true;

    p->m_message_start = {0x1c, 0x16, 0x3f, 0x28};
    p->m_default_port = 48333;
    p->m_default_rpc_port = 48332;
    p->m_prune_after_height = 1000;

    consensus::Script output_script;
    output_script << std::vector<uint8_t>(33, 0) << consensus::OP_CHECKSIG;
    p->m_genesis = CreateGenesisBlock(
        "03/May/2024 000000000000000000001ebd58c244970b3aa9d783bb001011fbe8ea8e98e00e",
        output_script, 1714777860, 393743547, 0x1d00ffff, 1, 50 * consensus::COIN);
    CheckGenesis(p->m_genesis, "00000000da84f2bafbbc53dee25a72ae507ff4914b867c565be350b0da8bf043",
                 "7aa0a7ae1e223414cb807e40cd57e667b718e42aaf9306db9102fe28912b7b4e");
    c.hash_genesis_block = p->m_genesis.GetHash();

    p->m_dns_seeds = {"seed.testnet4.bitcoin.sprovoost.nl.", "seed.testnet4.wiz.biz."};
    SetTestBase58Prefixes(p->m_base58_prefixes);
    p->m_bech32_hrp = "tb";
    return p;
}

std::unique_ptr<const ChainParams> ChainParams::SigNet(const SignetOptions& options)
{
    auto p = std::make_unique<ChainParams>(PrivateTag{});
    p->m_chain_type = util::ChainType::SIGNET;
    auto& c = p->m_consensus;
    if (options.challenge) {
        c.signet_challenge = *options.challenge;
    } else {
        c.signet_challenge = BytesFromHex(DEFAULT_SIGNET_CHALLENGE);
        p->m_dns_seeds = {"seed.signet.bitcoin.sprovoost.nl.", "seed.signet.achownodes.xyz."};
    }
    if (options.seeds) p->m_dns_seeds = *options.seeds;
    c.signet_blocks = true;
    c.subsidy_halving_interval = 210'000;
    c.bip34_height = 1;
    c.bip34_hash = Uint256{};
    c.bip65_height = 1;
    c.bip66_height = 1;
    c.csv_height = 1;
    c.segwit_height = 1;
    c.taproot_height = 0; // always active
    c.pow_limit = HashFromHex("00000377ae000000000000000000000000000000000000000000000000000000");
    c.pow_target_timespan = 14 * 24 * 60 * 60;
    c.pow_target_spacing = 10 * 60;
    c.pow_allow_min_difficulty_blocks = false;
    c.pow_no_retargeting = false;
    c.enforce_bip94 = false;

    // BIP325: the magic is the first four bytes of SHA-256d over the serialized
    // challenge, so signets with different challenges never talk to each other.
    const Uint256 challenge_hash =
        consensus::Hash256(consensus::Encode(consensus::Script{c.signet_challenge}));
    std::copy_n(challenge_hash.begin(), 4, p->m_message_start.begin());
    p->m_default_port = 38333;
    p->m_default_rpc_port = 38332;
    p->m_prune_after_height = 1000;

    p->m_genesis = CreateSatoshiGenesis(1598918400, 52613770, 0x1e0377ae);
    CheckGenesis(p->m_genesis, "00000008819873e925422c1ff0f99f7cc9bbb232af63a077a480a3633bee1ef6",
                 SATOSHI_MERKLE_ROOT);
    c.hash_genesis_block = p->m_genesis.GetHash();

    SetTestBase58Prefixes(p->m_base58_prefixes);
    p->m_bech32_hrp = "tb";
    return p;
}

std::unique_ptr<const ChainParams> ChainParams::RegTest()
{
    auto p = std::make_unique<ChainParams>(PrivateTag{});
    p->m_chain_type = util::ChainType::REGTEST;
    auto& c = p->m_consensus;
    c.subsidy_halving_interval = 150;
    c.bip34_height = 1;
    c.bip34_hash = Uint256{};
    c.bip65_height = 1;
    c.bip66_height = 1;
    c.csv_height = 1;
    c.segwit_height = 0;
    c.taproot_height = 0; // always active
    c.pow_limit = HashFromHex("7fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff");
    // One day, as current Bitcoin Core: retargeting is off, but the 144-block
    // interval keeps BIP94 timewarp checks cheap to exercise.
    c.pow_target_timespan = 24 * 60 * 60;
    c.pow_target_spacing = 10 * 60;
    c.pow_allow_min_difficulty_blocks = true;
    c.pow_no_retargeting = true;
    c.enforce_bip94 = false;

    p->m_message_start = {0xfa, 0xbf, 0xb5, 0xda};
    p->m_default_port = 18444;
    p->m_default_rpc_port = 18443;
    p->m_prune_after_height = 1000;

    p->m_genesis = CreateSatoshiGenesis(1296688602, 2, 0x207fffff);
    CheckGenesis(p->m_genesis, "0f9188f13cb7b2c71f2a335e3a4fc328bf5beb436012afca590b1a11466e2206",
                 SATOSHI_MERKLE_ROOT);
    c.hash_genesis_block = p->m_genesis.GetHash();

    p->m_dns_seeds = {"dummySeed.invalid."};
    SetTestBase58Prefixes(p->m_base58_prefixes);
    p->m_bech32_hrp = "bcrt";
    return p;
}

std::unique_ptr<const ChainParams> CreateChainParams(util::ChainType chain)
{
    switch (chain) {
    case util::ChainType::MAIN:
        return ChainParams::Main();
    case util::ChainType::TESTNET:
        return ChainParams::TestNet();
    case util::ChainType::TESTNET4:
        return ChainParams::TestNet4();
    case util::ChainType::SIGNET:
        return ChainParams::SigNet();
    case util::ChainType::REGTEST:
        return ChainParams::RegTest();
    }
    Fail("unknown chain type");
}

std::optional<util::ChainType> GetNetworkForMagic(std::span<const uint8_t> magic)
{
    if (magic.size() != 4) return std::nullopt;
    // Built once: each entry costs a genesis block hash.
    static const auto table = [] {
        std::vector<std::pair<util::ChainType, MessageStart>> entries;
        for (const auto chain :
             {util::ChainType::MAIN, util::ChainType::TESTNET, util::ChainType::TESTNET4,
              util::ChainType::REGTEST, util::ChainType::SIGNET}) {
            entries.emplace_back(chain, CreateChainParams(chain)->GetMessageStart());
        }
        return entries;
    }();
    for (const auto& [chain, start] : table) {
        if (std::equal(magic.begin(), magic.end(), start.begin())) return chain;
    }
    return std::nullopt;
}

} // namespace common
