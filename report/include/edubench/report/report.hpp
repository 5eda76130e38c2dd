// Pictures and comparisons of finished runs, from their run directories alone (the files the
// checker trusts): `edubench report` writes one self-contained HTML page, `edubench compare`
// prints the same comparison as a table. A directory is a run directory (result.json,
// events.jsonl) or a peak search's (peak.json and its probes).
#pragma once

#include <edubench/registry/registry.hpp>

#include <stdexcept>
#include <string>
#include <vector>

namespace edubench::report {

// A directory that is neither: what() names it and what was expected.
class InputError : public std::invalid_argument {
 public:
  using std::invalid_argument::invalid_argument;
};

// The HTML page for `dirs` side by side on the same axes. Throws InputError.
std::string html_report(const std::vector<std::string>& dirs);

// A table, one column per run (the last column: the last run / the first), for a terminal.
std::string compare_table(const std::vector<std::string>& dirs);

struct GateResult {
  std::string name;
  bool pass = false;
  std::string line;  // the figures: after against before, and what the gate needs
};

// Each gate the workload declares in `reg` on a before/after pair of its runs (same workload and
// scenario). Throws InputError for other pairs or a workload without gates.
std::vector<GateResult> check_gates(const std::string& before, const std::string& after, const registry::Registry& reg);

}  // namespace edubench::report
