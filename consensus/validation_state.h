// Outcomes of consensus and policy checks as values (DESIGN.md §3): a result
// class that decides whether a peer is punished, plus Bitcoin Core's reject
// string and an optional debug message.
#pragma once

#include <string>
#include <utility>

namespace consensus {

/// Why a transaction was rejected, in Bitcoin Core's categories.
enum class TxResult
{
    UNSET,     // valid, or not yet checked
    CONSENSUS, // invalid by consensus rules
    RECENT_CONSENSUS_CHANGE,
    INPUTS_NOT_STANDARD,
    NOT_STANDARD, // policy
    MISSING_INPUTS,
    PREMATURE_SPEND, // lock time or coinbase maturity, may become valid
    WITNESS_MUTATED, // witness may have been malleated
    WITNESS_STRIPPED,
    CONFLICT,
    MEMPOOL_POLICY,
    NO_MEMPOOL,
    RECONSIDERABLE,
    UNKNOWN,
};

/// Why a block was rejected, in Bitcoin Core's categories.
enum class BlockResult
{
    UNSET,
    CONSENSUS,
    RECENT_CONSENSUS_CHANGE,
    CACHED_INVALID,
    INVALID_HEADER, // bad proof of work or header rules
    MUTATED,        // data did not match the header's commitments; hash not marked invalid
    MISSING_PREV,
    INVALID_PREV,
    TIME_FUTURE,
    HEADER_LOW_WORK,
};

/// Valid until Invalid() is called once; then carries result, reject reason and detail.
template <class Result>
class ValidationState
{
public:
    /// Records the failure; always returns false so callers can `return state.Invalid(...)`.
    bool Invalid(Result result, std::string reject_reason, std::string debug_message = {})
    {
        m_result = result;
        m_reject_reason = std::move(reject_reason);
        m_debug_message = std::move(debug_message);
        m_valid = false;
        return false;
    }
    bool IsValid() const { return m_valid; }
    bool IsInvalid() const { return !m_valid; }
    Result GetResult() const { return m_result; }
    const std::string& GetRejectReason() const { return m_reject_reason; }
    const std::string& GetDebugMessage() const { return m_debug_message; }
    /// "reason" or "reason, debug message", as Bitcoin Core prints it.
    std::string ToString() const
    {
        if (m_valid) return "Valid";
        return m_debug_message.empty() ? m_reject_reason : m_reject_reason + ", " + m_debug_message;
    }

private:
    Result m_result{Result::UNSET};
    std::string m_reject_reason;
    std::string m_debug_message;
    bool m_valid{true};
};

using TxValidationState = ValidationState<TxResult>;
using BlockValidationState = ValidationState<BlockResult>;

} // namespace consensus
