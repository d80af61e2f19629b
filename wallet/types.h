// Plain value types the wallet's parts share: output types, the wallet's view of
// a transaction, descriptor records and address-book entries. Values only; any
// thread may use them.
#pragma once

#include <consensus/amount.h>
#include <consensus/transaction.h>
#include <consensus/uint256.h>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace wallet {

/// Address types of Core's `address_type` / `change_type` arguments.
enum class OutputType
{
    LEGACY,      //!< "legacy": pkh
    P2SH_SEGWIT, //!< "p2sh-segwit": sh(wpkh)
    BECH32,      //!< "bech32": wpkh (BIP84), the default
    BECH32M,     //!< "bech32m": tr (BIP86)
};

/// Every output type, in Core's order (the order default descriptors are created in).
inline constexpr OutputType ALL_OUTPUT_TYPES[]{OutputType::LEGACY, OutputType::P2SH_SEGWIT,
                                               OutputType::BECH32, OutputType::BECH32M};

/// Core's name of an output type ("legacy", "p2sh-segwit", "bech32", "bech32m").
std::string_view OutputTypeName(OutputType type);
/// Parses a Core output type name; nullopt when unknown.
std::optional<OutputType> ParseOutputType(std::string_view name);

/// Wallet flags as Core numbers them (getwalletinfo, createwallet).
inline constexpr uint64_t WALLET_FLAG_AVOID_REUSE{1ULL << 0};
inline constexpr uint64_t WALLET_FLAG_BLANK_WALLET{1ULL << 28};
inline constexpr uint64_t WALLET_FLAG_DISABLE_PRIVATE_KEYS{1ULL << 32};
inline constexpr uint64_t WALLET_FLAG_DESCRIPTORS{1ULL << 34};

/// Where a wallet transaction stands with respect to the active chain (Core's TxState).
struct TxState
{
    enum class Kind : uint8_t
    {
        INACTIVE,        //!< neither in a block nor (as far as we know) in the mempool
        MEMPOOL,         //!< in the node's mempool
        CONFIRMED,       //!< in a block of the active chain
        BLOCK_CONFLICTED //!< an input was spent by another transaction in an active block
    };
    Kind kind{Kind::INACTIVE};
    /// CONFIRMED: the block holding it; BLOCK_CONFLICTED: the block holding the conflict.
    consensus::Uint256 block_hash{};
    int block_height{-1};
    int index_in_block{-1}; //!< CONFIRMED only
    bool abandoned{false};  //!< INACTIVE only: the user gave up on it (abandontransaction)
    friend bool operator==(const TxState&, const TxState&) = default;
};

/// A transaction the wallet keeps, and what it recorded about it.
struct WalletTx
{
    consensus::TransactionRef tx{};
    TxState state{};
    int64_t time_received{0}; //!< when the wallet first saw it (UNIX seconds)
    int64_t time_smart{0};    //!< Core's "time": received time, or block time if older
    int64_t order_pos{-1};    //!< position in listtransactions order
    bool from_me{false};      //!< created by this wallet (sendtoaddress, ...)
    /// Core's mapValue: "comment", "to", "replaces_txid", "replaced_by_txid".
    std::map<std::string, std::string> map_value{};

    const consensus::Uint256& Txid() const { return tx->GetHash(); }
};

/// A descriptor the wallet holds (Core's WalletDescriptor) and its role.
struct DescriptorRecord
{
    std::string descriptor{}; //!< public text, with checksum
    int64_t creation_time{0}; //!< UNIX seconds: rescans start at this time
    int32_t range_start{0};   //!< first index whose scripts are cached
    int32_t range_end{0};     //!< one past the last index cached (0 for unranged)
    int32_t next_index{0};    //!< next index getnewaddress hands out
    bool has_private{false};  //!< a private form is stored (clear or encrypted)
    friend bool operator==(const DescriptorRecord&, const DescriptorRecord&) = default;
};

/// An address-book entry (setlabel, sendtoaddress destinations).
struct AddressBookEntry
{
    std::string label{};
    std::string purpose{}; //!< "receive" or "send"
    friend bool operator==(const AddressBookEntry&, const AddressBookEntry&) = default;
};

/// The last block the wallet processed.
struct BestBlock
{
    consensus::Uint256 hash{};
    int height{-1};
    friend bool operator==(const BestBlock&, const BestBlock&) = default;
};

} // namespace wallet
