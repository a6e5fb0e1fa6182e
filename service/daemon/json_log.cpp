#include "daemon/json_log.h"

#include <chrono>

#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <spdlog/details/log_msg.h>

#include "util/utc_time.h"

namespace rowchain::daemon {
namespace {

class JsonLogFormatter : public spdlog::formatter {
 public:
  void format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) override {
    const auto millis = std::chrono::duration_cast<std::chrono::milliseconds>(msg.time.time_since_epoch()).count();
    std::string time = IsoUtc(millis / 1000);  // "...T10:00:00Z"
    time.insert(time.size() - 1, fmt::format(".{:03}", millis % 1000));
    nlohmann::json line = {{"time", time},
                           {"level", std::string(spdlog::level::to_string_view(msg.level).data(),
                                                 spdlog::level::to_string_view(msg.level).size())},
                           {"logger", std::string(msg.logger_name.data(), msg.logger_name.size())},
                           {"message", std::string(msg.payload.data(), msg.payload.size())}};
    // Invalid UTF-8 in a message (a peer's bytes quoted in a warning) is replaced, not thrown.
    const std::string text = line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
    dest.append(text.data(), text.data() + text.size());
  }
  std::unique_ptr<spdlog::formatter> clone() const override { return std::make_unique<JsonLogFormatter>(); }
};

}  // namespace

std::unique_ptr<spdlog::formatter> MakeJsonLogFormatter() { return std::make_unique<JsonLogFormatter>(); }

}  // namespace rowchain::daemon
