// Which pending batches go into the next block: oldest first, whole batches, and only rows
// that will apply. A batch touching a key that an earlier batch of the same template touches
// waits for the next block (a key occurs at most once per block); a batch whose rows can never
// apply to the ledger as it stands (INSERT of an existing key, UPDATE or DELETE of a missing
// one) is rejected with a reason. Pure; thread-safe.
#pragma once

#include <cstddef>
#include <span>
#include <string>
#include <unordered_set>
#include <utility>
#include <vector>

#include "consensus/ledger_schema.h"
#include "node/batch_input.h"

namespace rowchain::node {

struct TemplateSelection {
  std::vector<size_t> chosen;                             // indexes into the candidates, in order
  std::vector<std::pair<size_t, std::string>> rejected;   // index and reason
  std::vector<size_t> deferred;                           // left pending for a later block
  std::unordered_set<std::string> chosen_keys;            // RowKeys of the chosen batches' rows
};

// `candidates`: the pending batches, oldest first (their keys already worked out).
// `existing_keys`: consensus::RowKey of every candidate key the ledger holds now.
// `keys_in_flight`: the keys of a block still being committed; batches touching them wait.
TemplateSelection SelectBatches(std::span<const PreparedBatch* const> candidates, const consensus::LedgerSchema& schema,
                                const std::unordered_set<std::string>& existing_keys,
                                const std::unordered_set<std::string>& keys_in_flight = {});

}  // namespace rowchain::node
