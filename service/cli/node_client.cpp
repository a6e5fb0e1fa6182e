#include "cli/node_client.h"

#include <cstdlib>

#include <fmt/format.h>

#include "cli/commands.h"
#include "api/client_credentials.h"
#include "util/file_io.h"

namespace rowchain::cli {

namespace {

std::string_view CodeName(grpc::StatusCode code) {
  return StatusCodeName(static_cast<StatusCode>(code));
}

}  // namespace

void AddNodeFlags(CLI::App& app, NodeFlags* flags) {
  app.add_option("--node", flags->node, "the node's gRPC address HOST:PORT (default 127.0.0.1:7373)");
  app.add_option("--token", flags->token, "writer bearer token (or set ROWCHAIN_TOKEN)");
  app.add_option("--tls-ca", flags->tls_ca, "PEM CA bundle to trust: connects with TLS");
  app.add_option("--tls-cert", flags->tls_cert, "PEM client certificate (with --tls-key)");
  app.add_option("--tls-key", flags->tls_key, "PEM client key");
  app.add_option("--tls-server-name", flags->tls_server_name, "name to expect in the node's certificate");
}

StatusOr<NodeClient> NodeClient::Connect(const NodeFlags& flags) {
  grpc::ChannelArguments args;
  args.SetMaxReceiveMessageSize(64 << 20);
  auto credentials = api::ClientCredentials(flags.tls_ca, flags.tls_cert, flags.tls_key);
  if (!credentials.ok()) return credentials.status();
  if (flags.tls_ca.empty() && !flags.tls_cert.empty()) return InvalidArgumentError("--tls-cert needs --tls-ca");
  if (!flags.tls_ca.empty() && !flags.tls_server_name.empty()) args.SetSslTargetNameOverride(flags.tls_server_name);
  NodeClient client;
  client.m_channel = grpc::CreateCustomChannel(flags.node, *credentials, args);
  client.m_stub = v1::Ledger::NewStub(client.m_channel);
  client.m_token = flags.token;
  client.m_address = flags.node;
  client.m_tls = !flags.tls_ca.empty();
  if (client.m_token.empty()) {
    if (const char* env = std::getenv("ROWCHAIN_TOKEN")) client.m_token = env;
  }
  return client;
}

std::unique_ptr<grpc::ClientContext> NodeClient::Context(int deadline_s) const {
  auto context = std::make_unique<grpc::ClientContext>();
  if (!m_token.empty()) context->AddMetadata("authorization", "Bearer " + m_token);
  if (deadline_s > 0) context->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(deadline_s));
  return context;
}

int NodeClient::ReportRpcError(const std::string& what, const grpc::Status& status) const {
  if (status.error_code() == grpc::StatusCode::UNAVAILABLE &&
      status.error_message().find("failed to connect") != std::string::npos) {
    return ReportError(kExitFailure,
                       fmt::format("{}: no node is reachable at {} (UNAVAILABLE): is rowchaind running there? The "
                                   "address is set with --node HOST:PORT{}",
                                   what, m_address,
                                   m_tls ? "; check --tls-ca and the node's certificate"
                                         : "; if the node serves TLS, give --tls-ca"));
  }
  std::string message = status.error_message();
  for (char& c : message) if (c == '\n') c = ' ';
  return ReportError(kExitFailure, fmt::format("{}: {}: {}", what, CodeName(status.error_code()), message));
}

}  // namespace rowchain::cli
