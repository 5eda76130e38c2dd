// `edubench report DIR... [-o FILE]` and `edubench compare A B...`: pictures and a table of
// finished runs (report/).
#include "commands.hpp"

#include <edubench/harness/system_info.hpp>
#include <edubench/registry/registry.hpp>
#include <edubench/report/report.hpp>
#include <edubench/session/errors.hpp>

#include <cstdio>
#include <fstream>
#include <iostream>

namespace edubench::cli {
using namespace edubench::harness;

int cmd_report(int argc, char** argv) {
  std::vector<std::string> dirs;
  std::string out;
  po::options_description desc(
      "edubench report RUN_DIR... [-o report.html]\n\n"
      "Draws the runs side by side in one self-contained HTML file (inline SVG, nothing fetched):\n"
      "latency CDF and over time, throughput over time, TTFT/TPOT/inter-token histograms, agent step\n"
      "splits and context growth, speculative acceptance, and for a peak search (a --find-peak\n"
      "directory) latency against offered load with the bound and the peak.\n\noptions");
  desc.add_options()("help,h", "show this help")
      ("dirs", po::value(&dirs)->composing(), "run directories or peak-search directories")
      ("output,o", po::value(&out)->default_value("report.html"), "the HTML file to write");
  po::positional_options_description pos;
  pos.add("dirs", -1);
  auto vm = parse_options(desc, &pos, argc, argv);
  if (vm.count("help")) return std::cout << desc, kExitValid;
  if (dirs.empty()) throw BadInput("report: expected at least one run directory (see --help)");
  std::string html;
  try {
    html = report::html_report(dirs);
  } catch (const report::InputError& e) {
    throw BadInput(e.what());
  }
  std::ofstream f(out, std::ios::binary | std::ios::trunc);
  f << html;
  if (!f.flush()) throw HarnessError(kExitInternal, "cannot write " + out);
  std::printf("report: %s (%zu run%s)\n", out.c_str(), dirs.size(), dirs.size() == 1 ? "" : "s");
  return kExitValid;
}

int cmd_compare(int argc, char** argv) {
  std::vector<std::string> dirs;
  bool gates = false;
  std::string registry_path;
  po::options_description desc(
      "edubench compare RUN_DIR RUN_DIR... [--gates]\n\n"
      "Prints the runs' figures side by side (from each result.json), with the last run over the\n"
      "first: the before/after table of a lab. --gates then checks the lesson's gates that the\n"
      "workload declares in the registry on BEFORE (the first) and AFTER (the last): one PASS/FAIL\n"
      "line each, exit 8 when one fails.\n\noptions");
  desc.add_options()("help,h", "show this help")("dirs", po::value(&dirs)->composing(), "run directories")
      ("gates", po::bool_switch(&gates), "check the workload's gates on the first and last run")
      ("registry", po::value(&registry_path)->default_value(default_registry_path()), "workloads.yaml with the gates");
  po::positional_options_description pos;
  pos.add("dirs", -1);
  auto vm = parse_options(desc, &pos, argc, argv);
  if (vm.count("help")) return std::cout << desc, kExitValid;
  if (dirs.size() < 2) throw BadInput("compare: expected at least two run directories (see --help)");
  try {
    std::cout << report::compare_table(dirs);
    if (!gates) return kExitValid;
    bool all = true;
    std::cout << "\n";
    for (const auto& g : report::check_gates(dirs.front(), dirs.back(), registry::load_registry(registry_path))) {
      std::cout << (g.pass ? "PASS" : "FAIL") << " gate " << g.name << ": " << g.line << "\n";
      all = all && g.pass;
    }
    return all ? kExitValid : kExitGateFailed;
  } catch (const report::InputError& e) {
    throw BadInput(e.what());
  }
}

}  // namespace edubench::cli
