#include "cli/progress_bar.h"

#include <unistd.h>

#include <cstdio>
#include <string>

namespace rowchain::cli {

bool StderrIsTerminal() { return isatty(STDERR_FILENO) != 0; }

void DrawProgressBar(std::string_view label, uint64_t done, uint64_t total) {
  if (total == 0) return;
  constexpr int kWidth = 30;
  int filled = static_cast<int>(kWidth * done / total);
  std::fprintf(stderr, "\r%s [%s%s] %llu/%llu", std::string(label).c_str(), std::string(filled, '#').c_str(),
               std::string(kWidth - filled, ' ').c_str(), static_cast<unsigned long long>(done),
               static_cast<unsigned long long>(total));
  if (done == total) std::fprintf(stderr, "\n");
}

}  // namespace rowchain::cli
