// The react_agent trace protocol: what the agent loop takes as an action, an answer or neither.
#include <edubench/model/react_protocol.hpp>

#include <doctest/doctest.h>

using namespace edubench::model;

TEST_CASE("an action line gives the tool and its argument verbatim") {
  auto p = parse_react_line("Action: calculator[12 * (3 + 4)]");
  CHECK(p.kind == LineKind::action);
  CHECK(p.tool == "calculator");
  CHECK(p.arg == "12 * (3 + 4)");
}

TEST_CASE("an argument may itself hold brackets; the line's last bracket closes it") {
  auto p = parse_react_line("Action: string_length[a]b]");
  CHECK(p.kind == LineKind::action);
  CHECK(p.tool == "string_length");
  CHECK(p.arg == "a]b");
}

TEST_CASE("an empty argument is still an action (the tool answers with an error)") {
  auto p = parse_react_line("Action: lookup[]");
  CHECK(p.kind == LineKind::action);
  CHECK(p.arg.empty());
}

TEST_CASE("malformed actions are not actions") {
  for (const char* line : {"Action: calculator 1+2", "Action: calculator[1+2", "Action: [1+2]",
                           "Action: Calc ulator[1]", "Action: calc[1] ", "Action:calculator[1]"})
    CHECK_MESSAGE(parse_react_line(line).kind == LineKind::other, line);
}

TEST_CASE("answers and thoughts keep their text; other lines are other") {
  CHECK(parse_react_line("Answer: -847").kind == LineKind::answer);
  CHECK(parse_react_line("Answer: -847").text == "-847");
  CHECK(parse_react_line("Answer: ").text.empty());
  CHECK(parse_react_line("Thought: left part").kind == LineKind::thought);
  CHECK(parse_react_line("Observation: 3").kind == LineKind::other);
  CHECK(parse_react_line("").kind == LineKind::other);
}

TEST_CASE("the prompt is the question line the traces start with") {
  CHECK(react_prompt("What is 1 + 2?") == "Question: What is 1 + 2?\n");
}

TEST_CASE("a step ends at its first line that is not a thought") {
  CHECK_FALSE(react_step_done("Thought: left part"));
  CHECK_FALSE(react_step_done("Thought: left part\n"));
  CHECK_FALSE(react_step_done("Thought: left part\nAction: calculator[1"));
  CHECK(react_step_done("Thought: left part\nAction: calculator[1 + 2]\n"));
  CHECK(react_step_done("Answer: 3\n"));
  CHECK(react_step_done("Thought: x\nnonsense\n"));
  CHECK(last_line("Thought: x\nAnswer: 3\n") == "Answer: 3");
  CHECK(last_line("no newline").empty());
}
