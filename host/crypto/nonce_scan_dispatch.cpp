// Chooses among the scan paths: compiled in, supported by the CPU, self-tested, fastest.
#include <array>
#include <chrono>
#include <mutex>

#include <fmt/format.h>

#include "crypto/cpu_features.h"
#include "crypto/nonce_scan.h"
#include "crypto/nonce_scan_paths.h"
#include "crypto/nonce_scan_selftest.h"

namespace rowchain::crypto {
namespace {

constexpr std::array<ScanPath, 4> kAllPaths = {ScanPath::kAvx512, ScanPath::kShaNi,
                                               ScanPath::kAvx2, ScanPath::kPortable};

using ScanFunction = NonceScanResult (*)(const NonceScanJob&, uint32_t, uint64_t);

ScanFunction FunctionFor(ScanPath path) {
  switch (path) {
    case ScanPath::kPortable: return &ScanNoncesPortable;
#if defined(ROWCHAIN_X86_64)
    case ScanPath::kAvx2: return &ScanNoncesAvx2;
    case ScanPath::kAvx512: return &ScanNoncesAvx512;
    case ScanPath::kShaNi: return &ScanNoncesShaNi;
#else
    default: return nullptr;
#endif
  }
  return nullptr;
}

Status CpuSupports(ScanPath path) {
  const CpuFeatures& cpu = DetectCpuFeatures();
  bool ok = path == ScanPath::kPortable || (path == ScanPath::kAvx2 && cpu.avx2) ||
            (path == ScanPath::kAvx512 && cpu.avx512) || (path == ScanPath::kShaNi && cpu.sha_ni);
  if (ok) return OkStatus();
  return FailedPreconditionError(
      fmt::format("this CPU lacks the instructions of the {} path", ScanPathName(path)));
}

Status CheckUsable(ScanPath path) {
  if (!ScanPathCompiled(path)) {
    return UnimplementedError(
        fmt::format("the {} path is not compiled for this architecture", ScanPathName(path)));
  }
  if (Status s = CpuSupports(path); !s.ok()) return s;
  return SelfTestScanPath(FunctionFor(path), ScanPathName(path));
}

double MeasureNoncesPerSecond(ScanPath path) {
  NonceScanJob job = SelfTestBenchJob();
  ScanFunction scan = FunctionFor(path);
  constexpr uint64_t kBatch = 1 << 14;
  double best = 0;
  for (int round = 0; round < 3; ++round) {
    auto start = std::chrono::steady_clock::now();
    NonceScanResult r = scan(job, static_cast<uint32_t>(round) * kBatch, kBatch);
    std::chrono::duration<double> seconds = std::chrono::steady_clock::now() - start;
    if (seconds.count() > 0) best = std::max(best, r.nonces_scanned / seconds.count());
  }
  return best;
}

}  // namespace

std::string_view ScanPathName(ScanPath path) {
  switch (path) {
    case ScanPath::kPortable: return "portable";
    case ScanPath::kAvx2: return "avx2";
    case ScanPath::kAvx512: return "avx512";
    case ScanPath::kShaNi: return "sha-ni";
  }
  return "unknown";
}

std::optional<ScanPath> ScanPathFromName(std::string_view name) {
  for (ScanPath p : kAllPaths) {
    if (ScanPathName(p) == name) return p;
  }
  return std::nullopt;
}

std::span<const ScanPath> AllScanPaths() { return kAllPaths; }

bool ScanPathCompiled(ScanPath path) { return FunctionFor(path) != nullptr; }

Status ScanPathUsable(ScanPath path) {
  // Self-tests run once per path per process.
  static std::once_flag once[kAllPaths.size()];
  static Status status[kAllPaths.size()];
  size_t i = static_cast<size_t>(path);
  std::call_once(once[i], [&] { status[i] = CheckUsable(path); });
  return status[i];
}

NonceScanResult ScanNonces(ScanPath path, const NonceScanJob& job, uint32_t first_nonce,
                           uint64_t count) {
  return FunctionFor(path)(job, first_nonce, count);
}

ScanPath FastestScanPath() {
  static const ScanPath fastest = [] {
    ScanPath best = ScanPath::kPortable;
    double best_rate = 0;
    for (ScanPath p : kAllPaths) {
      if (!ScanPathUsable(p).ok()) continue;
      double rate = MeasureNoncesPerSecond(p);
      if (rate > best_rate) {
        best_rate = rate;
        best = p;
      }
    }
    return best;
  }();
  return fastest;
}

}  // namespace rowchain::crypto
