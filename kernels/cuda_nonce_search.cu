// SHA-256d nonce search on NVIDIA GPUs, in three layers (after CUB and ggml): the __global__
// kernel, a launcher that does the grid arithmetic, and DeviceSearcher behind a plain C++ header.
//
// The hash itself is the template of host/crypto/nonce_scan_kernel.h instantiated with one
// nonce per thread: the same code CI runs on the CPU (the portable path). Everything that does
// not depend on the nonce (midstate, rounds 0..2, folded schedule constants) comes in the job,
// a kernel parameter, so it sits in the constant bank; there is no memory traffic in the loop.
#include <cuda_runtime.h>

#include <algorithm>
#include <optional>

#include "crypto/nonce_scan_kernel.h"
#include "crypto/sha256_constants.h"
#include "kernels/cuda_check.h"
#include "kernels/cuda_nonce_search.h"

namespace rowchain::cuda {
namespace {

__constant__ uint32_t c_round_constants[64];

struct DeviceOps {
  using V = uint32_t;
  static __host__ __device__ __forceinline__ V Set1(uint32_t x) { return x; }
  static __host__ __device__ __forceinline__ V Add(V a, V b) { return a + b; }
  template <int N>
  static __host__ __device__ __forceinline__ V Rotr(V x) {
#if defined(__CUDA_ARCH__)
    return __funnelshift_r(x, x, N);  // one SHF instruction
#else
    return (x >> N) | (x << (32 - N));
#endif
  }
  template <int N>
  static __host__ __device__ __forceinline__ V Shr(V x) { return x >> N; }
  // ptxas turns each of these into a single LOP3.
  static __host__ __device__ __forceinline__ V Xor3(V a, V b, V c) { return a ^ b ^ c; }
  static __host__ __device__ __forceinline__ V Choose(V e, V f, V g) { return g ^ (e & (f ^ g)); }
  static __host__ __device__ __forceinline__ V Majority(V a, V b, V c) { return (a & b) | (c & (a | b)); }
  static __host__ __device__ __forceinline__ V ByteSwap(V x) {
#if defined(__CUDA_ARCH__)
    return __byte_perm(x, 0, 0x0123);  // one PRMT
#else
    return __builtin_bswap32(x);
#endif
  }
  static __host__ __device__ __forceinline__ uint32_t K(int t) {
#if defined(__CUDA_ARCH__)
    return c_round_constants[t];  // constant-bank operand after unrolling
#else
    return crypto::sha256::kRoundConstants[t];
#endif
  }
};

constexpr uint32_t kNoResult = 0xffffffffu;

// Each thread hashes nonces tid, tid + threads, tid + 2*threads, ... of the launch's range and
// stops at its first candidate; atomicMin keeps the launch's lowest. The cancel flag (host
// memory mapped into the device) is read once per thread, so a queued launch exits at once.
__global__ void NonceSearchKernel(const crypto::NonceScanJob job, uint32_t first_nonce,
                                  uint32_t count, uint32_t nonces_per_thread,
                                  uint32_t* best_offset, const volatile uint32_t* cancel) {
  if (*cancel != 0) return;
  const uint32_t threads = gridDim.x * blockDim.x;
  const uint32_t tid = blockIdx.x * blockDim.x + threadIdx.x;
  for (uint32_t i = 0; i < nonces_per_thread; ++i) {
    const uint32_t offset = i * threads + tid;
    if (offset >= count) return;
    const uint32_t top = DeviceOps::ByteSwap(
        crypto::Kernel<DeviceOps>::HashTopWord(job, first_nonce + offset));
    if (top <= job.target_top) {
      atomicMin(best_offset, offset);
      return;
    }
  }
}

cudaError_t LaunchNonceSearch(cudaStream_t stream, const LaunchConfig& config,
                              const crypto::NonceScanJob& job, uint32_t first_nonce,
                              uint32_t count, uint32_t* best_offset, const uint32_t* cancel) {
  const uint64_t threads = uint64_t(config.blocks) * config.block_size;
  const uint32_t per_thread = static_cast<uint32_t>((count + threads - 1) / threads);
  NonceSearchKernel<<<config.blocks, config.block_size, 0, stream>>>(job, first_nonce, count,
                                                                     per_thread, best_offset, cancel);
  return cudaGetLastError();
}

class CudaDeviceSearcher final : public DeviceSearcher {
 public:
  ~CudaDeviceSearcher() override {
    cudaSetDevice(m_info.ordinal);
    if (m_stream) cudaStreamDestroy(m_stream);
    for (cudaEvent_t e : m_done) if (e) cudaEventDestroy(e);
    if (m_slots) cudaFree(m_slots);
    if (m_host_slots) cudaFreeHost(m_host_slots);
    if (m_cancel) cudaFreeHost(m_cancel);
  }

