#include "farm/worker_session.h"

#include "api/proto_convert.h"
#include "farm/farm_wire.h"

namespace rowchain::farm {

WorkerSession::WorkerSession(grpc::ServerContext* context,
                             grpc::ServerReaderWriter<v1::NodeMessage, v1::WorkerMessage>* stream)
    : m_context(context), m_stream(stream), m_handler_thread(std::this_thread::get_id()) {
  m_writer = std::thread([this] { WriterLoop(); });
}

WorkerSession::~WorkerSession() { Finish(); }

void WorkerSession::WriterLoop() {
  std::unique_lock lock(m_mutex);
  while (true) {
    m_cv.wait(lock, [&] { return !m_queue.empty() || m_finishing; });
    if (m_queue.empty()) return;  // finishing, and everything was written
    v1::NodeMessage message = std::move(m_queue.front());
    m_queue.pop_front();
    lock.unlock();
    const bool written = m_stream->Write(message);
    lock.lock();
    if (!written) {
      m_queue.clear();
      if (m_finishing) return;
    }
  }
}

void WorkerSession::Send(v1::NodeMessage message) {
  std::lock_guard lock(m_mutex);
  if (m_finishing || m_closed) return;
  if (m_queue.size() >= kMaxQueuedMessages) {
    m_closed = ResourceExhaustedError("the worker left too many messages unread");
    m_context->TryCancel();
    return;
  }
  m_queue.push_back(std::move(message));
  m_cv.notify_one();
}

grpc::Status WorkerSession::Finish() {
  {
    std::lock_guard lock(m_mutex);
    m_finishing = true;
    m_cv.notify_one();
  }
  if (m_writer.joinable()) m_writer.join();
  std::lock_guard lock(m_mutex);
  return m_closed ? api::ToGrpcStatus(*m_closed) : grpc::Status::OK;
}

void WorkerSession::SendJob(const WorkerJob& job) {
  v1::NodeMessage message;
  *message.mutable_job() = JobToProto(job);
  Send(std::move(message));
}

void WorkerSession::SendNewPrevHash(const consensus::Hash256& prev_hash) {
  v1::NodeMessage message;
  if (prev_hash != consensus::Hash256{}) message.mutable_new_prev_hash()->set_prev_hash(HashBytes(prev_hash));
  else message.mutable_new_prev_hash();
  Send(std::move(message));
}

void WorkerSession::SendShareTarget(uint64_t job_id, const consensus::U256& target) {
  v1::NodeMessage message;
  message.mutable_share_target()->set_job_id(job_id);
  message.mutable_share_target()->set_target(TargetBytes(target));
  Send(std::move(message));
}

void WorkerSession::SendShareResult(const ShareSubmission& share, ShareOutcome outcome) {
  v1::NodeMessage message;
  v1::ShareResult* result = message.mutable_share_result();
  result->set_job_id(share.job_id);
  result->set_extra_nonce(share.extra_nonce);
  result->set_nonce(share.nonce);
  result->set_outcome(std::string(ShareOutcomeName(outcome)));
  Send(std::move(message));
}

void WorkerSession::Close(const Status& why) {
  std::lock_guard lock(m_mutex);
  if (m_closed) return;
  m_closed = why;
  // The handler's own thread returns the status itself; any other must wake its Read.
  if (std::this_thread::get_id() != m_handler_thread) m_context->TryCancel();
}

}  // namespace rowchain::farm
