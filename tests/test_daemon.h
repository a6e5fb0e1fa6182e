// A real rowchaind process for tests: started with the given flags on a free loopback port,
// ready once it has written its ready file, stopped with a signal. Its log is kept in a file
// so a failing test can print it.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace rowchain::testing {

class DaemonProcess {
 public:
  // Adds --listen 127.0.0.1:0 and --peer-listen 127.0.0.1:0 (unless args hold them) and
  // --ready-file; fails the test when it is not ready in 60 s.
  static std::unique_ptr<DaemonProcess> Start(const std::vector<std::string>& args);
  // Any program that takes --ready-file and writes {"listen": ...} there (rowchain dev-broker).
  static std::unique_ptr<DaemonProcess> StartProgram(const std::string& executable, const std::vector<std::string>& args);
  ~DaemonProcess();  // SIGKILL when still running

  const std::string& address() const { return m_address; }
  // Where peers dial in ("off" when it takes no inbound links).
  const std::string& peer_address() const { return m_peer_address; }
  // The monitoring listener (/metrics, /status.json), "off" when disabled.
  const std::string& metrics_address() const { return m_metrics_address; }
  // Where remote workers dial in, "off" without --mining-listen.
  const std::string& mining_address() const { return m_mining_address; }
  pid_t pid() const { return m_pid; }
  // Sends `signal`, waits for the exit; the exit code, or -1 when it had to be killed.
  int Stop(int signal, std::chrono::seconds timeout = std::chrono::seconds(30));
  std::string Log() const;

 private:
  pid_t m_pid = -1;
  std::string m_dir, m_address, m_peer_address, m_metrics_address, m_mining_address;
};

// Any other program run in the background for a test (Prometheus), with its output in a log
// file; SIGKILLed when the object goes.
class BackgroundProcess {
 public:
  BackgroundProcess(const std::string& executable, const std::vector<std::string>& args);
  ~BackgroundProcess();
  BackgroundProcess(const BackgroundProcess&) = delete;
  BackgroundProcess& operator=(const BackgroundProcess&) = delete;
  std::string Log() const;
  pid_t pid() const { return m_pid; }
  // Sends `signal`, waits for the exit; the exit code, or -1 when it had to be killed.
  int Stop(int signal, std::chrono::seconds timeout = std::chrono::seconds(30));
  // The exit code once it has exited on its own (-1: by a signal); nullopt while it runs.
  std::optional<int> ExitedWith();

 private:
  pid_t m_pid = -1;
  std::string m_dir;
};

// Runs rowchaind to completion (for flag errors); the exit code and stderr.
struct DaemonRun {
  int exit_code = -1;
  std::string err;
};
DaemonRun RunDaemonToExit(const std::vector<std::string>& args);

// A loopback TCP port that was free a moment ago (for nodes that must know each other's
// addresses before they start).
int FreePort();

// The resident set of a process in KiB (VmRSS), -1 when it cannot be read.
int64_t ResidentKib(pid_t pid);

// A fresh directory under the build tree, for files a test writes.
std::string MakeTempDir(const std::string& prefix);
void WriteFile(const std::string& path, const std::string& text);

}  // namespace rowchain::testing
