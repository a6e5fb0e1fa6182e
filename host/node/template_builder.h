// Block templates from the pending pool, in four steps that can each be run alone:
// GatherCandidates (which batches are pending, decoded), FindExistingKeys (which of their keys
// the ledger already holds), RejectBatches (batches that can never apply leave the pool) and
// AssembleTemplate (the chosen batches' rows under the next block's header fields).
// TemplateBuilder::Build runs them in order. Reads go through the writers' connections, so a
// template is built while the store's own connection commits the previous block. Thread-safe.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <unordered_set>
#include <vector>

#include "consensus/chain_params.h"
#include "mining/block_assembly.h"
#include "node/batch_input.h"
#include "node/events.h"
#include "node/pending_cache.h"
#include "node/template_selection.h"
#include "store/chain_store.h"
#include "store/connection_pool.h"
#include "util/key_filter.h"

namespace rowchain::node {

struct Template {
  mining::BlockSpec spec;
  std::vector<consensus::BatchId> batches;
  std::unordered_set<std::string> keys;  // RowKeys of its rows
};

// What a template is built on: the parent's context and, when the parent is the node's own
// block still being committed, that block's batches and keys, which are left out.
struct TemplateBase {
  store::NextBlockContext next;
  std::set<consensus::BatchId> batches_in_flight;
  std::unordered_set<std::string> keys_in_flight;
};

struct Candidates {
  std::vector<std::shared_ptr<const PreparedBatch>> batches;  // pending, oldest first
  std::vector<const consensus::RowOperation*> rows_to_check;  // rows whose key MySQL is asked about
};

// The pending batches that fit a block, decoded (from the cache, or from MySQL and then held).
// With `filter_trusted`, rows whose key the filter has never seen are not asked about.
StatusOr<Candidates> GatherCandidates(store::ConnectionPool& db, PendingCache& cache,
                                      const consensus::ChainParams& params,
                                      const std::set<consensus::BatchId>& exclude, const KeyFilter* filter);

// consensus::RowKey of every row in `rows` whose key the ledger holds now.
StatusOr<std::unordered_set<std::string>> FindExistingKeys(store::ConnectionPool& db,
                                                           const consensus::ChainParams& params,
                                                           const std::vector<const consensus::RowOperation*>& rows);

// Marks each batch rejected in MySQL with its reason, lets go of it and tells the watchers.
Status RejectBatches(store::ConnectionPool& db, PendingCache& cache, EventHub& events,
                     const Candidates& candidates, const TemplateSelection& selection);

// The chosen batches' rows on `next`, at `now` (or the earliest time `next` allows). Pure.
Template AssembleTemplate(const store::NextBlockContext& next, const Candidates& candidates,
                          TemplateSelection selection, const std::string& miner_id, int64_t now);

class TemplateBuilder {
 public:
  struct Parts {
    const consensus::ChainParams* params;
    store::ConnectionPool* db;
    PendingCache* cache;
    EventHub* events;
    KeyFilter* ledger_keys;  // every key the ledger holds, once MarkKeysComplete was called
    std::string miner_id;
  };
  explicit TemplateBuilder(Parts parts) : m_parts(std::move(parts)) {}

  struct Built {
    std::optional<Template> block;  // nullopt: nothing to mine
    size_t rejected = 0;            // batches that left the pool
  };
  StatusOr<Built> Build(const TemplateBase& base, int64_t now);

  // The filter holds every key the ledger held when it was scanned (and all written since).
  void MarkKeysComplete() { m_keys_complete = true; }
  bool keys_complete() const { return m_keys_complete.load(); }
  // The tables changed behind the node's back (an own block failed): the next template asks
  // MySQL about every key once.
  void CheckEveryKeyOnce() { m_check_every_key = true; }

 private:
  Parts m_parts;
  std::atomic<bool> m_keys_complete{false};
  std::atomic<bool> m_check_every_key{false};
};

}  // namespace rowchain::node
