// Exceptions that carry their exit code up to main(), which prints one line and exits.
#pragma once

#include <edubench/session/exit_codes.hpp>

#include <stdexcept>
#include <string>

namespace edubench::harness {

class HarnessError : public std::runtime_error {
 public:
  HarnessError(ExitCode code, const std::string& what) : std::runtime_error(what), code_(code) {}
  ExitCode code() const { return code_; }

 private:
  ExitCode code_;
};

struct BadInput : HarnessError {
  explicit BadInput(const std::string& w) : HarnessError(kExitBadInput, w) {}
};
struct PluginFailure : HarnessError {
  explicit PluginFailure(const std::string& w) : HarnessError(kExitPluginFailure, w) {}
};

}  // namespace edubench::harness
