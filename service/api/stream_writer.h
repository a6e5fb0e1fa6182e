// A server stream that queues messages from any thread and writes them one at a time, as the
// gRPC callback API requires. Finish may be asked for at any time, from any thread: it waits
// for the write in flight. Subclasses release what they hold in OnStreamDone (the reactor is
// deleted right after). Thread-safe.
#pragma once

#include <deque>
#include <mutex>
#include <optional>

#include <grpcpp/grpcpp.h>

namespace rowchain::api {

template <class Message>
class StreamWriter : public grpc::ServerWriteReactor<Message> {
 public:
  explicit StreamWriter(size_t max_backlog) : m_max_backlog(max_backlog) {}

  // False when the stream is finished or its backlog overflowed (which finishes it).
  bool Enqueue(Message message) {
    std::lock_guard lock(m_mutex);
    if (m_finish_requested) return false;
    if (m_queue.size() >= m_max_backlog) {
      FinishLocked(grpc::Status(grpc::StatusCode::RESOURCE_EXHAUSTED, "the watcher fell too far behind; resubscribe"));
      return false;
    }
    m_queue.push_back(std::move(message));
    if (!m_writing) WriteNextLocked();
    return true;
  }

  void FinishWith(grpc::Status status) {
    std::lock_guard lock(m_mutex);
    FinishLocked(std::move(status));
  }

  size_t backlog() {
    std::lock_guard lock(m_mutex);
    return m_queue.size();
  }

 protected:
  virtual void OnStreamDone() {}

 private:
  void OnWriteDone(bool ok) override {
    std::lock_guard lock(m_mutex);
    m_writing = false;
    m_queue.pop_front();
    if (!ok) {
      FinishLocked(grpc::Status(grpc::StatusCode::CANCELLED, "the client went away"));
      return;
    }
    if (!m_queue.empty() && !m_finish_requested) {
      WriteNextLocked();
    } else if (m_finish_requested && !m_finished) {
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
    this->StartWrite(&m_queue.front());
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

  const size_t m_max_backlog;
  std::mutex m_mutex;
  std::deque<Message> m_queue;  // the front is being written while m_writing
  bool m_writing = false;
  bool m_finish_requested = false;
  bool m_finished = false;
  std::optional<grpc::Status> m_finish_status;
};

}  // namespace rowchain::api
