// Every scalar chain parameter, defined once: the tables below drive the chain file's keys,
// the TOML a preset is printed as, and `rowchain chain --json`. Adding a parameter is a field
// in consensus::ChainParams (with its canonical bytes) and one row here.
#pragma once

#include <span>
#include <string_view>
#include <variant>

#include "consensus/chain_params.h"

namespace rowchain::chain {

template <typename Params>
struct Field {
  std::string_view key;
  std::variant<uint32_t Params::*, bool Params::*, std::string Params::*> member;
  bool required = false;
  bool hex = false;  // compact bits: written as 0x...
};

using ChainField = Field<consensus::ChainParams>;    // top level of a chain file
using GenesisField = Field<consensus::GenesisParams>;  // [genesis]

std::span<const ChainField> ChainFields();
std::span<const GenesisField> GenesisFields();

}  // namespace rowchain::chain
