// The real `rowchain` binary: output contracts and exit codes.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "chain/chain_fields.h"
#include "test_vectors.h"

namespace rowchain::testing {
namespace {

TEST(CliTest, MineHeaderFindsEachVectorAndReportsJson) {
  for (const auto& v : LoadBitcoinHeaderVectors()) {
    CommandResult r = RunCli("mine-header --header " + v.header_hex + " --start " +
                             std::to_string(v.nonce - 5000) + " --count 10000 --backend cpu --json");
    ASSERT_EQ(r.exit_code, 0) << r.err;
    nlohmann::json out = nlohmann::json::parse(r.out);
    EXPECT_EQ(out["found"], true) << v.name;
    EXPECT_EQ(out["nonce"], v.nonce) << v.name;
    EXPECT_EQ(out["hash"], v.hash_display_hex) << v.name;
  }
}

TEST(CliTest, MineHeaderReportsNotFoundWithExitZero) {
  const HeaderVector v = LoadBitcoinHeaderVectors().at(0);
  CommandResult r = RunCli("mine-header --header " + v.header_hex + " --start " +
                           std::to_string(v.nonce + 1) + " --count 5000 --json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(nlohmann::json::parse(r.out)["found"], false);
}

TEST(CliTest, BadInputIsOneLineOnStderrAndExitTwo) {
  const std::string header = LoadBitcoinHeaderVectors().at(0).header_hex;
  const std::string cases[] = {
      "mine-header --header abcd --start 0 --count 10 --json",
      "mine-header --header " + std::string(160, 'x') + " --start 0 --count 10",
      "mine-header --header " + header + " --start 4294967296 --count 1",
      "mine-header --header " + header + " --start 4294967295 --count 2",
      "mine-header --header " + header + " --start 0 --count 0",
      "mine-header --header " + header + " --start 0 --count 10 --backend quantum",
      "mine-header --header " + header + " --start 0 --count 10 --backend cpu --cpu-path avx1024",
      "mine-header --header " + header + " --start zero --count 10",
      "mine-header --start 0 --count 10",
      // bits with the sign bit set: no usable target
      "mine-header --header " + header.substr(0, 144) + "ffff801d" + header.substr(152) + " --start 0 --count 1",
      "bench --backend cpu --seconds -1",
      "frobnicate",
  };
  for (const std::string& args : cases) {
    CommandResult r = RunCli(args);
    EXPECT_EQ(r.exit_code, 2) << args << "\n" << r.err;
    EXPECT_TRUE(r.out.empty()) << args;
    ASSERT_FALSE(r.err.empty()) << args;
    EXPECT_EQ(r.err.find('\n'), r.err.size() - 1) << args << ": " << r.err;
  }
}

TEST(CliTest, ChainJsonShowsEveryParameter) {
  CommandResult r = RunCli("chain --chain dev --json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  nlohmann::json out = nlohmann::json::parse(r.out);
  for (const chain::ChainField& field : chain::ChainFields()) EXPECT_TRUE(out.contains(field.key)) << field.key;
  for (const chain::GenesisField& field : chain::GenesisFields()) {
    EXPECT_TRUE(out["genesis"].contains(field.key)) << field.key;
  }
  EXPECT_EQ(out["retarget_clamp"], 4);
  EXPECT_EQ(out["genesis"]["bits"], 0x1d400000);
}

TEST(CliTest, BackendsListsCpuPathsAndCuda) {
  CommandResult r = RunCli("backends --json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  nlohmann::json out = nlohmann::json::parse(r.out);
  bool saw_cpu = false, saw_cuda = false, saw_portable = false;
  for (const auto& b : out) {
    if (b["name"] == "cpu") saw_cpu = b["usable"] == true;
    if (b["name"] == "cpu/portable") saw_portable = b["usable"] == true;
    if (b["name"] == "cuda") {
      saw_cuda = true;
      if (b["usable"] == false) {
        EXPECT_FALSE(b["reason"].get<std::string>().empty());
      }
    }
  }
  EXPECT_TRUE(saw_cpu);
  EXPECT_TRUE(saw_portable);
  EXPECT_TRUE(saw_cuda);
}

TEST(CliTest, BenchReportsARate) {
  CommandResult r = RunCli("bench --backend cpu --threads 1 --seconds 0.3 --json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  nlohmann::json out = nlohmann::json::parse(r.out);
  EXPECT_EQ(out["backend"], "cpu");
  EXPECT_EQ(out["threads"], 1);
  EXPECT_GT(out["hashes"].get<uint64_t>(), 0u);
  EXPECT_GT(out["hashes_per_second"].get<double>(), 0.0);
}

}  // namespace
}  // namespace rowchain::testing
