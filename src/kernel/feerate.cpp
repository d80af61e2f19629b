#include <kernel/feerate.h>

#include <cstdio>

namespace kernel {

std::string FeeRate::ToString() const
{
    const consensus::Amount abs = m_sat_per_kvb < 0 ? -m_sat_per_kvb : m_sat_per_kvb;
    char buf[64];
    std::snprintf(buf, sizeof(buf), "%s%lld.%08lld BTC/kvB", m_sat_per_kvb < 0 ? "-" : "",
                  static_cast<long long>(abs / consensus::COIN),
                  static_cast<long long>(abs % consensus::COIN));
    return buf;
}

} // namespace kernel
