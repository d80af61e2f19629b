// Block tree records: 'b' block index entries and 'f' file infos decode
// exactly when an independent reading of the format says they should, and
// both formats are canonical, so whatever decodes re-encodes byte for byte.
#include "coin_reference.h"

#include <consensus/block.h>
#include <consensus/serialize.h>
#include <storage/block_tree_db.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <limits>
#include <optional>
#include <span>

namespace {

constexpr uint64_t INT_MAX_U = std::numeric_limits<int>::max();

/// A VARINT of at most `max`; nullopt when missing or out of range.
std::optional<uint64_t> Field(std::span<const uint8_t> in, size_t& pos, uint64_t max)
{
    const auto v = fuzz::RefReadVarInt(in, pos);
    if (!v || *v > max) return std::nullopt;
    return v;
}

void CheckDiskBlockIndex(std::span<const uint8_t> input)
{
    const auto index = storage::DecodeDiskBlockIndex(input);

    // Reference: version, height, status, tx count, the optional positions,
    // then exactly one 80-byte header.
    size_t pos = 0;
    const auto version = Field(input, pos, INT_MAX_U);
    const auto height = version ? Field(input, pos, INT_MAX_U) : std::nullopt;
    const auto status = height ? Field(input, pos, fuzz::U32_MAX) : std::nullopt;
    const auto tx_count = status ? Field(input, pos, fuzz::U32_MAX) : std::nullopt;
    bool ok = tx_count.has_value();
    std::optional<uint64_t> file, data_pos, undo_pos;
    if (ok && (*status & storage::BLOCK_HAVE_MASK) != 0)
        ok = (file = Field(input, pos, INT_MAX_U)).has_value();
    if (ok && (*status & storage::BLOCK_HAVE_DATA) != 0)
        ok = (data_pos = Field(input, pos, fuzz::U32_MAX)).has_value();
    if (ok && (*status & storage::BLOCK_HAVE_UNDO) != 0)
        ok = (undo_pos = Field(input, pos, fuzz::U32_MAX)).has_value();
    ok = ok && input.size() - pos == consensus::BlockHeader::SIZE;
    if (static_cast<bool>(index) != ok) std::abort();
    if (!index) return;

    if (index->height != static_cast<int>(*height) || index->status != *status ||
        index->tx_count != *tx_count) {
        std::abort();
    }
    if (index->file != (file ? static_cast<int>(*file) : -1)) std::abort();
    if (index->data_pos != data_pos.value_or(0) || index->undo_pos != undo_pos.value_or(0)) {
        std::abort();
    }
    const auto header = consensus::Decode<consensus::BlockHeader>(input.subspan(pos));
    if (!header || consensus::Encode(index->header) != consensus::Encode(*header)) std::abort();
    if (index->header.GetHash() != header->GetHash()) std::abort();

    // The client version is informational; written back as read, nothing changes.
    const auto encoded = storage::EncodeDiskBlockIndex(*index, static_cast<int>(*version));
    if (!fuzz::SameBytes(encoded, input)) std::abort();
    const auto again = storage::DecodeDiskBlockIndex(storage::EncodeDiskBlockIndex(*index, 0));
    if (!again || *again != *index) std::abort();
}

void CheckBlockFileInfo(std::span<const uint8_t> input)
{
    const auto info = storage::DecodeBlockFileInfo(input);

    size_t pos = 0;
    std::optional<uint64_t> fields[7];
    bool ok = true;
    for (size_t i = 0; i < 7 && ok; ++i) {
        // Five uint32 counters, then two 64-bit times.
        fields[i] = Field(input, pos, i < 5 ? fuzz::U32_MAX : std::numeric_limits<uint64_t>::max());
        ok = fields[i].has_value();
    }
    ok = ok && pos == input.size();
    if (static_cast<bool>(info) != ok) std::abort();
    if (!info) return;

    if (info->blocks != *fields[0] || info->size != *fields[1] || info->undo_size != *fields[2] ||
        info->height_first != *fields[3] || info->height_last != *fields[4] ||
        info->time_first != *fields[5] || info->time_last != *fields[6]) {
        std::abort();
    }
    if (!fuzz::SameBytes(storage::EncodeBlockFileInfo(*info), input)) std::abort();
    const auto again = storage::DecodeBlockFileInfo(input);
    if (!again || *again != *info) std::abort();
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    // Both record kinds read the same bytes: the formats share their VARINT
    // fields, so one corpus serves both.
    const std::span<const uint8_t> input{data, size};
    CheckDiskBlockIndex(input);
    CheckBlockFileInfo(input);
    return 0;
}
