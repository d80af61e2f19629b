// BIP341 wallet vectors, scriptPubKey section (tests/data/bips/bip341-wallet-test-vectors.json,
// BSD-2-Clause, see tests/data/bips/LICENSE): internal key + script tree -> leaf hashes, merkle
// root, output key, scriptPubKey, bech32m address and control blocks, built from the tree with
// the consensus taproot helpers. Trees made only of pk() leaves are also written as tr()
// descriptors and must expand to the same output. (consensus crypto_tests checks the tweak
// from the given merkle root; this file covers building the tree and the address.)
#include "test_data.h"

#include <common/chainparams.h>
#include <common/descriptor.h>
#include <common/key_io.h>
#include <consensus/crypto/pubkey.h>
#include <consensus/script/taproot.h>
#include <consensus/uint256.h>

#include <util/strings.h>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace {

using Bytes = std::vector<uint8_t>;

const common::ChainParams& Main()
{
    static const auto params = common::CreateChainParams(util::ChainType::MAIN);
    return *params;
}

const nlohmann::json& Cases()
{
    static const nlohmann::json data =
        common_test::LoadDataJson("bips/bip341-wallet-test-vectors.json").at("scriptPubKey");
    return data;
}

Bytes Hex(const std::string& hex)
{
    auto bytes = util::TryParseHex(hex);
    EXPECT_TRUE(bytes) << hex;
    return bytes ? *bytes : Bytes{};
}

consensus::Uint256 U256(const std::string& hex)
{
    const Bytes b = Hex(hex);
    consensus::Uint256 out{};
    if (b.size() == 32) std::copy(b.begin(), b.end(), out.begin());
    return out;
}

struct LeafInfo
{
    uint8_t version{0};
    consensus::Uint256 hash{};
    std::vector<consensus::Uint256> path{}; //!< sibling hashes from the leaf up
};

// Hash of a (sub)tree; records every leaf by id with the sibling hashes above it.
consensus::Uint256 BuildTree(const nlohmann::json& node, std::map<int, LeafInfo>& leaves,
                             std::vector<int>& ids_below)
{
    if (node.is_object()) {
        const int id = node.at("id").get<int>();
        const auto version = node.at("leafVersion").get<uint8_t>();
        const Bytes script = Hex(node.at("script").get<std::string>());
        LeafInfo info{version, consensus::ComputeTapleafHash(version, script), {}};
        leaves[id] = info;
        ids_below.push_back(id);
        return info.hash;
    }
    EXPECT_TRUE(node.is_array() && node.size() == 2);
    std::vector<int> left_ids;
    std::vector<int> right_ids;
    const consensus::Uint256 left = BuildTree(node.at(0), leaves, left_ids);
    const consensus::Uint256 right = BuildTree(node.at(1), leaves, right_ids);
    for (const int id : left_ids)
        leaves[id].path.push_back(right);
    for (const int id : right_ids)
        leaves[id].path.push_back(left);
    ids_below.insert(ids_below.end(), left_ids.begin(), left_ids.end());
    ids_below.insert(ids_below.end(), right_ids.begin(), right_ids.end());
    return consensus::ComputeTapbranchHash(left, right);
}

// "pk(X)" for a tapscript leaf "20 <X> ac", else nullopt.
std::optional<std::string> PkLeaf(const nlohmann::json& leaf)
{
    const std::string script = leaf.at("script");
    if (leaf.at("leafVersion").get<int>() != 0xc0 || script.size() != 68 ||
        script.substr(0, 2) != "20" || script.substr(66) != "ac")
        return std::nullopt;
    return "pk(" + script.substr(2, 64) + ")";
}

// The tree in descriptor syntax if every leaf is a tapscript pk(), else nullopt.
std::optional<std::string> TreeDescriptor(const nlohmann::json& node)
{
    if (node.is_object()) return PkLeaf(node);
    const auto left = TreeDescriptor(node.at(0));
    const auto right = TreeDescriptor(node.at(1));
    if (!left || !right) return std::nullopt;
    return "{" + *left + "," + *right + "}";
}

