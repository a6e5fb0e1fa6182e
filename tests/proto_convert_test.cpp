#include "api/proto_convert.h"

#include <gtest/gtest.h>

#include "consensus/block_header.h"
#include "util/hex.h"

namespace rowchain::api {
namespace {

using consensus::Value;

TEST(ProtoConvertTest, ValuesRoundTripByKind) {
  for (const Value& v : {Value::Null(), Value::Int(-42), Value::Int(INT64_MAX), Value::Text("ünï"),
                         Value::Bytes(std::string("\0\xff", 2))}) {
    pb::Value proto;
    ValueToProto(v, &proto);
    EXPECT_EQ(ValueFromProto(proto), v);
  }
  EXPECT_EQ(ValueFromProto(pb::Value()), Value::Null());  // no kind set
}

TEST(ProtoConvertTest, RowsTakeTheirOpAndAnUnknownOpIsRefusedWithItsIndex) {
  google::protobuf::RepeatedPtrField<pb::Row> rows;
  pb::Row* insert = rows.Add();
  (*insert->mutable_columns())["id"].set_int_value(1);
  rows.Add()->set_op(pb::OP_DELETE);
  auto converted = InputRowsFromProto(rows);
  ASSERT_TRUE(converted.ok());
  ASSERT_EQ(converted->size(), 2u);
  EXPECT_EQ((*converted)[0].op, consensus::RowOpKind::kInsert);  // unspecified means insert
  ASSERT_EQ((*converted)[0].columns.size(), 1u);
  EXPECT_EQ((*converted)[0].columns[0].second, Value::Int(1));
  EXPECT_EQ((*converted)[1].op, consensus::RowOpKind::kDelete);
  rows.Add()->set_op(static_cast<pb::Op>(99));
  auto refused = InputRowsFromProto(rows);
  EXPECT_EQ(refused.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(refused.status().message().find("row 2"), std::string::npos) << refused.status().message();
}

TEST(ProtoConvertTest, IdsAndHashesMustHaveTheirExactLength) {
  EXPECT_TRUE(ParseBatchId(std::string(32, 'a')).ok());
  EXPECT_EQ(ParseBatchId(std::string(30, 'a')).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(ParseBatchId(std::string(32, 'g')).status().code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(ParseBlockHash(std::string(64, '0')).ok());
  EXPECT_EQ(ParseBlockHash(std::string(63, '0')).status().code(), StatusCode::kInvalidArgument);
}

TEST(ProtoConvertTest, StatusCodesCrossTheEdgeUnchanged) {
  for (StatusCode code : {StatusCode::kInvalidArgument, StatusCode::kNotFound, StatusCode::kResourceExhausted,
                          StatusCode::kUnauthenticated, StatusCode::kPermissionDenied, StatusCode::kUnavailable}) {
    Status status(code, "why");
    grpc::Status edge = ToGrpcStatus(status);
    EXPECT_EQ(static_cast<int>(edge.error_code()), static_cast<int>(code));
    EXPECT_EQ(edge.error_message(), "why");
    EXPECT_EQ(FromGrpcStatus(edge).code(), code);
  }
  EXPECT_TRUE(ToGrpcStatus(OkStatus()).ok());
}

TEST(ProtoConvertTest, AHeaderShowsItsFieldsHashAndRawBytes) {
  consensus::BlockHeader header;
  header.time = 1700000000;
  header.bits = 0x207fffff;
  header.nonce = 7;
  header.prev_hash[0] = 1;
  pb::BlockHeader proto;
  HeaderToProto(header, &proto);
  EXPECT_EQ(proto.time(), 1700000000u);
  EXPECT_EQ(proto.bits(), 0x207fffffu);
  EXPECT_EQ(proto.nonce(), 7u);
  EXPECT_EQ(proto.prev_hash(), consensus::ToDisplayHex(header.prev_hash));
  EXPECT_EQ(proto.hash(), consensus::ToDisplayHex(header.Hash()));
  EXPECT_EQ(proto.raw_hex().size(), 160u);
}

}  // namespace
}  // namespace rowchain::api
