// Base64 (RFC 4648, with padding) through OpenSSL: how the change feed and Kafka ingestion
// carry binary column values, as Debezium does. Pure functions; thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "util/status.h"

namespace rowchain {

std::string Base64Encode(std::string_view bytes);
// INVALID_ARGUMENT for text that is not padded base64.
StatusOr<std::string> Base64Decode(std::string_view text);

}  // namespace rowchain
