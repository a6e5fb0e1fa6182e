// GPU ordinal lists as operators write them ("0,2"), for rowchaind and rowchain-worker. Pure.
#pragma once

#include <string>
#include <vector>

#include "util/status.h"

namespace rowchain {

// "0,2" -> {0, 2}; INVALID_ARGUMENT (naming --devices) otherwise.
StatusOr<std::vector<int>> ParseDeviceList(const std::string& text);

}  // namespace rowchain
