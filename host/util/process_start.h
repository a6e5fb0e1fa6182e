// What rowchaind and rowchain-worker set first in main: SIGTERM and SIGINT for an orderly stop,
// blocked in every thread (each inherits the mask) so only the thread that sigwaits on the
// returned set receives them; and one numbering of the GPUs.
#pragma once

#include <signal.h>
#include <stdlib.h>

namespace rowchain {

// Call first in main, before any thread starts.
inline sigset_t BlockStopSignals() {
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  return stop_signals;
}

// CUDA numbers GPUs fastest first unless told otherwise; NVML (telemetry, the temperature
// limit) numbers them in PCI bus order. The same order on both sides: a paused GPU is the one
// that is hot, and --devices means what nvidia-smi shows. An operator's own setting wins.
inline void NumberGpusByPciBus() { setenv("CUDA_DEVICE_ORDER", "PCI_BUS_ID", 0); }

}  // namespace rowchain
