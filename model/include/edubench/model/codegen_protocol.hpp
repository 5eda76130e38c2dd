// The text protocol of the codegen_agent traces, shared by the plugin and its tests (no torch):
//   Task: <description>\n
//   Code:\n
//   <python source, ending in a newline>\n              (a blank line ends the code)
//   Result: passed\n                                 (or "Result: failed: <feedback>\n",
//   ...                                               "Result: timed_out: <feedback>\n",
//                                                     then "Code:\n" and the next attempt)
// The data generator (tools/datagen/make_codegen_data.cpp) writes exactly this form; the verdicts
// come from the harness's sandbox.
#pragma once

#include <string>
#include <string_view>

namespace edubench::model {

inline std::string codegen_prompt(std::string_view task) { return "Task: " + std::string(task) + "\nCode:\n"; }

// The model's code is complete at its first blank line.
inline bool codegen_code_done(std::string_view generated) {
  return generated.size() >= 2 && generated.substr(generated.size() - 2) == "\n\n";
}

// The code of an attempt: the generated text up to its blank line, with one final newline.
inline std::string codegen_code(std::string_view generated) {
  size_t end = generated.find("\n\n");
  return std::string(generated.substr(0, end == std::string_view::npos ? generated.size() : end + 1));
}

// What the agent appends after an attempt: the verdict line, and the next "Code:" header when
// it will try again.
inline std::string codegen_feedback(bool passed, bool timed_out, std::string_view feedback, bool retry) {
  if (passed) return "Result: passed\n";
  std::string line = std::string("Result: ") + (timed_out ? "timed_out: " : "failed: ");
  for (char c : feedback) line += c == '\n' ? ' ' : c;  // one line, as the sandbox reports it
  return line + "\n" + (retry ? "Code:\n" : "");
}

}  // namespace edubench::model
