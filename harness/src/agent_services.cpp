#include "agent_services.hpp"

#include <edubench/hostsvc/sandbox.hpp>
#include <edubench/hostsvc/tools.hpp>

#include <nlohmann/json.hpp>

namespace edubench::harness {

bool is_tool(const std::string& name) { return hostsvc::is_known_tool(name); }

std::string invoke_tool(const std::string& name, const std::string& arg) {
  return hostsvc::run_tool(name, arg).observation;
}

namespace {

CodeVerdict run_tests(const std::string& code, const registry::Sample& sample, const char* which,
                      const hostsvc::SandboxLimits& limits) {
  CodeVerdict v;
  nlohmann::json extra = nlohmann::json::parse(sample.extra_json.empty() ? "{}" : sample.extra_json,
                                               nullptr, false);
  if (extra.is_discarded() || !extra.contains(which) || !extra[which].is_string()) {
    v.supported = false;
    v.feedback = "sample " + std::to_string(sample.index) + " has no " + which;
    return v;
  }
  hostsvc::SandboxResult r = hostsvc::run_python(code, extra[which].get<std::string>(), limits);
  v.passed = r.passed;
  v.timed_out = r.timed_out;
  v.verdict = r.verdict;
  v.feedback = r.feedback;
  return v;
}

}  // namespace

CodeVerdict run_visible_tests(const std::string& code, const registry::Sample& sample,
                              const hostsvc::SandboxLimits& limits) {
  CodeVerdict v = run_tests(code, sample, "visible_tests", limits);
  if (!v.supported) v.feedback += ": run_code is not served";
  return v;
}

}  // namespace edubench::harness
