// Commands that talk to a running node: submit, tip, block, proof; and verify-proof, which
// checks a saved proof offline.
#include <cstdio>
#include <fstream>
#include <iostream>
#include <sstream>

#include <fmt/format.h>
#include <google/protobuf/util/json_util.h>
#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "consensus/block_header.h"
#include "consensus/compact.h"
#include "consensus/hash.h"
#include "consensus/merkle.h"
#include "consensus/pow.h"
#include "consensus/row_operation.h"
#include "cli/json_shapes.h"
#include "cli/node_client.h"
#include "cli/progress_bar.h"
#include "cli/proof_check.h"
#include "cli/row_files.h"
#include "util/file_io.h"
#include "util/hex.h"
#include "util/utc_time.h"

namespace rowchain::cli {

namespace pb = ::rowchain::v1;

namespace {

std::string ToJson(const google::protobuf::Message& message) {
  google::protobuf::util::JsonPrintOptions options;
  options.preserve_proto_field_names = true;
  options.always_print_primitive_fields = true;
  std::string out;
  (void)google::protobuf::util::MessageToJsonString(message, &out, options);
  return out;
}

std::string DisplayValue(const pb::Value& v) {
  switch (v.kind_case()) {
    case pb::Value::kIntValue: return std::to_string(v.int_value());
    case pb::Value::kTextValue: return "'" + v.text_value() + "'";
    case pb::Value::kBytesValue: return "x'" + HexEncode(std::span(reinterpret_cast<const uint8_t*>(v.bytes_value().data()), v.bytes_value().size())) + "'";
    default: return "NULL";
  }
}

std::string DisplayRow(const pb::RowOperation& row) {
  std::vector<std::string> parts;
  std::vector<std::string> names;
  for (const auto& [name, value] : row.columns()) names.push_back(name);
  std::sort(names.begin(), names.end());
  for (const std::string& name : names) parts.push_back(name + "=" + DisplayValue(row.columns().at(name)));
  std::string_view op = row.op() == pb::OP_UPDATE ? "UPDATE" : row.op() == pb::OP_DELETE ? "DELETE" : "INSERT";
  return fmt::format("{} {} ({})", op, row.table(), fmt::join(parts, ", "));
}

// ---- submit ----

struct SubmitFlags {
  std::string table, rows_file, csv_file, op = "insert", idempotency_key;
  uint32_t batch_rows = 0;
  bool wait = false, json = false;
  int timeout_s = 600;
};

// Reads one batch's statuses until it is sealed or rejected.
StatusOr<pb::BatchStatus> WaitForBatch(NodeClient& client, const std::string& batch_id, int timeout_s) {
  auto context = client.Context(timeout_s);
  pb::WatchBatchRequest request;
  request.set_batch_id(batch_id);
  auto reader = client.stub().WatchBatch(context.get(), request);
  pb::BatchStatus status;
  while (reader->Read(&status)) {
    if (status.state() == pb::BATCH_STATE_SEALED || status.state() == pb::BATCH_STATE_REJECTED) {
      context->TryCancel();
      (void)reader->Finish();
      return status;
    }
  }
  grpc::Status end = reader->Finish();
  return Status(static_cast<StatusCode>(end.error_code()), end.error_message());
}

int RunSubmit(const NodeFlags& node, const SubmitFlags& flags) {
  if (flags.rows_file.empty() == flags.csv_file.empty()) {
    return ReportError(kExitUsage, "submit: give exactly one of --rows FILE and --csv FILE");
  }
  pb::Op op = flags.op == "insert" ? pb::OP_INSERT : flags.op == "update" ? pb::OP_UPDATE
            : flags.op == "delete" ? pb::OP_DELETE : pb::OP_UNSPECIFIED;
  if (op == pb::OP_UNSPECIFIED) return ReportError(kExitUsage, "submit: --op must be insert, update or delete");
  auto text = ReadFileToString(flags.rows_file.empty() ? flags.csv_file : flags.rows_file, "rows file");
  if (!text.ok()) return ReportError(kExitUsage, "submit: " + text.status().message());

  auto client = NodeClient::Connect(node);
  if (!client.ok()) return ReportError(kExitUsage, "submit: " + client.status().message());
  pb::ChainInfo info;
  if (grpc::Status s = client->stub().GetChainInfo(client->Context().get(), {}, &info); !s.ok()) {
    return client->ReportRpcError("submit", s);
  }
  const pb::TableInfo* table = nullptr;
  for (const pb::TableInfo& t : info.tables()) if (t.name() == flags.table) table = &t;
  if (table == nullptr) return ReportError(kExitUsage, fmt::format("submit: chain {} has no table '{}'", info.chain(), flags.table));
  auto rows = flags.rows_file.empty() ? ReadCsvRows(*text, *table, op) : ReadJsonRows(*text, *table, op);
  if (!rows.ok()) return ReportError(kExitUsage, "submit: " + rows.status().message());
  if (rows->empty()) return ReportError(kExitUsage, "submit: the file holds no rows");

  const uint32_t per_batch = flags.batch_rows > 0 ? flags.batch_rows : std::min<uint32_t>(1000, info.max_block_rows());
  const size_t batches = (rows->size() + per_batch - 1) / per_batch;
  const bool progress = StderrIsTerminal() && batches > 1;
  std::vector<std::string> ids;
  for (size_t b = 0; b < batches; ++b) {
    pb::SubmitBatchRequest request;
    request.set_table(flags.table);
    for (size_t i = b * per_batch; i < std::min(rows->size(), (b + 1) * per_batch); ++i) {
      *request.add_rows() = (*rows)[i];
    }
    if (!flags.idempotency_key.empty()) {
      request.set_idempotency_key(batches == 1 ? flags.idempotency_key : fmt::format("{}#{}", flags.idempotency_key, b));
    }
    pb::SubmitBatchResponse response;
    if (grpc::Status s = client->stub().SubmitBatch(client->Context().get(), request, &response); !s.ok()) {
      if (progress) std::fprintf(stderr, "\n");
      if (batches > 1) std::fprintf(stderr, "rowchain: submit: batch %zu of %zu (rows %zu..) failed; batches before it are stored\n", b + 1, batches, b * per_batch);
      return client->ReportRpcError("submit", s);
    }
    ids.push_back(response.batch_id());
    if (progress) DrawProgressBar("submitting", b + 1, batches);
    if (!flags.wait) {
      if (flags.json) {
        std::printf("%s\n", nlohmann::json{{"batch_id", response.batch_id()}, {"state", "pending"},
                                           {"rows", response.row_count()}, {"duplicate", response.duplicate()}}.dump().c_str());
      } else {
        std::printf("batch %s: %u rows pending%s; follow it with: rowchain batch %s --watch\n",
                    response.batch_id().c_str(), response.row_count(),
                    response.duplicate() ? " (already submitted with this key)" : "", response.batch_id().c_str());
      }
    }
  }
  if (!flags.wait) return kExitOk;
  int exit_code = kExitOk;
  for (size_t b = 0; b < ids.size(); ++b) {
    auto status = WaitForBatch(*client, ids[b], flags.timeout_s);
    if (!status.ok()) return ReportError(kExitFailure, fmt::format("submit: waiting for batch {}: {}", ids[b], status.status().message()));
    if (status->state() == pb::BATCH_STATE_REJECTED) exit_code = kExitFailure;
    if (flags.json) {
      std::printf("%s\n", BatchJson(*status).dump().c_str());
    } else if (status->state() == pb::BATCH_STATE_SEALED) {
      std::printf("batch %s: sealed in block %llu %s\n", ids[b].c_str(), static_cast<unsigned long long>(status->height()),
                  status->block_hash().c_str());
    } else {
      std::printf("batch %s: rejected: %s\n", ids[b].c_str(), status->reason().c_str());
    }
    std::fflush(stdout);
  }
  return exit_code;
}

// ---- tip ----

int RunTip(const NodeFlags& node, bool json) {
  auto client = NodeClient::Connect(node);
  if (!client.ok()) return ReportError(kExitUsage, "tip: " + client.status().message());
  pb::ChainInfo info;
  if (grpc::Status s = client->stub().GetChainInfo(client->Context().get(), {}, &info); !s.ok()) {
    return client->ReportRpcError("tip", s);
  }
  if (json) {
    nlohmann::json out{{"chain", info.chain()}, {"height", info.height()}, {"hash", info.tip_hash()},
                       {"chain_work", info.chain_work()}, {"pending", info.pending_batches()},
                       {"pending_rows", info.pending_rows()}, {"bits", info.bits()},
                       {"difficulty", info.difficulty()}, {"miner", info.miner()}};
    if (!info.refused_reorg().empty()) out["refused_reorg"] = info.refused_reorg();
    std::printf("%s\n", out.dump().c_str());
  } else {
    std::printf("chain %s: height %llu, tip %s\nchain work 0x%s, difficulty %.6g (bits %08x)\n"
                "pending: %llu batches, %llu rows; miner: %s\n",
                info.chain().c_str(), static_cast<unsigned long long>(info.height()), info.tip_hash().c_str(),
                info.chain_work().c_str(), info.difficulty(), info.bits(),
                static_cast<unsigned long long>(info.pending_batches()),
                static_cast<unsigned long long>(info.pending_rows()), info.miner().c_str());
    if (!info.refused_reorg().empty()) std::printf("reorg refused: %s\n", info.refused_reorg().c_str());
  }
  return kExitOk;
}

// ---- block ----

int RunBlock(const NodeFlags& node, const std::string& which, bool json, bool header_only) {
  pb::GetBlockRequest request;
  request.set_header_only(header_only);
  if (!which.empty() && which.size() <= 20 && std::all_of(which.begin(), which.end(), ::isdigit)) {
    request.set_height(std::stoull(which));
  } else if (which.size() == 64) {
    request.set_hash(which);
  } else {
    return ReportError(kExitUsage, "block: give a height or a 64-digit block hash");
  }
  auto client = NodeClient::Connect(node);
  if (!client.ok()) return ReportError(kExitUsage, "block: " + client.status().message());
  pb::Block block;
  if (grpc::Status s = client->stub().GetBlock(client->Context().get(), request, &block); !s.ok()) {
    return client->ReportRpcError("block", s);
  }
  if (json) {
    std::printf("%s\n", BlockJson(block).dump().c_str());
    return kExitOk;
  }
  const pb::BlockHeader& h = block.header();
  std::printf("block %llu %s%s\n  prev %s\n  merkle root %s\n  time %u (%s), bits %08x, nonce %u\n"
              "  miner %s, extra-nonce %llu, %u rows\n",
              static_cast<unsigned long long>(block.height()), h.hash().c_str(),
              block.in_main_chain() ? "" : " (side branch)", h.prev_hash().c_str(), h.merkle_root().c_str(), h.time(),
              IsoUtc(h.time()).c_str(), h.bits(), h.nonce(), block.miner_id().c_str(), static_cast<unsigned long long>(block.extra_nonce()),
              block.row_count());
  for (const pb::RowOperation& row : block.rows()) {
    std::printf("  %s  [batch %s row %u]\n", DisplayRow(row).c_str(), row.batch_id().c_str(), row.row_index());
  }
  return kExitOk;
}

// ---- proof / verify-proof ----

int RunProof(const NodeFlags& node, const std::string& batch_id, uint32_t row_index, const std::string& out_file) {
  auto client = NodeClient::Connect(node);
  if (!client.ok()) return ReportError(kExitUsage, "proof: " + client.status().message());
  pb::GetRowProofRequest request;
  request.set_batch_id(batch_id);
  request.set_row_index(row_index);
  pb::RowProof proof;
  if (grpc::Status s = client->stub().GetRowProof(client->Context().get(), request, &proof); !s.ok()) {
    return client->ReportRpcError("proof", s);
  }
  std::string json = ToJson(proof);
  if (out_file.empty()) {
    std::printf("%s\n", json.c_str());
    return kExitOk;
  }
  std::ofstream out(out_file);
  out << json << "\n";
  if (!out) return ReportError(kExitFailure, "proof: cannot write " + out_file);
  return kExitOk;
}

int RunVerifyProof(const std::string& file, const std::string& expected_block, bool json) {
  auto text = ReadFileToString(file, "file");
  if (!text.ok()) return ReportError(kExitUsage, "verify-proof: " + text.status().message());
  pb::RowProof proof;
  google::protobuf::util::JsonParseOptions options;
  if (!google::protobuf::util::JsonStringToMessage(*text, &proof, options).ok()) {
    return ReportError(kExitUsage, "verify-proof: " + file + " is not a rowchain proof (JSON from `rowchain proof`)");
  }
  auto check = CheckProof(proof, expected_block);
  if (!check.ok()) return ReportError(kExitUsage, "verify-proof: " + check.status().message());
  const std::vector<std::string>& failures = check->problems;
  const consensus::Hash256 block_hash = check->block_hash;
  const auto& row = check->row;
  if (json) {
    nlohmann::json out{{"valid", failures.empty()}, {"block_hash", consensus::ToDisplayHex(block_hash)},
                       {"height", proof.height()}, {"leaf_index", proof.leaf_index()}, {"problems", failures}};
    if (row) {
      out["batch_id"] = HexEncode(row->batch_id);
      out["row_index"] = row->row_index;
      out["table"] = row->table;
    }
    std::printf("%s\n", out.dump().c_str());
  } else if (failures.empty()) {
    std::printf("valid: leaf %llu of %llu is in block %s (height %llu)\n  %s [batch %s row %u]\n",
                static_cast<unsigned long long>(proof.leaf_index()), static_cast<unsigned long long>(proof.tree_size()),
                consensus::ToDisplayHex(block_hash).c_str(), static_cast<unsigned long long>(proof.height()),
                DisplayRow(proof.row()).c_str(), HexEncode(row->batch_id).c_str(), row->row_index);
  } else {
    for (const std::string& f : failures) std::fprintf(stderr, "rowchain: verify-proof: %s\n", f.c_str());
  }
  return failures.empty() ? kExitOk : kExitFailure;
}

// Checks a change-feed event against the chain: the node's proof for the event's batch row
// must be in the event's block at the event's leaf, and the leaf must be the event's operation.
// A reverted event's block must no longer be on the main chain.
int RunVerifyEvent(const NodeFlags& node, const std::string& file, bool json) {
  std::string text;
  if (file == "-") {
    std::stringstream in;
    in << std::cin.rdbuf();
    text = in.str();
  } else {
    auto read = ReadFileToString(file, "file");
    if (!read.ok()) return ReportError(kExitUsage, "verify-event: " + read.status().message());
    text = *read;
  }
  nlohmann::json event = nlohmann::json::parse(text, nullptr, false);
  if (event.is_discarded() || !event.contains("source") || !event["source"].is_object()) {
    return ReportError(kExitUsage, "verify-event: not a rowchain change-feed event (JSON with a source)");
  }
  const nlohmann::json& source = event["source"];
  for (const char* field : {"batch_id", "row_index", "block_hash", "leaf_index", "table", "reverted"}) {
    if (!source.contains(field)) return ReportError(kExitUsage, fmt::format("verify-event: source.{} is missing", field));
  }
  auto client = NodeClient::Connect(node);
  if (!client.ok()) return ReportError(kExitUsage, "verify-event: " + client.status().message());
  std::vector<std::string> problems;
  const std::string block_hash = source["block_hash"].get<std::string>();
  if (source["reverted"].get<bool>()) {
    pb::GetBlockRequest request;
    request.set_hash(block_hash);
    request.set_header_only(true);
    pb::Block block;
    if (grpc::Status s = client->stub().GetBlock(client->Context().get(), request, &block); !s.ok()) {
      return client->ReportRpcError("verify-event", s);
    }
    if (block.in_main_chain()) problems.push_back("the event says its block was disconnected, but it is on the main chain");
  } else {
    pb::GetRowProofRequest request;
    request.set_batch_id(source["batch_id"].get<std::string>());
    request.set_row_index(source["row_index"].get<uint32_t>());
    pb::RowProof proof;
    if (grpc::Status s = client->stub().GetRowProof(client->Context().get(), request, &proof); !s.ok()) {
      return client->ReportRpcError("verify-event", s);
    }
    auto check = CheckProof(proof, block_hash);
    if (!check.ok()) return ReportError(kExitFailure, "verify-event: the node's proof: " + check.status().message());
    problems = check->problems;
    if (proof.leaf_index() != source["leaf_index"].get<uint64_t>()) problems.push_back("the leaf index differs");
    if (proof.row().table() != source["table"].get<std::string>()) problems.push_back("the table differs");
    const std::string op = event.value("op", "");
    const pb::Op leaf_op = proof.row().op();
    const std::string expected_op = leaf_op == pb::OP_UPDATE ? "u" : leaf_op == pb::OP_DELETE ? "d" : "c";
    if (op != expected_op) problems.push_back(fmt::format("the event says op {} but the leaf is {}", op, expected_op));
    // The leaf's values: the whole row for c/u (the event's after), the key for d (in before).
    const nlohmann::json& image = op == "d" ? event["before"] : event["after"];
    for (const auto& [name, value] : proof.row().columns()) {
      if (!image.is_object() || !image.contains(name) || image[name] != ValueJson(value)) {
        problems.push_back(fmt::format("column '{}' differs from the leaf", name));
      }
    }
  }
  if (json) {
    std::printf("%s\n", nlohmann::json{{"valid", problems.empty()}, {"problems", problems}}.dump().c_str());
  } else if (problems.empty()) {
    std::printf("valid: the event is leaf %llu of block %s%s\n",
                static_cast<unsigned long long>(source["leaf_index"].get<uint64_t>()), block_hash.c_str(),
                source["reverted"].get<bool>() ? ", which is no longer on the main chain" : "");
  } else {
    for (const std::string& p : problems) std::fprintf(stderr, "rowchain: verify-event: %s\n", p.c_str());
  }
  return problems.empty() ? kExitOk : kExitFailure;
}

}  // namespace

void AddNodeCommands(CLI::App& app, const NodeFlags* node, int* exit_code) {
  auto submit_flags = std::make_shared<SubmitFlags>();
  CLI::App* submit = app.add_subcommand("submit", "Send rows to a node as batches (split to fit blocks)");
  submit->add_option("--table", submit_flags->table, "ledger table")->required();
  submit->add_option("--rows", submit_flags->rows_file, "JSON file: an array of objects, column -> value");
  submit->add_option("--csv", submit_flags->csv_file, "CSV file with a header line (\\N for NULL)");
  submit->add_option("--op", submit_flags->op, "insert, update or delete (every row of the file)");
  submit->add_option("--batch-rows", submit_flags->batch_rows, "rows per batch (default: up to 1000)");
  submit->add_option("--idempotency-key", submit_flags->idempotency_key,
                     "retrying with the same key stores nothing twice (batch i of many gets KEY#i)");
  submit->add_flag("--wait", submit_flags->wait, "return when every batch is sealed (or rejected)");
  submit->add_option("--timeout", submit_flags->timeout_s, "seconds to wait for each batch (default 600)");
  submit->add_flag("--json", submit_flags->json, "one JSON object per batch per line");
  submit->callback([=] { *exit_code = RunSubmit(*node, *submit_flags); });

  auto tip_json = std::make_shared<bool>(false);
  CLI::App* tip = app.add_subcommand("tip", "The node's chain tip and pending pool");
  tip->add_flag("--json", *tip_json, "height, hash, chain_work, pending as JSON");
  tip->callback([=] { *exit_code = RunTip(*node, *tip_json); });

  struct BlockFlags {
    std::string which;
    bool json = false, header_only = false;
  };
  auto block_flags = std::make_shared<BlockFlags>();
  CLI::App* block = app.add_subcommand("block", "A block by main-chain height or by hash, with its rows");
  block->add_option("block", block_flags->which, "HEIGHT or HASH")->required();
  block->add_flag("--json", block_flags->json, "the block as JSON");
  block->add_flag("--header-only", block_flags->header_only, "without the rows");
  block->callback([=] { *exit_code = RunBlock(*node, block_flags->which, block_flags->json, block_flags->header_only); });

  struct ProofFlags {
    std::string batch_id, out;
    uint32_t row_index = 0;
  };
  auto proof_flags = std::make_shared<ProofFlags>();
  CLI::App* proof = app.add_subcommand("proof", "RFC 6962 inclusion proof of one row in its block (JSON)");
  proof->add_option("batch_id", proof_flags->batch_id, "the batch id SubmitBatch returned")->required();
  proof->add_option("row_index", proof_flags->row_index, "the row's index in its batch")->required();
  proof->add_option("--out", proof_flags->out, "write the proof here instead of stdout");
  proof->callback([=] { *exit_code = RunProof(*node, proof_flags->batch_id, proof_flags->row_index, proof_flags->out); });

  struct VerifyProofFlags {
    std::string file, block;
    bool json = false;
  };
  auto verify_flags = std::make_shared<VerifyProofFlags>();
  CLI::App* verify = app.add_subcommand("verify-proof", "Check a saved row proof offline against its header");
  verify->add_option("file", verify_flags->file, "proof JSON from `rowchain proof`")->required();
  verify->add_option("--block-hash", verify_flags->block, "require the header to be this block (a hash you trust)");
  verify->add_flag("--json", verify_flags->json, "the verdict as JSON");
  verify->callback([=] { *exit_code = RunVerifyProof(verify_flags->file, verify_flags->block, verify_flags->json); });

  auto event_flags = std::make_shared<VerifyProofFlags>();
  CLI::App* verify_event = app.add_subcommand("verify-event", "Check a change-feed event against the node's chain");
  verify_event->add_option("file", event_flags->file, "the event's JSON value (- for stdin)")->required();
  verify_event->add_flag("--json", event_flags->json, "the verdict as JSON");
  verify_event->callback([=] { *exit_code = RunVerifyEvent(*node, event_flags->file, event_flags->json); });
}

}  // namespace rowchain::cli
