// What a worker reads from its node (docs/farm.md): a NodeMessage, and the job, target or prev
// hash inside, each decoded or refused. An accepted job passes its own checks, encodes back to
// a message that decodes to the same job, and gives the same header for its first extra-nonce.
#include "farm/farm_wire.h"
#include "fuzz.h"
#include "rowchain/v1/mining.pb.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace rowchain;
  v1::NodeMessage message;
  if (!message.ParseFromArray(data, static_cast<int>(size))) return 0;
  if (message.has_share_target()) (void)farm::TargetFromBytes(message.share_target().target(), "target");
  if (message.has_new_prev_hash()) (void)farm::HashFromBytes(message.new_prev_hash().prev_hash(), "prev_hash");
  if (!message.has_job()) return 0;
  auto job = farm::JobFromProto(message.job());
  if (!job.ok()) return 0;
  fuzz::Require(farm::CheckWorkerJob(*job).ok(), "an accepted job passes CheckWorkerJob");
  auto again = farm::JobFromProto(farm::JobToProto(*job));
  fuzz::Require(again.ok(), "an accepted job encodes to a job that is accepted");
  const uint64_t e = job->extra_nonce_first;
  fuzz::Require(again->Template().HeaderForExtraNonce(e).Hash() == job->Template().HeaderForExtraNonce(e).Hash() &&
                    again->share_target == job->share_target && again->extra_nonce_count == job->extra_nonce_count,
                "a job round-trips to the same header, target and range");
  return 0;
}
