#include "node/mining_loop.h"

#include <algorithm>

#include <spdlog/spdlog.h>

#include "metrics/metrics.h"

namespace rowchain::node {

using consensus::BatchId;
using consensus::Hash256;

namespace {

double Milliseconds(std::chrono::steady_clock::duration d) {
  return std::chrono::duration<double, std::milli>(d).count();
}

}  // namespace

MiningLoop::MiningLoop(MiningHost& host, JobSearcher& searcher, const Hash256& tip)
    : m_host(host), m_searcher(searcher), m_tip_hash(tip) {}

MiningLoop::~MiningLoop() { Stop(); }

void MiningLoop::Start() {
  m_thread = std::jthread([this](std::stop_token stop) { Run(stop); });
}

void MiningLoop::Stop() {
  if (!m_thread.joinable()) return;
  m_thread.request_stop();
  m_thread.join();
}

void MiningLoop::Run(std::stop_token stop) {
  while (!stop.stop_requested()) {
    const uint64_t generation = Generation();
    switch (RunOnce(stop, generation)) {
      case Step::kContinue:
      case Step::kSearched:
        break;
      case Step::kWait:  // something failed: retry soon
        WaitForCommit();
        WaitForWork(stop, generation, std::chrono::seconds(1));
        break;
      case Step::kWaitLong:  // nothing to mine until batches or a tip arrive
        WaitForWork(stop, generation, std::chrono::seconds(60));
        break;
    }
  }
  WaitForCommit();
}

MiningLoop::Step MiningLoop::RunOnce(std::stop_token stop, uint64_t generation) {
  if (m_in_flight && m_in_flight->outcome.wait_for(std::chrono::seconds(0)) == std::future_status::ready) {
    if (!WaitForCommit()) return Step::kContinue;
  }
  if (m_syncing.load() > 0) {  // catching up with a heavier chain: no blocks on a stale tip
    WaitForCommit();
    WaitForWork(stop, generation, std::chrono::milliseconds(100));
    return Step::kContinue;
  }
  const auto build_start = std::chrono::steady_clock::now();
  auto built = m_host.BuildTemplate(BaseForNextTemplate());
  metrics::Get().template_build_seconds.Observe(
      std::chrono::duration<double>(std::chrono::steady_clock::now() - build_start).count());
  if (!built.ok()) {
    spdlog::error("no block template: {}; retrying", built.status().message());
    return Step::kWait;
  }
  if (!built->block) {
    // A block that failed to commit puts its batches back in the pool: a template at once.
    if (!WaitForCommit()) return Step::kContinue;
    std::lock_guard lock(m_mutex);
    m_stale_since.reset();
    return Step::kWaitLong;
  }
  Template& t = *built->block;
  std::stop_source template_stop;
  if (!BeginTemplate(t, template_stop)) return Step::kContinue;  // the tip moved while it was built
  Announce(t);
  std::stop_callback forward_stop(stop, [&] { template_stop.request_stop(); });
  const auto search_start = std::chrono::steady_clock::now();
  auto mined = m_searcher.Search(t.spec, template_stop.get_token());
  EndTemplate(mined);
  if (!mined.ok()) {
    spdlog::error("mining failed: {}", mined.status().message());
    return Step::kWait;
  }
  if (!*mined) return Step::kContinue;
  spdlog::debug("block of {} rows: template {:.1f} ms, search {:.1f} ms", t.spec.rows.size(),
                Milliseconds(search_start - build_start), Milliseconds(std::chrono::steady_clock::now() - search_start));
  // The parent must be committed before this block can be; a failed parent drops it.
  if (!WaitForCommit()) return Step::kContinue;
  CommitInBackground(std::move(**mined), std::move(t));
  return Step::kSearched;
}

const TemplateBase& MiningLoop::BaseForNextTemplate() {
  if (m_in_flight) return m_in_flight->base;  // not copied: its keys are a block's worth
  m_tip_base.next = m_host.NextBlock();
  return m_tip_base;
}

bool MiningLoop::BeginTemplate(const Template& t, std::stop_source stop) {
  std::lock_guard lock(m_mutex);
  // Still on the tip (or on the block being committed, whose commit has not failed)?
  const bool on_tip = t.spec.prev_hash == m_tip_hash;
  const bool on_in_flight = m_in_flight && t.spec.prev_hash == m_in_flight->hash && !m_failed_commit;
  if (!on_tip && !on_in_flight) return false;
  m_template_stop = stop;
  m_template_prev = t.spec.prev_hash;
  m_mining_batches = std::set<BatchId>(t.batches.begin(), t.batches.end());
  ++m_stats.templates;
  if (m_stale_since) {
    auto latency =
        std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - *m_stale_since);
    m_stats.last_restart_latency = latency;
    metrics::Get().job_switch_seconds.Observe(std::chrono::duration<double>(latency).count());
    spdlog::debug("template on the new tip {} us after the tip changed", latency.count());
    m_stats.max_restart_latency = std::max(m_stats.max_restart_latency, latency);
    m_stale_since.reset();
  }
  return true;
}

