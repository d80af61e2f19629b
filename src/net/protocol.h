// Bitcoin's P2P message framing: the 24-byte header and a streaming decoder.
//
// A frame is magic(4) | command(12, NUL padded) | payload length(4, LE) |
// checksum(4, first bytes of SHA-256d(payload)) | payload.
#pragma once

#include <common/chainparams.h>
#include <util/expected.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace net {

/// Network magic, taken from common::ChainParams::GetMessageStart().
using Magic = common::MessageStart;

/// Bytes in the fixed message header.
inline constexpr size_t MESSAGE_HEADER_SIZE = 24;
/// Bytes of the NUL-padded command field.
inline constexpr size_t COMMAND_SIZE = 12;
/// Bytes of the payload checksum.
inline constexpr size_t CHECKSUM_SIZE = 4;
/// Largest payload a peer may declare (Bitcoin Core's limit).
inline constexpr uint32_t MAX_PROTOCOL_MESSAGE_LENGTH = 4'000'000;

/// First four bytes of SHA-256d(payload).
std::array<uint8_t, CHECKSUM_SIZE> Checksum(std::span<const uint8_t> payload);

/// True when `command` is 1..12 printable ASCII characters (0x20..0x7e).
bool IsValidCommand(std::string_view command);

/// Parses the 12-byte command field: printable ASCII, then only NUL padding.
std::optional<std::string> ParseCommand(std::span<const uint8_t, COMMAND_SIZE> field);

/// A decoded header; the payload is not yet checked against the checksum.
struct MessageHeader
{
    Magic magic{};
    std::string command;
    uint32_t length{0};
    std::array<uint8_t, CHECKSUM_SIZE> checksum{};
};

/// One complete, checksum-verified message.
struct Message
{
    std::string command;
    std::vector<uint8_t> payload;
};

/// Frames a payload. Fails on an invalid command or a payload over the limit,
/// so a caller bug never reaches the wire as a frame peers would reject.
util::Expected<std::vector<uint8_t>> EncodeMessage(const Magic& magic, std::string_view command,
                                                   std::span<const uint8_t> payload);

/// Why a byte stream stopped being a valid sequence of frames.
enum class FrameError
{
    WRONG_MAGIC,
    BAD_COMMAND,
    OVERSIZED,
    BAD_CHECKSUM,
};

/// Human-readable description of a FrameError, for logs and disconnect reasons.
std::string_view FrameErrorString(FrameError error);

/// A frame the decoder read to its end but refused (bad checksum or unparsable
/// command), as Bitcoin Core's V1 transport does: the message is dropped and
/// the stream continues with the next frame.
struct RejectedFrame
{
    FrameError error{FrameError::BAD_CHECKSUM};
    std::string command; //!< the parsed command; empty when the command itself was bad
    size_t raw_size{0};  //!< header plus payload bytes, for per-message byte counters
};

/// Reassembles frames from arbitrary chunks of a byte stream. It never holds
/// more than one header plus that header's declared (bounded) payload, and
/// stops consuming at each message boundary (accepted or rejected) so the
/// caller controls pacing. Wrong magic and an oversized length are fatal and
/// sticky (the stream cannot be resynchronised, the peer must go); a bad
/// checksum or command only rejects that one frame (see Rejected()).
class FrameDecoder
{
public:
    /// Accepts frames carrying `magic` with payloads of at most `max_length` bytes.
    explicit FrameDecoder(const Magic& magic, uint32_t max_length = MAX_PROTOCOL_MESSAGE_LENGTH);

    /// Consumes a prefix of `data`, stopping after a complete message or an
    /// error; returns the number of bytes consumed (0 when complete or failed).
    size_t Read(std::span<const uint8_t> data);

    /// True when a complete message awaits TakeMessage().
    bool Complete() const { return m_complete; }
    /// Hands over the completed message and readies the decoder for the next one.
    /// Calling it when !Complete() is a bug.
    Message TakeMessage();

    /// The frame just finished but refused, if the last Read() ended on one.
    /// It stays available until TakeRejected() or the next Read(), which
    /// discards it and continues with the following frame.
    const std::optional<RejectedFrame>& Rejected() const { return m_rejected; }
    /// Hands over (and clears) the refused frame, if any.
    std::optional<RejectedFrame> TakeRejected();

    /// The fatal error that stopped decoding (WRONG_MAGIC or OVERSIZED), if any.
    std::optional<FrameError> Error() const { return m_error; }

    /// Header of the message being read, once its 24 bytes have arrived.
    const std::optional<MessageHeader>& Header() const { return m_header; }

private:
    Magic m_magic;
    uint32_t m_max_length;
    std::array<uint8_t, MESSAGE_HEADER_SIZE> m_header_buf{};
    size_t m_header_pos{0};
    std::optional<MessageHeader> m_header;
    std::vector<uint8_t> m_payload;
    size_t m_skipped{0}; //!< payload bytes discarded of a frame with a bad command
    std::optional<FrameError> m_bad_command;
    bool m_complete{false};
    std::optional<RejectedFrame> m_rejected;
    std::optional<FrameError> m_error;

    void ParseHeader();
    void Reset();
};

} // namespace net
