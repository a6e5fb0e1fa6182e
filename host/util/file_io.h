// Reading a whole file. Thread-safe.
#pragma once

#include <string>

#include "util/status.h"

namespace rowchain {

// The file's bytes; NOT_FOUND (naming the path) when it cannot be opened.
StatusOr<std::string> ReadFileToString(const std::string& path);

}  // namespace rowchain
