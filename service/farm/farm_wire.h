// rowchain.v1.Mining's messages <-> the farm core's types (host/farm), for both ends: the
// node's mining service and rowchain-worker. Every decoder checks sizes and says which field
// is wrong. Pure functions.
#pragma once

#include "farm/worker_job.h"
#include "rowchain/v1/mining.pb.h"
#include "util/status.h"

namespace rowchain::farm {

inline constexpr uint32_t kFarmProtocolVersion = 1;
// The largest message either side sends is a job (a 64-hash path): 4 KiB with room to spare.
inline constexpr int kMaxFarmMessageBytes = 8 << 10;

v1::Job JobToProto(const WorkerJob& job);
// INVALID_ARGUMENT naming the field for a header not of 80 bytes, a path hash or target not of
// 32 bytes, or what CheckWorkerJob refuses.
StatusOr<WorkerJob> JobFromProto(const v1::Job& job);

std::string TargetBytes(const consensus::U256& target);
StatusOr<consensus::U256> TargetFromBytes(const std::string& bytes, const char* field);
std::string HashBytes(const consensus::Hash256& hash);
StatusOr<consensus::Hash256> HashFromBytes(const std::string& bytes, const char* field);

}  // namespace rowchain::farm
