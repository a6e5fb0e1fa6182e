// Farm monitoring against real processes: a real Prometheus scrapes a mining rowchaind, promtool
// checks a scrape and the alert rules, headless Chromium renders the status page, and hostile
// HTTP clients do not stop the node (docs/monitoring.md).
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>

#include "eventually.h"
#include "test_daemon.h"
#include "test_mysql.h"
#include "test_vectors.h"

namespace rowchain::testing {
namespace {

using namespace std::chrono_literals;

CommandResult Shell(const std::string& command) { return RunShell(command + " 2>&1"); }

std::string Get(const std::string& url) { return Shell("curl -s --max-time 10 '" + url + "'").out; }

// The value of a Prometheus instant query with one result, or nullopt.
std::optional<double> Query(const std::string& prometheus, const std::string& promql) {
  auto body = nlohmann::json::parse(Get(fmt::format("http://{}/api/v1/query?query={}", prometheus, promql)), nullptr, false);
  if (body.is_discarded() || body["status"] != "success" || body["data"]["result"].empty()) return std::nullopt;
  return std::stod(body["data"]["result"][0]["value"][1].get<std::string>());
}

class MonitoringTest : public ::testing::Test {
 protected:
  void SetUp() override { m_dir = MakeTempDir("monitoring-test"); }
  std::unique_ptr<DaemonProcess> Start(const std::string& chain, std::vector<std::string> extra = {}) {
    std::vector<std::string> args = {"--mysql", m_db.text(), "--chain", chain, "--miner", "cpu", "--threads", "1"};
    args.insert(args.end(), extra.begin(), extra.end());
    return DaemonProcess::Start(args);
  }
  std::string Rows(int id) {
    std::string path = fmt::format("{}/rows-{}.json", m_dir, id);
    WriteFile(path, fmt::format(R"([{{"id": {}, "name": "n{}", "age": 1}}])", id, id));
    return path;
  }
  uint64_t TipHeight(const DaemonProcess& d) {
    auto tip = RunCli(fmt::format("--node {} tip --json", d.address()));
    return nlohmann::json::parse(tip.out)["height"].get<uint64_t>();
  }

