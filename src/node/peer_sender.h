// What the relay components (TxRelay, AddrRelay) may do to a peer. PeerManager
// implements it over the ConnMan; unit tests implement it with a recorder.
//
// Thread safety: called on the validation executor only.
#pragma once

#include <net/connman.h>

#include <cstdint>
#include <string_view>
#include <vector>

namespace node {

/// Sending and punishing, nothing else.
class PeerSender
{
public:
    virtual ~PeerSender() = default;
    /// Queues a message (payload already encoded); false if the peer is gone.
    virtual bool Send(net::NodeId id, std::string_view command, std::vector<uint8_t> payload) = 0;
    /// Bitcoin Core's Misbehaving: the peer is discouraged and disconnected
    /// (unless it is a manual connection, which is only logged); `reason` is logged.
    virtual void Misbehaving(net::NodeId id, std::string_view reason) = 0;
};

} // namespace node
