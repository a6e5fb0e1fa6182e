#include "farm/farm_wire.h"

#include <algorithm>

#include <fmt/format.h>

namespace rowchain::farm {

std::string TargetBytes(const consensus::U256& target) {
  const auto bytes = target.ToLittleEndianBytes();
  return {bytes.begin(), bytes.end()};
}

StatusOr<consensus::U256> TargetFromBytes(const std::string& bytes, const char* field) {
  if (bytes.size() != 32) return InvalidArgumentError(fmt::format("{}: {} bytes, expected 32", field, bytes.size()));
  std::array<uint8_t, 32> le{};
  std::copy(bytes.begin(), bytes.end(), le.begin());
  return consensus::U256::FromLittleEndianBytes(le);
}

std::string HashBytes(const consensus::Hash256& hash) { return {hash.begin(), hash.end()}; }

StatusOr<consensus::Hash256> HashFromBytes(const std::string& bytes, const char* field) {
  if (bytes.size() != 32) return InvalidArgumentError(fmt::format("{}: {} bytes, expected 32", field, bytes.size()));
  consensus::Hash256 hash{};
  std::copy(bytes.begin(), bytes.end(), hash.begin());
  return hash;
}

v1::Job JobToProto(const WorkerJob& job) {
  v1::Job out;
  out.set_job_id(job.id);
  const auto header = job.header.Serialize();
  out.set_header(std::string(header.begin(), header.end()));
  out.set_height(job.height);
  out.set_miner_id(job.miner_id);
  for (const consensus::Hash256& h : job.leaf0_path) out.add_leaf0_path(HashBytes(h));
  out.set_share_target(TargetBytes(job.share_target));
  out.set_extra_nonce_first(job.extra_nonce_first);
  out.set_extra_nonce_count(job.extra_nonce_count);
  return out;
}

StatusOr<WorkerJob> JobFromProto(const v1::Job& in) {
  WorkerJob job;
  job.id = in.job_id();
  if (in.header().size() != consensus::kBlockHeaderSize) {
    return InvalidArgumentError(fmt::format("job.header: {} bytes, expected {}", in.header().size(), consensus::kBlockHeaderSize));
  }
  job.header = consensus::ParseBlockHeader(
      std::span<const uint8_t, consensus::kBlockHeaderSize>(reinterpret_cast<const uint8_t*>(in.header().data()), consensus::kBlockHeaderSize));
  job.height = in.height();
  job.miner_id = in.miner_id();
  if (in.leaf0_path_size() > static_cast<int>(kMaxLeaf0PathHashes)) {
    return InvalidArgumentError(fmt::format("job.leaf0_path: {} hashes, at most {}", in.leaf0_path_size(), kMaxLeaf0PathHashes));
  }
  for (const std::string& h : in.leaf0_path()) {
    auto hash = HashFromBytes(h, "job.leaf0_path");
    if (!hash.ok()) return hash.status();
    job.leaf0_path.push_back(*hash);
  }
  auto target = TargetFromBytes(in.share_target(), "job.share_target");
  if (!target.ok()) return target.status();
  job.share_target = *target;
  job.extra_nonce_first = in.extra_nonce_first();
  job.extra_nonce_count = in.extra_nonce_count();
  if (Status s = CheckWorkerJob(job); !s.ok()) return s;
  return job;
}

}  // namespace rowchain::farm
