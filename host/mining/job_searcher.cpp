#include "mining/job_searcher.h"

#include <future>

namespace rowchain::mining {

StatusOr<std::optional<consensus::Block>> FirstOfSearchers::Search(const BlockSpec& spec, std::stop_token stop) {
  std::stop_source both;
  std::stop_callback forward(stop, [&] { both.request_stop(); });
  auto second = std::async(std::launch::async, [&] {
    auto found = m_second.Search(spec, both.get_token());
    if (!found.ok() || *found) both.request_stop();
    return found;
  });
  auto first = m_first.Search(spec, both.get_token());
  if (!first.ok() || *first) both.request_stop();
  auto other = second.get();
  if (first.ok() && *first) return first;
  if (other.ok() && *other) return other;
  // Neither found a block: a failure of either is the answer, else the stop.
  return first.ok() ? other : first;
}

}  // namespace rowchain::mining
