// The file `rowchain verify-proof` reads: a proof's JSON, checked against its own header;
// problems or a refusal, never a crash.
#include <google/protobuf/util/json_util.h>

#include "cli/proof_check.h"
#include "fuzz.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace rowchain;
  v1::RowProof proof;
  if (!google::protobuf::util::JsonStringToMessage(fuzz::Text(data, size), &proof).ok()) return 0;
  (void)cli::CheckProof(proof, "");
  return 0;
}
