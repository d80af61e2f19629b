// Events the chainstate announces to later subscribers (mempool, wallet, ZMQ,
// indexes). Handlers run synchronously on the validation executor, in
// registration order; a subscriber that needs to do slow work posts it
// elsewhere. Registration happens at startup, before validation begins.
#pragma once

#include <consensus/block.h>
#include <consensus/validation_state.h>

#include <memory>
#include <vector>

namespace kernel {

class BlockIndex;

/// Override what you need; every default does nothing.
class ValidationEvents
{
public:
    virtual ~ValidationEvents() = default;
    /// A block was connected to the active chain.
    virtual void BlockConnected(const consensus::Block& /*block*/, const BlockIndex& /*index*/) {}
    /// A block was disconnected from the active chain (reorg or invalidateblock).
    virtual void BlockDisconnected(const consensus::Block& /*block*/, const BlockIndex& /*index*/)
    {}
    /// The tip moved; fork is the last block the old and new chains share.
    virtual void UpdatedBlockTip(const BlockIndex& /*new_tip*/, const BlockIndex* /*fork*/,
                                 bool /*initial_download*/)
    {}
    /// A block's full validation finished with this outcome (valid or not).
    virtual void BlockChecked(const consensus::Block& /*block*/,
                              const consensus::BlockValidationState& /*state*/)
    {}
};

/// The subscriber list the chainstate fires into.
class ValidationSignals
{
public:
    /// Adds a subscriber; it stays until Unregister.
    void Register(std::shared_ptr<ValidationEvents> subscriber)
    {
        m_subscribers.push_back(std::move(subscriber));
    }
    /// Removes a subscriber (no effect if absent).
    void Unregister(const ValidationEvents* subscriber)
    {
        std::erase_if(m_subscribers, [&](const auto& s) { return s.get() == subscriber; });
    }
    void BlockConnected(const consensus::Block& block, const BlockIndex& index) const
    {
        for (const auto& s : m_subscribers)
            s->BlockConnected(block, index);
    }
    void BlockDisconnected(const consensus::Block& block, const BlockIndex& index) const
    {
        for (const auto& s : m_subscribers)
            s->BlockDisconnected(block, index);
    }
    void UpdatedBlockTip(const BlockIndex& tip, const BlockIndex* fork, bool ibd) const
    {
        for (const auto& s : m_subscribers)
            s->UpdatedBlockTip(tip, fork, ibd);
    }
    void BlockChecked(const consensus::Block& block,
                      const consensus::BlockValidationState& state) const
    {
        for (const auto& s : m_subscribers)
            s->BlockChecked(block, state);
    }

private:
    std::vector<std::shared_ptr<ValidationEvents>> m_subscribers;
};

} // namespace kernel
