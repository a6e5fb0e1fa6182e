#include "test_daemon.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "util/file_io.h"

namespace rowchain::testing {

namespace {

std::string Slurp(const std::string& path) {
  auto text = ReadFileToString(path);
  return text.ok() ? *text : std::string();
}

pid_t Spawn(const std::vector<std::string>& args, const std::string& log_path,
            std::string exe = ROWCHAIND_PATH) {
  std::vector<char*> argv;
  argv.push_back(exe.data());
  std::vector<std::string> copy = args;
  for (std::string& a : copy) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t pid = fork();
  if (pid == 0) {
    prctl(PR_SET_PDEATHSIG, SIGKILL);  // a test that crashes takes its processes with it
    int fd = open(log_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    dup2(fd, STDOUT_FILENO);
    dup2(fd, STDERR_FILENO);
    execv(exe.c_str(), argv.data());
    _exit(127);
  }
  return pid;
}

// The exit code, or -1 when it did not exit by itself before the deadline.
int WaitForExit(pid_t pid, std::chrono::steady_clock::time_point deadline) {
  for (;;) {
    int status = 0;
    pid_t r = waitpid(pid, &status, WNOHANG);
    if (r == pid) return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    if (std::chrono::steady_clock::now() > deadline) return -1;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

// Sends `signal`, waits for the exit (SIGKILL after `timeout`); the exit code or -1. Clears pid.
int StopProcess(pid_t& pid, int signal, std::chrono::seconds timeout) {
  if (pid <= 0) return -1;
  kill(pid, signal);
  int code = WaitForExit(pid, std::chrono::steady_clock::now() + timeout);
  if (code == -1) {
    kill(pid, SIGKILL);
    waitpid(pid, nullptr, 0);
  }
  pid = -1;
  return code;
}

}  // namespace

int FreePort() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  EXPECT_EQ(bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  socklen_t len = sizeof addr;
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  close(fd);
  return ntohs(addr.sin_port);
}

std::string MakeTempDir(const std::string& prefix) {
  std::string pattern = std::string(ROWCHAIN_TEST_TMP_DIR) + "/" + prefix + "-XXXXXX";
  std::filesystem::create_directories(ROWCHAIN_TEST_TMP_DIR);
  char* made = mkdtemp(pattern.data());
  EXPECT_NE(made, nullptr);
  return pattern;
}

void WriteFile(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
}

int64_t ResidentKib(pid_t pid) {
  std::ifstream status(fmt::format("/proc/{}/status", pid));
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::stoll(line.substr(6));
  }
  return -1;
}

BackgroundProcess::BackgroundProcess(const std::string& executable, const std::vector<std::string>& args) {
  m_dir = MakeTempDir("background");
  m_pid = Spawn(args, m_dir + "/log", executable);
}

BackgroundProcess::~BackgroundProcess() {
  if (m_pid <= 0) return;
  kill(m_pid, SIGKILL);
  waitpid(m_pid, nullptr, 0);
}

std::string BackgroundProcess::Log() const { return Slurp(m_dir + "/log"); }

int BackgroundProcess::Stop(int signal, std::chrono::seconds timeout) { return StopProcess(m_pid, signal, timeout); }

std::optional<int> BackgroundProcess::ExitedWith() {
  if (m_pid <= 0) return std::nullopt;
  int status = 0;
  if (waitpid(m_pid, &status, WNOHANG) != m_pid) return std::nullopt;
  m_pid = -1;
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

std::unique_ptr<DaemonProcess> DaemonProcess::Start(const std::vector<std::string>& args) {
  std::vector<std::string> all = args;
  if (std::find(args.begin(), args.end(), "--listen") == args.end()) {
    all.insert(all.end(), {"--listen", "127.0.0.1:0"});
  }
  if (std::find(args.begin(), args.end(), "--peer-listen") == args.end()) {
    all.insert(all.end(), {"--peer-listen", "127.0.0.1:0"});
  }
  if (std::find(args.begin(), args.end(), "--metrics-listen") == args.end()) {
    all.insert(all.end(), {"--metrics-listen", "127.0.0.1:0"});
  }
  return StartProgram(ROWCHAIND_PATH, all);
}

std::unique_ptr<DaemonProcess> DaemonProcess::StartProgram(const std::string& executable,
                                                           const std::vector<std::string>& args) {
  auto daemon = std::unique_ptr<DaemonProcess>(new DaemonProcess());
  daemon->m_dir = MakeTempDir("process");
  std::string ready = daemon->m_dir + "/ready.json";
  std::vector<std::string> all = args;
  all.insert(all.end(), {"--ready-file", ready});
  daemon->m_pid = Spawn(all, daemon->m_dir + "/log", executable);
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (!std::filesystem::exists(ready)) {
    int status = 0;
    if (waitpid(daemon->m_pid, &status, WNOHANG) == daemon->m_pid) {
      daemon->m_pid = -1;
      ADD_FAILURE() << "rowchaind exited early:\n" << daemon->Log();
      return nullptr;
    }
    if (std::chrono::steady_clock::now() > deadline) {
      ADD_FAILURE() << "rowchaind not ready after 60 s:\n" << daemon->Log();
      return nullptr;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  const nlohmann::json written = nlohmann::json::parse(Slurp(ready));
  daemon->m_address = written["listen"].get<std::string>();
  daemon->m_peer_address = written.value("peer_listen", "off");
  daemon->m_metrics_address = written.value("metrics_listen", "off");
  daemon->m_mining_address = written.value("mining_listen", "off");
  return daemon;
}

DaemonProcess::~DaemonProcess() {
  if (m_pid > 0) {
    kill(m_pid, SIGKILL);
    waitpid(m_pid, nullptr, 0);
  }
}

int DaemonProcess::Stop(int signal, std::chrono::seconds timeout) { return StopProcess(m_pid, signal, timeout); }

std::string DaemonProcess::Log() const { return Slurp(m_dir + "/log"); }

DaemonRun RunDaemonToExit(const std::vector<std::string>& args) {
  std::string dir = MakeTempDir("rowchaind-run");
  std::vector<std::string> all = args;
  // Tests run side by side: none may take the default monitoring port.
  if (std::find(args.begin(), args.end(), "--metrics-listen") == args.end() &&
      std::find(args.begin(), args.end(), "--help") == args.end()) {
    all.insert(all.end(), {"--metrics-listen", "127.0.0.1:0"});
  }
  pid_t pid = Spawn(all, dir + "/log");
  DaemonRun run;
  run.exit_code = WaitForExit(pid, std::chrono::steady_clock::now() + std::chrono::seconds(60));
  if (run.exit_code == -1) {
    kill(pid, SIGKILL);
    waitpid(pid, nullptr, 0);
  }
  run.err = Slurp(dir + "/log");
  return run;
}

}  // namespace rowchain::testing
