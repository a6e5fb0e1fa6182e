#include "monitor/status_report.h"

#include <ctime>

#include "consensus/block.h"
#include "consensus/row_operation.h"
#include "metrics/metrics.h"
#include "util/utc_time.h"

namespace rowchain::monitor {
namespace {

// {reason: count} of a counter family labelled by reason, from the metrics registry.
nlohmann::json CountsByReason(const std::vector<prometheus::MetricFamily>& families, const std::string& name) {
  nlohmann::json out = nlohmann::json::object();
  for (const prometheus::MetricFamily& family : families) {
    if (family.name != name) continue;
    for (const prometheus::ClientMetric& m : family.metric) {
      for (const auto& label : m.label) {
        if (label.name == "reason") out[label.value] = static_cast<uint64_t>(m.counter.value);
      }
    }
  }
  return out;
}

nlohmann::json RowJson(const consensus::RowOperation& row) {
  nlohmann::json values = nlohmann::json::array();
  for (const consensus::Value& v : row.values) values.push_back(v.ToDisplay());
  return {{"op", consensus::RowOpKindName(row.op)}, {"table", row.table}, {"values", values}};
}

nlohmann::json BlockJson(const node::BlockView& view) {
  nlohmann::json rows = nlohmann::json::array();
  auto body = consensus::DecodeBody(view.block.leaves);
  if (body.ok()) {
    for (size_t i = 0; i < body->rows.size() && i < kStatusRowsPerBlock; ++i) rows.push_back(RowJson(body->rows[i]));
  }
  const uint32_t time = view.block.header.time;
  return {{"height", view.height},
          {"hash", consensus::ToDisplayHex(view.hash)},
          {"time", time},
          {"time_iso", IsoUtc(time)},
          {"row_count", view.block.leaves.empty() ? 0 : view.block.leaves.size() - 1},
          {"miner_id", body.ok() ? body->info.miner_id : ""},
          {"rows", rows}};
}

}  // namespace

nlohmann::json StatusJson(const StatusSources& sources) {
  nlohmann::json out;
  const int64_t now = static_cast<int64_t>(std::time(nullptr));
  out["time"] = now;
  out["time_iso"] = IsoUtc(now);
  auto info = sources.node->ChainInfo();
  if (info.ok()) {
    out["chain"] = info->chain;
    out["height"] = info->tip.height;
    out["hash"] = consensus::ToDisplayHex(info->tip.hash);
    out["pending_batches"] = info->pending_batches;
    out["pending_rows"] = info->pending_rows;
    out["miner"] = info->miner;
  }
  out["blocks"] = nlohmann::json::array();
  for (int i = 0; info.ok() && i < kStatusBlocks && static_cast<uint64_t>(i) <= info->tip.height; ++i) {
    auto view = sources.node->BlockAtHeight(info->tip.height - i);
    if (view.ok() && *view) out["blocks"].push_back(BlockJson(**view));
  }
  const std::vector<prometheus::MetricFamily> families = metrics::Get().registry.Collect();
  out["peers"] = static_cast<uint64_t>(metrics::Get().peers.Value());
  out["devices"] = sources.history ? sources.history->Json() : nlohmann::json::array();
  out["gpus"] = sources.gpus ? sources.gpus() : nlohmann::json::array();
  out["block_rejects"] = CountsByReason(families, "rowchain_block_rejects_total");
  out["batch_rejects"] = CountsByReason(families, "rowchain_batches_rejected_total");
  return out;
}

}  // namespace rowchain::monitor
