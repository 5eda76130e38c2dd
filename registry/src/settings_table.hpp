// Internal to the registry: the settings table's entry points for the YAML parser, which
// reports errors at its own file, line and field path rather than as "--set".
#pragma once

#include <edubench/registry/registry.hpp>

#include <string>

namespace edubench::registry {

bool is_setting(const std::string& key);
void apply_setting_at(Settings& s, const std::string& key, const std::string& value,
                      const std::string& file, int line, const std::string& field);

}  // namespace edubench::registry
