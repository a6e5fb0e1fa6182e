// What node.cpp and mining_loop.cpp (the two halves of Node) share, and nothing else uses.
#pragma once

#include <cstdint>
#include <ctime>
#include <string>
#include <unordered_set>
#include <vector>

#include "mining/block_assembly.h"
#include "node/node.h"
#include "util/hex.h"

namespace rowchain::node {

struct Node::Template {
  mining::BlockSpec spec;
  std::vector<consensus::BatchId> batches;
  std::unordered_set<std::string> keys;  // RowKeys of its rows
};

namespace internal {

inline int64_t UnixNow() { return static_cast<int64_t>(std::time(nullptr)); }
inline std::string ShortHex(const consensus::BatchId& id) { return HexEncode(id); }

}  // namespace internal
}  // namespace rowchain::node
