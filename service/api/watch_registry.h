// The watch streams of one kind open now: counted against the node's bound, and ended together
// when the node stops (a stream left for gRPC's shutdown grace would hold every stop for the
// whole grace). Thread-safe.
#pragma once

#include <cstddef>
#include <mutex>
#include <optional>
#include <set>

#include <grpcpp/grpcpp.h>

namespace rowchain::api {

// A stream that can be ended from outside (StreamWriter).
class EndableStream {
 public:
  virtual ~EndableStream() = default;
  virtual void End(const grpc::Status& status) = 0;
};

class WatchRegistry {
 public:
  // A stream's place for its life. A stream that joins after EndAll is ended at once.
  class Slot {
   public:
    Slot(WatchRegistry& registry, EndableStream* stream) : m_registry(registry), m_stream(stream) {
      m_registry.Join(stream);
    }
    ~Slot() { m_registry.Leave(m_stream); }
    Slot(const Slot&) = delete;
    Slot& operator=(const Slot&) = delete;

   private:
    WatchRegistry& m_registry;
    EndableStream* m_stream;
  };

  size_t size() const {
    std::lock_guard lock(m_mutex);
    return m_streams.size();
  }
  void EndAll(const grpc::Status& status) {
    std::lock_guard lock(m_mutex);
    m_ended = status;
    for (EndableStream* stream : m_streams) stream->End(status);
  }

 private:
  void Join(EndableStream* stream) {
    std::lock_guard lock(m_mutex);
    m_streams.insert(stream);
    if (m_ended) stream->End(*m_ended);
  }
  void Leave(EndableStream* stream) {
    std::lock_guard lock(m_mutex);
    m_streams.erase(stream);
  }

  mutable std::mutex m_mutex;
  std::set<EndableStream*> m_streams;
  std::optional<grpc::Status> m_ended;
};

}  // namespace rowchain::api