  TestDatabase m_db;
  std::string m_dir;
};

TEST_F(MonitoringTest, APrometheusServerScrapesAMiningNode) {
  auto node = Start("dev");
  ASSERT_TRUE(node);
  const std::string prometheus = fmt::format("127.0.0.1:{}", FreePort());
  WriteFile(m_dir + "/prometheus.yml", fmt::format("global: {{scrape_interval: 1s}}\n"
                                                  "scrape_configs:\n  - job_name: rowchaind\n"
                                                  "    static_configs: [{{targets: ['{}']}}]\n",
                                                  node->metrics_address()));
  BackgroundProcess server("/usr/bin/prometheus", {"--config.file=" + m_dir + "/prometheus.yml",
                                                   "--storage.tsdb.path=" + m_dir + "/tsdb",
                                                   "--web.listen-address=" + prometheus});
  ASSERT_TRUE(Eventually([&] { return Query(prometheus, "up") == 1.0; }, 60s, 200ms)) << server.Log();
  const double before = Query(prometheus, "sum(rowchain_hashes_total)").value_or(0);

  auto submit = RunCli(fmt::format("--node {} submit --table users --rows {} --wait", node->address(), Rows(1)));
  ASSERT_EQ(submit.exit_code, 0) << submit.err;
  EXPECT_TRUE(Eventually([&] { return Query(prometheus, "sum(rowchain_hashes_total)").value_or(0) > before; }, 30s, 200ms));
  const uint64_t height = TipHeight(*node);
  EXPECT_GE(height, 1u);
  EXPECT_TRUE(Eventually([&] { return Query(prometheus, "rowchain_chain_height") == static_cast<double>(height); },
                         30s, 200ms));
  EXPECT_TRUE(Eventually([&] { return Query(prometheus, "rowchain_blocks_mined_total").value_or(0) >= 1; }, 30s, 200ms));
}

// A node that mined, refused a batch and linked a peer exposes every kind of series; promtool
// finds nothing to complain about in them.
TEST_F(MonitoringTest, PromtoolAcceptsTheScrapeOfANodeThatMinedRefusedAndLinked) {
  auto a = Start("regtest");
  ASSERT_TRUE(a);
  TestDatabase other;
  auto b = DaemonProcess::Start({"--mysql", other.text(), "--chain", "regtest", "--miner", "off", "--peer",
                                 a->peer_address()});
  ASSERT_TRUE(b);
  ASSERT_EQ(RunCli(fmt::format("--node {} submit --table users --rows {} --wait", a->address(), Rows(1))).exit_code, 0);
  WriteFile(m_dir + "/missing.json", R"([{"id": 999, "name": "x", "age": 1}])");
  EXPECT_EQ(RunCli(fmt::format("--node {} submit --table users --op update --rows {}/missing.json --wait", a->address(),
                               m_dir)).exit_code, 1);
  const std::string url = "http://" + a->metrics_address() + "/metrics";
  ASSERT_TRUE(Eventually([&] { return Get(url).find("rowchain_peers 1") != std::string::npos; }, 30s, 100ms))
      << Get(url);
  const std::string scrape = Get(url);
  for (const char* series : {"rowchain_blocks_mined_total 1", "rowchain_hashes_total{backend=\"cpu\",device=\"cpu\"}",
                             "rowchain_grpc_calls_total{code=\"OK\",method=\"rowchain.v1.Ledger.SubmitBatch\"}",
                             "rowchain_peer_messages_total{direction=\"in\"}", "rowchain_batch_seal_seconds_count",
                             "rowchain_mysql_commit_seconds_bucket"}) {
    EXPECT_NE(scrape.find(series), std::string::npos) << series << "\n" << scrape;
  }
  WriteFile(m_dir + "/scrape.txt", scrape);
  auto check = Shell("promtool check metrics < " + m_dir + "/scrape.txt");
  EXPECT_EQ(check.exit_code, 0) << check.out;
  EXPECT_EQ(check.out, "") << check.out;
}

TEST(MonitoringRulesTest, TheAlertRulesPassPromtoolAndTheirUnitTests) {
  const std::string dir = std::string(ROWCHAIN_SOURCE_DIR) + "/deploy/prometheus";
  auto check = Shell("promtool check rules " + dir + "/rowchain-rules.yml");
  EXPECT_EQ(check.exit_code, 0) << check.out;
  EXPECT_NE(check.out.find("SUCCESS: 8 rules found"), std::string::npos) << check.out;
  auto tests = Shell("cd " + dir + " && promtool test rules rowchain-rules.test.yml");
  EXPECT_EQ(tests.exit_code, 0) << tests.out;
  auto dashboard = nlohmann::json::parse(std::ifstream(std::string(ROWCHAIN_SOURCE_DIR) + "/deploy/grafana/rowchain.json"));
  EXPECT_FALSE(dashboard["panels"].empty());
}

TEST_F(MonitoringTest, TheStatusPageShowsTheTipAndADeviceInHeadlessChromium) {
  auto node = Start("regtest");
  ASSERT_TRUE(node);
  ASSERT_EQ(RunCli(fmt::format("--node {} submit --table users --rows {} --wait", node->address(), Rows(1))).exit_code, 0);
  const std::string base = "http://" + node->metrics_address();
  ASSERT_TRUE(Eventually([&] {
    auto status = nlohmann::json::parse(Get(base + "/status.json"), nullptr, false);
    return !status.is_discarded() && !status["devices"].empty();
  }, 30s, 200ms)) << Get(base + "/status.json");
  const uint64_t height = TipHeight(*node);
  const std::string chromium = "chromium --headless --no-sandbox --disable-gpu --virtual-time-budget=10000 ";
  auto dom = Shell(chromium + "--dump-dom " + base + "/");
  EXPECT_NE(dom.out.find(fmt::format("id=\"height\">{}<", height)), std::string::npos) << dom.out;
  EXPECT_NE(dom.out.find("<tr class=\"device\"><td>cpu cpu</td>"), std::string::npos) << dom.out;
  // The same summary in a terminal.
  auto text = RunCli("status --metrics " + node->metrics_address());
  EXPECT_EQ(text.exit_code, 0) << text.err;
  EXPECT_NE(text.out.find(fmt::format("height {}, tip", height)), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("  cpu    cpu"), std::string::npos) << text.out;
  auto json = RunCli("status --json --metrics " + node->metrics_address());
  EXPECT_EQ(nlohmann::json::parse(json.out)["height"], height);
  auto away = RunCli("status --metrics 127.0.0.1:1");
  EXPECT_EQ(away.exit_code, 1);
  EXPECT_EQ(away.err.rfind("rowchain: status: no node serves status at 127.0.0.1:1", 0), 0u) << away.err;

  const std::string artefacts = std::string(ROWCHAIN_TEST_TMP_DIR) + "/../test-artifacts";
  std::filesystem::create_directories(artefacts);
  for (const auto& [name, size] : {std::pair("status-page-laptop.png", "1280,900"), std::pair("status-page-phone.png", "390,844")}) {
    auto shot = Shell(fmt::format("{} --window-size={} --screenshot={}/{} {}/", chromium, size, artefacts, name, base));
    EXPECT_TRUE(std::filesystem::exists(artefacts + "/" + name)) << shot.out;
  }
}

// Raw sockets, not curl: clients that stall, send too much or the wrong method.
int Connect(const std::string& address) {
  const size_t colon = address.rfind(':');
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(std::stoi(address.substr(colon + 1))));
  inet_pton(AF_INET, address.substr(0, colon).c_str(), &addr.sin_addr);
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    close(fd);
    return -1;
  }
  return fd;
}

