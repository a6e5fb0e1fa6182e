// Reading a whole file. Thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "util/status.h"

namespace rowchain {

// The file's bytes. INVALID_ARGUMENT "cannot read <what> <path>: <reason>" when it cannot be
// read: a path someone gave that does not work is bad input, and the message says why.
StatusOr<std::string> ReadFileToString(const std::string& path, std::string_view what = "file");

}  // namespace rowchain
