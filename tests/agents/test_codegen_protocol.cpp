// The codegen_agent trace protocol: where an attempt's code ends and what is fed back.
#include <edubench/model/codegen_protocol.hpp>

#include <doctest/doctest.h>

using namespace edubench::model;

TEST_CASE("the prompt opens the first attempt") {
  CHECK(codegen_prompt("Write f.") == "Task: Write f.\nCode:\n");
}

TEST_CASE("code ends at its first blank line, keeping one newline") {
  CHECK_FALSE(codegen_code_done("def f(xs):\n    return sum(xs)\n"));
  CHECK(codegen_code_done("def f(xs):\n    return sum(xs)\n\n"));
  CHECK(codegen_code("def f(xs):\n    return sum(xs)\n\n") == "def f(xs):\n    return sum(xs)\n");
  CHECK(codegen_code("def f(xs):\n    return 1") == "def f(xs):\n    return 1");  // out of budget: as it is
}

TEST_CASE("feedback is one verdict line, then the next attempt's header on a retry") {
  CHECK(codegen_feedback(true, false, "", true) == "Result: passed\n");
  CHECK(codegen_feedback(false, false, "NameError: name 'f' is not defined (tests.py line 1)", true) ==
        "Result: failed: NameError: name 'f' is not defined (tests.py line 1)\nCode:\n");
  CHECK(codegen_feedback(false, true, "killed\nafter 5 s", false) == "Result: timed_out: killed after 5 s\n");
}
