// Scratch files of the offline audit (store/auditor.h). The auditor cannot hold the expected
// ledger of a database larger than its memory budget, so it spreads the chain's row operations
// and the tables' rows over partitions by primary key, one unlinked temporary file each, and
// then replays and compares one partition at a time. Not synchronized.
#pragma once

#include <cstdint>
#include <cstdio>
#include <memory>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "consensus/value.h"
#include "util/status.h"

namespace rowchain::store {

// The partitions the audit may use at most: one open file each, well under the usual limit of
// 1,024 descriptors.
inline constexpr size_t kMaxAuditPartitions = 256;

// One append-then-read file of length-prefixed records, removed from the directory as soon as
// it is made ($TMPDIR, else /tmp), so nothing is left behind even after a crash.
class SpillFile {
 public:
  static StatusOr<SpillFile> Create();
  SpillFile(SpillFile&&) noexcept = default;
  SpillFile& operator=(SpillFile&&) noexcept = default;

  Status Append(std::span<const uint8_t> record);
  // Back to the first record, for reading.
  Status Rewind();
  // The next record into `record`; false at the end.
  StatusOr<bool> Next(std::vector<uint8_t>& record);
  // Closes the file, which frees its space; nothing may be called afterwards.
  void Close() { m_file.reset(); }

 private:
  struct Closer {
    void operator()(std::FILE* f) const { std::fclose(f); }
  };
  explicit SpillFile(std::FILE* f) : m_file(f) {}
  std::unique_ptr<std::FILE, Closer> m_file;
};

// A row as the audit spills it: what it is (an operation of the chain, the undo image the node
// stored for it, a row found in a table), the table's index in the schema, and its values.
struct SpilledRow {
  uint8_t kind = 0;
  uint16_t table_index = 0;
  std::vector<consensus::Value> values;
};
void AppendSpilledRow(std::vector<uint8_t>& out, const SpilledRow& row);
// Reads the row at `offset`, advancing it; nullopt when the bytes are not one (a damaged file).
std::optional<SpilledRow> ReadSpilledRow(std::span<const uint8_t> bytes, size_t& offset);

void AppendU64(std::vector<uint8_t>& out, uint64_t v);
std::optional<uint64_t> ReadU64(std::span<const uint8_t> bytes, size_t& offset);

}  // namespace rowchain::store
