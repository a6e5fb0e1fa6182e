// rowchain-worker's one line every few seconds: each device's hash rate, the total, and the
// node's verdicts on the shares sent. A thread of its own; stops with the object.
#pragma once

#include <chrono>
#include <thread>

#include "worker/hashers.h"
#include "worker/node_link.h"

namespace rowchain::worker {

class Reporter {
 public:
  Reporter(const Hashers& hashers, const NodeLink& link, std::chrono::duration<double> every);

 private:
  void Run(std::stop_token stop, std::chrono::duration<double> every);

  const Hashers& m_hashers;
  const NodeLink& m_link;
  std::jthread m_thread;  // last: started once the rest is set
};

}  // namespace rowchain::worker
