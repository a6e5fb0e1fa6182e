// The rowchain.v1.Ledger service: thin handlers that check the caller's token, convert the
// request and call the node's core. Blocking work runs on a worker pool; streams queue their
// messages and write one at a time; a watcher that falls too far behind is ended with
// RESOURCE_EXHAUSTED rather than holding the node's memory. Thread-safe.
#pragma once

#include <atomic>
#include <memory>

#include "api/auth.h"
#include "api/block_event_cache.h"
#include "api/stream_writer.h"
#include "api/watch_registry.h"
#include "api/worker_pool.h"
#include "node/node.h"
#include "rowchain/v1/ledger.grpc.pb.h"

namespace rowchain::api {

struct LedgerServiceOptions {
  AuthPolicy auth;
  size_t worker_threads = 16;
  StreamBudget stream_budget;         // unsent messages and bytes per watch stream
  size_t max_block_watchers = 1'000;   // open WatchBlocks streams per node (each may hold blocks)
  size_t max_batch_watchers = 10'000;  // open WatchBatch streams per node (each holds a few events)
};

class LedgerService final : public ::rowchain::v1::Ledger::CallbackService {
 public:
  LedgerService(node::Node& node, LedgerServiceOptions options);
  ~LedgerService() override;
  // Ends every watch stream with UNAVAILABLE ("the node is stopping"), now and as they open.
  void EndStreams();

  grpc::ServerUnaryReactor* SubmitBatch(grpc::CallbackServerContext* context, const v1::SubmitBatchRequest* request,
                                        v1::SubmitBatchResponse* response) override;
  grpc::ServerWriteReactor<v1::BatchStatus>* WatchBatch(grpc::CallbackServerContext* context,
                                                        const v1::WatchBatchRequest* request) override;
  grpc::ServerUnaryReactor* GetBlock(grpc::CallbackServerContext* context, const v1::GetBlockRequest* request,
                                     v1::Block* response) override;
  grpc::ServerUnaryReactor* GetChainInfo(grpc::CallbackServerContext* context, const v1::GetChainInfoRequest* request,
                                         v1::ChainInfo* response) override;
  grpc::ServerUnaryReactor* GetRowProof(grpc::CallbackServerContext* context, const v1::GetRowProofRequest* request,
                                        v1::RowProof* response) override;
  grpc::ServerWriteReactor<v1::BlockEvent>* WatchBlocks(grpc::CallbackServerContext* context,
                                                        const v1::WatchBlocksRequest* request) override;

 private:
  // The authenticated grant's name, or the status to end the call with.
  StatusOr<std::string> Authenticate(grpc::CallbackServerContext* context) const;
  // Runs `work` on the pool and finishes the reactor with its status.
  grpc::ServerUnaryReactor* RunUnary(grpc::CallbackServerContext* context, std::function<Status()> work);

  node::Node& m_node;
  LedgerServiceOptions m_options;
  WorkerPool m_workers;
  BlockEventCache m_block_events;
  WatchRegistry m_block_watchers;  // open WatchBlocks streams
  WatchRegistry m_batch_watchers;  // open WatchBatch streams
};

}  // namespace rowchain::api
