// PSBT decoding and roles. The input is tried as binary and as base64 text. Whatever decodes
// must re-encode to bytes that decode again and re-encode byte for byte (the canonical form is a
// fixed point), both paths must agree, combining a PSBT with itself or with its own empty
// skeleton changes nothing, combining with another transaction is refused, and the finalizer,
// extractor and analysis helpers must agree with each other on what they return.
#include <common/psbt.h>
#include <consensus/transaction.h>
#include <util/base64.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>
#include <string>
#include <string_view>
#include <vector>

using namespace common;

namespace {

// Larger inputs only repeat records; keep each run short.
constexpr size_t MAX_INPUT_SIZE{64 * 1024};

// Encodes, decodes the encoding, and checks that the second encoding is identical.
std::vector<uint8_t> CanonicalBytes(const Psbt& psbt)
{
    const std::vector<uint8_t> encoded = EncodePsbt(psbt);
    const auto again = DecodePsbt(encoded);
    if (!again) std::abort();
    if (EncodePsbt(*again) != encoded) std::abort();
    if (util::DecodeBase64(EncodePsbtBase64(psbt)) != encoded) std::abort();
    return encoded;
}

void CheckCombine(const Psbt& psbt, const std::vector<uint8_t>& canonical)
{
    const Psbt pair[2] = {psbt, psbt};
    const auto same = CombinePsbts(pair);
    if (!same || EncodePsbt(*same) != canonical) std::abort();

    // An empty PSBT of the same transaction adds nothing, whichever side it is on.
    const auto skeleton = CreatePsbt(psbt.tx);
    if (!skeleton) std::abort();
    const Psbt with_skeleton[2] = {*skeleton, psbt};
    const auto filled = CombinePsbts(with_skeleton);
    if (!filled || EncodePsbt(*filled) != canonical) std::abort();

    Psbt other = *skeleton;
    other.tx.locktime ^= 1;
    const Psbt mismatched[2] = {psbt, other};
    if (CombinePsbts(mismatched)) std::abort();
}

void CheckRoles(const Psbt& psbt)
{
    const size_t unfinalized = CountUnfinalizedInputs(psbt);
    if (unfinalized > psbt.inputs.size()) std::abort();
    if (IsComplete(psbt) != (unfinalized == 0)) std::abort();
    for (size_t i = 0; i < psbt.inputs.size(); ++i) {
        (void)GetInputUtxo(psbt, i);
    }
    const PsbtRole next = NextRole(psbt);
    if ((next == PsbtRole::EXTRACTOR) != IsComplete(psbt)) std::abort();
    (void)PsbtRoleName(next);

    Psbt finalized = psbt;
    const bool complete = FinalizePsbt(finalized);
    if (complete != IsComplete(finalized)) std::abort();
    // Finalizing never un-finalizes an input and never touches the unsigned transaction.
    if (CountUnfinalizedInputs(finalized) > unfinalized) std::abort();
    if (finalized.tx.GetHash() != psbt.tx.GetHash()) std::abort();
    (void)CanonicalBytes(finalized);

    const auto extracted = ExtractTransaction(finalized);
    if (extracted.has_value() != complete) std::abort();
    if (extracted) {
        // The extractor fills in scripts and witnesses only.
        if (extracted->version != psbt.tx.version || extracted->locktime != psbt.tx.locktime ||
            extracted->vout != psbt.tx.vout || extracted->vin.size() != psbt.tx.vin.size()) {
            std::abort();
        }
        for (size_t i = 0; i < extracted->vin.size(); ++i) {
            if (extracted->vin[i].prevout != psbt.tx.vin[i].prevout ||
                extracted->vin[i].sequence != psbt.tx.vin[i].sequence) {
                std::abort();
            }
        }
    }
}

void CheckDecoded(const Psbt& psbt)
{
    if (psbt.inputs.size() != psbt.tx.vin.size() || psbt.outputs.size() != psbt.tx.vout.size()) {
        std::abort();
    }
    const std::vector<uint8_t> canonical = CanonicalBytes(psbt);
    CheckCombine(psbt, canonical);
    CheckRoles(psbt);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    if (size > MAX_INPUT_SIZE) return 0;
    const std::span<const uint8_t> bytes{data, size};

    const auto binary = DecodePsbt(bytes);
    // The same bytes in base64 must meet the same fate.
    const auto via_text = DecodePsbtBase64(util::EncodeBase64(bytes));
    if (binary.has_value() != via_text.has_value()) std::abort();
    if (binary) {
        if (EncodePsbt(*binary) != EncodePsbt(*via_text)) std::abort();
        CheckDecoded(*binary);
    }

    // The input as base64 text: it decodes iff its strict base64 decoding is a PSBT.
    const std::string_view text{reinterpret_cast<const char*>(data), size};
    const auto from_text = DecodePsbtBase64(text);
    const auto raw = util::DecodeBase64(text);
    const auto from_raw = raw ? DecodePsbt(*raw) : util::Expected<Psbt>{util::Unexpected("")};
    if (from_text.has_value() != from_raw.has_value()) std::abort();
    if (from_text) {
        if (EncodePsbt(*from_text) != EncodePsbt(*from_raw)) std::abort();
        CheckDecoded(*from_text);
    }
    return 0;
}
