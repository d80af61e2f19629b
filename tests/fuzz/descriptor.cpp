// Output descriptors. The first input byte picks the network, whether a checksum is required and
// an expansion index; the rest is descriptor text. Whatever parses must print (with its checksum)
// as text that parses again to the same text, public and private forms must agree, a corrupted
// checksum must be refused, the reparsed descriptor must expand to the same scripts, and every
// expanded script must be described by InferDescriptorString as a descriptor that expands back
// to exactly that script.
#include <common/chainparams.h>
#include <common/descriptor.h>

#include "fuzz_util.h"

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

using namespace common;

namespace {

// Bounds one input's work: each key path step is an HMAC and a point multiplication, and every
// multisig key is derived at every expanded index.
constexpr size_t MAX_TEXT{2048};

const ChainParams& Params(unsigned index)
{
    const auto& all = fuzz::AllParams();
    return *all[index % all.size()];
}

// Splits "body#checksum" at the last '#'.
std::pair<std::string_view, std::string_view> SplitChecksum(std::string_view text)
{
    const size_t hash = text.rfind('#');
    if (hash == std::string_view::npos) return {text, {}};
    return {text.substr(0, hash), text.substr(hash + 1)};
}

std::unique_ptr<Descriptor> MustParse(const std::string& text, const ChainParams& params)
{
    auto parsed = ParseDescriptor(text, params, /*require_checksum=*/true);
    if (!parsed) std::abort();
    return std::move(*parsed);
}

// Printed text must carry its own checksum, reparse, and print identically again.
void CheckText(const std::string& text, DescriptorStringType type, const ChainParams& params)
{
    const auto [body, checksum] = SplitChecksum(text);
    if (checksum.size() != 8 || DescriptorChecksum(body) != checksum) std::abort();
    if (AddDescriptorChecksum(body) != text) std::abort();
    const auto again = MustParse(text, params);
    const auto text2 = again->ToString(type);
    if (!text2 || *text2 != text) std::abort();

    // BIP380's checksum catches any single substituted character.
    std::string corrupted = text;
    char& last = corrupted.back();
    last = last == 'q' ? 'p' : 'q';
    if (ParseDescriptor(corrupted, params, false)) std::abort();
}

void CheckInference(const DescriptorExpansion& expansion, const ChainParams& params)
{
    for (const auto& script : expansion.output_scripts) {
        const std::string inferred = InferDescriptorString(script, expansion, params);
        auto desc = ParseDescriptor(inferred, params, /*require_checksum=*/true);
        if (!desc) {
            // Like Core's InferPubkey, inference takes any well-sized non-hybrid key from a
            // script (raw() can hold keys off the curve), while parsing refuses such a key. That
            // is the only reason an inferred descriptor may fail to parse.
            const std::string& error = desc.error().message;
            if (error.find("Pubkey '") == std::string::npos ||
                error.find("' is invalid") == std::string::npos) {
                std::abort();
            }
            continue;
        }
        if ((*desc)->IsRange()) std::abort();
        const auto expanded = (*desc)->Expand(0);
        if (!expanded || expanded->output_scripts.size() != 1 ||
            expanded->output_scripts[0] != script) {
            std::abort();
        }
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    if (size == 0 || size > MAX_TEXT + 1) return 0;
    const uint8_t selector = data[0];
    const ChainParams& params = Params(selector & 7);
    const bool require_checksum = selector & 8;
    const std::string_view text{reinterpret_cast<const char*>(data + 1), size - 1};

    auto parsed = ParseDescriptor(text, params, require_checksum);
    if (!parsed) return 0;
    const Descriptor& desc = **parsed;
    if (require_checksum && text.find('#') == std::string_view::npos) std::abort();

    const auto pub = desc.ToString(DescriptorStringType::PUBLIC);
    if (!pub) std::abort();
    CheckText(*pub, DescriptorStringType::PUBLIC, params);
    const auto reparsed = MustParse(*pub, params);
    if (reparsed->IsRange() != desc.IsRange() || reparsed->IsSolvable() != desc.IsSolvable() ||
        reparsed->IsSingleType() != desc.IsSingleType() ||
        reparsed->GetOutputType() != desc.GetOutputType() || reparsed->HasPrivateKeys()) {
        std::abort();
    }

    std::unique_ptr<Descriptor> reparsed_private;
    const auto priv = desc.ToString(DescriptorStringType::PRIVATE);
    // Without any secret the private text can only be the public one (raw(), addr()).
    if (priv && !desc.HasPrivateKeys() && *priv != *pub) std::abort();
    if (priv) {
        CheckText(*priv, DescriptorStringType::PRIVATE, params);
        reparsed_private = MustParse(*priv, params);
        const auto pub2 = reparsed_private->ToString(DescriptorStringType::PUBLIC);
        if (!pub2 || *pub2 != *pub) std::abort();
    }

    // A few positions only: the first, the next, the last unhardened one and one from the input.
    std::vector<uint32_t> positions{0};
    if (desc.IsRange()) positions = {0, 1, 0x7fffffff, static_cast<uint32_t>(selector) << 8};
    for (const uint32_t pos : positions) {
        const auto expansion = desc.Expand(pos);
        if (!expansion) continue;
        if (desc.IsSingleType() && expansion->output_scripts.size() != 1) std::abort();
        // The public text loses nothing a public derivation needs: where it can expand, it
        // finds the same scripts, and the private text always can.
        if (const auto again = reparsed->Expand(pos)) {
            if (again->output_scripts != expansion->output_scripts) std::abort();
        }
        if (reparsed_private) {
            const auto again = reparsed_private->Expand(pos);
            if (!again || again->output_scripts != expansion->output_scripts) std::abort();
        }
        CheckInference(*expansion, params);
    }
    return 0;
}
