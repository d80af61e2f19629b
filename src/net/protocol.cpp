#include <net/protocol.h>

#include <consensus/hash.h>

#include <algorithm>
#include <cassert>
#include <cstring>

namespace net {

namespace {

bool IsPrintable(uint8_t c)
{
    return c >= 0x20 && c <= 0x7e;
}

uint32_t ReadLE32(const uint8_t* p)
{
    return uint32_t{p[0]} | uint32_t{p[1]} << 8 | uint32_t{p[2]} << 16 | uint32_t{p[3]} << 24;
}

} // namespace

std::array<uint8_t, CHECKSUM_SIZE> Checksum(std::span<const uint8_t> payload)
{
    const consensus::Uint256 hash = consensus::Hash256(payload);
    std::array<uint8_t, CHECKSUM_SIZE> out;
    std::memcpy(out.data(), hash.data(), CHECKSUM_SIZE);
    return out;
}

bool IsValidCommand(std::string_view command)
{
    if (command.empty() || command.size() > COMMAND_SIZE) return false;
    return std::all_of(command.begin(), command.end(),
                       [](char c) { return IsPrintable(static_cast<uint8_t>(c)); });
}

std::optional<std::string> ParseCommand(std::span<const uint8_t, COMMAND_SIZE> field)
{
    size_t len = 0;
    while (len < COMMAND_SIZE && field[len] != 0) {
        if (!IsPrintable(field[len])) return std::nullopt;
        ++len;
    }
    // Everything after the first NUL must be NUL too: no hidden bytes in the padding.
    for (size_t i = len; i < COMMAND_SIZE; ++i) {
        if (field[i] != 0) return std::nullopt;
    }
    if (len == 0) return std::nullopt;
    return std::string(field.begin(), field.begin() + len);
}

util::Expected<std::vector<uint8_t>> EncodeMessage(const Magic& magic, std::string_view command,
                                                   std::span<const uint8_t> payload)
{
    if (!IsValidCommand(command)) return util::Unexpected("invalid P2P command");
    if (payload.size() > MAX_PROTOCOL_MESSAGE_LENGTH) {
        return util::Unexpected("P2P payload exceeds " +
                                std::to_string(MAX_PROTOCOL_MESSAGE_LENGTH) + " bytes");
    }
    std::vector<uint8_t> out(MESSAGE_HEADER_SIZE + payload.size(), 0);
    std::memcpy(out.data(), magic.data(), magic.size());
    std::memcpy(out.data() + 4, command.data(), command.size());
    const auto len = static_cast<uint32_t>(payload.size());
    for (size_t i = 0; i < 4; ++i)
        out[16 + i] = static_cast<uint8_t>(len >> (8 * i));
    const auto sum = Checksum(payload);
    std::memcpy(out.data() + 20, sum.data(), CHECKSUM_SIZE);
    if (!payload.empty())
        std::memcpy(out.data() + MESSAGE_HEADER_SIZE, payload.data(), payload.size());
    return out;
}

std::string_view FrameErrorString(FrameError error)
{
    switch (error) {
    case FrameError::WRONG_MAGIC:
        return "wrong network magic";
    case FrameError::BAD_COMMAND:
        return "malformed command";
    case FrameError::OVERSIZED:
        return "payload length over limit";
    case FrameError::BAD_CHECKSUM:
        return "payload checksum mismatch";
    }
    return "unknown framing error";
}

FrameDecoder::FrameDecoder(const Magic& magic, uint32_t max_length)
    : m_magic{magic}, m_max_length{max_length}
{}

void FrameDecoder::ParseHeader()
{
    MessageHeader h;
    std::memcpy(h.magic.data(), m_header_buf.data(), 4);
    if (h.magic != m_magic) {
        m_error = FrameError::WRONG_MAGIC;
        return;
    }
    h.length = ReadLE32(m_header_buf.data() + 16);
    if (h.length > m_max_length) {
        m_error = FrameError::OVERSIZED;
        return;
    }
    // A bad command is not fatal: the declared length still tells us where the
    // next frame starts, so the payload is skipped (not buffered) and refused.
    auto command =
        ParseCommand(std::span<const uint8_t, COMMAND_SIZE>(m_header_buf.data() + 4, COMMAND_SIZE));
    if (command) {
        h.command = std::move(*command);
    } else {
        m_bad_command = FrameError::BAD_COMMAND;
    }
    std::memcpy(h.checksum.data(), m_header_buf.data() + 20, CHECKSUM_SIZE);
    m_header = std::move(h);
}

void FrameDecoder::Reset()
{
    m_header.reset();
    m_header_pos = 0;
    m_payload.clear();
    m_skipped = 0;
    m_bad_command.reset();
    m_complete = false;
}

size_t FrameDecoder::Read(std::span<const uint8_t> data)
{
    if (m_error || m_complete) return 0;
    m_rejected.reset();
    size_t used = 0;
    if (!m_header) {
        const size_t n = std::min(data.size(), MESSAGE_HEADER_SIZE - m_header_pos);
        if (n > 0) std::memcpy(m_header_buf.data() + m_header_pos, data.data(), n);
        m_header_pos += n;
        used += n;
        if (m_header_pos < MESSAGE_HEADER_SIZE) return used;
        ParseHeader();
        if (m_error) return used;
    }
    const size_t have = m_bad_command ? m_skipped : m_payload.size();
    const size_t n = std::min(m_header->length - have, data.size() - used);
    if (m_bad_command) {
        m_skipped += n;
    } else {
        // The payload grows with what actually arrives, so a header alone
        // cannot make us allocate its declared length.
        m_payload.insert(m_payload.end(), data.begin() + used, data.begin() + used + n);
    }
    used += n;
    if (have + n < m_header->length) return used;

    const size_t raw_size = MESSAGE_HEADER_SIZE + m_header->length;
    if (m_bad_command) {
        m_rejected = RejectedFrame{FrameError::BAD_COMMAND, {}, raw_size};
        Reset();
    } else if (Checksum(m_payload) != m_header->checksum) {
        m_rejected = RejectedFrame{FrameError::BAD_CHECKSUM, m_header->command, raw_size};
        Reset();
    } else {
        m_complete = true;
    }
    return used;
}

std::optional<RejectedFrame> FrameDecoder::TakeRejected()
{
    auto out = std::move(m_rejected);
    m_rejected.reset();
    return out;
}

Message FrameDecoder::TakeMessage()
{
    assert(m_complete);
    Message msg{std::move(m_header->command), std::move(m_payload)};
    Reset();
    return msg;
}

} // namespace net
