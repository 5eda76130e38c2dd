// The text protocol of the react_agent traces, shared by the plugin and its tests (no torch):
//   Question: <question>\n
//   Thought: <free text>\n
//   Action: <tool>[<argument>]\n
//   Observation: <what the harness's tool returned>\n      (appended by the agent, not generated)
//   ... more Thought / Action / Observation ...
//   Answer: <final answer>\n
// The data generator (tools/datagen/make_react_data.cpp) writes exactly this form.
#pragma once

#include <string>
#include <string_view>

namespace edubench::model {

inline std::string react_prompt(std::string_view question) {
  return "Question: " + std::string(question) + "\n";
}

enum class LineKind { none, thought, action, answer, other };

struct ParsedLine {
  LineKind kind = LineKind::none;
  std::string tool, arg;  // action
  std::string text;       // answer or thought
};

// Parses one generated line (without its newline). "Action: name[arg]" needs a non-empty name
// of [a-z_] and a closing bracket as the line's last character; anything else that starts with
// "Action:" is `other`, which the agent treats as the end of its attempt.
inline ParsedLine parse_react_line(std::string_view line) {
  ParsedLine p;
  auto starts = [&](std::string_view prefix) { return line.substr(0, prefix.size()) == prefix; };
  if (starts("Answer: ")) {
    p.kind = LineKind::answer;
    p.text = std::string(line.substr(8));
  } else if (starts("Thought: ")) {
    p.kind = LineKind::thought;
    p.text = std::string(line.substr(9));
  } else if (starts("Action: ")) {
    std::string_view rest = line.substr(8);
    size_t open = rest.find('[');
    p.kind = LineKind::other;
    if (open == std::string_view::npos || open == 0 || rest.back() != ']') return p;
    for (char c : rest.substr(0, open))
      if (!((c >= 'a' && c <= 'z') || c == '_')) return p;
    p.kind = LineKind::action;
    p.tool = std::string(rest.substr(0, open));
    p.arg = std::string(rest.substr(open + 1, rest.size() - open - 2));
  } else {
    p.kind = LineKind::other;
  }
  return p;
}

// The last complete line of `text` without its newline; empty when text does not end in '\n'.
inline std::string_view last_line(std::string_view text) {
  if (text.empty() || text.back() != '\n') return {};
  text.remove_suffix(1);
  size_t from = text.rfind('\n');
  return from == std::string_view::npos ? text : text.substr(from + 1);
}

// A generated step ends with its first line that is not a thought: an action, an answer, or
// something unparseable (which ends the query).
inline bool react_step_done(std::string_view generated) {
  if (generated.empty() || generated.back() != '\n') return false;
  return parse_react_line(last_line(generated)).kind != LineKind::thought;
}

}  // namespace edubench::model
