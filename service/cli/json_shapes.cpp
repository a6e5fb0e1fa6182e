#include "cli/json_shapes.h"

#include "crypto/base64.h"
#include "util/utc_time.h"

namespace rowchain::cli {

namespace pb = ::rowchain::v1;

std::string_view BatchStateName(pb::BatchState state) {
  switch (state) {
    case pb::BATCH_STATE_PENDING: return "pending";
    case pb::BATCH_STATE_MINING: return "mining";
    case pb::BATCH_STATE_SEALED: return "sealed";
    case pb::BATCH_STATE_REJECTED: return "rejected";
    default: return "unknown";
  }
}

nlohmann::json ValueJson(const pb::Value& v) {
  switch (v.kind_case()) {
    case pb::Value::kIntValue: return v.int_value();
    case pb::Value::kTextValue: return v.text_value();
    case pb::Value::kBytesValue: return Base64Encode(v.bytes_value());
    default: return nullptr;
  }
}

nlohmann::json BlockJson(const pb::Block& block) {
  const pb::BlockHeader& h = block.header();
  nlohmann::json out{{"height", block.height()},
                     {"hash", h.hash()},
                     {"prev_hash", h.prev_hash()},
                     {"merkle_root", h.merkle_root()},
                     {"time", h.time()},
                     {"time_iso", IsoUtc(h.time())},
                     {"bits", h.bits()},
                     {"nonce", h.nonce()},
                     {"version", h.version()},
                     {"in_main_chain", block.in_main_chain()},
                     {"chain_work", block.chain_work()},
                     {"miner_id", block.miner_id()},
                     {"extra_nonce", block.extra_nonce()},
                     {"row_count", block.row_count()},
                     {"rows", nlohmann::json::array()}};
  for (const pb::RowOperation& row : block.rows()) {
    nlohmann::json columns = nlohmann::json::object();
    for (const auto& [name, value] : row.columns()) columns[name] = ValueJson(value);
    std::string_view op = row.op() == pb::OP_UPDATE ? "update" : row.op() == pb::OP_DELETE ? "delete" : "insert";
    out["rows"].push_back({{"batch_id", row.batch_id()}, {"row_index", row.row_index()}, {"op", op},
                           {"table", row.table()}, {"columns", columns}});
  }
  return out;
}

nlohmann::json BatchJson(const pb::BatchStatus& status) {
  nlohmann::json out{{"batch_id", status.batch_id()}, {"state", BatchStateName(status.state())}};
  if (status.state() == pb::BATCH_STATE_SEALED) {
    out["height"] = status.height();
    out["block_hash"] = status.block_hash();
  }
  if (status.state() == pb::BATCH_STATE_REJECTED) out["reason"] = status.reason();
  if (status.reorged()) out["reorged"] = true;
  return out;
}

}  // namespace rowchain::cli
