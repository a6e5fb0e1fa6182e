// `--log-format json`: one JSON object a line ({"time", "level", "logger", "message"}), for
// log shippers (Loki, Fluent Bit, Vector) that would otherwise parse text lines.
#pragma once

#include <memory>

#include <spdlog/formatter.h>

namespace rowchain::daemon {

std::unique_ptr<spdlog::formatter> MakeJsonLogFormatter();

}  // namespace rowchain::daemon
