// Commands that follow the node: `batch` (what became of a batch, and --watch until it is final)
// and `watch` (main-chain blocks as they are connected and disconnected).
#include <cstdio>

#include <fmt/format.h>

#include "cli/commands.h"
#include "cli/json_shapes.h"
#include "cli/node_client.h"

namespace rowchain::cli {

namespace pb = ::rowchain::v1;

namespace {

bool IsFinal(const pb::BatchStatus& s) {
  return s.state() == pb::BATCH_STATE_SEALED || s.state() == pb::BATCH_STATE_REJECTED;
}

std::string BatchLine(const pb::BatchStatus& s) {
  switch (s.state()) {
    case pb::BATCH_STATE_SEALED:
      return fmt::format("batch {}: sealed in block {} {}", s.batch_id(), s.height(), s.block_hash());
    case pb::BATCH_STATE_REJECTED:
      return fmt::format("batch {}: rejected: {}", s.batch_id(), s.reason());
    case pb::BATCH_STATE_MINING:
      return fmt::format("batch {}: in the block being mined", s.batch_id());
    default:
      return fmt::format("batch {}: pending{}", s.batch_id(),
                         s.reorged() ? " again (its block was disconnected by a reorg)" : "");
  }
}

struct BatchFlags {
  std::string batch_id;
  bool json = false, watch = false;
};

// The batch's state now; with --watch every change until it is sealed or rejected. Exit 0,
// except 1 when a watched batch ends rejected (as `submit --wait`).
int RunBatch(const NodeFlags& node, const BatchFlags& flags) {
  auto client = NodeClient::Connect(node);
  if (!client.ok()) return ReportError(kExitUsage, "batch: " + client.status().message());
  auto context = client->Context(flags.watch ? 0 : 30);
  pb::WatchBatchRequest request;
  request.set_batch_id(flags.batch_id);
  auto reader = client->stub().WatchBatch(context.get(), request);
  pb::BatchStatus status;
  while (reader->Read(&status)) {
    if (flags.json) {
      std::printf("%s\n", BatchJson(status).dump().c_str());
    } else {
      std::printf("%s\n", BatchLine(status).c_str());
    }
    std::fflush(stdout);
    if (!flags.watch || IsFinal(status)) {
      context->TryCancel();
      (void)reader->Finish();
      return flags.watch && status.state() == pb::BATCH_STATE_REJECTED ? kExitFailure : kExitOk;
    }
  }
  return client->ReportRpcError("batch", reader->Finish());
}

struct WatchFlags {
  std::optional<uint64_t> from;
  bool json = false, without_rows = false;
};

int RunWatch(const NodeFlags& node, const WatchFlags& flags) {
  auto client = NodeClient::Connect(node);
  if (!client.ok()) return ReportError(kExitUsage, "watch: " + client.status().message());
  auto context = client->Context(0);
  pb::WatchBlocksRequest request;
  if (flags.from) request.set_start_height(*flags.from);
  request.set_without_rows(flags.without_rows);
  auto reader = client->stub().WatchBlocks(context.get(), request);
  pb::BlockEvent event;
  while (reader->Read(&event)) {
    bool connected = event.kind() == pb::BlockEvent::KIND_CONNECTED;
    if (flags.json) {
      std::printf("%s\n", nlohmann::json{{"event", connected ? "connected" : "disconnected"},
                                         {"block", BlockJson(event.block())}}.dump().c_str());
    } else {
      std::printf("%s block %llu %s, %u rows\n", connected ? "connected   " : "disconnected",
                  static_cast<unsigned long long>(event.block().height()), event.block().header().hash().c_str(),
                  event.block().row_count());
    }
    std::fflush(stdout);
  }
  return client->ReportRpcError("watch", reader->Finish());
}

}  // namespace

void AddFollowCommands(CLI::App& app, const NodeFlags* node, int* exit_code) {
  auto batch_flags = std::make_shared<BatchFlags>();
  CLI::App* batch = app.add_subcommand("batch", "What became of a batch: pending, sealed (where) or rejected (why)");
  batch->add_option("batch_id", batch_flags->batch_id, "the id `submit` printed")->required();
  batch->add_flag("--json", batch_flags->json, "the state as JSON (one object per change with --watch)");
  batch->add_flag("--watch", batch_flags->watch, "follow the batch until it is sealed or rejected");
  batch->callback([=] { *exit_code = RunBatch(*node, *batch_flags); });

  auto watch_flags = std::make_shared<WatchFlags>();
  CLI::App* watch = app.add_subcommand("watch", "Main-chain blocks as they are connected and disconnected (Ctrl-C ends)");
  watch->add_option("--from", watch_flags->from, "first send the main chain from this height");
  watch->add_flag("--json", watch_flags->json, "one JSON object per event, the block as `block --json` prints it");
  watch->add_flag("--without-rows", watch_flags->without_rows, "headers only");
  watch->callback([=] { *exit_code = RunWatch(*node, *watch_flags); });
}

}  // namespace rowchain::cli
