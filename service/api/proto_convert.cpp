#include "api/proto_convert.h"

#include "consensus/block_info_leaf.h"
#include "consensus/hash.h"
#include "util/hex.h"

namespace rowchain::api {

using consensus::Value;

grpc::Status ToGrpcStatus(const Status& status) {
  if (status.ok()) return grpc::Status::OK;
  return grpc::Status(static_cast<grpc::StatusCode>(status.code()), status.message());
}

Status FromGrpcStatus(const grpc::Status& status) {
  if (status.ok()) return OkStatus();
  return Status(static_cast<StatusCode>(status.error_code()), status.error_message());
}

Value ValueFromProto(const pb::Value& value) {
  switch (value.kind_case()) {
    case pb::Value::kIntValue: return Value::Int(value.int_value());
    case pb::Value::kTextValue: return Value::Text(value.text_value());
    case pb::Value::kBytesValue: return Value::Bytes(value.bytes_value());
    case pb::Value::kNullValue:
    case pb::Value::KIND_NOT_SET: return Value::Null();
  }
  return Value::Null();
}

void ValueToProto(const Value& value, pb::Value* out) {
  switch (value.kind()) {
    case Value::Kind::kNull: out->set_null_value(true); break;
    case Value::Kind::kInt: out->set_int_value(value.as_int()); break;
    case Value::Kind::kText: out->set_text_value(value.as_string()); break;
    case Value::Kind::kBytes: out->set_bytes_value(value.as_string()); break;
  }
}

StatusOr<std::vector<node::InputRow>> InputRowsFromProto(const google::protobuf::RepeatedPtrField<pb::Row>& rows) {
  std::vector<node::InputRow> out;
  out.reserve(rows.size());
  for (int i = 0; i < rows.size(); ++i) {
    const pb::Row& row = rows[i];
    node::InputRow input;
    switch (row.op()) {
      case pb::OP_UNSPECIFIED:
      case pb::OP_INSERT: input.op = consensus::RowOpKind::kInsert; break;
      case pb::OP_UPDATE: input.op = consensus::RowOpKind::kUpdate; break;
      case pb::OP_DELETE: input.op = consensus::RowOpKind::kDelete; break;
      default: return InvalidArgumentError("row " + std::to_string(i) + ": unknown op " + std::to_string(row.op()));
    }
    for (const auto& [name, value] : row.columns()) input.columns.emplace_back(name, ValueFromProto(value));
    out.push_back(std::move(input));
  }
  return out;
}

StatusOr<consensus::BatchId> ParseBatchId(std::string_view hex) {
  auto bytes = HexDecode(hex);
  if (!bytes.ok() || bytes->size() != 16) return InvalidArgumentError("a batch id is 32 hex digits");
  consensus::BatchId id{};
  std::copy(bytes->begin(), bytes->end(), id.begin());
  return id;
}

StatusOr<consensus::Hash256> ParseBlockHash(std::string_view hex) {
  auto hash = consensus::FromDisplayHex(hex);
  if (!hash.ok()) return InvalidArgumentError("a block hash is 64 hex digits");
  return *hash;
}

void HeaderToProto(const consensus::BlockHeader& header, pb::BlockHeader* out) {
  out->set_version(static_cast<uint32_t>(header.version));
  out->set_prev_hash(consensus::ToDisplayHex(header.prev_hash));
  out->set_merkle_root(consensus::ToDisplayHex(header.merkle_root));
  out->set_time(header.time);
  out->set_bits(header.bits);
  out->set_nonce(header.nonce);
  out->set_hash(consensus::ToDisplayHex(header.Hash()));
  consensus::HeaderBytes raw = header.Serialize();
  out->set_raw_hex(HexEncode(raw));
}

void RowToProto(const consensus::RowOperation& row, const consensus::LedgerSchema& schema, pb::RowOperation* out) {
  out->set_batch_id(HexEncode(row.batch_id));
  out->set_row_index(row.row_index);
  out->set_op(static_cast<pb::Op>(row.op));
  out->set_table(row.table);
  const consensus::TableSchema* table = schema.FindTable(row.table);
  if (table == nullptr) return;
  auto& columns = *out->mutable_columns();
  if (row.op == consensus::RowOpKind::kDelete) {
    for (size_t k = 0; k < table->primary_key.size() && k < row.values.size(); ++k) {
      ValueToProto(row.values[k], &columns[table->columns[table->primary_key[k]].name]);
    }
    return;
  }
  for (size_t c = 0; c < table->columns.size() && c < row.values.size(); ++c) {
    ValueToProto(row.values[c], &columns[table->columns[c].name]);
  }
}

void BlockToProto(const node::BlockView& view, const consensus::LedgerSchema& schema, bool header_only, pb::Block* out) {
  HeaderToProto(view.block.header, out->mutable_header());
  out->set_height(view.height);
  out->set_in_main_chain(view.in_main);
  out->set_chain_work(view.chain_work.ToHex());
  out->set_row_count(static_cast<uint32_t>(view.block.leaves.empty() ? 0 : view.block.leaves.size() - 1));
  if (!view.block.leaves.empty()) {
    if (auto info = consensus::DecodeBlockInfoLeaf(view.block.leaves[0]); info.ok()) {
      out->set_miner_id(info->miner_id);
      out->set_extra_nonce(info->extra_nonce);
    }
  }
  if (header_only) return;
  for (size_t i = 1; i < view.block.leaves.size(); ++i) {
    auto row = consensus::DecodeRowOperationLeaf(view.block.leaves[i]);
    if (row.ok()) RowToProto(*row, schema, out->add_rows());
  }
}

void BatchEventToProto(const node::BatchEvent& event, pb::BatchStatus* out) {
  out->set_batch_id(HexEncode(event.id));
  switch (event.phase) {
    case node::BatchPhase::kPending: out->set_state(pb::BATCH_STATE_PENDING); break;
    case node::BatchPhase::kMining: out->set_state(pb::BATCH_STATE_MINING); break;
    case node::BatchPhase::kSealed:
      out->set_state(pb::BATCH_STATE_SEALED);
      out->set_height(event.height);
      out->set_block_hash(consensus::ToDisplayHex(event.block_hash));
      break;
    case node::BatchPhase::kRejected:
      out->set_state(pb::BATCH_STATE_REJECTED);
      out->set_reason(event.reason);
      break;
  }
  out->set_reorged(event.reorged);
}

}  // namespace rowchain::api
