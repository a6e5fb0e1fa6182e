// A block body and its leaves (block info, then row operations): decoded or refused; every
// decoded leaf encodes back to the same bytes.
#include "consensus/block.h"
#include "consensus/block_info_leaf.h"
#include "consensus/row_operation.h"
#include "fuzz.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace rowchain;
  auto leaves = consensus::DecodeBlockBody(fuzz::Bytes(data, size));
  if (!leaves.ok()) return 0;
  fuzz::Require(consensus::EncodeBlockBody(*leaves) == std::vector<uint8_t>(data, data + size),
                "a decoded body encodes to its bytes");
  for (const consensus::Leaf& leaf : *leaves) {
    if (auto row = consensus::DecodeRowOperationLeaf(leaf); row.ok()) {
      fuzz::Require(consensus::DecodeRowOperationLeaf(consensus::EncodeRowOperationLeaf(*row)).value() == *row,
                    "a row operation leaf round-trips");
    }
    if (auto info = consensus::DecodeBlockInfoLeaf(leaf); info.ok()) {
      fuzz::Require(consensus::EncodeBlockInfoLeaf(*info) == leaf, "a block-info leaf encodes to its bytes");
    }
  }
  (void)consensus::DecodeBody(*leaves);
  return 0;
}
