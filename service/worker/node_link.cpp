#include "worker/node_link.h"

#include <random>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "api/client_credentials.h"
#include "farm/farm_wire.h"

namespace rowchain::worker {

namespace {

constexpr size_t kMaxWaitingShares = 64;
constexpr auto kFirstBackoff = std::chrono::milliseconds(500);
constexpr auto kMaxBackoff = std::chrono::milliseconds(30'000);

}  // namespace

StatusOr<std::unique_ptr<NodeLink>> NodeLink::Create(LinkOptions options) {
  auto credentials = api::ClientCredentials(options.tls_ca, options.tls_cert, options.tls_key);
  if (!credentials.ok()) return credentials.status();
  return std::unique_ptr<NodeLink>(new NodeLink(std::move(options), std::move(*credentials)));
}

Status NodeLink::Run() {
  auto delay = kFirstBackoff;
  std::mt19937 jitter(std::random_device{}());
  while (true) {
    const uint64_t before = m_counters.connects.load();
    grpc::Status ended = Session();
    {
      std::lock_guard lock(m_mutex);
      if (m_stopping) return OkStatus();
    }
    if (ended.error_code() == grpc::StatusCode::UNAUTHENTICATED) {
      return UnauthenticatedError(fmt::format("the node refused this worker's credentials: {}", ended.error_message()));
    }
    if (m_counters.connects.load() != before) delay = kFirstBackoff;  // it was connected: start over
    const auto wait = delay / 2 + std::chrono::milliseconds(jitter() % (delay.count() / 2 + 1));
    spdlog::warn("node {}: {} ({}); retrying in {} ms", m_options.node, ended.error_message(),
                 static_cast<int>(ended.error_code()), wait.count());
    WaitBackoff(wait);
    delay = std::min(delay * 2, kMaxBackoff);
  }
}

void NodeLink::WaitBackoff(std::chrono::milliseconds delay) {
  std::unique_lock lock(m_mutex);
  m_cv.wait_for(lock, delay, [&] { return m_stopping; });
}

void NodeLink::Stop() {
  std::lock_guard lock(m_mutex);
  m_stopping = true;
  if (m_context) m_context->TryCancel();
  m_cv.notify_all();
}

grpc::Status NodeLink::Session() {
  auto channel = grpc::CreateChannel(m_options.node, m_credentials);
  auto stub = v1::Mining::NewStub(channel);
  grpc::ClientContext context;
  if (!m_options.token.empty()) context.AddMetadata("authorization", "Bearer " + m_options.token);
  auto stream = stub->Work(&context);
  {
    std::lock_guard lock(m_mutex);
    if (m_stopping) return grpc::Status(grpc::StatusCode::CANCELLED, "stopping");
    m_context = &context;
    m_stream = stream.get();
  }
  v1::WorkerMessage hello;
  hello.mutable_hello()->set_protocol_version(farm::kFarmProtocolVersion);
  hello.mutable_hello()->set_name(m_options.name);
  for (const auto& d : m_hashers->devices()) hello.mutable_hello()->add_devices(d->label);
  hello.mutable_hello()->set_nominal_hash_rate(m_options.nominal_hash_rate);
  Write(hello);
  v1::NodeMessage message;
  Status handled = OkStatus();
  while (handled.ok() && stream->Read(&message)) handled = Handle(message);
  if (!handled.ok()) context.TryCancel();
  {
    std::lock_guard write_lock(m_write_mutex);
    std::lock_guard lock(m_mutex);
    m_context = nullptr;
    m_stream = nullptr;
  }
  grpc::Status finished = stream->Finish();
  if (!handled.ok()) return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "the node sent " + handled.message());
  return finished;
}

Status NodeLink::Handle(const v1::NodeMessage& message) {
  switch (message.kind_case()) {
    case v1::NodeMessage::kWelcome:
      m_counters.connects.fetch_add(1);
      spdlog::info("connected to {} as '{}'", m_options.node, message.welcome().worker_name());
      return OkStatus();
    case v1::NodeMessage::kJob: {
      auto job = farm::JobFromProto(message.job());
      if (!job.ok()) return job.status();
      m_hashers->SetJob(*job);
      SendWaitingShares(job->id);
      return OkStatus();
    }
    case v1::NodeMessage::kNewPrevHash:
      m_hashers->ClearJob();
      return OkStatus();
    case v1::NodeMessage::kShareTarget: {
      auto target = farm::TargetFromBytes(message.share_target().target(), "share_target.target");
      if (!target.ok()) return target.status();
      m_hashers->SetShareTarget(message.share_target().job_id(), *target);
      return OkStatus();
    }
    case v1::NodeMessage::kShareResult: {
      const std::string& outcome = message.share_result().outcome();
      if (outcome == "accepted" || outcome == "block") m_counters.accepted.fetch_add(1);
      else if (outcome == "stale") m_counters.stale.fetch_add(1);
      else m_counters.rejected.fetch_add(1), spdlog::warn("share refused: {}", outcome);
      if (outcome == "block") spdlog::info("block found (job {})", message.share_result().job_id());
      if (outcome == "block") m_counters.blocks.fetch_add(1);
      return OkStatus();
    }
    default:
      return InvalidArgumentError("a message of a kind this worker does not know");
  }
}

bool NodeLink::Write(const v1::WorkerMessage& message) {
  std::lock_guard write_lock(m_write_mutex);
  grpc::ClientReaderWriter<v1::WorkerMessage, v1::NodeMessage>* stream = nullptr;
  {
    std::lock_guard lock(m_mutex);  // not held while writing: Stop must be able to cancel a stuck write
    stream = m_stream;
  }
  return stream != nullptr && stream->Write(message);
}

void NodeLink::OnShare(const farm::FoundShare& share) {
  v1::WorkerMessage message;
  message.mutable_share()->set_job_id(share.job_id);
  message.mutable_share()->set_extra_nonce(share.extra_nonce);
  message.mutable_share()->set_nonce(share.nonce);
  if (Write(message)) return;
  std::lock_guard lock(m_mutex);  // disconnected: keep it for the node's return
  if (m_waiting.size() >= kMaxWaitingShares) m_waiting.pop_front();
  m_waiting.push_back(share);
}

void NodeLink::OnStarted(uint64_t job_id) {
  v1::WorkerMessage message;
  message.mutable_job_started()->set_job_id(job_id);
  Write(message);
}

void NodeLink::SendWaitingShares(uint64_t job_id) {
  std::deque<farm::FoundShare> waiting;
  {
    std::lock_guard lock(m_mutex);
    waiting.swap(m_waiting);
  }
  // Only the job the node still has: the others would count as stale or unknown.
  for (const farm::FoundShare& share : waiting) {
    if (share.job_id == job_id) OnShare(share);
  }
}

}  // namespace rowchain::worker
