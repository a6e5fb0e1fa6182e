// Every scalar daemon setting, defined once: the table below drives the TOML key, the
// command-line flag, the help text (with the default, which is DaemonConfig's initializer) and
// the flags-over-file merge. Adding a setting is a field in DaemonConfig and one row in
// kDaemonSettings (daemon_settings.cpp); docs/node.md lists them (a test keeps it complete).
// The structured settings ([tls], [[tokens]], [kafka]) are read in daemon_config.cpp.
#pragma once

#include <map>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include <CLI/CLI.hpp>

#include "chain/toml_reader.h"
#include "daemon/daemon_config.h"

namespace rowchain::daemon {

struct Setting {
  std::string_view key;   // in the config file; the flag is --key with '-' for '_' unless `flag` is set
  std::string_view help;
  std::variant<std::string DaemonConfig::*, uint32_t DaemonConfig::*, uint64_t DaemonConfig::*,
               std::vector<std::string> DaemonConfig::*, std::vector<int> DaemonConfig::*>
      field;
  std::string_view flag = {};  // a flag name that differs from the key's (--peer for peers)
  bool required = false;
};

std::span<const Setting> DaemonSettings();
// "--max-pending-rows" for max_pending_rows.
std::string FlagOf(const Setting& setting);

// Reads every setting of the table present in the file's top level.
Status ReadSettings(const chain::TableReader& reader, const toml::table& root, DaemonConfig* config);

// Command-line flags for every setting, parsed into `flags`; Merge copies the given ones.
class SettingFlags {
 public:
  SettingFlags(CLI::App& app, DaemonConfig* flags);
  // `config` (from the file, or the defaults) with every flag that was given on top.
  Status MergeInto(DaemonConfig* config) const;

 private:
  DaemonConfig* m_flags;
  std::vector<std::pair<const Setting*, CLI::Option*>> m_options;
  std::map<std::string_view, std::string> m_lists;  // list flags as typed ("0,2"), parsed in MergeInto
};

}  // namespace rowchain::daemon
