// rowchain.v1.Mining on the node's mining listener: authenticates a worker (a worker token,
// or the CN of a client certificate the listener's CA signed, or nobody on a loopback-only
// development node), reads its hello within 10 s, attaches it to the job server and relays both
// ways until either side ends. A rule broken ends the stream with the job server's status.
// Thread-safe: gRPC's sync server runs one handler thread per worker, plus one writer thread.
#pragma once

#include <chrono>
#include <string>

#include <grpcpp/grpcpp.h>

#include "api/auth.h"
#include "farm/job_server.h"
#include "rowchain/v1/mining.grpc.pb.h"

namespace rowchain::farm {

struct WorkerAuth {
  api::AuthPolicy tokens;   // [[workers]] name/token; enabled() when any are configured
  bool mutual_tls = false;  // the listener requires client certificates: their CN names the worker
  // Neither tokens nor certificates: only on a loopback listener (checked at start).
  bool open() const { return !tokens.enabled() && !mutual_tls; }
};

class MiningService final : public v1::Mining::Service {
 public:
  MiningService(JobServer& server, WorkerAuth auth, std::chrono::milliseconds hello_deadline = std::chrono::seconds(10))
      : m_server(server), m_auth(std::move(auth)), m_hello_deadline(hello_deadline) {}
  grpc::Status Work(grpc::ServerContext* context,
                    grpc::ServerReaderWriter<v1::NodeMessage, v1::WorkerMessage>* stream) override;

 private:
  // The worker's name from its credentials; UNAUTHENTICATED without valid ones.
  StatusOr<std::string> Authenticate(const grpc::ServerContext& context) const;
  // The first message, within the deadline: the hello.
  StatusOr<WorkerHello> ReadHello(grpc::ServerContext* context,
                                  grpc::ServerReaderWriter<v1::NodeMessage, v1::WorkerMessage>* stream,
                                  const std::string& authenticated_name) const;

  JobServer& m_server;
  const WorkerAuth m_auth;
  const std::chrono::milliseconds m_hello_deadline;
};

}  // namespace rowchain::farm
