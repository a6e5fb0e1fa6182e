// rowchain.v1.FarmAdmin: the workers this node knows, for operators (`rowchain workers`).
// Served on the writer API; `authorize` says who may ask (the writer tokens).
#pragma once

#include <functional>
#include <string>

#include <grpcpp/grpcpp.h>

#include "farm/job_server.h"
#include "rowchain/v1/mining.grpc.pb.h"
#include "util/status.h"

namespace rowchain::farm {

class FarmAdminService final : public v1::FarmAdmin::Service {
 public:
  using Authorize = std::function<Status(const grpc::ServerContext& context)>;
  // `server` null: this node has no mining listener (the list is empty).
  FarmAdminService(const JobServer* server, std::string mining_listen, Authorize authorize)
      : m_server(server), m_mining_listen(std::move(mining_listen)), m_authorize(std::move(authorize)) {}
  grpc::Status ListWorkers(grpc::ServerContext* context, const v1::ListWorkersRequest* request,
                           v1::WorkerList* reply) override;

 private:
  const JobServer* m_server;
  const std::string m_mining_listen;
  const Authorize m_authorize;
};

}  // namespace rowchain::farm
