// The agents' tools (calculator, string_length, lookup, compare): an argument comes from a
// student's model. The first byte picks the tool; a bad argument is an "error: ..." observation,
// never an exception.
#include "fuzz_support.hpp"

#include <edubench/hostsvc/tools.hpp>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const auto& names = edubench::hostsvc::tool_names();
  const std::string& tool = names[data[0] % names.size()];
  const auto r = edubench::hostsvc::run_tool(tool, edubench::fuzz::as_text(data + 1, size - 1));
  if (!r.ok && r.observation.rfind("error:", 0) != 0) {
    std::fprintf(stderr, "%s: a failed call's observation does not start with \"error:\"\n", tool.c_str());
    std::abort();
  }
  return 0;
}
