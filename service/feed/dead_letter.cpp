#include "feed/dead_letter.h"

#include <nlohmann/json.hpp>

#include "crypto/base64.h"
#include "crypto/sha256.h"
#include "util/hex.h"
#include "util/utf8.h"

namespace rowchain::feed {

bool IsMessageRefused(rd_kafka_resp_err_t err) {
  return err == RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE || err == RD_KAFKA_RESP_ERR_INVALID_MSG_SIZE ||
         err == RD_KAFKA_RESP_ERR_INVALID_MSG || err == RD_KAFKA_RESP_ERR_RECORD_LIST_TOO_LARGE;
}

bool IsTopicRefused(rd_kafka_resp_err_t err) {
  return err == RD_KAFKA_RESP_ERR__UNKNOWN_TOPIC || err == RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART ||
         err == RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED || err == RD_KAFKA_RESP_ERR_CLUSTER_AUTHORIZATION_FAILED ||
         err == RD_KAFKA_RESP_ERR_TOPIC_EXCEPTION;
}

namespace {

// JSON text is UTF-8; a reason may quote the message, so invalid bytes in it are replaced.
std::string Dump(const nlohmann::json& letter) {
  return letter.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::span<const uint8_t> Bytes(const std::string& text) {
  return {reinterpret_cast<const uint8_t*>(text.data()), text.size()};
}

}  // namespace

std::string DeadLetterOf(const std::string& value, const std::string& topic, int32_t partition, int64_t offset,
                         const std::string& reason, size_t max_bytes) {
  nlohmann::json letter = {{"reason", reason}, {"topic", topic}, {"partition", partition}, {"offset", offset}};
  if (IsValidUtf8(value)) {
    letter["message"] = value;
  } else {
    letter["message_base64"] = Base64Encode(value);
  }
  std::string text = Dump(letter);
  if (text.size() <= max_bytes) return text;
  constexpr size_t kPrefixBytes = 256;
  constexpr size_t kReasonBytes = 512;
  letter.erase("message");
  letter.erase("message_base64");
  letter["reason"] = Utf8Prefix(reason, kReasonBytes);
  letter["message_bytes"] = value.size();
  letter["message_sha256"] = HexEncode(crypto::Sha256(Bytes(value)));
  letter["message_prefix_base64"] = Base64Encode(value.substr(0, kPrefixBytes));
  return Dump(letter);
}

}  // namespace rowchain::feed
