// The farm's core without a network: share targets and vardiff, hash-rate windows, the job
// server's verdicts on every kind of share, its allowance, bans and floods, new-tip messages,
// the worker's slice search, and the wire conversions' refusals.
#include <gtest/gtest.h>

#include <future>
#include <mutex>
#include <variant>

#include "consensus/merkle.h"
#include "consensus/compact.h"
#include "consensus/pow.h"
#include "eventually.h"
#include "farm/farm_wire.h"
#include "farm/job_server.h"
#include "farm/share_search.h"
#include "metrics/metrics.h"
#include "mining/miner.h"

#include <fmt/format.h>

namespace rowchain::farm {
namespace {

using consensus::Hash256;
using consensus::U256;
using testing::Eventually;

constexpr uint32_t kDevBits = 0x1d400000;      // 2^26 hashes a block: shares are not blocks
constexpr uint32_t kTrivialBits = 0x207fffff;  // every hash is a block

// What the job server sent one worker, in order.
class RecordingLink final : public WorkerLink {
 public:
  void SendJob(const WorkerJob& job) override { Push(job); }
  void SendNewPrevHash(const Hash256& prev) override { Push(prev); }
  void SendShareTarget(uint64_t, const U256& target) override { Push(target); }
  void SendShareResult(const ShareSubmission&, ShareOutcome outcome) override { Push(outcome); }
  void Close(const Status& why) override {
    std::lock_guard lock(m_mutex);
    closed = why;
  }
  std::optional<WorkerJob> LastJob() {
    std::lock_guard lock(m_mutex);
    for (auto it = messages.rbegin(); it != messages.rend(); ++it) {
      if (auto* job = std::get_if<WorkerJob>(&*it)) return *job;
    }
    return std::nullopt;
  }
  std::vector<ShareOutcome> Outcomes() {
    std::lock_guard lock(m_mutex);
    std::vector<ShareOutcome> out;
    for (auto& m : messages) {
      if (auto* o = std::get_if<ShareOutcome>(&m)) out.push_back(*o);
    }
    return out;
  }
  size_t NewPrevHashes() {
    std::lock_guard lock(m_mutex);
    return std::count_if(messages.begin(), messages.end(), [](auto& m) { return std::holds_alternative<Hash256>(m); });
  }
  std::vector<std::variant<WorkerJob, Hash256, U256, ShareOutcome>> messages;
  std::optional<Status> closed;