  Status Init(int ordinal, const LaunchConfig& requested) {
    cudaDeviceProp prop{};
    ROWCHAIN_CUDA_RETURN_IF_ERROR(cudaGetDeviceProperties(&prop, ordinal));
    m_info = {ordinal, prop.name, prop.multiProcessorCount, prop.major, prop.minor};
    ROWCHAIN_CUDA_RETURN_IF_ERROR(cudaSetDevice(ordinal));
    ROWCHAIN_CUDA_RETURN_IF_ERROR(cudaMemcpyToSymbol(c_round_constants, crypto::sha256::kRoundConstants,
                                                     sizeof crypto::sha256::kRoundConstants));
    ROWCHAIN_CUDA_RETURN_IF_ERROR(cudaStreamCreateWithFlags(&m_stream, cudaStreamNonBlocking));
    for (cudaEvent_t& e : m_done) ROWCHAIN_CUDA_RETURN_IF_ERROR(cudaEventCreateWithFlags(&e, cudaEventDisableTiming));
    ROWCHAIN_CUDA_RETURN_IF_ERROR(cudaMalloc(&m_slots, 2 * sizeof(uint32_t)));
    ROWCHAIN_CUDA_RETURN_IF_ERROR(cudaMallocHost(&m_host_slots, 2 * sizeof(uint32_t)));
    ROWCHAIN_CUDA_RETURN_IF_ERROR(cudaHostAlloc(&m_cancel, sizeof(uint32_t), cudaHostAllocMapped));
    ROWCHAIN_CUDA_RETURN_IF_ERROR(cudaHostGetDevicePointer(&m_cancel_device, m_cancel, 0));

    m_config = requested;
    if (m_config.block_size == 0) {
      int min_grid = 0, block = 0;
      ROWCHAIN_CUDA_RETURN_IF_ERROR(cudaOccupancyMaxPotentialBlockSize(&min_grid, &block, NonceSearchKernel));
      m_config.block_size = block;
    }
    if (m_config.blocks == 0) {
      int per_sm = 0;
      ROWCHAIN_CUDA_RETURN_IF_ERROR(cudaOccupancyMaxActiveBlocksPerMultiprocessor(
          &per_sm, NonceSearchKernel, m_config.block_size, 0));
      m_config.blocks = std::max(1, per_sm) * prop.multiProcessorCount;
    }
    // About 2^5 nonces per resident thread: a few milliseconds per launch on current GPUs, so
    // a cancel lands within 10 ms even with the next launch queued.
    if (m_config.nonces_per_thread == 0) m_config.nonces_per_thread = 32;
    return OkStatus();
  }

  StatusOr<crypto::NonceScanResult> Scan(const crypto::NonceScanJob& job, uint32_t first_nonce,
                                         uint64_t count, std::stop_token stop) override {
    ROWCHAIN_CUDA_RETURN_IF_ERROR(cudaSetDevice(m_info.ordinal));
    *m_cancel = 0;
    std::stop_callback on_stop(stop, [this] { *reinterpret_cast<volatile uint32_t*>(m_cancel) = 1; });
    const uint64_t per_launch =
        uint64_t(m_config.blocks) * m_config.block_size * m_config.nonces_per_thread;

    crypto::NonceScanResult result;
    uint64_t launch_start[2] = {0, 0}, launch_count[2] = {0, 0};
    uint64_t next = 0;
    int in_flight = 0, oldest = 0;
    auto enqueue = [&](int slot) -> Status {
      launch_start[slot] = next;
      launch_count[slot] = std::min(per_launch, count - next);
      next += launch_count[slot];
      ROWCHAIN_CUDA_RETURN_IF_ERROR(cudaMemsetAsync(m_slots + slot, 0xff, sizeof(uint32_t), m_stream));
      ROWCHAIN_CUDA_RETURN_IF_ERROR(LaunchNonceSearch(
          m_stream, m_config, job, first_nonce + static_cast<uint32_t>(launch_start[slot]),
          static_cast<uint32_t>(launch_count[slot]), m_slots + slot, m_cancel_device));
      ROWCHAIN_CUDA_RETURN_IF_ERROR(cudaMemcpyAsync(m_host_slots + slot, m_slots + slot, sizeof(uint32_t),
                                                    cudaMemcpyDeviceToHost, m_stream));
      ROWCHAIN_CUDA_RETURN_IF_ERROR(cudaEventRecord(m_done[slot], m_stream));
      ++in_flight;
      return OkStatus();
    };
    // Two launches in flight: while the GPU runs one, the next is already queued behind it.
    while (next < count && in_flight < 2 && !stop.stop_requested()) {
      ROWCHAIN_RETURN_IF_ERROR(enqueue((oldest + in_flight) % 2));
    }
    while (in_flight > 0) {
      ROWCHAIN_CUDA_RETURN_IF_ERROR(cudaEventSynchronize(m_done[oldest]));
      --in_flight;
      const uint32_t hit = m_host_slots[oldest];
      if (*m_cancel == 0) result.nonces_scanned += launch_count[oldest];
      if (hit != kNoResult && !result.candidate) {
        result.candidate = first_nonce + static_cast<uint32_t>(launch_start[oldest] + hit);
        *m_cancel = 1;  // the queued launch covers higher nonces: let it exit at once
      }
      oldest = (oldest + 1) % 2;
      if (!result.candidate && next < count && !stop.stop_requested()) {
        ROWCHAIN_RETURN_IF_ERROR(enqueue((oldest + in_flight) % 2));
      }
    }
    *m_cancel = 0;
    return result;
  }

  const DeviceInfo& info() const override { return m_info; }
  LaunchConfig config() const override { return m_config; }

 private:
  DeviceInfo m_info;
  LaunchConfig m_config;
  cudaStream_t m_stream = nullptr;
  cudaEvent_t m_done[2] = {nullptr, nullptr};
  uint32_t* m_slots = nullptr;       // device: one result slot per launch in flight
  uint32_t* m_host_slots = nullptr;  // pinned host copies
  uint32_t* m_cancel = nullptr;      // mapped pinned host memory
  uint32_t* m_cancel_device = nullptr;
};

}  // namespace

StatusOr<std::unique_ptr<DeviceSearcher>> DeviceSearcher::Open(int ordinal, const LaunchConfig& config) {
  auto searcher = std::make_unique<CudaDeviceSearcher>();
  ROWCHAIN_RETURN_IF_ERROR(searcher->Init(ordinal, config));
  return std::unique_ptr<DeviceSearcher>(std::move(searcher));
}

}  // namespace rowchain::cuda
