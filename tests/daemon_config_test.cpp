#include "daemon/daemon_config.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "daemon/daemon_settings.h"

namespace rowchain::daemon {
namespace {

std::string WriteConfig(const std::string& name, const std::string& text) {
  std::string path = ::testing::TempDir() + "/" + name;
  std::ofstream(path) << text;
  return path;
}

TEST(DaemonConfigTest, TheFileSetsEverySettingKind) {
  std::string path = WriteConfig("all.toml", R"(
mysql = "mysql://u:p@127.0.0.1:3306/db"
threads = 3
max_pending_rows = 5000
devices = [0, 2]
peers = ["a:1", "b:2"]
[tls]
cert = "c.pem"
key = "k.pem"
[[tokens]]
name = "loader"
token = "t"
tables = ["users"]
[kafka]
"linger.ms" = 7
)");
  DaemonConfig config;
  ASSERT_TRUE(LoadDaemonConfigFile(path, &config).ok());
  EXPECT_EQ(config.mysql, "mysql://u:p@127.0.0.1:3306/db");
  EXPECT_EQ(config.threads, 3u);
  EXPECT_EQ(config.max_pending_rows, 5000u);
  EXPECT_EQ(config.devices, (std::vector<int>{0, 2}));
  EXPECT_EQ(config.peers, (std::vector<std::string>{"a:1", "b:2"}));
  ASSERT_TRUE(config.tls);
  EXPECT_EQ(config.tls->key, "k.pem");
  ASSERT_EQ(config.tokens.size(), 1u);
  EXPECT_EQ(config.tokens[0].tables, (std::vector<std::string>{"users"}));
  EXPECT_EQ(config.kafka_properties.at("linger.ms"), "7");
  EXPECT_EQ(config.listen, DaemonConfig().listen);  // absent: the default
}

TEST(DaemonConfigTest, ErrorsNameTheFileLineAndKey) {
  DaemonConfig config;
  Status typo = LoadDaemonConfigFile(WriteConfig("typo.toml", "listen = \"x:1\"\nthreds = 2\n"), &config);
  EXPECT_EQ(typo.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(typo.message().find("typo.toml:2: threds: unknown key"), std::string::npos) << typo.message();
  Status type = LoadDaemonConfigFile(WriteConfig("type.toml", "max_pending_rows = \"many\"\n"), &config);
  EXPECT_NE(type.message().find("max_pending_rows"), std::string::npos) << type.message();
  Status devices = LoadDaemonConfigFile(WriteConfig("dev.toml", "devices = [-1]\n"), &config);
  EXPECT_EQ(devices.code(), StatusCode::kInvalidArgument);
  Status token = LoadDaemonConfigFile(WriteConfig("tok.toml", "[[tokens]]\nname = \"x\"\n"), &config);
  EXPECT_NE(token.message().find("tokens[0].token is required"), std::string::npos) << token.message();
  EXPECT_FALSE(LoadDaemonConfigFile("/no/such/rowchaind.toml", &config).ok());
}

TEST(DaemonConfigTest, FlagsGivenWinOverTheFileAndOthersLeaveItAlone) {
  CLI::App app;
  DaemonConfig flags;
  SettingFlags setting_flags(app, &flags);
  std::vector<std::string> args = {"--devices", "1,3", "--peer", "c:3", "--threads", "9"};
  std::reverse(args.begin(), args.end());
  app.parse(args);
  DaemonConfig config;
  ASSERT_TRUE(LoadDaemonConfigFile(WriteConfig("base.toml", "threads = 2\nminer_id = \"file\"\n"), &config).ok());
  ASSERT_TRUE(setting_flags.MergeInto(&config).ok());
  EXPECT_EQ(config.threads, 9u);
  EXPECT_EQ(config.miner_id, "file");
  EXPECT_EQ(config.devices, (std::vector<int>{1, 3}));
  EXPECT_EQ(config.peers, (std::vector<std::string>{"c:3"}));
}

TEST(DaemonConfigTest, ABadDeviceListIsRefused) {
  CLI::App app;
  DaemonConfig flags;
  SettingFlags setting_flags(app, &flags);
  std::vector<std::string> args = {"--devices", "0,,1"};
  std::reverse(args.begin(), args.end());
  app.parse(args);
  DaemonConfig config;
  EXPECT_EQ(setting_flags.MergeInto(&config).code(), StatusCode::kInvalidArgument);
  // Floats are no ordinals, however large (toml++ would convert them, past int64 undefined).
  EXPECT_EQ(ParseDaemonConfig("devices = [1e300]\n", "t.toml", &config).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(ParseDaemonConfig("[kafka]\nlinger = 1e300\n", "t.toml", &config).code(), StatusCode::kInvalidArgument);
}

TEST(DaemonConfigTest, HelpShowsDefaultsAndTheRequiredSetting) {
  CLI::App app;
  DaemonConfig flags;
  SettingFlags setting_flags(app, &flags);
  std::string help = app.help();
  EXPECT_NE(help.find("[default: 127.0.0.1:7373]"), std::string::npos) << help;
  EXPECT_NE(help.find("[required"), std::string::npos) << help;
}

TEST(DaemonConfigTest, DocsNodeMdListsEverySetting) {
  std::ifstream in(std::string(ROWCHAIN_SOURCE_DIR) + "/docs/node.md");
  std::stringstream text;
  text << in.rdbuf();
  for (const Setting& setting : DaemonSettings()) {
    EXPECT_NE(text.str().find("`" + FlagOf(setting)), std::string::npos) << FlagOf(setting) << " is not in docs/node.md";
    EXPECT_NE(text.str().find("`" + std::string(setting.key) + "`"), std::string::npos) << setting.key;
  }
}

TEST(DaemonConfigTest, ValidationNamesTheFlag) {
  DaemonConfig config;
  EXPECT_NE(ValidateDaemonConfig(config).message().find("--mysql is required"), std::string::npos);
  config.mysql = "mysql://u@h/db";
  config.miner = "gpu";
  EXPECT_NE(ValidateDaemonConfig(config).message().find("--miner"), std::string::npos);
  config.miner = "off";
  config.kafka_ingest_topic = "in";
  EXPECT_NE(ValidateDaemonConfig(config).message().find("--kafka-brokers"), std::string::npos);
}

}  // namespace
}  // namespace rowchain::daemon
