#include "util/file_io.h"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include <fmt/format.h>

namespace rowchain {

StatusOr<std::string> ReadFileToString(const std::string& path, std::string_view what) {
  errno = 0;
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  if (in) text << in.rdbuf();
  if (!in || in.bad()) {
    const char* reason = errno != 0 ? std::strerror(errno) : "read error";
    return InvalidArgumentError(fmt::format("cannot read {} {}: {}", what, path, reason));
  }
  return text.str();
}

}  // namespace rowchain
