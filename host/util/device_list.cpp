#include "util/device_list.h"

#include <charconv>
#include <string_view>

#include <fmt/format.h>

namespace rowchain {

StatusOr<std::vector<int>> ParseDeviceList(const std::string& text) {
  std::vector<int> devices;
  size_t start = 0;
  while (start <= text.size()) {
    size_t end = text.find(',', start);
    if (end == std::string::npos) end = text.size();
    std::string_view part(text.data() + start, end - start);
    int v = -1;
    auto [ptr, ec] = std::from_chars(part.data(), part.data() + part.size(), v);
    if (part.empty() || ec != std::errc() || ptr != part.data() + part.size() || v < 0) {
      return InvalidArgumentError(fmt::format("--devices: '{}' is not a list of GPU ordinals like 0,2", text));
    }
    devices.push_back(v);
    start = end + 1;
  }
  return devices;
}

}  // namespace rowchain
