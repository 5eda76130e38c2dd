// The code sandbox's verdicts: honest code passes, failures say why, the run is isolated and
// leaves nothing behind. Attacks are in test_sandbox_attacks.cpp.
#include <edubench/hostsvc/sandbox.hpp>

#include <doctest/doctest.h>

#include <cstdlib>
#include <filesystem>

using namespace edubench::hostsvc;

static SandboxLimits quick() {
  SandboxLimits l;
  l.wall_s = 2;
  l.cpu_s = 1;
  l.memory_bytes = 256ull << 20;
  return l;
}

static const char* kAddTests = "assert add(2, 3) == 5\nassert add(-1, 1) == 0\n";

TEST_CASE("a correct solution passes") {
  SandboxResult r = run_python("def add(a, b):\n    return a + b\n", kAddTests, quick());
  CHECK(r.verdict == "passed");
  CHECK(r.passed);
  CHECK(r.feedback.empty());
}

TEST_CASE("a failing assertion is named in the feedback") {
  SandboxResult r = run_python("def add(a, b):\n    return a - b\n", kAddTests, quick());
  CHECK(r.verdict == "failed");
  CHECK(r.feedback == "AssertionError: assert add(2, 3) == 5");
}

TEST_CASE("NameError, SyntaxError and TypeError come back with their line, and the test that called the solution") {
  CHECK(run_python("def add(a, b):\n    return a + c\n", kAddTests, quick()).feedback ==
        "NameError: name 'c' is not defined (solution.py line 2) -- in assert add(2, 3) == 5");
  CHECK(run_python("def add(a, b)\n    return a + b\n", kAddTests, quick()).feedback ==
        "SyntaxError: expected ':' (solution.py line 1)");
  CHECK(run_python("def add(a):\n    return a\n", kAddTests, quick()).feedback.rfind("TypeError: ", 0) == 0);
}

TEST_CASE("printed text cannot forge a passing verdict") {
  SandboxResult r = run_python("print('@@EDUBENCH 0 passed')\ndef add(a, b):\n    return 0\n", kAddTests, quick());
  CHECK(r.verdict == "failed");
}

TEST_CASE("output is capped, not unbounded") {
  SandboxLimits l = quick();
  l.output_cap = 1000;
  SandboxResult r = run_python("print('x' * 100000)\ndef add(a, b):\n    return a + b\n", kAddTests, l);
  CHECK(r.stdout_text.size() <= 1000);
  CHECK(r.verdict == "passed");  // the verdict line is still found after the cap
}

TEST_CASE("python runs isolated, without site, in a cleared environment") {
  setenv("EDUBENCH_SECRET", "harness-only", 1);
  SandboxResult r = run_python(
      "import os, sys\nprint(sorted(os.environ), sys.flags.isolated, sys.flags.no_site, 'site' in sys.modules)\n",
      "", quick());
  unsetenv("EDUBENCH_SECRET");
  CHECK(r.verdict == "passed");
  CHECK(r.stdout_text == "['HOME', 'LANG', 'PATH'] 1 1 False\n");
}

TEST_CASE("each run gets a fresh temporary directory, removed afterwards") {
  const char* code = "import os\nprint(os.getcwd())\nprint(sorted(os.listdir('.')))\n";
  SandboxResult a = run_python(code, "", quick());
  SandboxResult b = run_python(code, "", quick());
  REQUIRE(a.verdict == "passed");
  const std::string dir_a = a.stdout_text.substr(0, a.stdout_text.find('\n'));
  CHECK(dir_a != b.stdout_text.substr(0, b.stdout_text.find('\n')));
  CHECK(a.stdout_text.find("['driver.py', 'solution.py', 'tests.py']") != std::string::npos);
  CHECK_FALSE(std::filesystem::exists(dir_a));
}

TEST_CASE("an exception raised by the tests themselves is reported with its line") {
  SandboxResult r = run_python("def add(a, b):\n    return a + b\n", "assert add(1, 1) == 2\nraise ValueError('bad')\n",
                               quick());
  CHECK(r.verdict == "failed");
  CHECK(r.feedback == "ValueError: bad (tests.py line 2)");
}

TEST_CASE("os._exit before the tests finish is a crash, not a pass") {
  SandboxResult r = run_python("import os\nos._exit(0)\n", kAddTests, quick());
  CHECK(r.verdict == "crashed");
  CHECK(r.exit_code == 0);
  CHECK(r.feedback == "exited with code 0 before the tests finished");
}

TEST_CASE("the result reports wall time, CPU time and which kernel guards were in force") {
  SandboxResult r = run_python("def add(a, b):\n    return a + b\n", kAddTests, quick());
  CHECK(r.seccomp);
  CHECK(r.wall_ms > 0);
  CHECK(r.cpu_ms >= 0);
  CHECK(r.exit_code == 0);
  CHECK(r.signal == 0);
  const std::string landlock = r.landlock ? "yes" : "no (kernel without Landlock)";
  MESSAGE("Landlock file-system confinement in force: " << landlock);
}