 private:
  template <class T>
  void Push(T t) {
    std::lock_guard lock(m_mutex);
    messages.emplace_back(std::move(t));
  }
  std::mutex m_mutex;
};

// For a worker attached to a server that outlives a test's own locals: links must outlive the
// server that holds them (it closes every link when it is destroyed).
RecordingLink g_long_lived_link;

FarmOptions SmallShares() {
  FarmOptions options;
  options.pow_limit = consensus::DecodeCompact(kTrivialBits).target;
  options.vardiff.share_interval = std::chrono::milliseconds(1000);
  options.vardiff.min_hashes_per_share = 1;
  return options;
}

mining::BlockSpec Spec(uint32_t bits, uint64_t height = 5) {
  mining::BlockSpec spec;
  spec.prev_hash[0] = 0x42;
  spec.height = height;
  spec.bits = bits;
  spec.time = 1'800'000'000;
  spec.miner_id = "farm-test";
  spec.rows = {{1, 2, 3}, {4, 5, 6}, {7}};
  return spec;
}

Hash256 HashOf(const WorkerJob& job, uint64_t extra_nonce, uint32_t nonce) {
  consensus::BlockHeader h = job.Template().HeaderForExtraNonce(extra_nonce);
  h.nonce = nonce;
  return h.Hash();
}

// The first nonce from `from` whose hash meets (or, with `meets` false, misses) the job's
// share target: the test hashes for itself, as a worker would.
uint32_t FindNonce(const WorkerJob& job, uint64_t extra_nonce, uint32_t from, bool meets) {
  for (uint32_t n = from;; ++n) {
    if (consensus::HashMeetsTarget(HashOf(job, extra_nonce, n), job.share_target) == meets) return n;
  }
}

// A job server searching `spec` on a thread of its own.
struct Searching {
  JobServer& server;
  mining::BlockSpec spec;
  std::stop_source stop;
  std::future<StatusOr<std::optional<consensus::Block>>> result;
  Searching(JobServer& s, mining::BlockSpec sp) : server(s), spec(std::move(sp)) {
    result = std::async(std::launch::async, [this] { return server.Search(spec, stop.get_token()); });
  }
  ~Searching() {
    stop.request_stop();
    if (result.valid()) result.wait();
  }
};

WorkerHello Hello(std::string name, double rate = 256) {
  return {.name = std::move(name), .address = "ipv4:10.0.0.9:4000", .devices = {"cpu"}, .nominal_hash_rate = rate};
}

TEST(ShareDifficultyTest, TargetsFollowHashesPerShareAndNeverPassTheBlockTarget) {
  const U256 easy_block = consensus::DecodeCompact(kTrivialBits).target;
  EXPECT_NEAR(HashesPerShareAt(ShareTargetFor(1 << 20, U256(0))), double(1 << 20), 1.0);
  EXPECT_NEAR(HashesPerShareAt(ShareTargetFor(1000, U256(0))), 1000.0, 1.0);
  // A share target harder than the block's would hide blocks: the block target wins.
  EXPECT_EQ(ShareTargetFor(uint64_t{1} << 40, easy_block), easy_block);
}

TEST(ShareDifficultyTest, VardiffMovesTowardTheIntervalAtMostFourfoldAStep) {
  VardiffRules rules{.share_interval = std::chrono::milliseconds(5000), .min_hashes_per_share = 1};
  EXPECT_FALSE(VardiffDue({.shares = 3, .elapsed = std::chrono::seconds(2)}, rules));
  EXPECT_TRUE(VardiffDue({.shares = 12, .elapsed = std::chrono::seconds(1)}, rules));
  EXPECT_TRUE(VardiffDue({.shares = 0, .elapsed = std::chrono::seconds(15)}, rules));
  // 12 shares of 1,000 hashes in 24 s: 500 H/s, so 2,500 hashes a share.
  EXPECT_EQ(NextHashesPerShare(1000, {.shares = 12, .elapsed = std::chrono::seconds(24)}, rules), 2500u);
  // 100x too easy: only 4x a step.
  EXPECT_EQ(NextHashesPerShare(1000, {.shares = 12, .elapsed = std::chrono::milliseconds(120)}, rules), 4000u);
  // Nothing in 15 s: 4x easier.
  EXPECT_EQ(NextHashesPerShare(1 << 20, {.shares = 0, .elapsed = std::chrono::seconds(15)}, rules), uint64_t{1} << 18);
  EXPECT_EQ(InitialHashesPerShare(1e6, rules), 5'000'000u);
  EXPECT_EQ(InitialHashesPerShare(0, rules), uint64_t{1} << 24);
  EXPECT_EQ(InitialHashesPerShare(std::numeric_limits<double>::quiet_NaN(), rules), uint64_t{1} << 24);
}

TEST(ShareRateTest, WindowsSumTheWorkOfTheirSeconds) {
  const auto t0 = std::chrono::steady_clock::time_point{} + std::chrono::hours(1);
  ShareRate rate(t0);
  for (int s = 0; s < 100; ++s) rate.Add(t0 + std::chrono::seconds(s), 1000);
  const auto now = t0 + std::chrono::seconds(99) + std::chrono::milliseconds(999);
  EXPECT_NEAR(rate.PerSecond(now, std::chrono::seconds(10)), 1000, 1);
  EXPECT_NEAR(rate.PerSecond(now, std::chrono::seconds(60)), 1000, 1);
  // Up for 100 s of the 900: the rate is over those 100 s, not diluted by 800 empty ones.
  EXPECT_NEAR(rate.PerSecond(now, std::chrono::seconds(900)), 1000, 11);
  // Silent for 20 s: the 10 s window is empty, the 60 s one holds 40 s of work.
  const auto later = now + std::chrono::seconds(20);
  EXPECT_EQ(rate.PerSecond(later, std::chrono::seconds(10)), 0);
  EXPECT_NEAR(rate.PerSecond(later, std::chrono::seconds(60)), 40'000.0 / 60, 20);
  // A full lap later nothing old is counted twice.
  EXPECT_EQ(rate.PerSecond(later + std::chrono::seconds(2000), std::chrono::seconds(900)), 0);
}

TEST(JobServerTest, EveryWorkerGetsTheJobWithARangeOfItsOwn) {
  RecordingLink a, b;
  JobServer server(SmallShares());
  auto sa = server.Attach(Hello("a"), a);
  auto sb = server.Attach(Hello("b"), b);
  ASSERT_TRUE(sa.ok() && sb.ok());
  Searching search(server, Spec(kDevBits));
  ASSERT_TRUE(Eventually([&] { return a.LastJob() && b.LastJob(); }));
  WorkerJob ja = *a.LastJob(), jb = *b.LastJob();
  EXPECT_EQ(ja.id, jb.id);
  EXPECT_TRUE(ja.extra_nonce_first + ja.extra_nonce_count <= jb.extra_nonce_first ||
              jb.extra_nonce_first + jb.extra_nonce_count <= ja.extra_nonce_first);
  EXPECT_GE(ja.extra_nonce_first, kWorkerExtraNonceBase);  // the node's own miner counts up from 0
  // The worker's header for an extra-nonce is the node's: the path is right.
  consensus::BlockTemplate node_side = mining::TemplateOf(search.spec);
  EXPECT_EQ(ja.Template().HeaderForExtraNonce(ja.extra_nonce_first).merkle_root,
            node_side.HeaderForExtraNonce(ja.extra_nonce_first).merkle_root);
}

TEST(JobServerTest, EachKindOfBadShareIsRefusedAndCounted) {
  RecordingLink link;
  JobServer server(SmallShares());
  auto session = server.Attach(Hello("w"), link);
  ASSERT_TRUE(session.ok());
  Searching search(server, Spec(kDevBits));
  ASSERT_TRUE(Eventually([&] { return link.LastJob().has_value(); }));
  const WorkerJob job = *link.LastJob();
  const uint64_t e = job.extra_nonce_first;
  const uint32_t good = FindNonce(job, e, 0, true);
  EXPECT_TRUE(server.OnShare(*session, {job.id, e, good}).ok());
  EXPECT_TRUE(server.OnShare(*session, {job.id, e, good}).ok());                       // duplicate
  EXPECT_TRUE(server.OnShare(*session, {job.id + 7, e, good}).ok());                   // unknown job
  EXPECT_TRUE(server.OnShare(*session, {job.id, e, FindNonce(job, e, 0, false)}).ok());  // high hash
  const uint64_t foreign = job.extra_nonce_first + job.extra_nonce_count;  // the next worker's
  EXPECT_TRUE(server.OnShare(*session, {job.id, foreign, 0}).ok());
  EXPECT_EQ(link.Outcomes(), (std::vector<ShareOutcome>{ShareOutcome::kAccepted, ShareOutcome::kDuplicate,
                                                        ShareOutcome::kUnknownJob, ShareOutcome::kHighHash,
                                                        ShareOutcome::kOutOfRange}));
  auto views = server.Workers();
  ASSERT_EQ(views.size(), 1u);
  EXPECT_EQ(views[0].accepted, 1u);
  EXPECT_EQ(views[0].rejected, 4u);
  EXPECT_EQ(views[0].lowest_extra_nonce, e);
  EXPECT_GT(views[0].hash_rate_10s, 0);
}

TEST(JobServerTest, PastTheAllowanceTheWorkerIsDisconnectedAndAfterThreeTimesBanned) {
  FarmOptions options = SmallShares();
  options.bad_share_allowance = 3;
  JobServer server(options);
  Searching search(server, Spec(kDevBits));
  for (int round = 0; round < 3; ++round) {
    RecordingLink link;
    auto session = server.Attach(Hello("cheat"), link);
    ASSERT_TRUE(session.ok()) << round;
    ASSERT_TRUE(Eventually([&] { return link.LastJob().has_value(); }));
    const WorkerJob job = *link.LastJob();
    Status last = OkStatus();
    for (int i = 0; i < 4 && last.ok(); ++i) last = server.OnShare(*session, {job.id + 100, job.extra_nonce_first, 0});
    EXPECT_EQ(last.code(), StatusCode::kInvalidArgument) << last.message();
    EXPECT_NE(last.message().find("unknown-job"), std::string::npos) << last.message();
    ASSERT_TRUE(link.closed.has_value());
    EXPECT_EQ(server.OnShare(*session, {job.id, job.extra_nonce_first, 0}).code(), StatusCode::kCancelled);
  }
  RecordingLink& again = g_long_lived_link;  // outlives the server, which closes it at the end
  auto banned = server.Attach(Hello("cheat"), again);
  EXPECT_EQ(banned.status().code(), StatusCode::kPermissionDenied);
  // The ban covers the address too, not only the name.
  EXPECT_EQ(server.Attach(Hello("new-name"), again).status().code(), StatusCode::kPermissionDenied);
  WorkerHello elsewhere = Hello("honest");
  elsewhere.address = "ipv4:10.0.0.10:4000";
  EXPECT_TRUE(server.Attach(elsewhere, again).ok());
}

TEST(JobServerTest, AFloodIsCutOffWithResourceExhausted) {
  FarmOptions options = SmallShares();
  options.max_messages_per_second = 10;
  RecordingLink link;
  JobServer server(options);
  auto session = server.Attach(Hello("flood"), link);
  ASSERT_TRUE(session.ok());
  Status last = OkStatus();
  int sent = 0;
  while (last.ok() && sent < 1000) last = server.OnJobStarted(*session, ++sent);
  EXPECT_EQ(last.code(), StatusCode::kResourceExhausted);
  EXPECT_LE(sent, 41 + 5);  // a 4 s burst of 10 a second, and what came meanwhile
  EXPECT_TRUE(link.closed.has_value());
}

TEST(JobServerTest, ASolutionIsCheckedAndSealsTheBlockAndWorkersHearTheNewPrevHash) {
  RecordingLink finder, other;
  JobServer server(SmallShares());
  auto session = server.Attach(Hello("finder"), finder);
  ASSERT_TRUE(server.Attach(Hello("other"), other).ok());
  mining::BlockSpec spec = Spec(kTrivialBits);
  Searching search(server, spec);
  ASSERT_TRUE(Eventually([&] { return finder.LastJob().has_value(); }));
  const WorkerJob job = *finder.LastJob();
  const uint32_t nonce = FindNonce(job, job.extra_nonce_first + 3, 0, true);  // half of all hashes
  ASSERT_TRUE(server.OnShare(*session, {job.id, job.extra_nonce_first + 3, nonce}).ok());
  auto found = search.result.get();
  ASSERT_TRUE(found.ok() && found->has_value());
  const consensus::Block& block = **found;
  EXPECT_EQ(block.header.nonce, nonce);
  EXPECT_TRUE(consensus::HashMeetsTarget(block.header.Hash(), consensus::DecodeCompact(kTrivialBits).target));
  EXPECT_EQ(block.leaves.size(), spec.rows.size() + 1);
  EXPECT_EQ(consensus::MerkleRoot(consensus::LeafHashes(block.leaves)), block.header.merkle_root);
  EXPECT_EQ(finder.Outcomes().back(), ShareOutcome::kBlock);
  EXPECT_EQ(other.NewPrevHashes(), 1u);
  // A share for the solved job a moment later is stale, not an offence.
  ASSERT_TRUE(server.OnShare(*session, {job.id, job.extra_nonce_first, nonce + 1}).ok());
  EXPECT_EQ(finder.Outcomes().back(), ShareOutcome::kStale);
  EXPECT_EQ(server.Workers()[0].blocks + server.Workers()[1].blocks, 1u);
}

TEST(JobServerTest, ANewTipVoidsTheJobAtOnceAndTheSwitchIsTimed) {
  RecordingLink link;
  JobServer server(SmallShares());
  auto session = server.Attach(Hello("w"), link);
  mining::BlockSpec first = Spec(kDevBits);
  auto searching = std::make_unique<Searching>(server, first);
  ASSERT_TRUE(Eventually([&] { return link.LastJob().has_value(); }));
  Hash256 new_tip{};
  new_tip[0] = 0x77;
  server.NoteTipChanged(new_tip);
  EXPECT_EQ(link.NewPrevHashes(), 1u);  // before the search is even stopped
  searching.reset();
  EXPECT_EQ(link.NewPrevHashes(), 1u);  // stopping does not say it twice
  mining::BlockSpec next = Spec(kDevBits, 6);
  next.prev_hash = new_tip;
  Searching second(server, next);
  ASSERT_TRUE(Eventually([&] { return link.LastJob()->header.prev_hash == new_tip; }));
  ASSERT_TRUE(server.OnJobStarted(*session, link.LastJob()->id).ok());
  ASSERT_EQ(server.RecentSwitchLatencies().size(), 1u);
  ASSERT_TRUE(server.OnJobStarted(*session, link.LastJob()->id).ok());
  EXPECT_EQ(server.RecentSwitchLatencies().size(), 1u);  // once per worker and tip
}

TEST(JobServerTest, ANewerConnectionUnderTheSameNameReplacesTheOlder) {
  RecordingLink old_link, new_link;
  JobServer server(SmallShares());
  auto old_session = server.Attach(Hello("same"), old_link);
  auto new_session = server.Attach(Hello("same"), new_link);
  ASSERT_TRUE(old_session.ok() && new_session.ok());
  ASSERT_TRUE(old_link.closed.has_value());
  EXPECT_EQ(old_link.closed->code(), StatusCode::kAlreadyExists);
  EXPECT_EQ(server.Workers().size(), 1u);
  // Its range is the name's: a reconnecting worker keeps hashing its job.
  Searching search(server, Spec(kDevBits));
  ASSERT_TRUE(Eventually([&] { return new_link.LastJob().has_value(); }));
  EXPECT_EQ(new_link.LastJob()->extra_nonce_first, FirstExtraNonceOfSlot(0));
}

TEST(JobServerTest, AReconnectingWorkerKeepsItsTargetAndCannotBeCreditedTwiceForAShare) {
  RecordingLink first, second;
  JobServer server(SmallShares());
  auto s1 = server.Attach(Hello("w", 256), first);
  Searching search(server, Spec(kDevBits));
  ASSERT_TRUE(Eventually([&] { return first.LastJob().has_value(); }));
  const WorkerJob job = *first.LastJob();
  const uint32_t good = FindNonce(job, job.extra_nonce_first, 0, true);
  ASSERT_TRUE(server.OnShare(*s1, {job.id, job.extra_nonce_first, good}).ok());
  server.Detach(*s1);
  // Back with another claim: the target it holds stays, and the same share is a duplicate.
  auto s2 = server.Attach(Hello("w", 1e9), second);
  ASSERT_TRUE(Eventually([&] { return second.LastJob().has_value(); }));
  EXPECT_EQ(second.LastJob()->share_target, job.share_target);
  ASSERT_TRUE(server.OnShare(*s2, {job.id, job.extra_nonce_first, good}).ok());
  EXPECT_EQ(second.Outcomes().back(), ShareOutcome::kDuplicate);
  EXPECT_EQ(server.Workers()[0].accepted, 1u);
}

TEST(JobServerTest, MaxWorkersIsABound) {
  FarmOptions options = SmallShares();
  options.max_workers = 2;
  RecordingLink a, b, c;
  JobServer server(options);
  ASSERT_TRUE(server.Attach(Hello("a"), a).ok());
  ASSERT_TRUE(server.Attach(Hello("b"), b).ok());
  EXPECT_EQ(server.Attach(Hello("c"), c).status().code(), StatusCode::kResourceExhausted);
}

TEST(JobServerTest, NamesOfWorkersGoneLongestAreForgottenPastABound) {
  FarmOptions options = SmallShares();
  options.max_workers = 2;
  JobServer server(options);
  for (int i = 0; i < 20; ++i) {
    RecordingLink link;
    auto session = server.Attach(Hello(fmt::format("name-{}", i)), link);
    ASSERT_TRUE(session.ok());
    ASSERT_TRUE(server.OnShare(*session, {999, 0, 0}).ok());  // its series now exist
    server.Detach(*session);
  }
  EXPECT_NE(metrics::Exposition().find("name-19\""), std::string::npos);
  auto views = server.Workers();
  EXPECT_EQ(views.size(), 8u);  // 4 x max_workers
  EXPECT_TRUE(std::any_of(views.begin(), views.end(), [](auto& v) { return v.name == "name-19"; }));
  EXPECT_FALSE(std::any_of(views.begin(), views.end(), [](auto& v) { return v.name == "name-0"; }));
  EXPECT_EQ(metrics::Exposition().find("name-0\""), std::string::npos);
}

TEST(ShareSearchTest, TheWorkersSearchFindsSharesTheNodeAccepts) {
  RecordingLink link;
  JobServer server(SmallShares());
  auto session = server.Attach(Hello("cpu", 4096), link);
  Searching search(server, Spec(kDevBits));
  ASSERT_TRUE(Eventually([&] { return link.LastJob().has_value(); }));
  const WorkerJob job = *link.LastJob();
  auto miner = mining::CreateMiner({.backend = "cpu", .threads = 1});
  ASSERT_TRUE(miner.ok());
  ShareTargetCell target;
  target.Set(job.share_target);
  std::atomic<uint64_t> hashes{0};
  std::vector<FoundShare> found;
  std::stop_source stop;
  SliceSearch slice{.job = &job, .first_extra_nonce = job.extra_nonce_first, .extra_nonce_count = 1,
                    .share_target = &target, .on_share = [&](const FoundShare& s) {
                      found.push_back(s);
                      if (found.size() == 5) stop.request_stop();
                    },
                    .hashes = &hashes};
  ASSERT_TRUE(SearchSlice(*miner->miner, slice, stop.get_token()).ok());
  ASSERT_EQ(found.size(), 5u);
  for (const FoundShare& s : found) ASSERT_TRUE(server.OnShare(*session, {s.job_id, s.extra_nonce, s.nonce}).ok());
  for (ShareOutcome o : link.Outcomes()) EXPECT_EQ(o, ShareOutcome::kAccepted);
  EXPECT_EQ(server.Workers()[0].accepted, 5u);
  const std::string exposition = metrics::Exposition();
  EXPECT_NE(exposition.find("rowchain_worker_last_share_timestamp_seconds{worker=\"cpu\"}"), std::string::npos);
  EXPECT_NE(exposition.find("rowchain_worker_shares_total{outcome=\"accepted\",worker=\"cpu\"} 5"), std::string::npos)
      << exposition;
  EXPECT_GT(hashes.load(), 0u);
  EXPECT_EQ(SliceOfRange(job, 1, 3).first, job.extra_nonce_first + job.extra_nonce_count / 3);
  EXPECT_EQ(SliceOfRange(job, 2, 3).first + SliceOfRange(job, 2, 3).second, job.extra_nonce_first + job.extra_nonce_count);
}

TEST(FarmWireTest, AJobRoundTripsAndMalformedOnesAreRefusedByField) {
  WorkerJob job;
  job.id = 9;
  job.header.bits = kDevBits;
  job.header.time = 123;
  job.height = 4;
  job.miner_id = "m";
  job.leaf0_path = {Hash256{1}, Hash256{2}};
  job.share_target = U256(12345);
  job.extra_nonce_first = kWorkerExtraNonceBase;
  job.extra_nonce_count = kWorkerExtraNonceSpan;
  auto back = JobFromProto(JobToProto(job));
  ASSERT_TRUE(back.ok()) << back.status().message();
  EXPECT_EQ(back->Template().HeaderForExtraNonce(5).merkle_root, job.Template().HeaderForExtraNonce(5).merkle_root);
  EXPECT_EQ(back->share_target, job.share_target);

  auto refused = [&](auto mutate, const char* field) {
    v1::Job proto = JobToProto(job);
    mutate(proto);
    auto r = JobFromProto(proto);
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument) << field;
    EXPECT_NE(r.status().message().find(field), std::string::npos) << r.status().message();
  };
  refused([](v1::Job& p) { p.set_header("short"); }, "header");
  refused([](v1::Job& p) { p.add_leaf0_path("x"); }, "leaf0_path");
  refused([](v1::Job& p) { p.set_share_target(std::string(31, '\1')); }, "share_target");
  refused([](v1::Job& p) { p.set_share_target(std::string(32, '\0')); }, "share target is zero");
  refused([](v1::Job& p) { p.set_miner_id(std::string(65, 'm')); }, "miner id");
  refused([](v1::Job& p) { p.set_extra_nonce_count(0); }, "extra-nonce range");
  refused([](v1::Job& p) { p.set_extra_nonce_first(UINT64_MAX); }, "extra-nonce range");
  refused([](v1::Job& p) {
    for (int i = 0; i < 65; ++i) p.add_leaf0_path(std::string(32, 'a'));
  }, "leaf0_path");
}

}  // namespace
}  // namespace rowchain::farm
