// The JSON objects the node commands print with --json, one shape per object whichever command
// prints it (docs/api.md, "JSON output"): heights, counts and times are numbers, each time also
// as ISO 8601 UTC beside it (`time_iso`), hashes and batch ids hex strings.
#pragma once

#include <string_view>

#include <nlohmann/json.hpp>

#include "rowchain/v1/ledger.pb.h"

namespace rowchain::cli {

// A block from `block`, `watch` (and the tip's fields in `tip`): header fields, height, rows.
nlohmann::json BlockJson(const v1::Block& block);
// A batch's state from `batch` and `submit --wait`.
nlohmann::json BatchJson(const v1::BatchStatus& status);
// A value as the change feed writes it: integers, text, binary as base64, NULL as null.
nlohmann::json ValueJson(const v1::Value& value);

std::string_view BatchStateName(v1::BatchState state);

}  // namespace rowchain::cli
