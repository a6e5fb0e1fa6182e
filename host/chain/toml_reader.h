// Reading TOML tables strictly: known keys only, typed values, and every error naming the
// source, line and key, so a typo in a chain or config file never silently becomes a default.
#pragma once

#include <cstdint>
#include <limits>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include <fmt/format.h>
#include <toml++/toml.h>

#include "util/status.h"

namespace rowchain::chain {

// Reads one TOML table with known keys only; every error names the source, line and key.
// The node's value when it is an integer. (toml++'s value<int64_t>() also converts floats, with
// undefined behaviour past int64's range: a fuzzer found `retarget_interval = 7e200`.)
inline std::optional<int64_t> IntegerOf(const toml::node& node) {
  if (const toml::value<int64_t>* integer = node.as_integer()) return integer->get();
  return std::nullopt;
}

class TableReader {
 public:
  TableReader(const toml::table& table, std::string_view source, std::string prefix)
      : m_table(table), m_source(source), m_prefix(std::move(prefix)) {}

  Status RejectUnknown(const std::set<std::string_view>& known) const {
    for (const auto& [key, node] : m_table) {
      if (!known.contains(key.str())) return Error(node, key.str(), "unknown key");
    }
    return OkStatus();
  }

  // Present integers must fit uint32; absent ones keep *out unless `required`.
  Status U32(std::string_view key, uint32_t* out, bool required = false) const {
    const toml::node* node = m_table.get(key);
    if (node == nullptr) return required ? Missing(key) : OkStatus();
    const std::optional<int64_t> v = IntegerOf(*node);
    if (!v) return Error(*node, key, "expected an integer");
    if (*v < 0 || *v > std::numeric_limits<uint32_t>::max()) return Error(*node, key, "out of range 0..4294967295");
    *out = static_cast<uint32_t>(*v);
    return OkStatus();
  }

  Status Bool(std::string_view key, bool* out) const {
    const toml::node* node = m_table.get(key);
    if (node == nullptr) return OkStatus();
    if (!node->is_boolean()) return Error(*node, key, "expected true or false");
    *out = *node->value<bool>();
    return OkStatus();
  }

  Status U64(std::string_view key, uint64_t* out) const {
    const toml::node* node = m_table.get(key);
    if (node == nullptr) return OkStatus();
    const std::optional<int64_t> v = IntegerOf(*node);
    if (!v || *v < 0) return Error(*node, key, "expected a non-negative integer");
    *out = static_cast<uint64_t>(*v);
    return OkStatus();
  }

  Status StringList(std::string_view key, std::vector<std::string>* out) const {
    const toml::node* node = m_table.get(key);
    if (node == nullptr) return OkStatus();
    const toml::array* array = node->as_array();
    if (array == nullptr) return Error(*node, key, "expected an array of strings");
    out->clear();
    for (const toml::node& element : *array) {
      if (!element.is_string()) return Error(element, key, "expected an array of strings");
      out->push_back(*element.value<std::string>());
    }
    return OkStatus();
  }

  Status String(std::string_view key, std::string* out, bool required = false) const {
    const toml::node* node = m_table.get(key);
    if (node == nullptr) return required ? Missing(key) : OkStatus();
    if (!node->is_string()) return Error(*node, key, "expected a string");
    *out = *node->value<std::string>();
    return OkStatus();
  }

  Status Error(const toml::node& node, std::string_view key, std::string_view what) const {
    return InvalidArgumentError(
        fmt::format("{}:{}: {}{}: {}", m_source, node.source().begin.line, m_prefix, key, what));
  }
  Status Missing(std::string_view key) const {
    return InvalidArgumentError(fmt::format("{}: {}{} is required", m_source, m_prefix, key));
  }

 private:
  const toml::table& m_table;
  std::string_view m_source;
  std::string m_prefix;
};

}  // namespace rowchain::chain
