#include "crypto/cpu_features.h"

#if defined(ROWCHAIN_X86_64)
#include <cpuid.h>
#endif

namespace rowchain::crypto {
namespace {

CpuFeatures Detect() {
  CpuFeatures f;
#if defined(ROWCHAIN_X86_64)
  __builtin_cpu_init();
  // __builtin_cpu_supports checks both CPUID and the OS's XSAVE support for AVX/AVX-512.
  f.avx2 = __builtin_cpu_supports("avx2");
  f.avx512 = __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw");
  unsigned eax = 0, ebx = 0, ecx = 0, edx = 0;
  if (__get_cpuid_count(7, 0, &eax, &ebx, &ecx, &edx)) {
    constexpr unsigned kShaBit = 1u << 29;  // CPUID.(EAX=7,ECX=0):EBX.SHA
    f.sha_ni = (ebx & kShaBit) != 0 && __builtin_cpu_supports("sse4.1");
  }
#endif
  return f;
}

}  // namespace

const CpuFeatures& DetectCpuFeatures() {
  static const CpuFeatures features = Detect();
  return features;
}

}  // namespace rowchain::crypto
