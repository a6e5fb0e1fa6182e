#include "farm/mining_service.h"

#include <future>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "api/proto_convert.h"
#include "farm/farm_wire.h"
#include "farm/worker_session.h"

namespace rowchain::farm {

namespace {

constexpr size_t kMaxNameBytes = 64;
constexpr int kMaxDevices = 64;

// A worker-chosen name (open mode) is shown in logs and labels metrics: printable ASCII only.
bool IsPrintableName(const std::string& name) {
  if (name.empty() || name.size() > kMaxNameBytes) return false;
  for (char c : name) {
    if (c < 0x21 || c > 0x7e) return false;
  }
  return true;
}

std::optional<std::string_view> Metadata(const grpc::ServerContext& context, const char* key) {
  const auto& metadata = context.client_metadata();
  auto it = metadata.find(key);
  if (it == metadata.end()) return std::nullopt;
  return std::string_view(it->second.data(), it->second.size());
}

}  // namespace

StatusOr<std::string> MiningService::Authenticate(const grpc::ServerContext& context) const {
  if (m_auth.tokens.enabled()) return m_auth.tokens.Authenticate(Metadata(context, "authorization"));
  if (m_auth.mutual_tls) {
    auto auth = context.auth_context();
    auto names = auth ? auth->FindPropertyValues("x509_common_name") : std::vector<grpc::string_ref>{};
    if (names.empty()) return UnauthenticatedError("a worker certificate with a common name is required");
    return std::string(names.front().data(), names.front().size());
  }
  return std::string();  // open: the hello names the worker
}

StatusOr<WorkerHello> MiningService::ReadHello(grpc::ServerContext* context,
                                               grpc::ServerReaderWriter<v1::NodeMessage, v1::WorkerMessage>* stream,
                                               const std::string& authenticated_name) const {
  v1::WorkerMessage first;
  // A worker that connects and says nothing is cut off at the deadline.
  auto read = std::async(std::launch::async, [&] { return stream->Read(&first); });
  if (read.wait_for(m_hello_deadline) != std::future_status::ready) {
    // The sync API cannot end a blocked read with a status of its own: the worker sees CANCELLED.
    spdlog::warn("worker at {} said no hello within {} ms: disconnected", context->peer(), m_hello_deadline.count());
    context->TryCancel();
    read.wait();
    return DeadlineExceededError(fmt::format("no hello within {} ms", m_hello_deadline.count()));
  }
  if (!read.get()) return CancelledError("the worker left before its hello");
  if (!first.has_hello()) return InvalidArgumentError("the first message must be a hello");
  const v1::WorkerHello& hello = first.hello();
  if (hello.protocol_version() != kFarmProtocolVersion) {
    return FailedPreconditionError(fmt::format("protocol version {} is not {}", hello.protocol_version(), kFarmProtocolVersion));
  }
  WorkerHello out{.name = authenticated_name.empty() ? hello.name() : authenticated_name, .address = context->peer()};
  if (!IsPrintableName(out.name)) {
    return InvalidArgumentError(fmt::format("hello.name: 1 to {} printable ASCII characters", kMaxNameBytes));
  }
  if (hello.devices_size() > kMaxDevices) return InvalidArgumentError(fmt::format("hello.devices: at most {}", kMaxDevices));
  for (const std::string& d : hello.devices()) out.devices.push_back(d.substr(0, kMaxNameBytes));
  out.nominal_hash_rate = hello.nominal_hash_rate();
  return out;
}

grpc::Status MiningService::Work(grpc::ServerContext* context,
                                 grpc::ServerReaderWriter<v1::NodeMessage, v1::WorkerMessage>* stream) {
  auto name = Authenticate(*context);
  if (!name.ok()) return api::ToGrpcStatus(name.status());
  auto hello = ReadHello(context, stream, *name);
  if (!hello.ok()) return api::ToGrpcStatus(hello.status());
  WorkerSession session(context, stream);
  v1::NodeMessage welcome;
  welcome.mutable_welcome()->set_protocol_version(kFarmProtocolVersion);
  welcome.mutable_welcome()->set_worker_name(hello->name);
  session.Send(std::move(welcome));
  auto attached = m_server.Attach(*hello, session);
  if (!attached.ok()) {
    session.Finish();
    return api::ToGrpcStatus(attached.status());
  }
  Status outcome = OkStatus();
  v1::WorkerMessage message;
  while (outcome.ok() && stream->Read(&message)) {
    if (message.has_share()) {
      const v1::Share& s = message.share();
      outcome = m_server.OnShare(*attached, {.job_id = s.job_id(), .extra_nonce = s.extra_nonce(), .nonce = s.nonce()});
    } else if (message.has_job_started()) {
      outcome = m_server.OnJobStarted(*attached, message.job_started().job_id());
    } else {
      outcome = InvalidArgumentError("after the hello only shares and job starts are expected");
    }
  }
  m_server.Detach(*attached);
  grpc::Status closed = session.Finish();
  if (!outcome.ok()) return api::ToGrpcStatus(outcome);
  return closed;
}

}  // namespace rowchain::farm
