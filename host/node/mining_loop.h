// The mining loop: one thread that builds a template on the tip, hands it to a job searcher,
// and commits what the searcher finds, pipelined (the next template is built and searched on
// the block found last while that block commits). It owns the template being searched, the
// block in flight and the statistics; it reaches the node only through MiningHost.
//
// A new tip abandons the template being searched at once (NoteTipChanged); while a peer link
// syncs a heavier chain nothing is mined (BeginSync/EndSync). Thread-safe.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <future>
#include <mutex>
#include <optional>
#include <set>
#include <stop_token>
#include <thread>

#include "consensus/block.h"
#include "mining/block_assembly.h"
#include "mining/job_searcher.h"
#include "node/template_builder.h"
#include "store/chain_store.h"

namespace rowchain::node {

// What the loop needs from its node. Called from the loop's thread (CommitOwnBlock from the
// thread that commits the block in flight).
class MiningHost {
 public:
  virtual ~MiningHost() = default;
  // The context of a block on the main chain's tip.
  virtual store::NextBlockContext NextBlock() = 0;
  // The context of a block on `child_of_tip`; nullopt when it no longer extends the tip.
  virtual std::optional<store::NextBlockContext> NextBlockAfter(const consensus::BlockHeader& child_of_tip) = 0;
  virtual StatusOr<TemplateBuilder::Built> BuildTemplate(const TemplateBase& base) = 0;
  // Watchers hear that the batch is being mined.
  virtual void AnnounceMining(const consensus::BatchId& id) = 0;
  // Validates and commits a sealed block; true when it is on the main chain.
  virtual bool CommitOwnBlock(const consensus::Block& block) = 0;
};

using mining::JobSearcher;
using mining::LocalSearcher;

struct MiningStats {
  uint64_t templates = 0;
  uint64_t templates_cancelled = 0;  // abandoned because the tip moved or the node stopped
  uint64_t blocks_mined = 0;
  uint64_t own_blocks_rejected = 0;
  // From a tip change that made the current template stale to the next template's start.
  std::chrono::microseconds last_restart_latency{0};
  std::chrono::microseconds max_restart_latency{0};
};

class MiningLoop {
 public:
  MiningLoop(MiningHost& host, JobSearcher& searcher, const consensus::Hash256& tip);
  ~MiningLoop();
  MiningLoop(const MiningLoop&) = delete;
  MiningLoop& operator=(const MiningLoop&) = delete;

  void Start();
  // Drops the template being searched, waits for a block being committed, joins. Idempotent.
  void Stop();

  // New batches wait in the pool.
  void WakeUp();
  // The main chain's tip is now `tip`: a template on anything else is abandoned.
  void NoteTipChanged(const consensus::Hash256& tip);
  void BeginSync();
  void EndSync();

  bool IsMining(const consensus::BatchId& id) const;
  MiningStats stats() const;

 private:
  // The node's last block while it commits (on another thread), and what a template on it needs.
  struct InFlight {
    consensus::Hash256 hash{};
    TemplateBase base;           // for a block on top of it
    std::future<bool> outcome;   // committed on the main chain?
  };
  enum class Step { kContinue, kWait, kWaitLong, kSearched };


  void Run(std::stop_token stop);
  // One template built, searched and handed to commit.
  Step RunOnce(std::stop_token stop, uint64_t generation);
  const TemplateBase& BaseForNextTemplate();
  // Registers the template as the one being searched; false when the tip moved meanwhile.
  bool BeginTemplate(const Template& t, std::stop_source stop);
  // Watchers hear of the template's batches not in the previous one (outside m_mutex: a
  // watcher may ask IsMining).
  void Announce(const Template& t);
  void EndTemplate(const StatusOr<std::optional<consensus::Block>>& mined);
  void CommitInBackground(consensus::Block block, Template t);
  // Waits for the in-flight commit, if any; false when it failed.
  bool WaitForCommit();
  void WaitForWork(std::stop_token stop, uint64_t seen_generation, std::chrono::milliseconds timeout);
  uint64_t Generation();

  MiningHost& m_host;
  JobSearcher& m_searcher;

  std::mutex m_work_mutex;
  std::condition_variable_any m_work_cv;
  uint64_t m_work_generation = 0;
  std::atomic<int> m_syncing{0};

  // The template being searched and how to abandon it.
  mutable std::mutex m_mutex;
  std::optional<std::stop_source> m_template_stop;
  std::set<consensus::BatchId> m_mining_batches;
  std::optional<std::chrono::steady_clock::time_point> m_stale_since;
  consensus::Hash256 m_tip_hash{};       // the main chain's tip, as last published
  consensus::Hash256 m_template_prev{};  // the parent of the template being searched
  bool m_failed_commit = false;          // the in-flight block did not make it
  MiningStats m_stats;

  // Used by the loop's thread only.
  std::optional<InFlight> m_in_flight;
  TemplateBase m_tip_base;  // a template on the tip itself: nothing left out
  std::set<consensus::BatchId> m_announced;  // batches told "mining" for the previous template

  std::jthread m_thread;
};

}  // namespace rowchain::node
