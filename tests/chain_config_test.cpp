#include "chain/chain_config.h"

#include <gtest/gtest.h>

#include <fstream>

#include "consensus/block.h"
#include "consensus/pow.h"

namespace rowchain::chain {
namespace {

TEST(ChainConfigTest, PresetsLoadWithTheUsersTable) {
  for (const std::string& name : PresetNames()) {
    auto params = LoadChain(name);
    ASSERT_TRUE(params.ok()) << params.status().ToString();
    EXPECT_EQ(params->name, name);
    const consensus::TableSchema* users = params->schema.FindTable("users");
    ASSERT_NE(users, nullptr);
    ASSERT_EQ(users->columns.size(), 3u);
    EXPECT_EQ(consensus::ColumnTypeName(users->columns[0]), "BIGINT");
    EXPECT_EQ(consensus::ColumnTypeName(users->columns[1]), "VARCHAR(255)");
    EXPECT_EQ(consensus::ColumnTypeName(users->columns[2]), "INT");
    EXPECT_EQ(users->primary_key, std::vector<uint16_t>{0});
  }
  EXPECT_EQ(LoadChain("regtest")->retarget_interval, 0u);
  EXPECT_EQ(LoadChain("dev")->retarget_interval, 20u);
  EXPECT_EQ(LoadChain("dev")->target_spacing_s, 2u);
}

TEST(ChainConfigTest, GenesisCommitsToEveryRule) {
  auto base = *LoadChain("dev");
  auto genesis = consensus::MakeGenesisBlock(base).Hash();
  EXPECT_EQ(consensus::MakeGenesisBlock(*LoadChain("dev")).Hash(), genesis);  // deterministic
  EXPECT_NE(consensus::MakeGenesisBlock(*LoadChain("regtest")).Hash(), genesis);
  auto changed = [&](auto change) {
    auto p = base;
    change(p);
    return consensus::MakeGenesisBlock(p).Hash();
  };
  EXPECT_NE(changed([](auto& p) { p.max_block_rows += 1; }), genesis);
  EXPECT_NE(changed([](auto& p) { p.retarget_interval = 10; }), genesis);
  EXPECT_NE(changed([](auto& p) { p.schema.tables[0].columns[2].nullable = true; }), genesis);
  EXPECT_NE(changed([](auto& p) { p.schema.tables[0].columns[1].length = 100; }), genesis);
  EXPECT_NE(changed([](auto& p) { p.genesis.time += 1; }), genesis);
}

TEST(ChainConfigTest, ErrorsNameTheLineAndKey) {
  std::string good(PresetToml("regtest"));
  auto with = [&](const std::string& from, const std::string& to) {
    std::string text = good;
    text.replace(text.find(from), from.size(), to);
    return ParseChainToml(text, "test.toml");
  };
  auto typo = with("target_spacing_s", "target_spacing");
  ASSERT_FALSE(typo.ok());
  EXPECT_NE(typo.status().message().find("test.toml:"), std::string::npos);
  EXPECT_NE(typo.status().message().find("unknown key"), std::string::npos);
  EXPECT_FALSE(with("type = \"INT\"", "type = \"FLOAT\"").ok());
  EXPECT_FALSE(with("primary_key = [\"id\"]", "primary_key = [\"nope\"]").ok());
  EXPECT_FALSE(with("max_block_rows = 10000", "max_block_rows = -1").ok());
  EXPECT_FALSE(with("max_block_rows = 10000", "max_block_rows = \"many\"").ok());
  EXPECT_FALSE(with("name = \"users\"", "name = \"rowchain_x\"").ok());
  EXPECT_FALSE(with("name = \"regtest\"", "name = ").ok());  // TOML syntax
  EXPECT_FALSE(with("bits = 0x207fffff", "bits = 0x01000000").ok());  // zero target
  EXPECT_TRUE(with("max_block_rows = 10000", "max_block_rows = 5").ok());
  // Found by the fuzzer (fuzz/chain_toml.cpp): a float past int64 was converted with
  // undefined behaviour instead of being refused.
  auto huge = with("retarget_interval = 0", "retarget_interval = 7e200");
  ASSERT_FALSE(huge.ok());
  EXPECT_NE(huge.status().message().find("expected an integer"), std::string::npos) << huge.status().message();
  // A retarget every 10 one-second blocks cannot absorb blocks dated two hours ahead.
  auto drift = with("retarget_interval = 0", "retarget_interval = 10");
  ASSERT_FALSE(drift.ok());
  EXPECT_NE(drift.status().message().find("more than one retarget window (10 blocks x 1 s = 10 s)"), std::string::npos)
      << drift.status().message();
  EXPECT_EQ(LoadChain("/no/such/chain.toml").status().code(), StatusCode::kNotFound);
}

TEST(ChainConfigTest, LoadsAChainFile) {
  std::string path = ::testing::TempDir() + "/chain_config_test.toml";
  {
    std::ofstream out(path);
    out << PresetToml("dev");
  }
  auto params = LoadChain(path);
  ASSERT_TRUE(params.ok()) << params.status().ToString();
  EXPECT_EQ(consensus::MakeGenesisBlock(*params).Hash(), consensus::MakeGenesisBlock(*LoadChain("dev")).Hash());
}

// The presets' genesis hashes are pinned: a change to a preset's rules is a new chain, and
// every database made on the old one refuses to open. (regtest is the chain the first wave's
// files gave; dev changed once, when its future drift was bounded by its retarget window.)
TEST(ChainConfigTest, PresetGenesisHashesArePinned) {
  EXPECT_EQ(consensus::ToDisplayHex(consensus::MakeGenesisBlock(*Preset("regtest")).Hash()),
            "f9f51b7b046d5a003817ff03c69f4b4301ef3f5a598a116452da2c817a4f47e0");
  EXPECT_EQ(consensus::ToDisplayHex(consensus::MakeGenesisBlock(*Preset("dev")).Hash()),
            "bc65686f804d3244055631db39075227c096dafa7c73394e66fe34d5aeb72e66");
  EXPECT_FALSE(Preset("mainnet").has_value());
  EXPECT_TRUE(PresetToml("mainnet").empty());
}

// Found by the fuzzer (fuzz/chain_toml.cpp): strings were written unescaped, so a miner id
// with a newline or a quote made a chain file that read back as another chain, or not at all.
TEST(ChainConfigTest, StringsAreEscapedWhenAChainFileIsWritten) {
  consensus::ChainParams params = *Preset("regtest");
  params.genesis.miner_id = "line\none \"quoted\" back\\slash \x01";
  auto again = ParseChainToml(WriteChainToml(params, "a comment\nover two lines"), "again.toml");
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_EQ(again->genesis.miner_id, params.genesis.miner_id);
  EXPECT_EQ(consensus::MakeGenesisBlock(*again).Hash(), consensus::MakeGenesisBlock(params).Hash());
}

TEST(ChainConfigTest, AWrittenChainFileReadsBackToTheSameParameters) {
  consensus::ChainParams params = *Preset("dev");
  params.retarget_clamp = 8;
  params.mine_empty_blocks = true;
  params.genesis.miner_id = "someone";
  params.schema.tables[0].columns[2].nullable = true;
  auto read = ParseChainToml(WriteChainToml(params, "a test"), "written.toml");
  ASSERT_TRUE(read.ok()) << read.status().ToString();
  EXPECT_EQ(consensus::EncodeChainParamsLeaf(*read), consensus::EncodeChainParamsLeaf(params));
  for (const std::string& name : PresetNames()) {
    auto preset = ParseChainToml(PresetToml(name), name);
    ASSERT_TRUE(preset.ok()) << preset.status().ToString();
    EXPECT_EQ(consensus::EncodeChainParamsLeaf(*preset), consensus::EncodeChainParamsLeaf(*Preset(name)));
  }
}

}  // namespace
}  // namespace rowchain::chain
