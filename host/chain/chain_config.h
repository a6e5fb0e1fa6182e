// Chain parameters from a TOML chain file or a built-in preset (docs/chain-file.md).
// Unknown keys are errors, so a typo never silently becomes a default. Thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "consensus/chain_params.h"
#include "util/status.h"

namespace rowchain::chain {

// "regtest" or "dev" selects a preset; anything else is read as a path to a TOML file.
// INVALID_ARGUMENT (with file, line and key) for a bad file, NOT_FOUND for a missing one.
StatusOr<consensus::ChainParams> LoadChain(std::string_view preset_or_path);

// `source` names the text in messages (a path or "preset dev").
StatusOr<consensus::ChainParams> ParseChainToml(std::string_view toml_text, std::string_view source);

std::vector<std::string> PresetNames();
// The TOML text of a preset; empty when there is no such preset.
std::string_view PresetToml(std::string_view name);

}  // namespace rowchain::chain
