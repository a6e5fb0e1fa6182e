// Between the node's core types and the rowchain.v1 messages, and from Status to gRPC status:
// the only place the two meet. Pure functions; thread-safe.
#pragma once

#include <string_view>
#include <vector>

#include <grpcpp/support/status.h>

#include "consensus/block_header.h"
#include "consensus/chain_params.h"
#include "node/batch_input.h"
#include "node/events.h"
#include "rowchain/v1/ledger.pb.h"
#include "util/status.h"

namespace rowchain::api {

namespace pb = ::rowchain::v1;

grpc::Status ToGrpcStatus(const Status& status);
Status FromGrpcStatus(const grpc::Status& status);

consensus::Value ValueFromProto(const pb::Value& value);
void ValueToProto(const consensus::Value& value, pb::Value* out);
// INVALID_ARGUMENT for an unknown op.
StatusOr<std::vector<node::InputRow>> InputRowsFromProto(const google::protobuf::RepeatedPtrField<pb::Row>& rows);

// 32 hex digits; INVALID_ARGUMENT otherwise.
StatusOr<consensus::BatchId> ParseBatchId(std::string_view hex);
// 64 hex digits in display order; INVALID_ARGUMENT otherwise.
StatusOr<consensus::Hash256> ParseBlockHash(std::string_view hex);

void HeaderToProto(const consensus::BlockHeader& header, pb::BlockHeader* out);
void RowToProto(const consensus::RowOperation& row, const consensus::LedgerSchema& schema, pb::RowOperation* out);
void BlockToProto(const node::BlockView& view, const consensus::LedgerSchema& schema, bool header_only, pb::Block* out);
void BatchEventToProto(const node::BatchEvent& event, pb::BatchStatus* out);

}  // namespace rowchain::api
