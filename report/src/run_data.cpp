#include "run_data.hpp"

#include <edubench/report/report.hpp>
#include <edubench/runlog/run_dir.hpp>

#include <cmath>
#include <filesystem>
#include <fstream>

namespace edubench::report {
namespace fs = std::filesystem;

namespace {

ojson read_json(const fs::path& file) {
  std::ifstream f(file);
  if (!f) throw InputError(file.string() + ": cannot read");
  ojson j = ojson::parse(f, nullptr, false);
  if (j.is_discarded() || !j.is_object()) throw InputError(file.string() + ": not a JSON object");
  return j;
}

std::string label_of(const ojson& result, const std::string& dir) {
  std::string label = result.contains("sut") ? result["sut"].value("name", "") : "";
  if (result.contains("sut_options"))
    for (const auto& o : result["sut_options"])
      if (o.is_string() && o.get<std::string>().find('/') == std::string::npos) label += " " + o.get<std::string>();
  return label.empty() ? fs::path(dir).filename().string() : label;
}

}  // namespace

RunData load_run(const std::string& dir) {
  RunData r;
  r.dir = dir;
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) throw InputError(dir + ": no such directory");
  const fs::path d(dir);
  if (fs::exists(d / "peak.json", ec)) {
    r.is_peak = true;
    r.peak = read_json(d / "peak.json");
    if (!r.peak.contains("probes") || !r.peak["probes"].is_array())
      throw InputError((d / "peak.json").string() + ": no probes array");
    for (const auto& p : r.peak["probes"]) r.probe_results.push_back(read_json(d / p.value("dir", "") / "result.json"));
    r.label = r.peak.value("sut", fs::path(dir).filename().string()) + " (peak search)";
    return r;
  }
  if (!fs::exists(d / "result.json", ec))
    throw InputError(dir + ": not a run directory (no result.json) and not a peak search (no peak.json)");
  r.result = read_json(d / "result.json");
  try {
    r.log = runlog::read_run_log((d / "events.jsonl").string(), (d / "accuracy.jsonl").string());
  } catch (const std::exception& e) {
    throw InputError(e.what());
  }
  r.figures = runlog::run_figures(r.log);
  r.label = label_of(r.result, dir);
  return r;
}

namespace {
double number_at(const ojson& root, const std::string& path) {
  const ojson* at = &root;
  size_t from = 0;
  while (from <= path.size()) {
    const size_t dot = path.find('.', from);
    const std::string key = path.substr(from, dot == std::string::npos ? std::string::npos : dot - from);
    if (!at->is_object() || !at->contains(key)) return NAN;
    at = &(*at)[key];
    if (dot == std::string::npos) break;
    from = dot + 1;
  }
  return at->is_number() ? at->get<double>() : NAN;
}
}  // namespace

double metric(const RunData& r, const std::string& path) {
  return r.result.contains("metrics") ? number_at(r.result["metrics"], path) : NAN;
}

double figure(const RunData& r, const std::string& path) {
  if (path.rfind("accuracy.", 0) == 0) return number_at(r.result, path);
  return metric(r, path);
}

}  // namespace edubench::report
