#include "store/packed_leaves.h"

#include <algorithm>
#include <array>
#include <limits>
#include <optional>
#include <string_view>

#include <zstd.h>

#include "consensus/byte_io.h"
#include "consensus/row_operation.h"
#include "consensus/value.h"

namespace rowchain::store {
namespace {

using consensus::Leaf;

// "No plain body has 2^32 - 1 leaves": the plain framing starts with the leaf count, so these
// four bytes can only start the packed form.
constexpr std::array<uint8_t, 4> kPackedMarker = {0xff, 0xff, 0xff, 0xff};
constexpr uint8_t kPackedVersion = 1;
// Version 2: the same leaf count and entries as version 1, as one zstd frame. Written when the
// entries are at least kCompressFrom bytes and zstd makes them smaller: a body's values repeat
// (names, prefixes, small integers), and every byte the server writes on the commit path costs
// time (BENCHMARKS.md, "Ledger store").
constexpr uint8_t kCompressedVersion = 2;
constexpr size_t kCompressFrom = 256;
constexpr int kZstdLevel = 1;  // the fastest level that still finds the repeats across rows
// What a frame may claim to hold: a damaged column must not make the reader allocate more than
// the server can store in one value (max_allowed_packet in scripts/mariadb.sh).
constexpr unsigned long long kMaxUnpackedBytes = 256ull << 20;
constexpr uint8_t kEntryRawLeaf = 0x00;
constexpr uint8_t kEntryRowRun = 0x01;

constexpr size_t kBatchOffset = 2, kBatchSize = 16, kIndexOffset = kBatchOffset + kBatchSize,
                 kOpOffset = kIndexOffset + 4, kTableOffset = kOpOffset + 1;
constexpr uint8_t kTagNull = static_cast<uint8_t>(consensus::Value::Kind::kNull);
constexpr uint8_t kTagInt = static_cast<uint8_t>(consensus::Value::Kind::kInt);
constexpr uint8_t kTagText = static_cast<uint8_t>(consensus::Value::Kind::kText);
constexpr uint8_t kTagBytes = static_cast<uint8_t>(consensus::Value::Kind::kBytes);

uint64_t LoadLe(const uint8_t* p, int size) {
  uint64_t v = 0;
  for (int i = size - 1; i >= 0; --i) v = v << 8 | p[i];
  return v;
}

void StoreLe(uint64_t v, int size, std::vector<uint8_t>* out) {
  for (int i = 0; i < size; ++i) out->push_back(static_cast<uint8_t>(v >> (8 * i)));
}

void PutVarint(uint64_t v, std::vector<uint8_t>* out) {
  while (v >= 0x80) {
    out->push_back(static_cast<uint8_t>(v | 0x80));
    v >>= 7;
  }
  out->push_back(static_cast<uint8_t>(v));
}

// A row-operation leaf split into the parts the packed form stores apart. Only the structure is
// checked (every value's extent), which is all that lossless packing needs; whether the row is
// valid is for consensus to say when the leaves are used.
struct RowLeafParts {
  std::span<const uint8_t> batch;  // the batch id and
  std::span<const uint8_t> table;  // the table (length byte and name): together a run's key
  uint32_t row_index = 0;
  uint8_t op = 0;
  uint16_t value_count = 0;
  std::span<const uint8_t> values;  // in leaf encoding
};

std::optional<RowLeafParts> SplitRowLeaf(std::span<const uint8_t> leaf) {
  if (leaf.size() < kTableOffset + 1 || leaf[0] != consensus::kLeafKindRowOperation ||
      leaf[1] != consensus::kRowOperationVersion) {
    return std::nullopt;
  }
  const size_t table_end = kTableOffset + 1 + leaf[kTableOffset];
  if (leaf.size() < table_end + 2) return std::nullopt;
  RowLeafParts parts;
  parts.batch = leaf.subspan(kBatchOffset, kBatchSize);
  parts.table = leaf.subspan(kTableOffset, table_end - kTableOffset);
  parts.row_index = static_cast<uint32_t>(LoadLe(&leaf[kIndexOffset], 4));
  parts.op = leaf[kOpOffset];
  parts.value_count = static_cast<uint16_t>(LoadLe(&leaf[table_end], 2));
  size_t pos = table_end + 2;
  for (uint16_t i = 0; i < parts.value_count; ++i) {
    if (pos >= leaf.size()) return std::nullopt;
    const uint8_t tag = leaf[pos++];
    if (tag == kTagInt) {
      if (leaf.size() - pos < 8) return std::nullopt;
      pos += 8;
    } else if (tag == kTagText || tag == kTagBytes) {
      if (leaf.size() - pos < 4) return std::nullopt;
      const uint64_t size = LoadLe(&leaf[pos], 4);
      pos += 4;
      if (leaf.size() - pos < size) return std::nullopt;
      pos += size;
    } else if (tag != kTagNull) {
      return std::nullopt;
    }
  }
  if (pos != leaf.size()) return std::nullopt;
  parts.values = leaf.subspan(table_end + 2);
  return parts;
}

void PackValues(std::span<const uint8_t> values, uint16_t count, std::vector<uint8_t>* out) {
  size_t pos = 0;
  for (uint16_t i = 0; i < count; ++i) {
    const uint8_t tag = values[pos++];
    out->push_back(tag);
    if (tag == kTagInt) {
      const auto v = static_cast<int64_t>(LoadLe(&values[pos], 8));
      PutVarint((static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63), out);  // zigzag: small |v|, few bytes
      pos += 8;
    } else if (tag == kTagText || tag == kTagBytes) {
      const uint64_t size = LoadLe(&values[pos], 4);
      PutVarint(size, out);
      out->insert(out->end(), values.begin() + static_cast<ptrdiff_t>(pos + 4),
                  values.begin() + static_cast<ptrdiff_t>(pos + 4 + size));
      pos += 4 + size;
    }
  }
}

class PackedReader {
 public:
  explicit PackedReader(std::span<const uint8_t> bytes) : m_bytes(bytes) {}

