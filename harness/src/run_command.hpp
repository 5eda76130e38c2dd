// `edubench run`: registry -> plugin -> load generator -> run directory -> exit code.
#pragma once

#include <string>
#include <vector>

namespace edubench::harness {

struct RunOptions {
  std::string registry_path;
  std::string workload;
  std::string sut;
  std::string scenario;
  std::string mode = "performance";
  std::string output;  // the exact run directory; empty: results/<w>/<scenario>/<mode>/<timestamp>
  std::string division = "closed";
  std::vector<std::string> sets;      // key=value
  std::vector<std::string> sut_opts;  // key=value
  bool quiet = false;
  std::string command_line;
};

// Returns the process exit code (exit_codes.hpp). Throws HarnessError only before a run
// directory exists (bad command line or registry); after that, failures are written into it.
int run_command(const RunOptions& opts);

// Splits "key=value"; throws BadInput naming `what` (--set / --sut-opt) otherwise.
std::pair<std::string, std::string> split_key_value(const std::string& kv, const std::string& what);

}  // namespace edubench::harness
