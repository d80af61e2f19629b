// Fee rates in satoshis per 1,000 virtual bytes, as Bitcoin Core's CFeeRate.
#pragma once

#include <consensus/amount.h>

#include <compare>
#include <cstdint>
#include <string>

namespace kernel {

/// A fee rate in sat/kvB.
class FeeRate
{
public:
    constexpr FeeRate() = default;
    /// From satoshis per 1,000 virtual bytes.
    explicit constexpr FeeRate(consensus::Amount sat_per_kvb) : m_sat_per_kvb{sat_per_kvb} {}
    /// The rate of paying `fee` for `vsize` virtual bytes (zero when vsize is 0).
    static FeeRate FromFee(consensus::Amount fee, int64_t vsize)
    {
        return FeeRate{vsize > 0 ? fee * 1000 / vsize : 0};
    }
    /// The fee for `vsize` virtual bytes, rounded up as Core's GetFee (never zero for a
    /// non-zero rate and size).
    consensus::Amount GetFee(int64_t vsize) const
    {
        if (vsize <= 0) return 0;
        const consensus::Amount product = m_sat_per_kvb * vsize;
        consensus::Amount fee = product / 1000;
        if (product % 1000 > 0) ++fee;
        if (fee == 0 && m_sat_per_kvb > 0) fee = 1;
        if (fee == 0 && m_sat_per_kvb < 0) fee = -1;
        return fee;
    }
    /// The fee for 1,000 virtual bytes.
    constexpr consensus::Amount GetFeePerK() const { return m_sat_per_kvb; }
    /// "0.00001000 BTC/kvB", as Core's ToString.
    std::string ToString() const;

    friend constexpr auto operator<=>(const FeeRate&, const FeeRate&) = default;

private:
    consensus::Amount m_sat_per_kvb{0};
};

} // namespace kernel
