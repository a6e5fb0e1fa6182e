// The peer links open now, for `rowchain peers` (and, later, the metrics): one entry per
// session, with what passed over it. Thread-safe; an entry leaves when its handle is dropped.
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace rowchain::peer {

struct LinkInfo {
  std::string address;  // as gRPC names the other end, or the address dialled
  std::string node_id;  // empty until the peer's hello
  bool inbound = false;
  int64_t since_unix = 0;
  uint64_t messages_in = 0, messages_out = 0, bytes_in = 0, bytes_out = 0;
};

class LinkRegistry {
  struct Record;

 public:
  // A session's place in the registry: counts what passes, and removes the entry when dropped.
  class Handle {
   public:
    Handle() = default;
    Handle(Handle&&) = default;
    Handle& operator=(Handle&&) = default;
    ~Handle();
    void SetNodeId(const std::string& node_id);
    void Received(size_t bytes);
    void Sent(size_t bytes);

   private:
    friend class LinkRegistry;
    Handle(LinkRegistry* registry, std::shared_ptr<Record> record) : m_registry(registry), m_record(std::move(record)) {}
    LinkRegistry* m_registry = nullptr;
    std::shared_ptr<Record> m_record;
  };

  Handle Open(const std::string& address, bool inbound);
  // Oldest link first.
  std::vector<LinkInfo> Links() const;

 private:
  struct Record {
    uint64_t id = 0;
    LinkInfo fixed;  // address, inbound, since; node_id under the registry's mutex
    std::atomic<uint64_t> messages_in{0}, messages_out{0}, bytes_in{0}, bytes_out{0};
  };
  void Close(uint64_t id);

  mutable std::mutex m_mutex;
  uint64_t m_next_id = 1;
  std::map<uint64_t, std::shared_ptr<Record>> m_records;
};

}  // namespace rowchain::peer
