// workloads.yaml (load_registry): arbitrary text must load or end in registry::Error, one line.
#include "fuzz_support.hpp"

#include <edubench/registry/registry.hpp>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const auto path = edubench::fuzz::scratch_dir() / "workloads.yaml";
  edubench::fuzz::write_file(path, edubench::fuzz::as_text(data, size));
  try {
    edubench::registry::load_registry(path.string());
  } catch (const edubench::registry::Error& e) {
    edubench::fuzz::require_one_line(e.what(), "load_registry");
  }
  return 0;
}
