// The node's side of remote mining (docs/farm.md): a JobSearcher that hands each template to
// every connected worker as a job with the worker's own extra-nonce range, re-checks every
// share and solution with the CPU's SHA-256, counts each worker's hash rate from verified
// shares, keeps each worker near one share per interval (vardiff), and disconnects, then bans,
// a worker whose bad shares or messages go past a small allowance.
//
// The transport (service/farm) implements WorkerLink and calls Attach, OnShare, OnJobStarted
// and Detach; none of them blocks on a worker. Thread-safe.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "consensus/block.h"
#include "farm/share_difficulty.h"
#include "farm/share_rate.h"
#include "farm/worker_job.h"
#include "mining/job_searcher.h"
#include "util/ban_list.h"
#include "util/clock.h"

namespace rowchain::farm {

enum class ShareOutcome { kAccepted, kBlock, kStale, kUnknownJob, kOutOfRange, kHighHash, kDuplicate };
// "accepted", "block", "stale", "unknown-job", "out-of-range", "high-hash", "duplicate".
std::string_view ShareOutcomeName(ShareOutcome outcome);

// What the node sends one worker. Implementations only queue (bounded) and never call back
// into the JobServer from these.
class WorkerLink {
 public:
  virtual ~WorkerLink() = default;
  virtual void SendJob(const WorkerJob& job) = 0;
  // Every job held is void; the next one builds on `prev_hash` (zero when not known).
  virtual void SendNewPrevHash(const consensus::Hash256& prev_hash) = 0;
  virtual void SendShareTarget(uint64_t job_id, const consensus::U256& target) = 0;
  virtual void SendShareResult(const ShareSubmission& share, ShareOutcome outcome) = 0;
  // Ends the connection with this status; the transport then calls Detach.
  virtual void Close(const Status& why) = 0;
};

struct WorkerHello {
  std::string name;     // the token's name when tokens are configured
  std::string address;  // gRPC's peer address
  std::vector<std::string> devices;
  double nominal_hash_rate = 0;  // used for the first share target only
};

struct FarmOptions {
  consensus::U256 pow_limit;
  VardiffRules vardiff;
  size_t max_workers = 256;                          // connected at once
  uint32_t bad_share_allowance = 10;                 // past it: disconnected (one forgiven a minute)
  std::chrono::milliseconds stale_grace{3000};       // shares for a job that just ended: stale, not bad
  uint32_t max_messages_per_second = 100;            // sustained, with 4 s of burst
  size_t max_shares_per_job = 1 << 20;               // what the duplicate check remembers per worker
  uint32_t disconnects_before_ban = 3;               // misbehaviour disconnects within 10 min
  std::chrono::seconds ban_duration{600};
  SteadyClock clock = SystemSteadyClock();
};

struct WorkerView {
  std::string name, address;
  std::vector<std::string> devices;
  bool connected = false;
  uint64_t extra_nonce_first = 0, extra_nonce_count = 0;
  double hash_rate_10s = 0, hash_rate_60s = 0, hash_rate_15m = 0;
  uint64_t accepted = 0, rejected = 0, stale = 0, blocks = 0;
  int64_t last_share_unix_ms = 0;  // 0: none yet
  uint64_t hashes_per_share = 0;
  // The extra-nonces of its accepted shares: inside its range (a test hook, and for operators).
  std::optional<uint64_t> lowest_extra_nonce, highest_extra_nonce;
};

class JobServer final : public mining::JobSearcher {
 public:
  explicit JobServer(FarmOptions options);
  ~JobServer() override;

  // A session id. PERMISSION_DENIED while banned, RESOURCE_EXHAUSTED past max_workers. An older
  // connection under the same name is closed (ALREADY_EXISTS): the newer one wins.
  StatusOr<uint64_t> Attach(WorkerHello hello, WorkerLink& link);
  void Detach(uint64_t session);
  // Non-OK: the worker broke the rules (the status says how) and was closed and detached.
  Status OnShare(uint64_t session, const ShareSubmission& share);
  Status OnJobStarted(uint64_t session, uint64_t job_id);
  // Closes every worker (UNAVAILABLE) and refuses new ones.
  void Shutdown();

  std::vector<WorkerView> Workers() const;
  // A tip change to each worker's first hash of the next job, the last 1,024.
  std::vector<std::chrono::microseconds> RecentSwitchLatencies() const;

  // JobSearcher.
  StatusOr<std::optional<consensus::Block>> Search(const mining::BlockSpec& spec, std::stop_token stop) override;
  void NoteTipChanged(const consensus::Hash256& tip) override;

 private:
  struct Worker;
  struct Record;
  struct CurrentJob {
    uint64_t id = 0;
    consensus::BlockTemplate block_template;
    consensus::U256 block_target;
    const mining::BlockSpec* spec = nullptr;  // valid while Search runs
    bool voided = false;                      // the workers were told of a new tip
  };
  using TimePoint = std::chrono::steady_clock::time_point;

  WorkerJob JobFor(const Worker& worker) const;
  void BroadcastNewPrevHashLocked(const consensus::Hash256& prev_hash);
  // Ends the current job (a block found, a stop); its late shares count as stale for a while.
  void EndJobLocked();
  ShareOutcome JudgeLocked(Worker& worker, const ShareSubmission& share, consensus::Hash256* hash);
  void CountLocked(Worker& worker, const ShareSubmission& share, ShareOutcome outcome);
  void TakeSolutionLocked(const ShareSubmission& share, const consensus::Hash256& hash);
  // Non-OK when the worker used up its allowance (or flooded).
  Status PoliceLocked(Worker& worker, ShareOutcome outcome);
  Status RateLimitLocked(Worker& worker);
  Status DropLocked(uint64_t session, const Status& why, std::string_view reason);
  void RetargetLocked(Worker& worker, TimePoint now, bool force);
  uint32_t SlotForLocked(const std::string& name);
  Record& RecordOfLocked(const std::string& name);

  const FarmOptions m_options;
  mutable std::mutex m_mutex;
  std::condition_variable_any m_cv;
  bool m_shut_down = false;
  uint64_t m_next_session = 1;
  uint64_t m_next_job_id = 1;
  std::map<uint64_t, std::unique_ptr<Worker>> m_workers;  // by session
  std::map<std::string, std::unique_ptr<Record>, std::less<>> m_records;  // by name, also after a disconnect
  std::optional<CurrentJob> m_job;
  std::deque<std::pair<uint64_t, TimePoint>> m_ended_jobs;  // recent jobs and when they ended
  std::optional<consensus::Block> m_solution;
  consensus::Hash256 m_tip{};
  consensus::Hash256 m_own_block{};  // the last block a worker found
  // The last tip change that voided a job: the switch latency runs from here.
  uint64_t m_switch_generation = 0;
  TimePoint m_switch_started{};
  consensus::Hash256 m_switch_tip{};
  std::deque<std::chrono::microseconds> m_switch_latencies;
  BanList m_bans;
  std::map<std::string, std::deque<TimePoint>, std::less<>> m_misbehaviour;  // disconnects by name
};

}  // namespace rowchain::farm
