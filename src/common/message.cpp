#include <common/message.h>

#include <common/secp_helpers.h>
#include <consensus/hash.h>
#include <consensus/serialize.h>
#include <util/base64.h>

namespace common {

consensus::Uint256 MessageHash(std::string_view message)
{
    std::vector<uint8_t> data;
    consensus::Writer writer{data};
    for (const std::string_view text : {MESSAGE_MAGIC, message}) {
        consensus::WriteCompactSize(writer, text.size());
        writer.WriteBytes(
            std::span<const uint8_t>{reinterpret_cast<const uint8_t*>(text.data()), text.size()});
    }
    return consensus::Hash256(data);
}

std::optional<std::string> SignMessage(std::span<const uint8_t, 32> secret, bool compressed,
                                       std::string_view message)
{
    const consensus::Uint256 hash = MessageHash(message);
    const auto sig =
        secp::SignCompact(secret, std::span<const uint8_t, 32>{hash.begin(), 32}, compressed);
    if (!sig) return std::nullopt;
    return util::EncodeBase64(std::span<const uint8_t>{*sig});
}

std::optional<std::vector<uint8_t>> RecoverMessagePubKey(std::span<const uint8_t> signature,
                                                         std::string_view message)
{
    const consensus::Uint256 hash = MessageHash(message);
    return secp::RecoverCompact(signature, std::span<const uint8_t, 32>{hash.begin(), 32});
}

} // namespace common
