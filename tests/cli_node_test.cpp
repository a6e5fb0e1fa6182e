// The command line as a new user meets it against a real node (issue: the CLI for new users):
// following a batch, errors one can act on, one JSON shape per object, the completion script.
#include <gtest/gtest.h>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <set>
#include <sstream>

#include "test_daemon.h"
#include "test_mysql.h"
#include "test_vectors.h"

namespace rowchain::testing {
namespace {

// One line on stderr, starting with these words, and nothing else.
void ExpectOneLine(const CommandResult& r, int exit_code, const std::string& starts_with) {
  EXPECT_EQ(r.exit_code, exit_code) << r.err;
  EXPECT_EQ(r.err.rfind(starts_with, 0), 0u) << r.err;
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
}

class CliNodeTest : public ::testing::Test {
 protected:
  void SetUp() override { m_dir = MakeTempDir("cli-node-test"); }
  std::unique_ptr<DaemonProcess> Start(const std::string& miner) {
    return DaemonProcess::Start({"--mysql", m_db.text(), "--chain", "regtest", "--miner", miner, "--threads", "1"});
  }
  std::string File(const std::string& name, const std::string& text) {
    std::string path = m_dir + "/" + name;
    WriteFile(path, text);
    return path;
  }
  CommandResult Cli(const DaemonProcess& d, const std::string& args) {
    return RunCli(fmt::format("--node {} {}", d.address(), args));
  }

