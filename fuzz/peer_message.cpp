// A peer's message as the session reads it: the protobuf, then the bytes it carries (headers
// of exactly 80 bytes, blocks in their wire form), each parsed or refused.
#include "consensus/block.h"
#include "consensus/block_checks.h"
#include "consensus/block_header.h"
#include "chain/chain_config.h"
#include "fuzz.h"
#include "rowchain/v1/peer.pb.h"

namespace {

void ParseHeader(const std::string& bytes) {
  if (bytes.size() != rowchain::consensus::kBlockHeaderSize) return;
  std::span<const uint8_t, rowchain::consensus::kBlockHeaderSize> raw(reinterpret_cast<const uint8_t*>(bytes.data()),
                                                                      rowchain::consensus::kBlockHeaderSize);
  static const rowchain::consensus::ChainParams params = *rowchain::chain::Preset("regtest");
  (void)rowchain::consensus::CheckBlockHeader(rowchain::consensus::ParseBlockHeader(raw), params);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  rowchain::v1::PeerMessage message;
  if (!message.ParseFromArray(data, static_cast<int>(size))) return 0;
  if (message.has_announce()) ParseHeader(message.announce().header());
  for (const std::string& header : message.headers().headers()) ParseHeader(header);
  if (message.has_block()) {
    const std::string& bytes = message.block().block();
    (void)rowchain::consensus::ParseBlock({reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()});
  }
  return 0;
}
