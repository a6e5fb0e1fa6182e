#include "mining/backends.h"

#include <string>

#include "crypto/nonce_scan.h"

namespace rowchain::mining {

std::vector<BackendInfo> ListBackends() {
  std::vector<BackendInfo> out;
  out.push_back({"cpu", true, true, ""});
  for (crypto::ScanPath p : crypto::AllScanPaths()) {
    Status usable = crypto::ScanPathUsable(p);
    out.push_back({"cpu/" + std::string(crypto::ScanPathName(p)), crypto::ScanPathCompiled(p),
                   usable.ok(), usable.message()});
  }
  out.push_back(CudaBackendInfo());
  return out;
}

}  // namespace rowchain::mining
