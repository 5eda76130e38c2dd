// The harness-owned tools an agent calls through edu_host.call_tool. Each is a pure function
// of its argument: no eval, no shell, no I/O; a bad argument yields an "error: ..." observation.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace edubench::hostsvc {

struct ToolResult {
  std::string observation;
  bool ok = false;  // false: the observation starts with "error:"
};

const std::vector<std::string>& tool_names();
bool is_known_tool(std::string_view name);
// Runs `tool` on `arg`. For an unknown tool, ok is false and the observation says so.
ToolResult run_tool(std::string_view tool, std::string_view arg);

// The individual tools (exposed for tests).
ToolResult calculator(std::string_view expression);
ToolResult string_length(std::string_view text);
ToolResult lookup(std::string_view name);
ToolResult compare(std::string_view pair);

}  // namespace edubench::hostsvc
