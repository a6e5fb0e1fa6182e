// Chain parameters from a TOML chain file or a built-in preset (docs/chain-rules.md).
// Unknown keys are errors, so a typo never silently becomes a default. Thread-safe.
#pragma once

#include <optional>
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
// A built-in chain's parameters; nullopt when there is no such preset.
std::optional<consensus::ChainParams> Preset(std::string_view name);
// A preset as a chain file (to start one's own from); empty when there is no such preset.
std::string PresetToml(std::string_view name);

// `params` as a chain file that ParseChainToml reads back to the same parameters, under a
// comment line.
std::string WriteChainToml(const consensus::ChainParams& params, std::string_view comment);

}  // namespace rowchain::chain