std::string Exchange(const std::string& address, const std::string& request) {
  int fd = Connect(address);
  if (fd < 0) return {};
  timeval timeout{.tv_sec = 10, .tv_usec = 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  (void)!write(fd, request.data(), request.size());
  std::string reply(4096, '\0');
  ssize_t n = read(fd, reply.data(), reply.size());
  close(fd);
  return n > 0 ? reply.substr(0, static_cast<size_t>(n)) : std::string();
}

TEST_F(MonitoringTest, HostileHttpClientsNeitherStopTheNodeNorGrowItsMemory) {
  auto node = Start("regtest");
  ASSERT_TRUE(node);
  const std::string metrics = node->metrics_address();
  // 120 clients that send half a request line and then nothing: more than the listener's four
  // threads, within its queue and backlog (past those, connecting itself stalls).
  std::vector<int> stalled;
  for (int i = 0; i < 120; ++i) {
    int fd = Connect(metrics);
    if (fd >= 0) {
      (void)!write(fd, "GET /metr", 9);
      stalled.push_back(fd);
    }
  }
  // The node goes on sealing meanwhile: monitoring has its own threads.
  auto submit = RunCli(fmt::format("--node {} submit --table users --rows {} --wait --timeout 30", node->address(), Rows(7)));
  EXPECT_EQ(submit.exit_code, 0) << submit.err;
  for (int fd : stalled) close(fd);
  // Oversized headers, a wrong method, a path that is not served.
  std::string huge = "GET /metrics HTTP/1.1\r\nX-Junk: " + std::string(64 << 10, 'a') + "\r\n\r\n";
  EXPECT_EQ(Exchange(metrics, huge).rfind("HTTP/1.1 200", 0), std::string::npos);
  EXPECT_EQ(Exchange(metrics, "POST /metrics HTTP/1.1\r\nContent-Length: 3\r\n\r\nabc").rfind("HTTP/1.1 200", 0),
            std::string::npos);
  EXPECT_EQ(Exchange(metrics, "GET /../../etc/passwd HTTP/1.1\r\n\r\n").rfind("HTTP/1.1 404", 0), 0u);
  // Served again once the stalled clients are gone; memory stayed bounded.
  EXPECT_TRUE(Eventually([&] { return Get("http://" + metrics + "/metrics").find("rowchain_chain_height") != std::string::npos; },
                         30s, 200ms));
  EXPECT_LT(ResidentKib(node->pid()), 256 * 1024);
}

// NVML's stub (tests/nvml_stub.c), loaded as rowchaind loads the real libnvidia-ml.so.1, drives
// the per-GPU series under dcgm-exporter's names, the temperature pause and the XID errors.
TEST_F(MonitoringTest, GpuTelemetryUnderDcgmNamesPausesAHotGpuAndCountsXidErrors) {
  const std::string state = m_dir + "/nvml-state";
  WriteFile(state, "temperature 95\n");
  setenv("LD_LIBRARY_PATH", ROWCHAIN_NVML_STUB_DIR, 1);
  setenv("ROWCHAIN_NVML_STUB", state.c_str(), 1);
  auto node = Start("regtest", {"--max-gpu-temp", "85"});
  unsetenv("LD_LIBRARY_PATH");
  unsetenv("ROWCHAIN_NVML_STUB");
  ASSERT_TRUE(node);
  const std::string url = "http://" + node->metrics_address() + "/metrics";
  auto has = [&](const std::string& text) { return Get(url).find(text) != std::string::npos; };
  EXPECT_TRUE(Eventually([&] { return has("rowchain_device_paused{device=\"0\",reason=\"temperature\"} 1"); }, 20s, 200ms))
      << Get(url) << node->Log();
  const std::string scrape = Get(url);
  for (const char* series : {"DCGM_FI_DEV_GPU_TEMP{", "DCGM_FI_DEV_POWER_USAGE{", "DCGM_FI_DEV_SM_CLOCK{",
                             "DCGM_FI_DEV_MEM_CLOCK{", "DCGM_FI_DEV_GPU_UTIL{", "DCGM_FI_DEV_FB_USED{",
                             "DCGM_FI_DEV_XID_ERRORS{", "modelName=\"NVIDIA H200 (stub)\"", "gpu=\"0\"",
                             "UUID=\"GPU-00000000-0000-0000-0000-00000000stub\"", "device=\"nvidia0\"", "Hostname=\"",
                             "rowchain_gpu_clock_throttle_reasons{gpu=\"0\",reason=\"sw_thermal_slowdown\"} 1",
                             "rowchain_max_gpu_temp_celsius 85"}) {
    EXPECT_NE(scrape.find(series), std::string::npos) << series << "\n" << scrape;
  }
  EXPECT_NE(scrape.find("} 95\n"), std::string::npos) << "the temperature";
  auto status = nlohmann::json::parse(Get("http://" + node->metrics_address() + "/status.json"));
  ASSERT_EQ(status["gpus"].size(), 1u) << status;
  EXPECT_EQ(status["gpus"][0]["paused"], "temperature");
  EXPECT_NE(node->Log().find("GPU 0 at 95 C, above --max-gpu-temp 85: paused"), std::string::npos) << node->Log();

  WriteFile(state, "temperature 82\n");  // below the limit, not below it by the hysteresis
  WriteFile(state, "temperature 70\nxid 79\n");
  EXPECT_TRUE(Eventually([&] { return has("rowchain_device_paused{device=\"0\",reason=\"temperature\"} 0"); }, 20s, 200ms));
  EXPECT_TRUE(Eventually([&] { return has("rowchain_gpu_xid_errors_total{gpu=\"0\"} 1"); }, 20s, 200ms)) << Get(url);
  EXPECT_NE(Get(url).find("\"} 79\n"), std::string::npos) << "DCGM_FI_DEV_XID_ERRORS holds the last XID";
  EXPECT_NE(node->Log().find("GPU 0 at 70 C: mining again"), std::string::npos) << node->Log();
}

TEST_F(MonitoringTest, WithoutNvmlThereAreNoGpuSeriesAndOneLineSaysWhy) {
  auto node = Start("regtest");
  ASSERT_TRUE(node);
  EXPECT_EQ(Get("http://" + node->metrics_address() + "/metrics").find("DCGM_"), std::string::npos);
  EXPECT_NE(node->Log().find("GPU telemetry off: no NVML"), std::string::npos) << node->Log();
}

TEST_F(MonitoringTest, JsonLogsAreOneObjectALineAndTheListenerCanBeOff) {
  auto node = Start("regtest", {"--log-format", "json", "--metrics-listen", "off"});
  ASSERT_TRUE(node);
  EXPECT_EQ(node->metrics_address(), "off");
  ASSERT_EQ(RunCli(fmt::format("--node {} submit --table users --rows {} --wait", node->address(), Rows(3))).exit_code, 0);
  ASSERT_EQ(node->Stop(SIGTERM), 0);
  std::istringstream log(node->Log());
  int lines = 0;
  bool sealed = false;
  for (std::string line; std::getline(log, line);) {
    if (line.empty()) continue;
    auto object = nlohmann::json::parse(line, nullptr, false);
    ASSERT_FALSE(object.is_discarded()) << line;
    EXPECT_TRUE(object["time"].is_string() && object["level"].is_string() && object["message"].is_string()) << line;
    sealed = sealed || object["message"].get<std::string>().starts_with("block sealed");
    ++lines;
  }
  EXPECT_GT(lines, 3);
  EXPECT_TRUE(sealed);
}

}  // namespace
}  // namespace rowchain::testing