void MiningLoop::Announce(const Template& t) {
  for (const BatchId& id : t.batches) {
    if (!m_announced.contains(id)) m_host.AnnounceMining(id);
  }
  m_announced = std::set<BatchId>(t.batches.begin(), t.batches.end());
}

void MiningLoop::EndTemplate(const StatusOr<std::optional<consensus::Block>>& mined) {
  std::lock_guard lock(m_mutex);
  m_template_stop.reset();
  if (mined.ok() && !*mined) {
    ++m_stats.templates_cancelled;
    metrics::Get().stale_work.Increment();
  }
  if (mined.ok() && *mined) ++m_stats.blocks_mined;
}

void MiningLoop::CommitInBackground(consensus::Block block, Template t) {
  auto next = m_host.NextBlockAfter(block.header);
  if (!next) return;  // a peer's block came first
  InFlight in_flight;
  in_flight.hash = block.header.Hash();
  in_flight.base.next = *next;
  in_flight.base.batches_in_flight = std::set<BatchId>(t.batches.begin(), t.batches.end());
  in_flight.base.keys_in_flight = std::move(t.keys);
  {
    std::lock_guard lock(m_mutex);
    m_failed_commit = false;
  }
  in_flight.outcome = std::async(std::launch::async, [this, block = std::move(block)]() {
    const bool ok = m_host.CommitOwnBlock(block);
    if (ok) metrics::Get().blocks_mined.Increment();
    if (!ok) {
      std::lock_guard lock(m_mutex);
      ++m_stats.own_blocks_rejected;
      m_failed_commit = true;
      // A template built on this block can never be committed.
      if (m_template_stop && m_template_prev == block.header.Hash()) m_template_stop->request_stop();
    }
    return ok;
  });
  m_in_flight = std::move(in_flight);
}

bool MiningLoop::WaitForCommit() {
  if (!m_in_flight) return true;
  bool committed = m_in_flight->outcome.get();
  m_in_flight.reset();
  return committed;
}

void MiningLoop::WakeUp() {
  std::lock_guard lock(m_work_mutex);
  ++m_work_generation;
  m_work_cv.notify_all();
}

void MiningLoop::NoteTipChanged(const Hash256& tip) {
  m_searcher.NoteTipChanged(tip);  // remote workers drop the old tip's jobs before anything else
  {
    std::lock_guard lock(m_mutex);
    m_tip_hash = tip;
    // A template on the new tip is current (the node's own block, committed while the next
    // one was already being mined on it); anything else is stale.
    if (m_template_stop && m_template_prev != tip) {
      m_template_stop->request_stop();
      m_stale_since = std::chrono::steady_clock::now();
    }
  }
  WakeUp();
}

void MiningLoop::BeginSync() {
  if (m_syncing++ == 0) {
    std::lock_guard lock(m_mutex);
    if (m_template_stop) m_template_stop->request_stop();  // its tip is about to be stale
  }
}

void MiningLoop::EndSync() {
  if (--m_syncing == 0) WakeUp();
}

bool MiningLoop::IsMining(const BatchId& id) const {
  std::lock_guard lock(m_mutex);
  return m_mining_batches.contains(id);
}

MiningStats MiningLoop::stats() const {
  std::lock_guard lock(m_mutex);
  return m_stats;
}

uint64_t MiningLoop::Generation() {
  std::lock_guard lock(m_work_mutex);
  return m_work_generation;
}

void MiningLoop::WaitForWork(std::stop_token stop, uint64_t seen_generation, std::chrono::milliseconds timeout) {
  std::unique_lock lock(m_work_mutex);
  m_work_cv.wait_for(lock, stop, timeout, [&] { return m_work_generation != seen_generation; });
}

}  // namespace rowchain::node
