# CUDA is optional: the project builds and tests without a toolkit and without a GPU.
include(CheckLanguage)
option(ROWCHAIN_CUDA "Build the CUDA nonce-search backend when a CUDA toolkit is found" ON)
set(ROWCHAIN_HAVE_CUDA OFF)
if(ROWCHAIN_CUDA)
  check_language(CUDA)
  if(CMAKE_CUDA_COMPILER)
    # Turing (sm_75) to Hopper (sm_90) as machine code, plus PTX for newer GPUs to JIT.
    # -DCMAKE_CUDA_ARCHITECTURES=90 builds for one architecture only (faster builds).
    if(NOT DEFINED CMAKE_CUDA_ARCHITECTURES)
      set(CMAKE_CUDA_ARCHITECTURES "75-real;80-real;86-real;89-real;90-real;90-virtual")
    endif()
    enable_language(CUDA)
    find_package(CUDAToolkit REQUIRED)
    # CMake 3.25 does not know nvcc's C++20 flag; nvcc 12+ has it.
    if(NOT CMAKE_CUDA20_STANDARD_COMPILE_OPTION)
      set(CMAKE_CUDA20_STANDARD_COMPILE_OPTION "-std=c++20")
      set(CMAKE_CUDA20_EXTENSION_COMPILE_OPTION "-std=c++20")
      list(APPEND CMAKE_CUDA_COMPILE_FEATURES cuda_std_20)
    endif()
    set(CMAKE_CUDA_STANDARD 20)
    # cudart linked statically: binaries run on a GPU host that has only the driver.
    set(CMAKE_CUDA_RUNTIME_LIBRARY Static)
    set(ROWCHAIN_HAVE_CUDA ON)
  else()
    message(STATUS "rowchain: no CUDA compiler found; building without the CUDA backend")
  endif()
endif()
