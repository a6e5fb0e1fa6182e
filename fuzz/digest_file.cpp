// The tip digest `rowchain verify --digest` reads: accepted only when signed by the trusted key,
// and what is accepted signs again to the same text; a refusal otherwise, never a crash.
#include "cli/tip_digest.h"
#include "digest_key.h"
#include "fuzz.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace rowchain;
  static const crypto::SigningKey key = *crypto::SigningKey::FromPem(fuzz::kDigestKeyPem);
  auto digest = cli::ReadTipDigest(fuzz::Text(data, size), key.public_key());
  if (!digest.ok()) return 0;
  auto again = cli::ReadTipDigest(*cli::WriteTipDigest(*digest, key), key.public_key());
  fuzz::Require(again.ok() && cli::SignedText(*again) == cli::SignedText(*digest),
                "an accepted digest signs again to the same text");
  return 0;
}
