#include "api/grpc_listener.h"

#include <fmt/format.h>
#include <grpcpp/security/server_credentials.h>

#include "api/call_metrics.h"
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

StatusOr<std::unique_ptr<GrpcListener>> GrpcListener::Start(const ListenerOptions& options) {
  auto credentials = Credentials(options.tls);
  if (!credentials.ok()) return credentials.status();
  std::unique_ptr<GrpcListener> listener(new GrpcListener());
  grpc::ServerBuilder builder;
  // One process per port: gRPC would otherwise share a port another node listens on.
  builder.AddChannelArgument(GRPC_ARG_ALLOW_REUSEPORT, 0);
  int port = 0;
  builder.AddListeningPort(options.listen, *credentials, &port);
  for (grpc::Service* service : options.services) builder.RegisterService(service);
  if (options.keepalive) {
    builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_TIME_MS, static_cast<int>(options.keepalive->count() * 1000));
    builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_TIMEOUT_MS, 10'000);
    builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_PERMIT_WITHOUT_CALLS, 1);
  }
  builder.SetMaxReceiveMessageSize(options.max_request_bytes);
  builder.SetMaxSendMessageSize(128 << 20);
  std::vector<std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>> interceptors;
  interceptors.push_back(MakeCallMetricsInterceptorFactory());
  builder.experimental().SetInterceptorCreators(std::move(interceptors));
  listener->m_server = builder.BuildAndStart();
  if (!listener->m_server || port == 0) {
    return UnavailableError(fmt::format("cannot listen on {} (in use, or not a local address?)", options.listen));
  }
  const std::string host = options.listen.substr(0, options.listen.rfind(':'));
  listener->m_address = fmt::format("{}:{}", host, port);
  return listener;
}

void GrpcListener::Shutdown(std::chrono::milliseconds grace) {
  if (m_shut_down) return;
  m_shut_down = true;
  m_server->Shutdown(std::chrono::system_clock::now() + grace);
  m_server->Wait();
}

GrpcListener::~GrpcListener() {
  if (m_server) Shutdown(std::chrono::milliseconds(0));
}

}  // namespace rowchain::api
