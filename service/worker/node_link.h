// rowchain-worker's connection to its node (docs/farm.md): opens Work, says hello, follows
// jobs, void-your-jobs messages and share targets, sends shares and job starts, and reconnects
// with backoff (0.5 s doubling to 30 s, with jitter) while the devices keep hashing the job
// they hold. Shares found while disconnected wait (at most 64) and go out if the node still
// has that job. Thread-safe; Run on one thread, Stop from any.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include <grpcpp/grpcpp.h>

#include "rowchain/v1/mining.grpc.pb.h"
#include "util/status.h"
#include "worker/hashers.h"

namespace rowchain::worker {

struct LinkOptions {
  std::string node;   // HOST:PORT of the node's mining listener
  std::string token;  // worker token; empty: none
  std::string tls_ca, tls_cert, tls_key;  // PEM files; ca alone: TLS; with cert/key: mutual TLS
  std::string name;
  double nominal_hash_rate = 0;
};

struct LinkCounters {
  std::atomic<uint64_t> accepted{0}, rejected{0}, stale{0}, blocks{0}, connects{0};
};

class NodeLink {
 public:
  // INVALID_ARGUMENT for unreadable TLS files.
  static StatusOr<std::unique_ptr<NodeLink>> Create(LinkOptions options);
  // Attach before Run: the hashers the node's jobs go to.
  void Attach(Hashers* hashers) { m_hashers = hashers; }
  // Until Stop. Returns the reason it gave up for good: UNAUTHENTICATED (wrong or missing
  // credentials), or OK after Stop.
  Status Run();
  void Stop();
  // From the hashers' threads.
  void OnShare(const farm::FoundShare& share);
  void OnStarted(uint64_t job_id);
  const LinkCounters& counters() const { return m_counters; }

 private:
  explicit NodeLink(LinkOptions options, std::shared_ptr<grpc::ChannelCredentials> credentials)
      : m_options(std::move(options)), m_credentials(std::move(credentials)) {}
  // One connection, until it ends; its final status.
  grpc::Status Session();
  Status Handle(const v1::NodeMessage& message);
  bool Write(const v1::WorkerMessage& message);  // false when not connected
  void SendWaitingShares(uint64_t job_id);
  void WaitBackoff(std::chrono::milliseconds delay);

  const LinkOptions m_options;
  std::shared_ptr<grpc::ChannelCredentials> m_credentials;
  Hashers* m_hashers = nullptr;
  LinkCounters m_counters;
  std::mutex m_write_mutex;  // one Write at a time; taken before m_mutex
  std::mutex m_mutex;  // the stream in use, the waiting shares, the stop flag
  std::condition_variable m_cv;
  bool m_stopping = false;
  grpc::ClientContext* m_context = nullptr;
  grpc::ClientReaderWriter<v1::WorkerMessage, v1::NodeMessage>* m_stream = nullptr;
  std::deque<farm::FoundShare> m_waiting;
};

}  // namespace rowchain::worker
