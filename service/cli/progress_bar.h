// A one-line progress bar on stderr, for terminals only (callers check IsTerminal first).
#pragma once

#include <cstdint>
#include <string_view>

namespace rowchain::cli {

bool StderrIsTerminal();
// "\r<label> [#####     ] done/total", ending the line when done == total.
void DrawProgressBar(std::string_view label, uint64_t done, uint64_t total);

}  // namespace rowchain::cli
