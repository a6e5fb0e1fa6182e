// A block on the wire from a peer: parsed or refused; what parses serializes back to the same
// bytes (the encoding is canonical), and the context-free body checks give a verdict, never a
// crash.
#include "consensus/block.h"
#include "consensus/block_checks.h"
#include "chain/chain_config.h"
#include "fuzz.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace rowchain;
  static const consensus::ChainParams params = *chain::Preset("regtest");
  auto block = consensus::ParseBlock(fuzz::Bytes(data, size));
  if (!block.ok()) return 0;
  const std::vector<uint8_t> bytes = consensus::SerializeBlock(*block);
  fuzz::Require(bytes == std::vector<uint8_t>(data, data + size), "a parsed block serializes to its bytes");
  consensus::DecodedBody decoded;
  (void)consensus::CheckBlockBody(*block, params, 1, &decoded);
  return 0;
}
