// A server stream that queues messages from any thread and writes them one at a time, as the
// gRPC callback API requires. Finish may be asked for at any time, from any thread: it waits
// for the write in flight. Subclasses release what they hold in OnStreamDone (the reactor is
// deleted right after). Thread-safe.
#pragma once

#include <deque>
#include <memory>
#include <string>
#include <mutex>
#include <optional>

#include <grpcpp/grpcpp.h>

#include "api/watch_registry.h"

namespace rowchain::api {

// Bounds on what one stream may hold unsent.
struct StreamBudget {
  size_t max_messages = 10'000;
  size_t max_bytes = 16u << 20;
};

template <class Message>
class StreamWriter : public grpc::ServerWriteReactor<Message>, public EndableStream {
 public:
  explicit StreamWriter(StreamBudget budget) : m_budget(budget) {}

  // False when the stream is finished or its backlog overflowed (which finishes it).
  bool Enqueue(Message message) {
    const size_t bytes = message.ByteSizeLong();
    return Enqueue(std::make_shared<const Message>(std::move(message)), bytes);
  }
  // A message shared with other streams (a block converted once for every watcher).
  bool Enqueue(std::shared_ptr<const Message> message, size_t bytes) {
    std::lock_guard lock(m_mutex);
    if (m_finish_requested) return false;
    if (m_queue.size() >= m_budget.max_messages || m_queued_bytes + bytes > m_budget.max_bytes) {
      FinishLocked(grpc::Status(grpc::StatusCode::RESOURCE_EXHAUSTED, FellBehind(m_queue.empty() ? message.get() : m_queue.front().message.get())));
      return false;
    }
    m_queued_bytes += bytes;
    m_queue.push_back({std::move(message), bytes});
    if (!m_writing) WriteNextLocked();
    return true;
  }

  void FinishWith(grpc::Status status) {
    std::lock_guard lock(m_mutex);
    FinishLocked(std::move(status));
  }
  void End(const grpc::Status& status) override { FinishWith(status); }

  size_t backlog() {
    std::lock_guard lock(m_mutex);
    return m_queue.size();
  }

 protected:
  virtual void OnStreamDone() {}
  // The RESOURCE_EXHAUSTED message when the client fell behind; `oldest` is the first unsent.
  virtual std::string FellBehind(const Message* /*oldest*/) const { return "the watcher fell too far behind; resubscribe"; }

 private:
  struct Queued {
    std::shared_ptr<const Message> message;
    size_t bytes = 0;
  };
  void OnWriteDone(bool ok) override {
    std::lock_guard lock(m_mutex);
    m_writing = false;
    m_queued_bytes -= m_queue.front().bytes;
    m_queue.pop_front();
    if (!ok && !m_finish_requested) {
      m_finish_requested = true;
      m_finish_status = grpc::Status(grpc::StatusCode::CANCELLED, "the client went away");
    }
    if (!m_finish_requested && !m_queue.empty()) {
      WriteNextLocked();
    } else if (m_finish_requested && !m_finished) {
      // Also when the finish was asked for during this write and the write then failed (a
      // cancel at shutdown): a stream never finished keeps Server::Shutdown waiting forever.
      m_finished = true;
      this->Finish(*m_finish_status);
    }
  }
  void OnCancel() override { FinishWith(grpc::Status(grpc::StatusCode::CANCELLED, "cancelled")); }
  void OnDone() override {
    OnStreamDone();
    delete this;
  }

  void WriteNextLocked() {
    m_writing = true;
    this->StartWrite(m_queue.front().message.get());
  }
  void FinishLocked(grpc::Status status) {
    if (m_finish_requested) return;
    m_finish_requested = true;
    m_finish_status = std::move(status);
    if (!m_writing) {
      m_finished = true;
      this->Finish(*m_finish_status);
    }
  }

  const StreamBudget m_budget;
  std::mutex m_mutex;
  std::deque<Queued> m_queue;  // the front is being written while m_writing
  size_t m_queued_bytes = 0;
  bool m_writing = false;
  bool m_finish_requested = false;
  bool m_finished = false;
  std::optional<grpc::Status> m_finish_status;
};

}  // namespace rowchain::api
