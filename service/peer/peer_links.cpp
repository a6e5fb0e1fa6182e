#include "peer/peer_links.h"

#include <algorithm>
#include <chrono>

#include <spdlog/spdlog.h>

#include "util/file_io.h"

namespace rowchain::peer {

namespace pb = ::rowchain::v1;

namespace {

// Either end of the Link stream: the server's or the client's context and reader-writer.
template <class Context, class Stream>
class StreamTransport final : public PeerTransport {
 public:
  StreamTransport(Context* context, Stream* stream) : m_context(context), m_stream(stream) {}
  bool Read(pb::PeerMessage* message) override { return m_stream->Read(message); }
  bool Write(const pb::PeerMessage& message) override { return m_stream->Write(message); }
  void Cancel() override { m_context->TryCancel(); }

 private:
  Context* m_context;
  Stream* m_stream;
};
using ServerTransport = StreamTransport<grpc::ServerContext, grpc::ServerReaderWriter<pb::PeerMessage, pb::PeerMessage>>;
using ClientTransport = StreamTransport<grpc::ClientContext, grpc::ClientReaderWriter<pb::PeerMessage, pb::PeerMessage>>;

// An unreadable TLS file makes the handshake fail, which the link's log line reports.
std::string FileOrEmpty(const std::string& path) {
  auto text = ReadFileToString(path);
  return text.ok() ? *text : std::string();
}

}  // namespace

grpc::Status PeerService::Link(grpc::ServerContext* context,
                               grpc::ServerReaderWriter<pb::PeerMessage, pb::PeerMessage>* stream) {
  const std::string address = context->peer();
  if (m_network.node.stopping()) return grpc::Status(grpc::StatusCode::UNAVAILABLE, "the node is stopping");
  // A peer cannot come back under a new node id: its address (without the port) is banned too.
  if (const std::string host = BanKeyOfAddress(address); !host.empty() && m_network.bans.IsBanned(host)) {
    return grpc::Status(grpc::StatusCode::PERMISSION_DENIED, "banned");
  }
  // With tokens or off loopback, links must authenticate; with neither a secret nor mutual TLS
  // configured, they cannot.
  const PeerConfig& config = m_network.config;
  if (config.require_authentication && !config.mutual_tls && config.network_secret.empty()) {
    return grpc::Status(grpc::StatusCode::UNAUTHENTICATED,
                        "this node takes peer links only with --peer-secret or mutual TLS (--tls-ca)");
  }
  ServerTransport transport(context, stream);
  Status ended;
  {
    PeerSession session(m_network, transport, address, /*inbound=*/true);
    ended = session.Run();
  }
  spdlog::info("peer link from {} ended: {}", address, ended.message());
  return grpc::Status::OK;
}

PeerDialer::PeerDialer(const PeerNetwork& network, std::vector<std::string> addresses, std::optional<TlsFiles> tls)
    : m_network(network), m_tls(std::move(tls)) {
  for (const std::string& address : addresses) m_threads.emplace_back([this, address] { Keep(address); });
}

PeerDialer::~PeerDialer() { Stop(); }

void PeerDialer::Stop() {
  if (m_stopping.exchange(true)) return;
  {
    std::lock_guard lock(m_mutex);
    for (auto& context : m_open) context->TryCancel();
  }
  m_wake.notify_all();
  for (std::thread& t : m_threads) t.join();
}

void PeerDialer::Keep(const std::string& address) {
  std::shared_ptr<grpc::ChannelCredentials> credentials = grpc::InsecureChannelCredentials();
  if (m_tls) {
    grpc::SslCredentialsOptions ssl;
    ssl.pem_root_certs = FileOrEmpty(m_tls->ca);
    ssl.pem_cert_chain = FileOrEmpty(m_tls->cert);
    ssl.pem_private_key = FileOrEmpty(m_tls->key);
    credentials = grpc::SslCredentials(ssl);
  }
  grpc::ChannelArguments args;
  args.SetMaxReceiveMessageSize(128 << 20);
  auto channel = grpc::CreateCustomChannel(address, credentials, args);
  auto stub = pb::Peer::NewStub(channel);
  std::chrono::milliseconds backoff(250);
  while (!m_stopping) {
    if (m_network.bans.IsBanned(address)) {
      backoff = std::chrono::seconds(30);
    } else {
      auto context = std::make_shared<grpc::ClientContext>();
      {
        std::lock_guard lock(m_mutex);
        if (m_stopping) return;
        m_open.push_back(context);
      }
      auto stream = stub->Link(context.get());
      ClientTransport transport(context.get(), stream.get());
      const auto started = std::chrono::steady_clock::now();
      Status ended;
      {
        PeerSession session(m_network, transport, address, /*inbound=*/false);
        ended = session.Run();
      }
      context->TryCancel();
      (void)stream->Finish();
      {
        std::lock_guard lock(m_mutex);
        m_open.erase(std::find(m_open.begin(), m_open.end(), context));
      }
      if (!m_stopping) spdlog::info("peer link to {} ended: {}", address, ended.message());
      // A link that lasted a while was healthy: dial again soon. Repeated failures back off.
      if (std::chrono::steady_clock::now() - started > std::chrono::seconds(10)) backoff = std::chrono::milliseconds(250);
    }
    std::unique_lock lock(m_mutex);
    m_wake.wait_for(lock, backoff, [&] { return m_stopping.load(); });
    backoff = std::min<std::chrono::milliseconds>(backoff * 2, std::chrono::seconds(30));
  }
}

}  // namespace rowchain::peer