  TestDatabase m_db;
  std::string m_dir;
};

TEST_F(CliNodeTest, ABatchIsFollowedUntilSealedOrRejectedAndItsProofSaysWhy) {
  auto daemon = Start("off");
  ASSERT_TRUE(daemon);
  auto submit = Cli(*daemon, "submit --table users --rows " +
                                 File("u.json", R"([{"id": 1, "name": "a", "age": 1}, {"id": 2, "name": "b", "age": 2}])"));
  ASSERT_EQ(submit.exit_code, 0) << submit.err;
  std::string id = submit.out.substr(6, 32);
  EXPECT_NE(submit.out.find("follow it with: rowchain batch " + id + " --watch"), std::string::npos) << submit.out;
  auto pending = Cli(*daemon, "batch " + id + " --json");
  ASSERT_EQ(pending.exit_code, 0) << pending.err;
  EXPECT_EQ(nlohmann::json::parse(pending.out)["state"], "pending");
  ExpectOneLine(Cli(*daemon, "proof " + id + " 0"), 1, "rowchain: proof: FAILED_PRECONDITION: batch " + id + " is pending");
  ASSERT_EQ(daemon->Stop(SIGTERM), 0);

  daemon = Start("cpu");
  ASSERT_TRUE(daemon);
  auto sealed = Cli(*daemon, "batch " + id + " --watch --json");
  ASSERT_EQ(sealed.exit_code, 0) << sealed.err;
  nlohmann::json last = JsonLines(sealed.out).back();
  EXPECT_EQ(last["state"], "sealed");
  EXPECT_TRUE(last["height"].is_number_unsigned());

  auto update = Cli(*daemon, "submit --table users --op update --rows " +
                                 File("missing.json", R"([{"id": 999, "name": "nobody", "age": 9}])"));
  ASSERT_EQ(update.exit_code, 0) << update.err;
  std::string rejected_id = update.out.substr(6, 32);
  auto rejected = Cli(*daemon, "batch " + rejected_id + " --watch");
  EXPECT_EQ(rejected.exit_code, 1);
  EXPECT_NE(rejected.out.find("batch " + rejected_id + ": rejected: "), std::string::npos) << rejected.out;
  ExpectOneLine(Cli(*daemon, "proof " + rejected_id + " 0"), 1,
                "rowchain: proof: FAILED_PRECONDITION: batch " + rejected_id + " was rejected and will never be sealed: ");
  ExpectOneLine(Cli(*daemon, "batch 00000000000000000000000000000000"), 1, "rowchain: batch: NOT_FOUND");
}

// A block looks the same from `block` and `watch`; heights, counts and times are numbers.
TEST_F(CliNodeTest, JsonShapesAreTheSameAcrossCommandsWithNumbersAndIsoTimes) {
  auto daemon = Start("cpu");
  ASSERT_TRUE(daemon);
  auto submit = Cli(*daemon, "submit --wait --json --table users --rows " +
                                 File("u.json", R"([{"id": 1, "name": "a", "age": 1}])"));
  ASSERT_EQ(submit.exit_code, 0) << submit.err;
  uint64_t height = JsonLines(submit.out).back()["height"].get<uint64_t>();
  auto block = Cli(*daemon, fmt::format("block {} --json", height));
  ASSERT_EQ(block.exit_code, 0) << block.err;
  nlohmann::json from_block = nlohmann::json::parse(block.out);
  for (const char* number : {"height", "time", "bits", "nonce", "row_count", "extra_nonce"}) {
    EXPECT_TRUE(from_block[number].is_number_unsigned()) << number << ": " << from_block;
  }
  EXPECT_EQ(from_block["height"], height);
  EXPECT_EQ(from_block["time_iso"].get<std::string>().back(), 'Z');
  EXPECT_EQ(from_block["rows"][0]["columns"]["id"], 1);

  auto watch = RunCliFor(fmt::format("--node {} watch --from {} --json", daemon->address(), height), 3);
  auto events = JsonLines(watch.out);
  ASSERT_FALSE(events.empty()) << watch.err;
  EXPECT_EQ(events[0]["event"], "connected");
  EXPECT_EQ(events[0]["block"], from_block);

  auto tip = Cli(*daemon, "tip --json");
  ASSERT_EQ(tip.exit_code, 0);
  EXPECT_TRUE(nlohmann::json::parse(tip.out)["height"].is_number_unsigned());
}

TEST_F(CliNodeTest, ErrorsNameWhatToFix) {
  auto daemon = Start("off");
  ASSERT_TRUE(daemon);
  ExpectOneLine(RunCli("--node 127.0.0.1:1 tip"), 1,
                "rowchain: tip: no node is reachable at 127.0.0.1:1 (UNAVAILABLE): is rowchaind running there?");
  ExpectOneLine(Cli(*daemon, "submit --table users --rows " + m_dir + "/does-not-exist.json"), 2,
                "rowchain: submit: cannot read rows file " + m_dir + "/does-not-exist.json: No such file or directory");
  ExpectOneLine(Cli(*daemon, "submit --table users --rows " + File("bad.json", "[{\"id\": 1,\n  \"name\": x}]")), 2,
                "rowchain: submit: the rows file is not valid JSON: line 2, column 11: syntax error");
  // Found by the row_files fuzzer: a number past every JSON number type threw past the parser.
  ExpectOneLine(Cli(*daemon, "submit --table users --rows " + File("huge.json", "[{\"id\": 999990000529E0393}]")), 2,
                "rowchain: submit: the rows file is not valid JSON: number overflow parsing '999990000529E0393'");
  ExpectOneLine(Cli(*daemon, "submit --table users --rows " + File("col.json", R"([{"id": 1, "nme": "a", "age": 1}])")),
                2, "rowchain: submit: row 0: table users has no column 'nme' (its columns: id, name, age)");
  ExpectOneLine(Cli(*daemon, "submit --table users --csv " + File("a.csv", "id,name,age\n1,a,1\n2,b,old\n")), 2,
                "rowchain: submit: CSV line 3, column 3 (row 1, column 'age'): 'old' is not an integer");
  ExpectOneLine(Cli(*daemon, "submit --table users --csv " + File("c.csv", "id,nam,age\n1,a,1\n")), 2,
                "rowchain: submit: CSV line 1, column 2: table users has no column 'nam' (its columns: id, name, age)");
}

TEST(CliHelpTest, RowchainAloneShowsTheHelpAndCompletionKnowsEverySubcommand) {
  auto help = RunCli("");
  EXPECT_EQ(help.exit_code, 0) << help.err;
  EXPECT_NE(help.out.find("Usage: rowchain"), std::string::npos) << help.out;
  auto script = RunCli("completion bash");
  ASSERT_EQ(script.exit_code, 0) << script.err;
  EXPECT_NE(script.out.find("complete -F _rowchain rowchain"), std::string::npos);
  // Every subcommand the help lists is in the script's list of subcommands.
  std::istringstream lines(help.out.substr(help.out.find("Subcommands:")));
  std::string line;
  std::getline(lines, line);
  std::string listed = script.out.substr(script.out.find("subcommands=\"") + 13);
  listed = " " + listed.substr(0, listed.find('"')) + " ";
  int count = 0;
  while (std::getline(lines, line)) {
    std::istringstream words(line);
    std::string name;
    if (!(words >> name)) continue;
    ++count;
    EXPECT_NE(listed.find(" " + name + " "), std::string::npos) << name;
  }
  EXPECT_GE(count, 20);
  EXPECT_EQ(RunCli("completion zsh").exit_code, 2);
}

}  // namespace
}  // namespace rowchain::testing
