// A chain file: parameters or one error line; what parses is written back as a chain file that
// reads to the same genesis block (the same chain).
#include "chain/chain_config.h"
#include "consensus/block.h"
#include "fuzz.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace rowchain;
  auto params = chain::ParseChainToml(fuzz::Text(data, size), "fuzz.toml");
  if (!params.ok()) return 0;
  auto again = chain::ParseChainToml(chain::WriteChainToml(*params, "fuzz"), "again.toml");
  fuzz::Require(again.ok() && consensus::MakeGenesisBlock(*again).Hash() == consensus::MakeGenesisBlock(*params).Hash(),
                "a chain file written back is the same chain");
  return 0;
}
