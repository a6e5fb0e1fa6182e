#include "api/ledger_service.h"

#include <algorithm>
#include <chrono>
#include <thread>
#include <vector>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "consensus/compact.h"
#include "consensus/hash.h"
#include "api/proto_convert.h"
#include "api/stream_writer.h"
#include "util/hex.h"

namespace rowchain::api {

namespace pb = ::rowchain::v1;

namespace {

std::string TooManyWatchers(size_t bound) {
  return fmt::format("this node serves at most {} such watch streams at once; retry later", bound);
}

grpc::ServerUnaryReactor* FinishNow(grpc::CallbackServerContext* context, const Status& status) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  reactor->Finish(ToGrpcStatus(status));
  return reactor;
}

// Events that arrive before the stream's first message are held back until it is queued.
template <class Message>
class HeldBackStream : public StreamWriter<Message> {
 public:
  using StreamWriter<Message>::StreamWriter;

  void Deliver(Message message) {
    const size_t bytes = message.ByteSizeLong();
    Deliver(std::make_shared<const Message>(std::move(message)), bytes);
  }
  void Deliver(std::shared_ptr<const Message> message, size_t bytes) {
    std::unique_lock lock(m_hold_mutex);
    if (!m_open) {
      m_held.emplace_back(std::move(message), bytes);
      return;
    }
    lock.unlock();
    this->Enqueue(std::move(message), bytes);
  }
  // Queues `first` messages, then everything held back, and lets later events straight through.
  void Open(std::vector<Message> first) {
    std::lock_guard lock(m_hold_mutex);
    for (Message& m : first) this->Enqueue(std::move(m));
    for (auto& [m, bytes] : m_held) this->Enqueue(std::move(m), bytes);
    m_held.clear();
    m_open = true;
  }

 private:
  std::mutex m_hold_mutex;
  bool m_open = false;
  std::vector<std::pair<std::shared_ptr<const Message>, size_t>> m_held;
};

class BatchWatcher final : public HeldBackStream<pb::BatchStatus> {
 public:
  BatchWatcher(node::Node& node, const consensus::BatchId& id, StreamBudget budget, WatchRegistry& open)
      : HeldBackStream(budget), m_node(node), m_slot(open, this) {
    m_subscription = node.events().Subscribe([this, id](const node::NodeEvent& event) {
      const auto* batch = std::get_if<node::BatchEvent>(&event);
      if (batch == nullptr || batch->id != id) return;
      pb::BatchStatus status;
      BatchEventToProto(*batch, &status);
      Deliver(std::move(status));
    });
    auto now = node.BatchStatus(id);
    if (!now.ok()) {
      FinishWith(ToGrpcStatus(now.status()));
      return;
    }
    pb::BatchStatus first;
    BatchEventToProto(*now, &first);
    Open({std::move(first)});
  }

 private:
  void OnStreamDone() override { m_node.events().Unsubscribe(m_subscription); }
  node::Node& m_node;
  WatchRegistry::Slot m_slot;
  uint64_t m_subscription = 0;
};

class BlockWatcher final : public HeldBackStream<pb::BlockEvent> {
 public:
  BlockWatcher(node::Node& node, BlockEventCache& cache, std::optional<uint64_t> start_height, bool without_rows,
               StreamBudget budget, WatchRegistry& open)
      : HeldBackStream(budget), m_node(node), m_cache(cache), m_without_rows(without_rows), m_slot(open, this) {
    auto callback = [this](const node::NodeEvent& event) {
      const auto* block = std::get_if<node::BlockEvent>(&event);
      if (block == nullptr) return;
      auto [message, bytes] = m_cache.Get(*block->block, block->connected, m_without_rows);
      Deliver(std::move(message), bytes);
    };
    if (!start_height) {
      m_subscription = node.events().Subscribe(callback);
      Open({});
      return;
    }
    auto [subscription, hashes] = node.SubscribeFrom(*start_height, callback);
    m_subscription = subscription;
    // The replay reads blocks from MySQL: off gRPC's threads, and no faster than the client reads.
    m_replay = std::thread([this, hashes = std::move(hashes)] {
      for (const consensus::Hash256& hash : hashes) {
        while (backlog() > 64 && !m_stop.load()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
        if (m_stop.load()) return;
        auto view = m_node.BlockByHash(hash);
        if (!view.ok() || !*view) {
          FinishWith(grpc::Status(grpc::StatusCode::INTERNAL, "a main-chain block could not be read"));
          return;
        }
        auto [message, bytes] = m_cache.Get(**view, true, m_without_rows);
        if (!Enqueue(std::move(message), bytes)) return;
      }
      Open({});
    });
  }

 private:
  std::string FellBehind(const pb::BlockEvent* oldest) const override {
    return fmt::format("the watcher fell behind; resume from height {}", oldest->block().height());
  }
  void OnStreamDone() override {
    m_stop = true;
    if (m_replay.joinable()) m_replay.join();
    m_node.events().Unsubscribe(m_subscription);
  }
  node::Node& m_node;
  BlockEventCache& m_cache;
  const bool m_without_rows;
  WatchRegistry::Slot m_slot;
  uint64_t m_subscription = 0;
  std::atomic<bool> m_stop{false};
  std::thread m_replay;
};

}  // namespace

LedgerService::LedgerService(node::Node& node, LedgerServiceOptions options)
    : m_node(node),
      m_options(std::move(options)),
      m_workers(m_options.worker_threads),
      m_block_events(node.params().schema) {}

LedgerService::~LedgerService() = default;

void LedgerService::EndStreams() {
  const grpc::Status stopping(grpc::StatusCode::UNAVAILABLE, "the node is stopping");
  m_block_watchers.EndAll(stopping);
  m_batch_watchers.EndAll(stopping);
}

StatusOr<std::string> LedgerService::Authenticate(grpc::CallbackServerContext* context) const {
  std::optional<std::string_view> authorization;
  const auto& metadata = context->client_metadata();
  if (auto it = metadata.find("authorization"); it != metadata.end()) {
    authorization = std::string_view(it->second.data(), it->second.size());
  }
  return m_options.auth.Authenticate(authorization);
}

grpc::ServerUnaryReactor* LedgerService::RunUnary(grpc::CallbackServerContext* context, std::function<Status()> work) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  m_workers.Post([reactor, work = std::move(work)] { reactor->Finish(ToGrpcStatus(work())); });
  return reactor;
}