  std::optional<uint64_t> Varint() {
    uint64_t v = 0;
    for (int shift = 0; shift < 64 && m_pos < m_bytes.size(); shift += 7) {
      const uint8_t byte = m_bytes[m_pos++];
      v |= uint64_t{byte & 0x7fu} << shift;
      if ((byte & 0x80) == 0) return v;
    }
    return std::nullopt;
  }
  std::optional<uint8_t> U8() {
    if (m_pos >= m_bytes.size()) return std::nullopt;
    return m_bytes[m_pos++];
  }
  std::optional<std::span<const uint8_t>> Bytes(uint64_t size) {
    if (size > Remaining()) return std::nullopt;
    auto out = m_bytes.subspan(m_pos, size);
    m_pos += size;
    return out;
  }
  size_t Remaining() const { return m_bytes.size() - m_pos; }

 private:
  std::span<const uint8_t> m_bytes;
  size_t m_pos = 0;
};

Status Damaged(std::string_view what) {
  return InvalidArgumentError(std::string("packed leaves: ") + std::string(what));
}

// One row of a run, written back in leaf encoding after the leaf's fixed part.
Status UnpackRowValues(PackedReader* in, Leaf* leaf) {
  auto count = in->Varint();
  if (!count || *count > std::numeric_limits<uint16_t>::max()) return Damaged("bad value count");
  StoreLe(*count, 2, leaf);
  for (uint64_t i = 0; i < *count; ++i) {
    auto tag = in->U8();
    if (!tag) return Damaged("truncated value");
    leaf->push_back(*tag);
    if (*tag == kTagInt) {
      auto zigzag = in->Varint();
      if (!zigzag) return Damaged("truncated integer");
      StoreLe((*zigzag >> 1) ^ (~(*zigzag & 1) + 1), 8, leaf);
    } else if (*tag == kTagText || *tag == kTagBytes) {
      auto size = in->Varint();
      if (!size || *size > std::numeric_limits<uint32_t>::max()) return Damaged("bad value length");
      auto bytes = in->Bytes(*size);
      if (!bytes) return Damaged("truncated value");
      StoreLe(*size, 4, leaf);
      leaf->insert(leaf->end(), bytes->begin(), bytes->end());
    } else if (*tag != kTagNull) {
      return Damaged("unknown value tag");
    }
  }
  return OkStatus();
}

Status UnpackRowRun(PackedReader* in, uint64_t leaves_left, std::vector<Leaf>* out) {
  auto batch = in->Bytes(kBatchSize);
  auto table_size = in->U8();
  if (!batch || !table_size) return Damaged("truncated run");
  auto table = in->Bytes(*table_size);
  auto first = in->Varint();
  auto count = in->Varint();
  if (!table || !first || !count) return Damaged("truncated run");
  // Each row takes at least two bytes (op, value count), which bounds what a damaged count can
  // make us allocate.
  if (*count == 0 || *count > leaves_left || *count > in->Remaining() / 2 ||
      *first + *count - 1 > std::numeric_limits<uint32_t>::max()) {
    return Damaged("bad run length");
  }
  // Each leaf is built in `leaf` and copied out at its exact size: pool batches and blocks keep
  // their leaves in memory, where a vector's spare capacity would be wasted.
  Leaf leaf;
  for (uint64_t i = 0; i < *count; ++i) {
    auto op = in->U8();
    if (!op) return Damaged("truncated row");
    leaf.clear();
    leaf.push_back(consensus::kLeafKindRowOperation);
    leaf.push_back(consensus::kRowOperationVersion);
    leaf.insert(leaf.end(), batch->begin(), batch->end());
    StoreLe(*first + i, 4, &leaf);
    leaf.push_back(*op);
    leaf.push_back(*table_size);
    leaf.insert(leaf.end(), table->begin(), table->end());
    ROWCHAIN_RETURN_IF_ERROR(UnpackRowValues(in, &leaf));
    out->emplace_back(leaf.begin(), leaf.end());
  }
  return OkStatus();
}

// The leaf count and entries of either version.
StatusOr<std::vector<Leaf>> UnpackEntries(std::span<const uint8_t> bytes) {
  PackedReader in(bytes);
  auto leaf_count = in.Varint();
  // Every leaf takes at least two bytes here.
  if (!leaf_count || *leaf_count > in.Remaining() / 2) return Damaged("bad leaf count");
  std::vector<Leaf> leaves;
  leaves.reserve(*leaf_count);
  while (leaves.size() < *leaf_count) {
    auto entry = in.U8();
    if (!entry) return Damaged("truncated");
    if (*entry == kEntryRawLeaf) {
      auto size = in.Varint();
      if (!size) return Damaged("truncated");
      auto leaf = in.Bytes(*size);
      if (!leaf) return Damaged("truncated leaf");
      leaves.emplace_back(leaf->begin(), leaf->end());
    } else if (*entry == kEntryRowRun) {
      ROWCHAIN_RETURN_IF_ERROR(UnpackRowRun(&in, *leaf_count - leaves.size(), &leaves));
    } else {
      return Damaged("unknown entry");
    }
  }
  if (in.Remaining() != 0) return Damaged("trailing bytes");
  return leaves;
}

// One context per thread, kept: creating one costs more than compressing a body.
struct ZstdContexts {
  ZSTD_CCtx* compress = ZSTD_createCCtx();
  ZSTD_DCtx* decompress = ZSTD_createDCtx();
  ~ZstdContexts() {
    ZSTD_freeCCtx(compress);
    ZSTD_freeDCtx(decompress);
  }
};

ZstdContexts& ThreadZstd() {
  thread_local ZstdContexts contexts;
  return contexts;
}

StatusOr<std::vector<Leaf>> UnpackCompressed(std::span<const uint8_t> frame) {
  const unsigned long long size = ZSTD_getFrameContentSize(frame.data(), frame.size());
  if (size == ZSTD_CONTENTSIZE_ERROR || size == ZSTD_CONTENTSIZE_UNKNOWN) return Damaged("bad zstd frame");
  if (size > kMaxUnpackedBytes) return Damaged("zstd frame too large");
  std::vector<uint8_t> entries(static_cast<size_t>(size));
  const size_t got = ZSTD_decompressDCtx(ThreadZstd().decompress, entries.data(), entries.size(), frame.data(),
                                         frame.size());
  if (ZSTD_isError(got) || got != entries.size()) return Damaged("bad zstd frame");
  return UnpackEntries(entries);
}

// `bytes` starts with the marker.
StatusOr<std::vector<Leaf>> UnpackPacked(std::span<const uint8_t> bytes) {
  constexpr size_t kHeader = kPackedMarker.size() + 1;
  if (bytes.size() < kHeader) return Damaged("unknown version");
  const uint8_t version = bytes[kPackedMarker.size()];
  if (version == kPackedVersion) return UnpackEntries(bytes.subspan(kHeader));
  if (version == kCompressedVersion) return UnpackCompressed(bytes.subspan(kHeader));
  return Damaged("unknown version");
}

// Version 1 as it stands in `packed`, or version 2 when that is smaller.
std::vector<uint8_t> CompressIfSmaller(std::vector<uint8_t> packed) {
  constexpr size_t kHeader = kPackedMarker.size() + 1;
  const std::span<const uint8_t> entries = std::span(packed).subspan(kHeader);
  if (entries.size() < kCompressFrom) return packed;
  std::vector<uint8_t> out(kHeader + ZSTD_compressBound(entries.size()));
  std::copy_n(packed.begin(), kHeader, out.begin());
  out[kPackedMarker.size()] = kCompressedVersion;
  const size_t size = ZSTD_compressCCtx(ThreadZstd().compress, out.data() + kHeader, out.size() - kHeader,
                                        entries.data(), entries.size(), kZstdLevel);
  if (ZSTD_isError(size) || size >= entries.size()) return packed;
  out.resize(kHeader + size);
  return out;
}

}  // namespace

std::vector<uint8_t> PackLeaves(std::span<const Leaf> leaves) {
  size_t plain_size = 0;
  for (const Leaf& leaf : leaves) plain_size += leaf.size();
  std::vector<uint8_t> out(kPackedMarker.begin(), kPackedMarker.end());
  out.reserve(plain_size / 2 + 16);
  out.push_back(kPackedVersion);
  PutVarint(leaves.size(), &out);
  // Splitting a leaf is a few comparisons, so a run is split twice (to count it, then to write
  // it) rather than keeping every leaf's parts: this runs on the gRPC threads of every
  // SubmitBatch, where each allocation lands in a per-thread malloc arena.
  auto split = [&](size_t i) { return i < leaves.size() ? SplitRowLeaf(leaves[i]) : std::nullopt; };
  std::optional<RowLeafParts> current = split(0);
  for (size_t i = 0; i < leaves.size();) {
    if (!current) {
      out.push_back(kEntryRawLeaf);
      PutVarint(leaves[i].size(), &out);
      out.insert(out.end(), leaves[i].begin(), leaves[i].end());
      current = split(++i);
      continue;
    }
    // A run: consecutive rows of one batch and table with consecutive row indexes.
    const RowLeafParts first = *current;
    size_t end = i + 1;
    uint64_t last_index = first.row_index;
    std::optional<RowLeafParts> next = split(end);
    while (next && std::ranges::equal(next->batch, first.batch) && std::ranges::equal(next->table, first.table) &&
           uint64_t{next->row_index} == last_index + 1) {
      last_index = next->row_index;
      next = split(++end);
    }
    out.push_back(kEntryRowRun);
    out.insert(out.end(), first.batch.begin(), first.batch.end());
    out.insert(out.end(), first.table.begin(), first.table.end());
    PutVarint(first.row_index, &out);
    PutVarint(end - i, &out);
    for (; i < end; ++i) {
      const RowLeafParts parts = *SplitRowLeaf(leaves[i]);  // counted above as a row leaf
      out.push_back(parts.op);
      PutVarint(parts.value_count, &out);
      PackValues(parts.values, parts.value_count, &out);
    }
    current = std::move(next);
  }
  return CompressIfSmaller(std::move(out));
}

StatusOr<std::vector<Leaf>> UnpackLeaves(std::span<const uint8_t> bytes) {
  if (bytes.size() >= kPackedMarker.size() && std::equal(kPackedMarker.begin(), kPackedMarker.end(), bytes.begin())) {
    return UnpackPacked(bytes);
  }
  return consensus::DecodeBlockBody(bytes);
}

}  // namespace rowchain::store
