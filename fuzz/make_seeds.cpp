// Writes the seed corpora under DIR (fuzz/corpus/<target>/) from the project's own encoders:
// a regtest block with a row, its body, its packed leaves, a peer message carrying it, a proof
// of its row, a worker's job, preset chain files, and typical text inputs. Run by hand when a format changes:
//   build-fuzz/bin/fuzz_make_seeds fuzz/corpus
#include <google/protobuf/util/json_util.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "chain/chain_config.h"
#include "cli/tip_digest.h"
#include "consensus/block.h"
#include "consensus/block_info_leaf.h"
#include "consensus/hash.h"
#include "consensus/merkle.h"
#include "consensus/row_operation.h"
#include "digest_key.h"
#include "farm/farm_wire.h"
#include "rowchain/v1/ledger.pb.h"
#include "rowchain/v1/mining.pb.h"
#include "rowchain/v1/peer.pb.h"
#include "store/packed_leaves.h"
#include "util/hex.h"

namespace {

using namespace rowchain;

std::filesystem::path g_root;

void Write(const std::string& target, const std::string& name, const std::string& bytes) {
  std::filesystem::create_directories(g_root / target);
  std::ofstream(g_root / target / name, std::ios::binary) << bytes;
}
void Write(const std::string& target, const std::string& name, const std::vector<uint8_t>& bytes) {
  Write(target, name, std::string(bytes.begin(), bytes.end()));
}

consensus::Block BlockWithARow(const consensus::ChainParams& params) {
  const consensus::Block genesis = consensus::MakeGenesisBlock(params);
  consensus::RowOperation row;
  row.batch_id.fill(7);
  row.table = "users";
  row.values = {consensus::Value::Int(1), consensus::Value::Text("ada"), consensus::Value::Int(36)};
  consensus::Block block;
  block.leaves = {consensus::EncodeBlockInfoLeaf({.height = 1, .miner_id = "seed", .extra_nonce = 0}),
                  consensus::EncodeRowOperationLeaf(row)};
  block.header.prev_hash = genesis.Hash();
  block.header.merkle_root = consensus::BodyMerkleRoot(block.leaves);
  block.header.time = genesis.header.time + 1;
  block.header.bits = genesis.header.bits;
  return block;
}

std::string ProofJson(const consensus::Block& block) {
  v1::RowProof proof;
  const consensus::HeaderBytes header = block.header.Serialize();
  proof.mutable_header()->set_raw_hex(HexEncode(header));
  proof.set_height(1);
  proof.set_leaf_hex(HexEncode(block.leaves[1]));
  proof.set_leaf_index(1);
  proof.set_tree_size(2);
  proof.add_audit_path(consensus::ToInternalHex(consensus::MerkleLeafHash(block.leaves[0])));
  std::string json;
  (void)google::protobuf::util::MessageToJsonString(proof, &json);
  return json;
}

void WriteTextSeeds() {
  Write("chain_toml", "regtest.toml", chain::PresetToml("regtest"));
  Write("chain_toml", "dev.toml", chain::PresetToml("dev"));
  Write("daemon_config", "node.toml",
        "mysql = \"mysql://rowchain:pw@127.0.0.1:3306/rowchain\"\nlisten = \"127.0.0.1:7373\"\npeers = [\"10.0.0.2:7374\"]\n"
        "devices = [0, 2]\npeer_secret = \"0123456789abcdef\"\n[tls]\ncert = \"a.pem\"\nkey = \"b.pem\"\n"
        "[[tokens]]\nname = \"app\"\ntoken = \"app-token-0123456789\"\ntables = [\"users\"]\n[kafka]\n"
        "\"security.protocol\" = \"plaintext\"\n");
  Write("ingest_message", "insert.json",
        R"({"table": "users", "idempotency_key": "k1", "rows": [{"id": 1, "name": "ada", "age": 36}]})");
  Write("ingest_message", "delete.json", R"({"table": "users", "op": "delete", "rows": [{"id": 1}]})");
  Write("row_files", "rows.json", std::string("\0", 1) + R"([{"id": 1, "name": "ada", "age": 36, "photo": "00ff"}])");
  Write("row_files", "rows.csv", std::string("\1") + "id,name,age,photo\n1,ada,36,00ff\n2,\"b, c\",7,\\N\n");
  Write("mysql_uri", "tcp", "mysql://rowchain:secret-pw@127.0.0.1:3306/rowchain?ssl-mode=REQUIRED");
  Write("mysql_uri", "socket", "mysql://rowchain@localhost/rowchain?socket=/run/mysqld/mysqld.sock");
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: fuzz_make_seeds DIR\n");
    return 2;
  }
  g_root = argv[1];
  const consensus::ChainParams params = *chain::Preset("regtest");
  const consensus::Block block = BlockWithARow(params);
  const consensus::HeaderBytes header = block.header.Serialize();
  Write("header_hex", "block1", HexEncode(header));
  Write("header_hex", "genesis", HexEncode(consensus::MakeGenesisBlock(params).header.Serialize()));
  Write("block_wire", "block1", consensus::SerializeBlock(block));
  Write("block_wire", "genesis", consensus::SerializeBlock(consensus::MakeGenesisBlock(params)));
  Write("body_leaves", "block1", consensus::EncodeBlockBody(block.leaves));
  Write("packed_leaves", "block1", store::PackLeaves(block.leaves));
  v1::PeerMessage message;
  const std::vector<uint8_t> wire = consensus::SerializeBlock(block);
  message.mutable_block()->set_block(std::string(wire.begin(), wire.end()));
  Write("peer_message", "block", message.SerializeAsString());
  message.Clear();
  message.mutable_headers()->add_headers(std::string(header.begin(), header.end()));
  Write("peer_message", "headers", message.SerializeAsString());
  Write("proof_file", "proof.json", ProofJson(block));
  farm::WorkerJob job{.id = 3, .header = block.header, .height = 1, .miner_id = "rowchaind",
                      .leaf0_path = {consensus::Hash256{1}, consensus::Hash256{2}},
                      .share_target = consensus::U256(1) << 230,
                      .extra_nonce_first = farm::FirstExtraNonceOfSlot(0),
                      .extra_nonce_count = farm::kWorkerExtraNonceSpan};
  v1::NodeMessage node_message;
  *node_message.mutable_job() = farm::JobToProto(job);
  Write("farm_message", "job", node_message.SerializeAsString());
  const cli::TipDigest digest{.tip = {.chain_name = "regtest", .genesis = consensus::MakeGenesisBlock(params).Hash(),
                                      .height = 1, .hash = block.Hash(), .block_time = block.header.time},
                              .created = 1764670000};
  Write("digest_file", "tip.json", *cli::WriteTipDigest(digest, *crypto::SigningKey::FromPem(fuzz::kDigestKeyPem)));
  std::vector<uint8_t> scan(header.begin(), header.end());
  scan.insert(scan.end(), {0, 0, 0, 0, 200, 3, 0, 0});
  Write("nonce_scan_diff", "block1", scan);
  WriteTextSeeds();
  return 0;
}
