// SHA-256 of many short, independent messages at once: a Merkle tree's leaves, then each
// level's nodes. Where the CPU has AVX-512, sixteen messages share the lanes of its registers
// (a Merkle root of 1,000 rows in about a third of the time of hashing one message after the
// other); elsewhere, and for long messages, one at a time through Sha256Parts. The digests are
// the same either way. Pure; thread-safe.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "crypto/sha256.h"

namespace rowchain::crypto {

// out[i] = SHA-256(prefix || messages[i]) for every i; a one-byte prefix is how RFC 6962 tells
// leaves (0x00) from nodes (0x01). Allocates nothing.
// Precondition: out.size() == messages.size().
void Sha256ManyPrefixed(uint8_t prefix, std::span<const std::vector<uint8_t>> messages, std::span<Digest> out);
// The same for messages of `message_size` bytes laid end to end in `bytes` (a Merkle level's
// pairs). `out` may be the same memory (a level hashed in place): digest i is written only
// once message i and every message it overlaps have been read, and it overlaps no later one.
// Precondition: bytes.size() == out.size() * message_size, message_size >= 32.
void Sha256ManyPrefixed(uint8_t prefix, std::span<const uint8_t> bytes, size_t message_size, std::span<Digest> out);

// Whether the lanes are in use: the CPU has AVX-512 and they passed their self-test against
// OpenSSL (run once, on first use).
bool Sha256ManyUsesLanes();

}  // namespace rowchain::crypto
