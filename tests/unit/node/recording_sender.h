// A PeerSender for relay tests: records every message and punishment instead of
// sending them, and hands them back by peer and command.
#pragma once

#include <node/peer_sender.h>

#include <net/messages.h>

#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace relay_test {

class RecordingSender : public node::PeerSender
{
public:
    struct Message
    {
        net::NodeId id;
        std::string command;
        std::vector<uint8_t> payload;
    };
    bool Send(net::NodeId id, std::string_view command, std::vector<uint8_t> payload) override
    {
        messages.push_back({id, std::string{command}, std::move(payload)});
        return true;
    }
    void Misbehaving(net::NodeId id, std::string_view reason) override
    {
        misbehaving.emplace_back(id, std::string{reason});
    }
    /// Removes and returns the payloads of `command` sent to `id`.
    std::vector<std::vector<uint8_t>> Take(net::NodeId id, std::string_view command)
    {
        std::vector<std::vector<uint8_t>> out;
        std::erase_if(messages, [&](Message& m) {
            if (m.id != id || m.command != command) return false;
            out.push_back(std::move(m.payload));
            return true;
        });
        return out;
    }
    /// Every inv/getdata entry sent to `id` with `command` (consumed).
    std::vector<net::Inv> TakeInvs(net::NodeId id, std::string_view command)
    {
        std::vector<net::Inv> all;
        for (const auto& payload : Take(id, command)) {
            auto decoded = net::DecodeInv(payload);
            EXPECT_TRUE(decoded);
            if (decoded) all.insert(all.end(), decoded->entries.begin(), decoded->entries.end());
        }
        return all;
    }
    std::vector<Message> messages;
    std::vector<std::pair<net::NodeId, std::string>> misbehaving;
};

} // namespace relay_test
