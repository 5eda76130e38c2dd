// events.jsonl and accuracy.jsonl (read_run_log), which the checker trusts no further than it
// can parse them, then the figures it recomputes from what parsed (check_validity). The input
// is events.jsonl, a 0xff byte (never in UTF-8 text), then accuracy.jsonl.
#include "fuzz_support.hpp"

#include <edubench/compliance/check.hpp>
#include <edubench/runlog/run_dir.hpp>

#include <algorithm>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  namespace fz = edubench::fuzz;
  static const auto events = fz::scratch_dir() / "events.jsonl";
  static const auto accuracy = fz::scratch_dir() / "accuracy.jsonl";
  const uint8_t* split = std::find(data, data + size, uint8_t{0xff});
  fz::write_file(events, fz::as_text(data, static_cast<size_t>(split - data)));
  fz::write_file(accuracy, split == data + size ? std::string_view()
                                                : fz::as_text(split + 1, static_cast<size_t>(data + size - split - 1)));
  edubench::runlog::RunLog log;
  try {
    log = edubench::runlog::read_run_log(events.string(), accuracy.string());
  } catch (const edubench::runlog::FormatError& e) {
    fz::require_one_line(e.what(), "read_run_log");
    return 0;
  }
  // The checker runs each rule inside a catch that turns an exception into a FAIL line
  // (check_submission's add()); a crash or undefined behaviour is what this looks for.
  try {
    const auto r = edubench::compliance::check_validity(log, "events.jsonl");
    fz::require_one_line(edubench::compliance::report_line(r), "check_validity");
  } catch (const std::exception& e) {
    fz::require_one_line(e.what(), "check_validity");
  }
  return 0;
}
