// `edubench check` over a submission with one file replaced by the input: result.json,
// manifest.json, submission.json, events.jsonl or accuracy.jsonl of one of its runs, picked by
// the first byte. The submission is a real one (echo, the short compliance registry), made by
// run_fuzz.sh before fuzzing; its folder and registry come from the environment. Every rule must
// end in a PASS or FAIL line, never a crash.
#include "fuzz_support.hpp"

#include <edubench/compliance/check.hpp>
#include <edubench/registry/registry.hpp>

#include <vector>

namespace {

namespace fs = std::filesystem;

struct Template {
  fs::path dir;
  edubench::registry::Registry reg;
  std::vector<fs::path> files;  // the ones an input may replace
};

const Template& submission() {
  static const Template t = [] {
    const char* dir = std::getenv("EDUBENCH_FUZZ_SUBMISSION");
    const char* reg = std::getenv("EDUBENCH_FUZZ_REGISTRY");
    if (!dir || !reg) {
      std::fprintf(stderr, "fuzz_checker: set EDUBENCH_FUZZ_SUBMISSION and EDUBENCH_FUZZ_REGISTRY (run_fuzz.sh does)\n");
      std::exit(2);
    }
    Template t;
    t.dir = edubench::fuzz::scratch_dir() / "submission";
    fs::copy(dir, t.dir, fs::copy_options::recursive);
    t.reg = edubench::registry::load_registry(reg);
    t.files.push_back(t.dir / "submission.json");
    for (const char* run : {"performance", "accuracy", "audit_same_sample"})
      for (const char* f : {"result.json", "manifest.json", "events.jsonl", "accuracy.jsonl"})
        t.files.push_back(t.dir / run / f);
    return t;
  }();
  return t;
}

std::string read_all(const fs::path& p) {
  std::ifstream f(p, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(f)), {});
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  namespace fz = edubench::fuzz;
  if (size == 0) return 0;
  const Template& t = submission();
  const fs::path& target = t.files[data[0] % t.files.size()];
  const std::string original = read_all(target);
  fz::write_file(target, fz::as_text(data + 1, size - 1));
  for (const auto& r : edubench::compliance::check_submission(t.dir.string(), t.reg, ""))
    fz::require_one_line(edubench::compliance::report_line(r), "check_submission");
  fz::write_file(target, original);
  return 0;
}