grpc::ServerUnaryReactor* LedgerService::SubmitBatch(grpc::CallbackServerContext* context,
                                                     const pb::SubmitBatchRequest* request,
                                                     pb::SubmitBatchResponse* response) {
  auto grant = Authenticate(context);
  if (!grant.ok()) return FinishNow(context, grant.status());
  if (Status allowed = m_options.auth.AuthorizeTable(*grant, request->table()); !allowed.ok()) {
    return FinishNow(context, allowed);
  }
  return RunUnary(context, [this, request, response, writer = *grant] {
    auto rows = InputRowsFromProto(request->rows());
    if (!rows.ok()) return rows.status();
    // Keys are scoped to the token's name ("token:" never collides with "kafka:" ingest keys).
    store::IdempotencyKey key{.writer = "token:" + writer, .key = request->idempotency_key()};
    auto submitted = m_node.SubmitBatch(request->table(), std::move(*rows), key);
    if (!submitted.ok()) return submitted.status();
    response->set_batch_id(HexEncode(submitted->id));
    response->set_duplicate(submitted->duplicate);
    response->set_row_count(submitted->row_count);
    return OkStatus();
  });
}

grpc::ServerWriteReactor<pb::BatchStatus>* LedgerService::WatchBatch(grpc::CallbackServerContext* context,
                                                                     const pb::WatchBatchRequest* request) {
  auto grant = Authenticate(context);
  auto id = ParseBatchId(request->batch_id());
  Status refused = !grant.ok() ? grant.status() : id.status();
  if (!refused.ok()) {
    auto* reactor = new StreamWriter<pb::BatchStatus>(StreamBudget{});
    reactor->FinishWith(ToGrpcStatus(refused));
    return reactor;
  }
  if (m_batch_watchers.size() >= m_options.max_batch_watchers) {
    auto* reactor = new StreamWriter<pb::BatchStatus>(StreamBudget{});
    reactor->FinishWith(grpc::Status(grpc::StatusCode::RESOURCE_EXHAUSTED, TooManyWatchers(m_options.max_batch_watchers)));
    return reactor;
  }
  return new BatchWatcher(m_node, *id, m_options.stream_budget, m_batch_watchers);
}

grpc::ServerWriteReactor<pb::BlockEvent>* LedgerService::WatchBlocks(grpc::CallbackServerContext* context,
                                                                     const pb::WatchBlocksRequest* request) {
  Status refused = Authenticate(context).status();
  if (refused.ok() && m_block_watchers.size() >= m_options.max_block_watchers) {
    refused = ResourceExhaustedError(TooManyWatchers(m_options.max_block_watchers));
  }
  if (!refused.ok()) {
    auto* reactor = new StreamWriter<pb::BlockEvent>(StreamBudget{});
    reactor->FinishWith(ToGrpcStatus(refused));
    return reactor;
  }
  std::optional<uint64_t> start;
  if (request->has_start_height()) start = request->start_height();
  return new BlockWatcher(m_node, m_block_events, start, request->without_rows(), m_options.stream_budget,
                          m_block_watchers);
}

