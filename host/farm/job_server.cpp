#include "farm/job_server.h"

#include <algorithm>
#include <cmath>
#include <random>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "consensus/compact.h"
#include "consensus/pow.h"
#include "metrics/metrics.h"

namespace rowchain::farm {

using consensus::Hash256;
using consensus::U256;

namespace {

constexpr size_t kMaxSwitchSamples = 1024;
constexpr auto kMisbehaviourWindow = std::chrono::minutes(10);
// Names remembered after their worker left, so `rowchain workers` still shows a dead host.
constexpr size_t kRecordsPerWorker = 4;

int64_t UnixMillisNow() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

bool IsBad(ShareOutcome outcome) {
  return outcome != ShareOutcome::kAccepted && outcome != ShareOutcome::kBlock && outcome != ShareOutcome::kStale;
}

std::string WorkerBanKey(std::string_view name) { return fmt::format("worker:{}", name); }

constexpr ShareOutcome kOutcomes[] = {ShareOutcome::kAccepted,   ShareOutcome::kBlock,      ShareOutcome::kStale,
                                      ShareOutcome::kUnknownJob, ShareOutcome::kOutOfRange, ShareOutcome::kHighHash,
                                      ShareOutcome::kDuplicate};

// A forgotten worker's series go too: worker names (in open mode, chosen by workers) must not
// grow the registry without bound.
void ForgetMetrics(const std::string& name) {
  auto& m = metrics::Get();
  m.worker_hash_rate.Remove(&m.worker_hash_rate.Add({{"worker", name}}));
  m.worker_last_share.Remove(&m.worker_last_share.Add({{"worker", name}}));
  for (ShareOutcome o : kOutcomes) {
    auto& counter = m.worker_shares.Add({{"worker", name}, {"outcome", std::string(ShareOutcomeName(o))}});
    m.worker_shares.Remove(&counter);
  }
}

}  // namespace

std::string_view ShareOutcomeName(ShareOutcome outcome) {
  switch (outcome) {
    case ShareOutcome::kAccepted: return "accepted";
    case ShareOutcome::kBlock: return "block";
    case ShareOutcome::kStale: return "stale";
    case ShareOutcome::kUnknownJob: return "unknown-job";
    case ShareOutcome::kOutOfRange: return "out-of-range";
    case ShareOutcome::kHighHash: return "high-hash";
    case ShareOutcome::kDuplicate: return "duplicate";
  }
  return "unknown";
}

// What is kept of a worker by name, across its connections.
struct JobServer::Record {
  std::string name;
  uint32_t slot = 0;
  std::string address;
  std::vector<std::string> devices;
  bool connected = false;
  uint64_t accepted = 0, rejected = 0, stale = 0, blocks = 0;
  int64_t last_share_unix_ms = 0;
  // The share target last told, and the one before: a worker that reconnects keeps hashing
  // with what it holds, so its next connection starts from there, not from its hello.
  uint64_t hashes_per_share = 0;
  uint64_t previous_hashes_per_share = 0;
  // (extra-nonce, nonce) accepted for seen_job, by name: a share is credited once, also
  // across the worker's connections.
  uint64_t seen_job = 0;
  std::set<std::pair<uint64_t, uint32_t>> seen;
  std::optional<uint64_t> lowest_extra_nonce, highest_extra_nonce;
  ShareRate rate;
  TimePoint last_seen;
  Record(std::string n, uint32_t s, TimePoint now) : name(std::move(n)), slot(s), rate(now), last_seen(now) {}
};

// One connection.
struct JobServer::Worker {
  uint64_t session = 0;
  WorkerLink* link = nullptr;
  Record* record = nullptr;
  uint64_t hashes_per_share = 0;
  uint64_t previous_hashes_per_share = 0;  // still honoured for stale_grace after a change
  TimePoint target_changed_at{};
  TimePoint window_start{};
  uint64_t window_shares = 0;
  double bad_score = 0;
  TimePoint bad_updated{};
  double tokens = 0;
  TimePoint tokens_updated{};
  uint64_t switch_counted = 0;
};

JobServer::JobServer(FarmOptions options)
    : m_options(std::move(options)), m_bans(m_options.ban_duration, m_options.clock) {
  // Job ids start at a random point: a worker that held job N of this node's previous process
  // must not take a new job N for the one it hashed (its shares would all be high-hash).
  std::random_device random;
  m_next_job_id = ((uint64_t{random()} << 32) | random()) >> 2;
}

JobServer::~JobServer() { Shutdown(); }

void JobServer::Shutdown() {
  std::lock_guard lock(m_mutex);
  m_shut_down = true;
  for (auto& [session, worker] : m_workers) {
    worker->link->Close(UnavailableError("the node is stopping"));
    worker->record->connected = false;
  }
  m_workers.clear();
  metrics::Get().workers_connected.Set(0);
  m_cv.notify_all();
}

JobServer::Record& JobServer::RecordOfLocked(const std::string& name) {
  if (auto it = m_records.find(name); it != m_records.end()) return *it->second;
  if (m_records.size() >= kRecordsPerWorker * m_options.max_workers) {
    // Forget the worker gone longest; one is gone, as at most max_workers are connected.
    auto oldest = m_records.end();
    for (auto it = m_records.begin(); it != m_records.end(); ++it) {
      if (!it->second->connected && (oldest == m_records.end() || it->second->last_seen < oldest->second->last_seen)) {
        oldest = it;
      }
    }
    if (oldest != m_records.end()) {
      ForgetMetrics(oldest->first);
      m_records.erase(oldest);
    }
  }
  std::set<uint32_t> used;
  for (const auto& [n, record] : m_records) used.insert(record->slot);
  uint32_t slot = 0;
  while (used.contains(slot)) ++slot;
  auto record = std::make_unique<Record>(name, slot, m_options.clock());
  Record& out = *record;
  m_records.emplace(name, std::move(record));
  return out;
}

StatusOr<uint64_t> JobServer::Attach(WorkerHello hello, WorkerLink& link) {
  std::lock_guard lock(m_mutex);
  if (m_shut_down) return UnavailableError("the node is stopping");
  if (m_bans.IsBanned(WorkerBanKey(hello.name)) || m_bans.IsBanned(BanKeyOfAddress(hello.address))) {
    return PermissionDeniedError(fmt::format("worker '{}' is banned for a while for breaking the rules", hello.name));
  }
  for (auto it = m_workers.begin(); it != m_workers.end(); ++it) {
    if (it->second->record->name != hello.name) continue;
    (void)DropLocked(it->first, AlreadyExistsError("replaced by a newer connection of the same worker"), "replaced");
    break;
  }
  if (m_workers.size() >= m_options.max_workers) {
    return ResourceExhaustedError(fmt::format("the node takes at most {} workers", m_options.max_workers));
  }
  const TimePoint now = m_options.clock();
  auto worker = std::make_unique<Worker>();
  worker->session = m_next_session++;
  worker->link = &link;
  worker->record = &RecordOfLocked(hello.name);
  worker->record->connected = true;
  worker->record->address = hello.address;
  worker->record->devices = hello.devices;
  worker->record->last_seen = now;
  if (worker->record->hashes_per_share == 0) {  // first seen: its claim sets the first target
    worker->record->hashes_per_share = InitialHashesPerShare(hello.nominal_hash_rate, m_options.vardiff);
  }
  worker->hashes_per_share = worker->record->hashes_per_share;
  worker->previous_hashes_per_share = worker->record->previous_hashes_per_share;
  worker->window_start = worker->tokens_updated = worker->bad_updated = worker->target_changed_at = now;
  worker->tokens = 4.0 * m_options.max_messages_per_second;
  const uint64_t first = FirstExtraNonceOfSlot(worker->record->slot);
  spdlog::info("worker '{}' ({}) connected: extra-nonces [{}, {}), devices {}", hello.name, hello.address, first,
               first + kWorkerExtraNonceSpan, fmt::join(hello.devices, ", "));
  if (m_job) link.SendJob(JobFor(*worker));
  const uint64_t session = worker->session;
  m_workers.emplace(session, std::move(worker));
  metrics::Get().workers_connected.Set(static_cast<double>(m_workers.size()));
  return session;
}

void JobServer::Detach(uint64_t session) {
  std::lock_guard lock(m_mutex);
  auto it = m_workers.find(session);
  if (it == m_workers.end()) return;
  spdlog::info("worker '{}' disconnected", it->second->record->name);
  it->second->record->connected = false;
  it->second->record->last_seen = m_options.clock();
  m_workers.erase(it);
  metrics::Get().workers_connected.Set(static_cast<double>(m_workers.size()));
}

Status JobServer::DropLocked(uint64_t session, const Status& why, std::string_view reason) {
  auto it = m_workers.find(session);
  if (it == m_workers.end()) return why;
  Worker& worker = *it->second;
  spdlog::warn("worker '{}' ({}) disconnected: {}", worker.record->name, worker.record->address, why.message());
  metrics::Get().worker_disconnects.Add({{"reason", std::string(reason)}}).Increment();
  worker.link->Close(why);
  if (reason != "replaced") {
    auto& times = m_misbehaviour[worker.record->name];
    const TimePoint now = m_options.clock();
    times.push_back(now);
    while (!times.empty() && now - times.front() > kMisbehaviourWindow) times.pop_front();
    if (times.size() >= m_options.disconnects_before_ban) {
      m_bans.Ban(WorkerBanKey(worker.record->name), BanKeyOfAddress(worker.record->address), std::string(reason));
      spdlog::warn("worker '{}' banned for {} s", worker.record->name, m_options.ban_duration.count());
      times.clear();
    }
  }
  worker.record->connected = false;
  worker.record->last_seen = m_options.clock();
  m_workers.erase(it);
  metrics::Get().workers_connected.Set(static_cast<double>(m_workers.size()));
  return why;
}

WorkerJob JobServer::JobFor(const Worker& worker) const {
  WorkerJob job;
  job.id = m_job->id;
  job.header = m_job->block_template.header();
  job.height = m_job->block_template.info().height;
  job.miner_id = m_job->block_template.info().miner_id;
  job.leaf0_path = m_job->block_template.leaf0_path();
  job.share_target = ShareTargetFor(worker.hashes_per_share, m_job->block_target);
  job.extra_nonce_first = FirstExtraNonceOfSlot(worker.record->slot);
  job.extra_nonce_count = kWorkerExtraNonceSpan;
  return job;
}

Status JobServer::RateLimitLocked(Worker& worker) {
  const TimePoint now = m_options.clock();
  const double rate = m_options.max_messages_per_second;
  const double elapsed = std::chrono::duration<double>(now - worker.tokens_updated).count();
  worker.tokens = std::min(4 * rate, worker.tokens + elapsed * rate);
  worker.tokens_updated = now;
  worker.tokens -= 1;
  if (worker.tokens >= 0) return OkStatus();
  return DropLocked(worker.session,
                    ResourceExhaustedError(fmt::format("flood: more than {} messages a second", m_options.max_messages_per_second)),
                    "flood");
}

ShareOutcome JobServer::JudgeLocked(Worker& worker, const ShareSubmission& share, Hash256* hash) {
  if (!m_job || share.job_id != m_job->id) {
    const TimePoint now = m_options.clock();
    for (const auto& [id, ended] : m_ended_jobs) {
      if (id == share.job_id && now - ended <= m_options.stale_grace) return ShareOutcome::kStale;
    }
    return ShareOutcome::kUnknownJob;
  }
  const uint64_t first = FirstExtraNonceOfSlot(worker.record->slot);
  if (share.extra_nonce < first || share.extra_nonce - first >= kWorkerExtraNonceSpan) return ShareOutcome::kOutOfRange;
  // The CPU's SHA-256 (OpenSSL) decides, whatever the worker hashed with.
  consensus::BlockHeader header = m_job->block_template.HeaderForExtraNonce(share.extra_nonce);
  header.nonce = share.nonce;
  *hash = header.Hash();
  uint64_t credited = worker.hashes_per_share;
  if (!consensus::HashMeetsTarget(*hash, ShareTargetFor(credited, m_job->block_target))) {
    const bool grace = m_options.clock() - worker.target_changed_at <= m_options.stale_grace;
    credited = worker.previous_hashes_per_share;
    if (!grace || credited == 0 || !consensus::HashMeetsTarget(*hash, ShareTargetFor(credited, m_job->block_target))) {
      return ShareOutcome::kHighHash;
    }
  }
  Record& record = *worker.record;
  if (record.seen_job != m_job->id) {
    record.seen.clear();
    record.seen_job = m_job->id;
  }
  if (record.seen.size() >= m_options.max_shares_per_job || !record.seen.emplace(share.extra_nonce, share.nonce).second) {
    return ShareOutcome::kDuplicate;
  }
  worker.record->rate.Add(m_options.clock(), static_cast<double>(credited));
  return consensus::HashMeetsTarget(*hash, m_job->block_target) && !m_solution ? ShareOutcome::kBlock
                                                                               : ShareOutcome::kAccepted;
}

void JobServer::CountLocked(Worker& worker, const ShareSubmission& share, ShareOutcome outcome) {
  Record& record = *worker.record;
  switch (outcome) {
    case ShareOutcome::kBlock: ++record.blocks; [[fallthrough]];
    case ShareOutcome::kAccepted:
      ++record.accepted;
      ++worker.window_shares;
      record.last_share_unix_ms = UnixMillisNow();
      record.lowest_extra_nonce = std::min(record.lowest_extra_nonce.value_or(UINT64_MAX), share.extra_nonce);
      record.highest_extra_nonce = std::max(record.highest_extra_nonce.value_or(0), share.extra_nonce);
      break;
    case ShareOutcome::kStale: ++record.stale; break;
    default: ++record.rejected; break;
  }
  auto& m = metrics::Get();
  m.worker_shares.Add({{"worker", record.name}, {"outcome", std::string(ShareOutcomeName(outcome))}}).Increment();
  const TimePoint now = m_options.clock();
  m.worker_hash_rate.Add({{"worker", record.name}}).Set(record.rate.PerSecond(now, std::chrono::seconds(60)));
  worker.link->SendShareResult(share, outcome);
  if (outcome != ShareOutcome::kAccepted && outcome != ShareOutcome::kBlock) return;
  m.worker_last_share.Add({{"worker", record.name}}).Set(static_cast<double>(record.last_share_unix_ms) / 1000);
  RetargetLocked(worker, now, false);
}

Status JobServer::PoliceLocked(Worker& worker, ShareOutcome outcome) {
  if (!IsBad(outcome)) return OkStatus();
  const TimePoint now = m_options.clock();
  const double minutes = std::chrono::duration<double>(now - worker.bad_updated).count() / 60;
  worker.bad_score = std::max(0.0, worker.bad_score - minutes) + 1;  // one forgiven a minute
  worker.bad_updated = now;
  if (worker.bad_score <= m_options.bad_share_allowance) return OkStatus();
  return DropLocked(worker.session,
                    InvalidArgumentError(fmt::format("more than {} bad shares (the last: {})",
                                                     m_options.bad_share_allowance, ShareOutcomeName(outcome))),
                    "bad-shares");
}

void JobServer::TakeSolutionLocked(const ShareSubmission& share, const Hash256& hash) {
  consensus::BlockHeader header = m_job->block_template.HeaderForExtraNonce(share.extra_nonce);
  header.nonce = share.nonce;
  m_solution = mining::SealedBlock(m_job->block_template, header, share.extra_nonce, m_job->spec->rows);
  spdlog::info("block {} found by a worker (job {})", consensus::ToDisplayHex(hash), m_job->id);
  m_own_block = hash;
  // Everyone stops hashing the solved job now: the next job builds on this block.
  BroadcastNewPrevHashLocked(hash);
  EndJobLocked();
  m_cv.notify_all();
}

Status JobServer::OnShare(uint64_t session, const ShareSubmission& share) {
  std::lock_guard lock(m_mutex);
  auto it = m_workers.find(session);
  if (it == m_workers.end()) return CancelledError("the worker is no longer connected");
  Worker& worker = *it->second;
  ROWCHAIN_RETURN_IF_ERROR(RateLimitLocked(worker));
  Hash256 hash{};
  const ShareOutcome outcome = JudgeLocked(worker, share, &hash);
  CountLocked(worker, share, outcome);
  if (outcome == ShareOutcome::kBlock) TakeSolutionLocked(share, hash);
  return PoliceLocked(worker, outcome);
}

Status JobServer::OnJobStarted(uint64_t session, uint64_t job_id) {
  std::lock_guard lock(m_mutex);
  auto it = m_workers.find(session);
  if (it == m_workers.end()) return CancelledError("the worker is no longer connected");
  Worker& worker = *it->second;
  ROWCHAIN_RETURN_IF_ERROR(RateLimitLocked(worker));
  const bool switched = m_job && m_job->id == job_id && m_switch_generation > worker.switch_counted &&
                        m_job->block_template.header().prev_hash == m_switch_tip;
  if (!switched) return OkStatus();
  worker.switch_counted = m_switch_generation;
  auto latency = std::chrono::duration_cast<std::chrono::microseconds>(m_options.clock() - m_switch_started);
  metrics::Get().worker_job_switch_seconds.Observe(std::chrono::duration<double>(latency).count());
  m_switch_latencies.push_back(latency);
  if (m_switch_latencies.size() > kMaxSwitchSamples) m_switch_latencies.pop_front();
  return OkStatus();
}

void JobServer::RetargetLocked(Worker& worker, TimePoint now, bool force) {
  const VardiffWindow window{.shares = worker.window_shares, .elapsed = now - worker.window_start};
  if (!force && !VardiffDue(window, m_options.vardiff)) return;
  const uint64_t next = NextHashesPerShare(worker.hashes_per_share, window, m_options.vardiff);
  worker.window_start = now;
  worker.window_shares = 0;
  if (next == worker.hashes_per_share) return;
  worker.previous_hashes_per_share = worker.record->previous_hashes_per_share = worker.hashes_per_share;
  worker.hashes_per_share = worker.record->hashes_per_share = next;
  worker.target_changed_at = now;
  if (m_job) worker.link->SendShareTarget(m_job->id, ShareTargetFor(next, m_job->block_target));
}

void JobServer::BroadcastNewPrevHashLocked(const Hash256& prev_hash) {
  for (auto& [session, worker] : m_workers) worker->link->SendNewPrevHash(prev_hash);
}

void JobServer::EndJobLocked() {
  if (!m_job) return;
  m_ended_jobs.emplace_back(m_job->id, m_options.clock());
  while (m_ended_jobs.size() > 16) m_ended_jobs.pop_front();
  m_job.reset();
}

StatusOr<std::optional<consensus::Block>> JobServer::Search(const mining::BlockSpec& spec, std::stop_token stop) {
  U256 block_target;
  if (consensus::Verdict v = consensus::DecodeTarget(spec.bits, m_options.pow_limit, &block_target); !v.ok()) {
    return InvalidArgumentError(v.detail());
  }
  std::unique_lock lock(m_mutex);
  m_solution.reset();
  m_job.emplace(CurrentJob{m_next_job_id++, mining::TemplateOf(spec), block_target, &spec});
  for (auto& [session, worker] : m_workers) worker->link->SendJob(JobFor(*worker));
  // After Shutdown no worker is left: this waits for the node's own stop.
  while (!m_solution && !stop.stop_requested()) {
    m_cv.wait_for(lock, stop, std::chrono::seconds(1), [&] { return m_solution.has_value(); });
    // A worker that finds no shares at all gets an easier target.
    for (auto& [session, worker] : m_workers) RetargetLocked(*worker, m_options.clock(), false);
  }
  std::optional<consensus::Block> found = std::move(m_solution);
  m_solution.reset();
  if (m_job) {  // stopped, not solved: what the workers hold is void
    if (!m_job->voided) BroadcastNewPrevHashLocked(m_tip);
    EndJobLocked();
  }
  return found;
}

void JobServer::NoteTipChanged(const Hash256& tip) {
  std::lock_guard lock(m_mutex);
  m_tip = tip;
  if (tip == m_own_block) return;  // a worker's block: the next job is on it already
  // A tip from elsewhere (a peer, a reorg): every worker's switch to a job on it is timed,
  // also when the search had already stopped (a peer's headers pause mining while its blocks
  // come in: docs/peers.md).
  ++m_switch_generation;
  m_switch_started = m_options.clock();
  m_switch_tip = tip;
  if (!m_job || m_job->voided || m_job->block_template.header().prev_hash == tip) return;
  m_job->voided = true;
  BroadcastNewPrevHashLocked(tip);
}

std::vector<WorkerView> JobServer::Workers() const {
  std::lock_guard lock(m_mutex);
  const TimePoint now = m_options.clock();
  std::vector<WorkerView> out;
  for (const auto& [name, r] : m_records) {
    WorkerView v{.name = r->name, .address = r->address, .devices = r->devices, .connected = r->connected};
    v.extra_nonce_first = FirstExtraNonceOfSlot(r->slot);
    v.extra_nonce_count = kWorkerExtraNonceSpan;
    v.hash_rate_10s = r->rate.PerSecond(now, std::chrono::seconds(10));
    v.hash_rate_60s = r->rate.PerSecond(now, std::chrono::seconds(60));
    v.hash_rate_15m = r->rate.PerSecond(now, std::chrono::seconds(900));
    v.accepted = r->accepted, v.rejected = r->rejected, v.stale = r->stale, v.blocks = r->blocks;
    v.last_share_unix_ms = r->last_share_unix_ms;
    v.hashes_per_share = r->hashes_per_share;
    v.lowest_extra_nonce = r->lowest_extra_nonce;
    v.highest_extra_nonce = r->highest_extra_nonce;
    out.push_back(std::move(v));
  }
  return out;
}

std::vector<std::chrono::microseconds> JobServer::RecentSwitchLatencies() const {
  std::lock_guard lock(m_mutex);
  return {m_switch_latencies.begin(), m_switch_latencies.end()};
}

}  // namespace rowchain::farm
