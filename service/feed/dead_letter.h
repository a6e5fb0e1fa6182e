// What a Kafka client error means for the message it was about, and the dead letter written
// for an ingest message the node cannot take. Pure.
#pragma once

#include <librdkafka/rdkafka.h>

#include <cstddef>
#include <cstdint>
#include <string>

namespace rowchain::feed {

// The broker refuses this message, and would refuse it every time (too large, malformed).
bool IsMessageRefused(rd_kafka_resp_err_t err);
// The broker refuses the topic (unknown, not authorized): no retry helps until an operator acts.
bool IsTopicRefused(rd_kafka_resp_err_t err);

// The letter for `value` (offset `offset` of `partition` of `topic`), refused for `reason`:
// JSON {"reason", "topic", "partition", "offset", "message"} ("message_base64" when the message
// is not UTF-8). When that would be longer than `max_bytes`, the message is left out and
// described instead ("message_bytes", "message_sha256", "message_prefix_base64": its first
// bytes), and the reason cut to fit: the message itself stays in its topic at that offset.
std::string DeadLetterOf(const std::string& value, const std::string& topic, int32_t partition, int64_t offset,
                         const std::string& reason, size_t max_bytes);

}  // namespace rowchain::feed
