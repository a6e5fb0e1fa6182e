// The fixed Ed25519 key the digest_file target trusts and its seed is signed with: a test key,
// public in this repository, signing nothing real.
#pragma once

namespace rowchain::fuzz {

inline constexpr char kDigestKeyPem[] =
    "-----BEGIN PRIVATE KEY-----\n"
    "MC4CAQAwBQYDK2VwBCIEIJvTNwe7boRgjhBA5htgQBZjjn7waeLwH++qDaghC0tV\n"
    "-----END PRIVATE KEY-----\n";

}  // namespace rowchain::fuzz
