// The store's packed form of a block's leaves (read back from MySQL): unpacked or refused;
// what unpacks packs and unpacks again to the same leaves.
#include "fuzz.h"
#include "store/packed_leaves.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace rowchain;
  auto leaves = store::UnpackLeaves(fuzz::Bytes(data, size));
  if (!leaves.ok()) return 0;
  auto again = store::UnpackLeaves(store::PackLeaves(*leaves));
  fuzz::Require(again.ok() && *again == *leaves, "unpacked leaves round-trip through PackLeaves");
  return 0;
}
