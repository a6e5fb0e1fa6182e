#include "api/node_server.h"


#include <fmt/format.h>
#include <grpcpp/ext/proto_server_reflection_plugin.h>
#include <grpcpp/health_check_service_interface.h>
#include <grpcpp/security/server_credentials.h>

#include "util/file_io.h"

namespace rowchain::api {

namespace {

StatusOr<std::shared_ptr<grpc::ServerCredentials>> Credentials(const std::optional<TlsFiles>& tls) {
  if (!tls) return grpc::InsecureServerCredentials();
  auto cert = ReadFileToString(tls->cert, "TLS certificate file");
  if (!cert.ok()) return cert.status();
  auto key = ReadFileToString(tls->key, "TLS key file");
  if (!key.ok()) return key.status();
  grpc::SslServerCredentialsOptions ssl(GRPC_SSL_DONT_REQUEST_CLIENT_CERTIFICATE);
  if (!tls->ca.empty()) {
    auto ca = ReadFileToString(tls->ca, "TLS CA file");
    if (!ca.ok()) return ca.status();
    ssl.pem_root_certs = *ca;
    ssl.client_certificate_request = GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY;
  }
  ssl.pem_key_cert_pairs.push_back({*key, *cert});
  return grpc::SslServerCredentials(ssl);
}

}  // namespace

StatusOr<std::unique_ptr<NodeServer>> NodeServer::Start(node::Node& node, NodeServerOptions options) {
  auto credentials = Credentials(options.tls);
  if (!credentials.ok()) return credentials.status();
  std::unique_ptr<NodeServer> server(new NodeServer());
  server->m_service = std::make_unique<LedgerService>(node, std::move(options.service));

  grpc::EnableDefaultHealthCheckService(true);
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();
  grpc::ServerBuilder builder;
  // One process per port: gRPC would otherwise share a port another node listens on.
  builder.AddChannelArgument(GRPC_ARG_ALLOW_REUSEPORT, 0);
  int port = 0;
  builder.AddListeningPort(options.listen, *credentials, &port);
  builder.RegisterService(server->m_service.get());
  for (grpc::Service* extra : options.extra_services) builder.RegisterService(extra);
  builder.SetMaxReceiveMessageSize(options.max_request_bytes);
  builder.SetMaxSendMessageSize(128 << 20);
  server->m_server = builder.BuildAndStart();
  if (!server->m_server || port == 0) {
    return UnavailableError(fmt::format("cannot listen on {} (in use, or not a local address?)", options.listen));
  }
  std::string host = options.listen.substr(0, options.listen.rfind(':'));
  server->m_address = fmt::format("{}:{}", host, port);
  server->m_server->GetHealthCheckService()->SetServingStatus(true);
  return server;
}

void NodeServer::Shutdown(std::chrono::milliseconds grace) {
  if (m_shut_down) return;
  m_shut_down = true;
  m_server->GetHealthCheckService()->SetServingStatus(false);
  m_server->Shutdown(std::chrono::system_clock::now() + grace);
  m_server->Wait();
}

NodeServer::~NodeServer() {
  if (m_server) Shutdown(std::chrono::milliseconds(0));
}

}  // namespace rowchain::api
