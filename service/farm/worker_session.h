// One worker's stream as the job server sees it (WorkerLink): messages are queued (bounded) and
// written by a thread of the session's own, so the job server never waits on a worker. Close
// from another thread cancels the stream; from the handler's own thread it leaves the handler
// to return the status. Thread-safe.
#pragma once

#include <condition_variable>
#include <deque>
#include <mutex>
#include <optional>
#include <thread>

#include <grpcpp/grpcpp.h>
#include <grpcpp/support/sync_stream.h>

#include "farm/job_server.h"
#include "rowchain/v1/mining.pb.h"

namespace rowchain::farm {

class WorkerSession final : public WorkerLink {
 public:
  // A worker that leaves this many messages unread is disconnected.
  static constexpr size_t kMaxQueuedMessages = 256;

  WorkerSession(grpc::ServerContext* context, grpc::ServerReaderWriter<v1::NodeMessage, v1::WorkerMessage>* stream);
  ~WorkerSession() override;

  void Send(v1::NodeMessage message);
  // Writes what is queued (briefly), then stops the writer. The status the stream ends with:
  // the Close status when one came, else OK.
  grpc::Status Finish();

  // WorkerLink.
  void SendJob(const WorkerJob& job) override;
  void SendNewPrevHash(const consensus::Hash256& prev_hash) override;
  void SendShareTarget(uint64_t job_id, const consensus::U256& target) override;
  void SendShareResult(const ShareSubmission& share, ShareOutcome outcome) override;
  void Close(const Status& why) override;

 private:
  void WriterLoop();

  grpc::ServerContext* m_context;
  grpc::ServerReaderWriter<v1::NodeMessage, v1::WorkerMessage>* m_stream;
  const std::thread::id m_handler_thread;
  std::mutex m_mutex;
  std::condition_variable m_cv;
  std::deque<v1::NodeMessage> m_queue;
  bool m_finishing = false;
  std::optional<Status> m_closed;
  std::thread m_writer;
};

}  // namespace rowchain::farm