TEST(Bip341Wallet, ScriptTreeToOutputAndAddress)
{
    ASSERT_EQ(Cases().size(), 7U);
    for (size_t i = 0; i < Cases().size(); ++i) {
        SCOPED_TRACE("scriptPubKey case " + std::to_string(i));
        const auto& c = Cases()[i];
        const auto& tree = c.at("given").at("scriptTree");
        const auto& inter = c.at("intermediary");
        const auto& expected = c.at("expected");
        const consensus::Uint256 internal_bytes =
            U256(c.at("given").at("internalPubkey").get<std::string>());
        const consensus::XOnlyPubKey internal{internal_bytes};

        std::map<int, LeafInfo> leaves;
        std::optional<consensus::Uint256> root;
        if (!tree.is_null()) {
            std::vector<int> ids;
            root = BuildTree(tree, leaves, ids);
            ASSERT_EQ(leaves.size(), inter.at("leafHashes").size());
            for (const auto& [id, leaf] : leaves) {
                EXPECT_EQ(util::HexStr(leaf.hash.span()),
                          inter.at("leafHashes").at(id).get<std::string>());
            }
            EXPECT_EQ(util::HexStr(root->span()), inter.at("merkleRoot").get<std::string>());
        } else {
            EXPECT_TRUE(inter.at("merkleRoot").is_null());
        }

        const auto tweaked = internal.CreateTapTweak(root ? &*root : nullptr);
        ASSERT_TRUE(tweaked);
        const auto& [output_key, parity] = *tweaked;
        EXPECT_EQ(util::HexStr(output_key.bytes().span()),
                  inter.at("tweakedPubkey").get<std::string>());
        const common::Destination dest{common::WitnessV1Taproot{output_key.bytes()}};
        const auto script = common::GetScriptForDestination(dest);
        EXPECT_EQ(util::HexStr(script.span()), expected.at("scriptPubKey").get<std::string>());
        const std::string address = common::EncodeDestination(dest, Main());
        EXPECT_EQ(address, expected.at("bip350Address").get<std::string>());
        const auto decoded = common::DecodeDestination(address, Main());
        ASSERT_TRUE(decoded);
        EXPECT_EQ(*decoded, dest);

        // Control blocks: version|parity, internal key, then the path from the leaf up.
        if (!leaves.empty()) {
            ASSERT_EQ(expected.at("scriptPathControlBlocks").size(), leaves.size());
            for (const auto& [id, leaf] : leaves) {
                Bytes cb{static_cast<uint8_t>(leaf.version | (parity ? 1 : 0))};
                cb.insert(cb.end(), internal_bytes.begin(), internal_bytes.end());
                for (const auto& node : leaf.path)
                    cb.insert(cb.end(), node.begin(), node.end());
                EXPECT_EQ(util::HexStr(cb),
                          expected.at("scriptPathControlBlocks").at(id).get<std::string>());
                EXPECT_TRUE(
                    consensus::VerifyTaprootCommitment(cb, output_key.bytes().span(), leaf.hash));
                // The wrong parity bit breaks the commitment.
                cb[0] ^= 1;
                EXPECT_FALSE(
                    consensus::VerifyTaprootCommitment(cb, output_key.bytes().span(), leaf.hash));
            }
        }
    }
}

TEST(Bip341Wallet, TrDescriptorsOfPkTrees)
{
    int checked = 0;
    for (size_t i = 0; i < Cases().size(); ++i) {
        const auto& c = Cases()[i];
        const auto& tree = c.at("given").at("scriptTree");
        const std::string internal = c.at("given").at("internalPubkey");
        std::string text = "tr(" + internal;
        if (!tree.is_null()) {
            const auto sub = TreeDescriptor(tree);
            if (!sub) continue;
            text += "," + *sub;
        }
        text += ")";
        SCOPED_TRACE(text);
        auto desc = common::ParseDescriptor(text, Main());
        ASSERT_TRUE(desc) << desc.error().message;
        const auto exp = (*desc)->Expand(0);
        ASSERT_TRUE(exp) << exp.error().message;
        ASSERT_EQ(exp->output_scripts.size(), 1U);
        EXPECT_EQ(util::HexStr(exp->output_scripts[0].span()),
                  c.at("expected").at("scriptPubKey").get<std::string>());
        ASSERT_EQ(exp->taproot.size(), 1U);
        const auto& spend = exp->taproot.begin()->second;
        EXPECT_EQ(util::HexStr(spend.internal_key.span()), internal);
        if (tree.is_null()) {
            EXPECT_FALSE(spend.merkle_root);
        } else {
            ASSERT_TRUE(spend.merkle_root);
            EXPECT_EQ(util::HexStr(spend.merkle_root->span()),
                      c.at("intermediary").at("merkleRoot").get<std::string>());
        }
        ++checked;
    }
    // Cases 0, 1, 2 (no tree, single pk leaves) at least.
    EXPECT_GE(checked, 3);
}

} // namespace
