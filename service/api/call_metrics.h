// Counts every gRPC call a listener answers, by method and status code
// (rowchain_grpc_calls_total), as a server interceptor that every api::GrpcListener installs.
#pragma once

#include <memory>

#include <grpcpp/support/server_interceptor.h>

namespace rowchain::api {

std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface> MakeCallMetricsInterceptorFactory();

}  // namespace rowchain::api