grpc::ServerUnaryReactor* LedgerService::GetBlock(grpc::CallbackServerContext* context,
                                                  const pb::GetBlockRequest* request, pb::Block* response) {
  if (auto grant = Authenticate(context); !grant.ok()) return FinishNow(context, grant.status());
  return RunUnary(context, [this, request, response]() -> Status {
    StatusOr<std::shared_ptr<const node::BlockView>> view = std::shared_ptr<const node::BlockView>();
    std::string what;
    switch (request->block_case()) {
      case pb::GetBlockRequest::kHeight:
        view = m_node.BlockAtHeight(request->height());
        what = "at height " + std::to_string(request->height());
        break;
      case pb::GetBlockRequest::kHash: {
        auto hash = ParseBlockHash(request->hash());
        if (!hash.ok()) return hash.status();
        view = m_node.BlockByHash(*hash);
        what = request->hash();
        break;
      }
      case pb::GetBlockRequest::BLOCK_NOT_SET: return InvalidArgumentError("give a height or a hash");
    }
    if (!view.ok()) return view.status();
    if (!*view) return NotFoundError("no block " + what);
    BlockToProto(**view, m_node.params().schema, request->header_only(), response);
    return OkStatus();
  });
}

grpc::ServerUnaryReactor* LedgerService::GetChainInfo(grpc::CallbackServerContext* context,
                                                      const pb::GetChainInfoRequest*, pb::ChainInfo* response) {
  if (auto grant = Authenticate(context); !grant.ok()) return FinishNow(context, grant.status());
  return RunUnary(context, [this, response]() -> Status {
    auto info = m_node.ChainInfo();
    if (!info.ok()) return info.status();
    response->set_chain(info->chain);
    response->set_genesis_hash(consensus::ToDisplayHex(info->genesis_hash));
    response->set_height(info->tip.height);
    response->set_tip_hash(consensus::ToDisplayHex(info->tip.hash));
    response->set_chain_work(info->tip.chain_work.ToHex());
    response->set_bits(info->next_bits);
    double limit = m_node.params().PowLimit().ToDouble();
    double target = consensus::DecodeCompact(info->next_bits).target.ToDouble();
    response->set_difficulty(target > 0 ? limit / target : 0);
    response->set_pending_batches(info->pending_batches);
    response->set_pending_rows(info->pending_rows);
    response->set_miner(info->miner);
    response->set_max_block_rows(m_node.params().max_block_rows);
    response->set_max_block_bytes(m_node.params().max_block_bytes);
    if (const auto& refused = info->refused_reorg) {
      response->set_refused_reorg(fmt::format("a heavier branch (tip {} at height {}) forks {} blocks below the tip, "
                                              "deeper than --max-reorg-depth",
                                              consensus::ToDisplayHex(refused->best), refused->best_height, refused->depth));
    }
    for (const consensus::TableSchema& table : m_node.params().schema.tables) {
      pb::TableInfo* out = response->add_tables();
      out->set_name(table.name);
      for (size_t c = 0; c < table.columns.size(); ++c) {
        pb::ColumnInfo* column = out->add_columns();
        column->set_name(table.columns[c].name);
        column->set_type(consensus::ColumnTypeName(table.columns[c]));
        column->set_nullable(table.columns[c].nullable);
        column->set_primary_key(std::find(table.primary_key.begin(), table.primary_key.end(), c) !=
                                table.primary_key.end());
      }
    }
    return OkStatus();
  });
}

grpc::ServerUnaryReactor* LedgerService::GetRowProof(grpc::CallbackServerContext* context,
                                                     const pb::GetRowProofRequest* request, pb::RowProof* response) {
  if (auto grant = Authenticate(context); !grant.ok()) return FinishNow(context, grant.status());
  return RunUnary(context, [this, request, response]() -> Status {
    auto id = ParseBatchId(request->batch_id());
    if (!id.ok()) return id.status();
    auto proof = m_node.RowProof(*id, request->row_index());
    if (!proof.ok()) return proof.status();
    HeaderToProto(proof->block->block.header, response->mutable_header());
    response->set_height(proof->block->height);
    response->set_leaf_hex(HexEncode(proof->leaf));
    response->set_leaf_index(proof->leaf_index);
    response->set_tree_size(proof->tree_size);
    for (const consensus::Hash256& h : proof->audit_path) response->add_audit_path(consensus::ToInternalHex(h));
    RowToProto(proof->row, m_node.params().schema, response->mutable_row());
    return OkStatus();
  });
}

}  // namespace rowchain::api
