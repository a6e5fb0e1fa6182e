// A Kafka ingest message (any bytes a producer writes): a batch for the regtest schema, or a
// refusal; never a throw or a crash.
#include "chain/chain_config.h"
#include "feed/topic_ingester.h"
#include "fuzz.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace rowchain;
  static const consensus::ChainParams params = *chain::Preset("regtest");
  (void)feed::ParseIngestMessage(fuzz::Text(data, size), params.schema);
  return 0;
}
