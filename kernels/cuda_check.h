// Checked CUDA calls (after ggml's CUDA_CHECK): an error becomes a Status carrying the
// expression, file and line. Only for .cu files of this directory.
#pragma once

#include <cuda_runtime.h>

#include <string>

#include "util/status.h"

#define ROWCHAIN_CUDA_RETURN_IF_ERROR(expr)                                                    \
  do {                                                                                          \
    cudaError_t rowchain_cuda_err_ = (expr);                                                    \
    if (rowchain_cuda_err_ != cudaSuccess) {                                                    \
      return ::rowchain::InternalError(std::string(#expr) + " failed at " + __FILE__ + ":" +    \
                                       std::to_string(__LINE__) + ": " +                        \
                                       cudaGetErrorString(rowchain_cuda_err_));                 \
    }                                                                                           \
  } while (0)
