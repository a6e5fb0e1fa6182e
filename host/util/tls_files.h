// The PEM files of a TLS endpoint, as a user names them (flags, [tls] in the config file). The
// writer listener, the peer links and the CLI's client read them (util/file_io.h). Value type.
#pragma once

#include <string>

namespace rowchain {

struct TlsFiles {
  std::string cert;  // PEM certificate chain of this end
  std::string key;   // PEM private key of this end
  std::string ca;    // PEM CA bundle; on a listener, when set, clients must present a certificate it signed
};

}  // namespace rowchain
