#include "store/audit_spill.h"

#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <string>

#include <fmt/format.h>

namespace rowchain::store {

using consensus::Value;

StatusOr<SpillFile> SpillFile::Create() {
  const char* dir = std::getenv("TMPDIR");
  std::string path = fmt::format("{}/rowchain-audit-XXXXXX", dir && *dir ? dir : "/tmp");
  int fd = mkstemp(path.data());
  if (fd < 0) return InternalError(fmt::format("cannot make a scratch file in {}: {}", path, std::strerror(errno)));
  unlink(path.c_str());
  std::FILE* f = fdopen(fd, "w+b");
  if (f == nullptr) {
    close(fd);
    return InternalError(fmt::format("cannot open a scratch file: {}", std::strerror(errno)));
  }
  return SpillFile(f);
}

Status SpillFile::Append(std::span<const uint8_t> record) {
  uint32_t size = static_cast<uint32_t>(record.size());
  if (std::fwrite(&size, sizeof size, 1, m_file.get()) != 1 ||
      (size && std::fwrite(record.data(), size, 1, m_file.get()) != 1)) {
    return InternalError(fmt::format("cannot write the audit's scratch file: {}", std::strerror(errno)));
  }
  return OkStatus();
}

Status SpillFile::Rewind() {
  if (std::fflush(m_file.get()) != 0 || std::fseek(m_file.get(), 0, SEEK_SET) != 0) {
    return InternalError(fmt::format("cannot reread the audit's scratch file: {}", std::strerror(errno)));
  }
  return OkStatus();
}

StatusOr<bool> SpillFile::Next(std::vector<uint8_t>& record) {
  uint32_t size = 0;
  if (std::fread(&size, sizeof size, 1, m_file.get()) != 1) {
    if (std::feof(m_file.get())) return false;
    return InternalError(fmt::format("cannot read the audit's scratch file: {}", std::strerror(errno)));
  }
  record.resize(size);
  if (size && std::fread(record.data(), size, 1, m_file.get()) != 1) {
    return InternalError("the audit's scratch file ends inside a record");
  }
  return true;
}

void AppendU64(std::vector<uint8_t>& out, uint64_t v) {
  for (int i = 0; i < 8; ++i) out.push_back(static_cast<uint8_t>(v >> (8 * i)));
}

std::optional<uint64_t> ReadU64(std::span<const uint8_t> bytes, size_t& offset) {
  if (bytes.size() - offset < 8) return std::nullopt;
  uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v |= uint64_t{bytes[offset + i]} << (8 * i);
  offset += 8;
  return v;
}

void AppendSpilledRow(std::vector<uint8_t>& out, const SpilledRow& row) {
  out.push_back(row.kind);
  out.push_back(static_cast<uint8_t>(row.table_index));
  out.push_back(static_cast<uint8_t>(row.table_index >> 8));
  AppendU64(out, row.values.size());
  for (const Value& v : row.values) {
    out.push_back(static_cast<uint8_t>(v.kind()));
    if (v.kind() == Value::Kind::kInt) {
      AppendU64(out, static_cast<uint64_t>(v.as_int()));
    } else if (!v.is_null()) {
      AppendU64(out, v.as_string().size());
      out.insert(out.end(), v.as_string().begin(), v.as_string().end());
    }
  }
}

std::optional<SpilledRow> ReadSpilledRow(std::span<const uint8_t> bytes, size_t& offset) {
  if (bytes.size() - offset < 3) return std::nullopt;
  SpilledRow row{.kind = bytes[offset], .table_index = static_cast<uint16_t>(bytes[offset + 1] | bytes[offset + 2] << 8),
                 .values = {}};
  offset += 3;
  auto count = ReadU64(bytes, offset);
  if (!count || *count > bytes.size()) return std::nullopt;
  for (uint64_t i = 0; i < *count; ++i) {
    if (offset >= bytes.size()) return std::nullopt;
    if (bytes[offset] > static_cast<uint8_t>(Value::Kind::kBytes)) return std::nullopt;
    auto kind = static_cast<Value::Kind>(bytes[offset++]);
    if (kind == Value::Kind::kNull) {
      row.values.push_back(Value::Null());
      continue;
    }
    auto n = ReadU64(bytes, offset);
    if (!n) return std::nullopt;
    if (kind == Value::Kind::kInt) {
      row.values.push_back(Value::Int(static_cast<int64_t>(*n)));
      continue;
    }
    if (*n > bytes.size() - offset) return std::nullopt;
    std::string s(reinterpret_cast<const char*>(bytes.data() + offset), *n);
    offset += *n;
    row.values.push_back(kind == Value::Kind::kText ? Value::Text(std::move(s)) : Value::Bytes(std::move(s)));
  }
  return row;
}

}  // namespace rowchain::store
