// The manifest rule: nothing in a run directory changed after the harness sealed it.
#include <edubench/compliance/check.hpp>

#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>

namespace edubench::compliance {

RuleResult check_manifest_files(const std::string& run_dir, const std::string& label) {
  namespace fs = std::filesystem;
  RuleResult r{"manifest." + label, false, label + "/manifest.json", ""};
  std::ifstream in(fs::path(run_dir) / "manifest.json", std::ios::binary);
  if (!in) {
    r.figures = "missing or unreadable";
    return r;
  }
  nlohmann::json man = nlohmann::json::parse(in, nullptr, false);
  if (man.is_discarded() || !man.is_object() || !man.contains("files") || !man["files"].is_object()) {
    r.figures = "not a manifest (malformed JSON or no 'files' object)";
    return r;
  }
  const auto& files = man["files"];
  for (const char* required : {"events.jsonl", "accuracy.jsonl", "result.json", "summary.txt", "trace.json"})
    if (!files.contains(required)) {
      r.figures = std::string("lists no sha256 for ") + required;
      return r;
    }
  size_t n = 0;
  for (auto it = files.begin(); it != files.end(); ++it) {
    r.file = label + "/" + it.key();
    // A name that leaves the run directory is an edit, not a file of the run.
    if (it.key().find('/') != std::string::npos || !it->is_string()) {
      r.figures = "manifest entry '" + it.key() + "' is not a file name with a sha256";
      return r;
    }
    std::string actual;
    try {
      actual = registry::sha256_file((fs::path(run_dir) / it.key()).string());
    } catch (const std::exception&) {
      r.figures = "missing or unreadable";
      return r;
    }
    if (actual != it->get<std::string>()) {
      r.figures = "sha256 " + actual.substr(0, 16) + "... differs from manifest.json's " +
                  it->get<std::string>().substr(0, 16) + "... (edited after the run)";
      return r;
    }
    ++n;
  }
  r.pass = true;
  r.file = label + "/manifest.json";
  r.figures = std::to_string(n) + " files match their sha256";
  return r;
}

}  // namespace edubench::compliance
