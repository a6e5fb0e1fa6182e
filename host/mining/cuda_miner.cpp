#include "mining/cuda_miner.h"

#include <map>
#include <optional>
#include <thread>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "consensus/pow.h"
#include "metrics/metrics.h"
#include "mining/device_pauses.h"
#include "mining/search_checks.h"

namespace rowchain::mining {
namespace {

struct DeviceOutcome {
  Status status;         // a failed device (taken out of the rotation)
  bool skipped = false;  // paused: did not mine this template
  std::optional<uint32_t> nonce;
  consensus::Hash256 hash{};
  uint64_t hashes = 0;
};

uint32_t TopWord(const consensus::Hash256& h) {
  return uint32_t{h[28]} | uint32_t{h[29]} << 8 | uint32_t{h[30]} << 16 | uint32_t{h[31]} << 24;
}

}  // namespace

CudaMiner::CudaMiner(std::vector<std::unique_ptr<cuda::DeviceSearcher>> devices)
    : m_devices(std::move(devices)), m_last_hashes(m_devices.size(), 0), m_failing_until(m_devices.size()) {}

bool CudaMiner::MayMine(size_t d) {
  const unsigned ordinal = static_cast<unsigned>(m_devices[d]->info().ordinal);
  auto reason = DevicePauses::Get().ReasonOf(ordinal);
  if (!reason) return true;
  if (*reason != "failing" || std::chrono::steady_clock::now() < m_failing_until[d]) return false;
  DevicePauses::Get().Resume(ordinal);  // its time out is over: try it again
  metrics::Get().device_paused.Add({{"device", std::to_string(ordinal)}, {"reason", "failing"}}).Set(0);
  spdlog::info("GPU {} back in the rotation", ordinal);
  return true;
}

void CudaMiner::TakeOutOfRotation(size_t d, const std::string& why) {
  const unsigned ordinal = static_cast<unsigned>(m_devices[d]->info().ordinal);
  m_failing_until[d] = std::chrono::steady_clock::now() + kRetryFailingAfter;
  DevicePauses::Get().Pause(ordinal, "failing");
  const std::map<std::string, std::string> labels = {{"device", std::to_string(ordinal)}, {"reason", "failing"}};
  metrics::Get().device_pauses.Add(labels).Increment();
  metrics::Get().device_paused.Add(labels).Set(1);
  metrics::Get().device_errors.Add({{"device", std::to_string(ordinal)}}).Increment();
  spdlog::error("GPU {} out of the rotation for {} s: {}; the other GPUs go on", ordinal, kRetryFailingAfter.count(), why);
}

std::string CudaMiner::Describe() const {
  std::string names;
  for (const auto& d : m_devices) {
    names += fmt::format("{}{} #{}", names.empty() ? "" : ", ", d->info().name, d->info().ordinal);
  }
  return fmt::format("cuda ({})", names);
}

StatusOr<SearchResult> CudaMiner::Search(const SearchRequest& request, std::stop_token stop) {
  ROWCHAIN_RETURN_IF_ERROR(CheckSearchRange(request));
  const consensus::HeaderBytes bytes = request.header.Serialize();
  const crypto::NonceScanJob job = crypto::PrepareNonceScan(bytes, request.target.Limb(7));
  const size_t n = m_devices.size();
  const uint64_t share = (request.count + n - 1) / n;

  // Device d mines slice d. A win on slice d makes every higher slice irrelevant, so those are
  // stopped; lower slices run on, which keeps the lowest winning nonce the answer.
  std::vector<std::stop_source> device_stop(n);
  std::stop_callback forward(stop, [&] { for (auto& s : device_stop) s.request_stop(); });
  std::vector<DeviceOutcome> outcome(n);
  std::vector<metrics::Counter*> device_hashes(n);
  for (size_t d = 0; d < n; ++d) {
    device_hashes[d] = &metrics::Get().hashes.Add(
        {{"backend", "cuda"}, {"device", std::to_string(m_devices[d]->info().ordinal)}});
  }
  auto mine_slice = [&](size_t d) {
    const uint64_t begin = std::min(request.count, d * share);
    const uint64_t end = std::min(request.count, begin + share);
    // A paused GPU (too hot, failing) sits this template out; the next one covers its slice.
    if (!MayMine(d)) {
      outcome[d].skipped = true;
      return;
    }
    for (uint64_t at = begin; at < end && !device_stop[d].stop_requested();) {
      StatusOr<crypto::NonceScanResult> r = m_devices[d]->Scan(
          job, request.first_nonce + static_cast<uint32_t>(at), end - at, device_stop[d].get_token());
      if (!r.ok() || (r->nonces_scanned == 0 && !r->candidate && !device_stop[d].stop_requested())) {
        outcome[d].status = r.ok() ? InternalError("the GPU hashed nothing") : r.status();
        TakeOutOfRotation(d, outcome[d].status.message());
        return;
      }
      outcome[d].hashes += r->nonces_scanned;
      device_hashes[d]->Increment(static_cast<double>(r->nonces_scanned));
      if (!r->candidate) return;
      const uint32_t nonce = *r->candidate;
      const consensus::Hash256 hash = HashWithNonce(bytes, nonce);
      if (TopWord(hash) > job.target_top) {
        ++m_device_errors;
        metrics::Get().device_errors.Add({{"device", std::to_string(m_devices[d]->info().ordinal)}}).Increment();
        spdlog::error("GPU {} reported nonce {} whose hash {} fails the CPU re-check (device error #{})",
                      m_devices[d]->info().ordinal, nonce, consensus::ToDisplayHex(hash), m_device_errors.load());
      } else if (consensus::HashMeetsTarget(hash, request.target)) {
        outcome[d].nonce = nonce;
        outcome[d].hash = hash;
        for (size_t later = d + 1; later < n; ++later) device_stop[later].request_stop();
        return;
      }
      at = uint64_t{nonce} - request.first_nonce + 1;
    }
  };
  {
    std::vector<std::jthread> workers;
    for (size_t d = 1; d < n; ++d) workers.emplace_back(mine_slice, d);
    mine_slice(0);
  }

  SearchResult result;
  size_t mined = 0;
  for (size_t d = 0; d < n; ++d) {
    m_last_hashes[d] = outcome[d].hashes;
    if (!outcome[d].status.ok() || outcome[d].skipped) continue;
    ++mined;
    result.hashes += outcome[d].hashes;
    if (outcome[d].nonce && !result.nonce) {
      result.nonce = outcome[d].nonce;
      result.hash = outcome[d].hash;
    }
  }
  if (mined == 0) {  // every GPU failed or is paused: the caller waits and asks again
    for (const DeviceOutcome& o : outcome) {
      if (!o.status.ok()) return o.status;
    }
    return UnavailableError("every GPU is paused (too hot, or failing)");
  }
  result.cancelled = !result.nonce && stop.stop_requested();
  return result;
}

}  // namespace rowchain::mining
