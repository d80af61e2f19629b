// Unspent outputs as the consensus checks see them, and a read-only view
// through which checks look them up without knowing where they are stored.
#pragma once

#include <consensus/transaction.h>

#include <map>
#include <optional>

namespace consensus {

/// An unspent output with the context maturity rules need.
struct Coin
{
    TxOut out;
    uint32_t height{0};
    bool coinbase{false};

    /// A spent (or never filled) coin carries a null output.
    bool IsSpent() const { return out.IsNull(); }
    friend bool operator==(const Coin&, const Coin&) = default;
};

/// Read-only access to a UTXO set; implementations decide storage and locking.
class CoinsView
{
public:
    virtual ~CoinsView();
    /// The unspent coin at `outpoint`, or nullopt if it does not exist or is spent.
    virtual std::optional<Coin> GetCoin(const OutPoint& outpoint) const = 0;
};

/// A map-backed view for tests and small tools; not thread-safe for writers.
class CoinsViewMemory : public CoinsView
{
public:
    /// The stored coin unless absent or spent.
    std::optional<Coin> GetCoin(const OutPoint& outpoint) const override;
    /// Inserts or replaces the coin at `outpoint`.
    void AddCoin(const OutPoint& outpoint, Coin coin);
    /// Removes the coin; no effect if absent.
    void SpendCoin(const OutPoint& outpoint);

private:
    std::map<OutPoint, Coin> m_coins;
};

} // namespace consensus
