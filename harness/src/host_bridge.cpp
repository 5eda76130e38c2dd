#include "host_bridge.hpp"

#include "agent_services.hpp"
#include "clock.hpp"

#include <exception>

namespace edubench::harness {

HostBridge::HostBridge(QueryTable& table, const std::vector<registry::Sample>& samples,
                       const hostsvc::SandboxLimits& code_limits)
    : table_(table), samples_(samples), code_limits_(code_limits) {
  host_.struct_size = sizeof(edu_host);
  host_.abi_major = EDU_ABI_VERSION_MAJOR;
  host_.abi_minor = EDU_ABI_VERSION_MINOR;
  host_.ctx = this;
  host_.stream = &HostBridge::stream;
  host_.complete = &HostBridge::complete;
  host_.call_tool = &HostBridge::call_tool;
  host_.run_code = &HostBridge::run_code;
  host_.report = &HostBridge::report;
  host_.log = &HostBridge::log;
}

static HostBridge* self(void* ctx) { return static_cast<HostBridge*>(ctx); }

// The query table itself never throws on these paths except for out-of-memory.
edu_status HostBridge::stream(void* ctx, uint64_t id, const int32_t* tokens, size_t n) {
  try {
    return self(ctx)->table_.stream(id, tokens, n);
  } catch (...) {
    return EDU_ERR_INTERNAL;
  }
}

edu_status HostBridge::complete(void* ctx, uint64_t id, const edu_response* r) {
  try {
    return self(ctx)->table_.complete(id, r);
  } catch (...) {
    return EDU_ERR_INTERNAL;
  }
}

void HostBridge::report(void* ctx, uint64_t id, const char* metric, double value) {
  try {
    self(ctx)->table_.report(id, metric, value);
  } catch (...) {
  }
}

void HostBridge::log(void* ctx, int32_t level, const char* message) {
  try {
    self(ctx)->table_.log(level, message);
  } catch (...) {
  }
}

edu_status HostBridge::call_tool(void* ctx, uint64_t id, const char* tool, const char* arg,
                                 char* out, size_t out_cap, size_t* out_len) {
  try {
    return self(ctx)->do_call_tool(id, tool, arg, out, out_cap, out_len);
  } catch (const std::exception& e) {
    self(ctx)->table_.error(id, "tool_internal", std::string("call_tool: ") + e.what());
    return EDU_ERR_INTERNAL;
  } catch (...) {
    return EDU_ERR_INTERNAL;
  }
}

edu_status HostBridge::run_code(void* ctx, uint64_t id, const char* code, size_t code_len,
                                edu_exec_result* result) {
  try {
    return self(ctx)->do_run_code(id, code, code_len, result);
  } catch (const std::exception& e) {
    self(ctx)->table_.error(id, "sandbox_internal", std::string("run_code: ") + e.what());
    return EDU_ERR_INTERNAL;
  } catch (...) {
    return EDU_ERR_INTERNAL;
  }
}

edu_status HostBridge::do_call_tool(uint64_t id, const char* tool, const char* arg, char* out,
                                    size_t out_cap, size_t* out_len) {
  if (!tool || !arg || !out_len || (out_cap > 0 && !out)) {
    table_.error(id, "bad_tool_call", "call_tool() with a NULL tool, arg, out or out_len");
    return EDU_ERR_INVALID_ARGUMENT;
  }
  if (!table_.known_in_flight(id)) {
    table_.error(id, "tool_unknown_query", "call_tool() for query " + std::to_string(id) + " which is not in flight");
    return EDU_ERR_NOT_FOUND;
  }
  if (!is_tool(tool)) {
    table_.error(id, "unknown_tool", std::string("call_tool() for unknown tool '") + tool + "'");
    return EDU_ERR_NOT_FOUND;
  }
  const int64_t start = now_ns();
  std::string observation = invoke_tool(tool, arg);
  const int64_t end = now_ns();
  *out_len = observation.size();
  // Too small: nothing is logged, so the SUT's retry with a larger buffer is the one call.
  if (observation.size() + 1 > out_cap) return EDU_ERR_BUFFER_TOO_SMALL;
  std::copy(observation.begin(), observation.end(), out);
  out[observation.size()] = '\0';
  runlog::ToolCall call;
  call.query = id;
  call.step = table_.next_step(id);
  call.tool = tool;
  call.arg = arg;
  call.observation = std::move(observation);
  call.start_ns = start;
  call.end_ns = end;
  table_.record_tool(std::move(call));
  return EDU_OK;
}

edu_status HostBridge::do_run_code(uint64_t id, const char* code, size_t code_len,
                                   edu_exec_result* result) {
  if (!result || (code_len > 0 && !code)) {
    table_.error(id, "bad_run_code", "run_code() with a NULL result or code");
    return EDU_ERR_INVALID_ARGUMENT;
  }
  if (!table_.known_in_flight(id)) {
    table_.error(id, "code_unknown_query", "run_code() for query " + std::to_string(id) + " which is not in flight");
    return EDU_ERR_NOT_FOUND;
  }
  const registry::Sample& sample = samples_.at(table_.sample_of(id));
  const int64_t start = now_ns();
  CodeVerdict v = run_visible_tests(std::string(code, code_len), sample, code_limits_);
  const int64_t end = now_ns();
  if (!v.supported) {
    table_.error(id, "run_code_unsupported", v.feedback);
    return EDU_ERR_UNSUPPORTED;
  }
  runlog::CodeRun run;
  run.query = id;
  run.attempt = table_.next_step(id);
  run.passed = v.passed;
  run.timed_out = v.timed_out;
  run.verdict = v.verdict;
  run.feedback = v.feedback;
  run.code.assign(code, code_len);
  run.start_ns = start;
  run.end_ns = end;
  const std::string& kept = table_.keep_feedback(id, v.feedback);
  table_.record_code(std::move(run));
  result->passed = v.passed ? 1 : 0;
  result->timed_out = v.timed_out ? 1 : 0;
  result->feedback = kept.c_str();
  result->feedback_len = kept.size();
  return EDU_OK;
}

}  // namespace edubench::harness
