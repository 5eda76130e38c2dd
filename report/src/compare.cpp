#include <edubench/report/report.hpp>

#include "run_data.hpp"
#include "svg_chart.hpp"
#include "table.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace edubench::report {

std::string compare_table(const std::vector<std::string>& dirs) {
  if (dirs.size() < 2) throw InputError("compare: expected at least two run directories");
  std::vector<RunData> all;
  for (const std::string& d : dirs) {
    all.push_back(load_run(d));
    if (all.back().is_peak) throw InputError(d + ": a peak search; compare takes run directories (report draws peaks)");
  }
  std::vector<const RunData*> runs;
  for (const RunData& r : all) runs.push_back(&r);
  std::vector<std::string> head = {"figure"};
  for (size_t k = 0; k < runs.size(); ++k) head.push_back("[" + std::to_string(k + 1) + "]");
  head.push_back("last/first");
  std::vector<std::vector<std::string>> rows = {head};
  std::vector<std::string> verdict = {"verdict"};
  for (const RunData* r : runs) verdict.push_back(r->result.value("valid", false) ? "VALID" : "INVALID");
  verdict.push_back("");
  rows.push_back(verdict);
  for (const Row& row : comparison_rows(runs)) {
    std::vector<std::string> line = {row.name};
    for (double v : row.values) line.push_back(std::isnan(v) ? "-" : short_number(v));
    const double a = row.values.front(), b = row.values.back();
    line.push_back(std::isnan(a) || std::isnan(b) || a == 0 ? "-" : short_number(b / a) + "x");
    rows.push_back(line);
  }
  std::vector<size_t> width(head.size(), 0);
  for (const auto& line : rows)
    for (size_t i = 0; i < line.size(); ++i) width[i] = std::max(width[i], line[i].size());
  std::string out;
  for (size_t k = 0; k < runs.size(); ++k)
    out += "[" + std::to_string(k + 1) + "] " + runs[k]->label + "  (" + runs[k]->dir + ")\n";
  out += "\n";
  for (const auto& line : rows) {
    for (size_t i = 0; i < line.size(); ++i) {
      char cell[128];
      std::snprintf(cell, sizeof cell, i == 0 ? "%-*s" : "  %*s", static_cast<int>(width[i]), line[i].c_str());
      out += cell;
    }
    out += "\n";
  }
  return out;
}

}  // namespace edubench::report
