#include "api/node_server.h"

#include <fmt/format.h>
#include <grpcpp/ext/proto_server_reflection_plugin.h>
#include <grpcpp/health_check_service_interface.h>

namespace rowchain::api {

StatusOr<std::unique_ptr<NodeServer>> NodeServer::Start(node::Node& node, NodeServerOptions options) {
  std::unique_ptr<NodeServer> server(new NodeServer());
  server->m_service = std::make_unique<LedgerService>(node, std::move(options.service));
  grpc::EnableDefaultHealthCheckService(true);
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();
  ListenerOptions listener{.listen = options.listen, .tls = options.tls, .max_request_bytes = options.max_request_bytes,
                           .services = {server->m_service.get()}};
  listener.services.insert(listener.services.end(), options.extra_services.begin(), options.extra_services.end());
  auto started = GrpcListener::Start(listener);
  if (!started.ok()) return started.status();
  server->m_listener = std::move(*started);
  server->m_listener->server().GetHealthCheckService()->SetServingStatus(true);
  return server;
}

void NodeServer::Shutdown(std::chrono::milliseconds grace) {
  if (m_shut_down) return;
  m_shut_down = true;
  m_listener->server().GetHealthCheckService()->SetServingStatus(false);
  m_service->EndStreams();  // watchers would otherwise hold the stop for the whole grace
  m_listener->Shutdown(grace);
}

NodeServer::~NodeServer() {
  if (m_listener) Shutdown(std::chrono::milliseconds(0));
}

}  // namespace rowchain::api
