#include "test_vectors.h"

#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <fstream>
#include <sstream>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "util/file_io.h"
#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace rowchain::testing {

std::vector<HeaderVector> LoadBitcoinHeaderVectors() {
  const std::string path = std::string(ROWCHAIN_VECTORS_DIR) + "/bitcoin-headers.json";
  std::ifstream in(path);
  EXPECT_TRUE(in.good()) << "cannot read " << path;
  std::vector<HeaderVector> out;
  if (!in.good()) return out;
  nlohmann::json doc = nlohmann::json::parse(in);
  for (const auto& v : doc) {
    HeaderVector hv;
    hv.name = v.at("name");
    hv.header_hex = v.at("header");
    hv.nonce = v.at("nonce");
    hv.hash_display_hex = v.at("hash");
    StatusOr<consensus::BlockHeader> h = consensus::ParseBlockHeaderHex(hv.header_hex);
    EXPECT_TRUE(h.ok()) << hv.name << ": " << h.status().ToString();
    if (h.ok()) hv.header = *h;
    out.push_back(hv);
  }
  EXPECT_FALSE(out.empty());
  return out;
}

namespace {

std::string ReadFile(const std::string& path) {
  auto text = ReadFileToString(path);
  return text.ok() ? *text : std::string();
}

}  // namespace

CommandResult RunCli(const std::string& args) { return RunCliFor(args, 0); }

CommandResult RunCliFor(const std::string& args, int seconds) {
  char err_path[] = "/tmp/rowchain-cli-err-XXXXXX";
  int fd = mkstemp(err_path);
  close(fd);
  const std::string limit = seconds > 0 ? "timeout " + std::to_string(seconds) + " " : "";
  CommandResult result = RunShell(limit + std::string(ROWCHAIN_CLI_PATH) + " " + args + " 2>" + err_path);
  result.err = ReadFile(err_path);
  std::remove(err_path);
  return result;
}

CommandResult RunShell(const std::string& command) {
  CommandResult result;
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) return result;
  std::array<char, 4096> buf;
  size_t n;
  while ((n = fread(buf.data(), 1, buf.size(), pipe)) > 0) result.out.append(buf.data(), n);
  int status = pclose(pipe);
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return result;
}

std::vector<nlohmann::json> JsonLines(const std::string& out) {
  std::vector<nlohmann::json> lines;
  std::istringstream in(out);
  for (std::string line; std::getline(in, line);) {
    if (!line.empty()) lines.push_back(nlohmann::json::parse(line));
  }
  return lines;
}

std::string UsersJson(int from, int count) {
  nlohmann::json rows = nlohmann::json::array();
  for (int i = from; i < from + count; ++i) rows.push_back({{"id", i}, {"name", fmt::format("user {}", i)}, {"age", 20 + i % 50}});
  return rows.dump();
}

}  // namespace rowchain::testing
