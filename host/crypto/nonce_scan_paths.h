// The per-instruction-set entry points behind ScanNonces (nonce_scan_dispatch.cpp).
// Internal to the crypto library. Each is defined in its own file with its own flags and must
// only be called once the CPU is known to support it.
#pragma once

#include "crypto/nonce_scan.h"

namespace rowchain::crypto {

NonceScanResult ScanNoncesPortable(const NonceScanJob& job, uint32_t first_nonce, uint64_t count);
#if defined(ROWCHAIN_X86_64)
NonceScanResult ScanNoncesAvx2(const NonceScanJob& job, uint32_t first_nonce, uint64_t count);
NonceScanResult ScanNoncesAvx512(const NonceScanJob& job, uint32_t first_nonce, uint64_t count);
NonceScanResult ScanNoncesShaNi(const NonceScanJob& job, uint32_t first_nonce, uint64_t count);
#endif

}  // namespace rowchain::crypto
