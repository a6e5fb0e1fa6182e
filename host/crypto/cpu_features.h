// What the running CPU (and OS) can execute. Thread-safe; computed once.
#pragma once

namespace rowchain::crypto {

struct CpuFeatures {
  bool avx2 = false;
  bool avx512 = false;  // AVX-512 F and BW, with the OS saving ZMM state
  bool sha_ni = false;  // SHA extensions plus SSE4.1
};

const CpuFeatures& DetectCpuFeatures();

}  // namespace rowchain::crypto
