// The status page served at GET / (docs/monitoring.md): one self-contained HTML file, no
// external scripts, styles or fonts (farms are often offline), that reads /status.json every
// 5 s. Readable on a laptop and on a phone.
#pragma once

#include <string_view>

namespace rowchain::monitor {

std::string_view StatusPageHtml();

}  // namespace rowchain::monitor
