// Header hex (CLI --header, proofs): any text is parsed or refused; what parses serializes back
// to the same 80 bytes and parses again to the same header.
#include "consensus/block_header.h"
#include "fuzz.h"
#include "util/hex.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace rowchain;
  auto header = consensus::ParseBlockHeaderHex(fuzz::Text(data, size));
  if (!header.ok()) return 0;
  const consensus::HeaderBytes bytes = header->Serialize();
  auto again = consensus::ParseBlockHeaderHex(HexEncode(bytes));
  fuzz::Require(again.ok() && again->Serialize() == bytes, "a parsed header round-trips");
  return 0;
}
