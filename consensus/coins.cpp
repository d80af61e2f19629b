#include <consensus/coins.h>

namespace consensus {

CoinsView::~CoinsView() = default;

std::optional<Coin> CoinsViewMemory::GetCoin(const OutPoint& outpoint) const
{
    const auto it = m_coins.find(outpoint);
    if (it == m_coins.end() || it->second.IsSpent()) return std::nullopt;
    return it->second;
}

void CoinsViewMemory::AddCoin(const OutPoint& outpoint, Coin coin)
{
    m_coins.insert_or_assign(outpoint, std::move(coin));
}

void CoinsViewMemory::SpendCoin(const OutPoint& outpoint)
{
    m_coins.erase(outpoint);
}

} // namespace consensus
