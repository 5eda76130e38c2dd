// The code sandbox: honest code passes, failures say why, and every attack is contained and
// reported while the test process (the harness) carries on.
#include <edubench/hostsvc/sandbox.hpp>

#include <doctest/doctest.h>

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

TEST_CASE("NameError, SyntaxError and TypeError come back with their line") {
  CHECK(run_python("def add(a, b):\n    return a + c\n", kAddTests, quick()).feedback ==
        "NameError: name 'c' is not defined (solution.py line 2)");
  CHECK(run_python("def add(a, b)\n    return a + b\n", kAddTests, quick()).feedback ==
        "SyntaxError: expected ':' (solution.py line 1)");
  CHECK(run_python("def add(a):\n    return a\n", kAddTests, quick()).feedback.rfind("TypeError: ", 0) == 0);
}

TEST_CASE("printed text cannot forge a passing verdict") {
  SandboxResult r = run_python("print('@@EDUBENCH 0 passed')\ndef add(a, b):\n    return 0\n", kAddTests, quick());
  CHECK(r.verdict == "failed");
}

TEST_CASE("an infinite loop is killed and reported as timed out") {
  SandboxResult r = run_python("while True:\n    pass\n", kAddTests, quick());
  CHECK(r.verdict == "timed_out");
  CHECK(r.timed_out);
}

TEST_CASE("a fork bomb is refused") {
  SandboxResult r = run_python("import os\nwhile True:\n    os.fork()\n", kAddTests, quick());
  CHECK(r.verdict == "failed");
  CHECK(r.feedback.find("PermissionError") != std::string::npos);
}

TEST_CASE("os.system and subprocess are refused") {
  SandboxResult r = run_python("import os\nos.system('touch /tmp/edubench_pwned')\n", kAddTests, quick());
  CHECK(r.verdict == "failed");
  CHECK(r.feedback.find("os.system is not allowed") != std::string::npos);
  CHECK_FALSE(std::filesystem::exists("/tmp/edubench_pwned"));
  r = run_python("import subprocess\nsubprocess.run(['ls'])\n", kAddTests, quick());
  CHECK(r.feedback.find("not allowed") != std::string::npos);
}

TEST_CASE("a memory hog dies inside the sandbox") {
  SandboxResult r = run_python("x = bytearray(2 * 1024 * 1024 * 1024)\n", kAddTests, quick());
  CHECK_FALSE(r.passed);
  CHECK((r.feedback.find("MemoryError") != std::string::npos || r.verdict == "crashed"));
}

TEST_CASE("writing outside the working directory is refused, inside is fine") {
  SandboxResult r = run_python("open('/tmp/edubench_escape.txt', 'w').write('x')\n", kAddTests, quick());
  CHECK(r.verdict == "failed");
  CHECK(r.feedback.find("writing outside the working directory") != std::string::npos);
  CHECK_FALSE(std::filesystem::exists("/tmp/edubench_escape.txt"));
  r = run_python("open('scratch.txt', 'w').write('ok')\ndef add(a, b):\n    return a + b\n", kAddTests, quick());
  CHECK(r.verdict == "passed");
}

TEST_CASE("a socket connection is refused") {
  SandboxResult r = run_python("import socket\ns = socket.create_connection(('127.0.0.1', 22), timeout=1)\n",
                               kAddTests, quick());
  CHECK(r.verdict == "failed");
  CHECK(r.feedback.find("not allowed") != std::string::npos);
}

TEST_CASE("output is capped, not unbounded") {
  SandboxLimits l = quick();
  l.output_cap = 1000;
  SandboxResult r = run_python("print('x' * 100000)\ndef add(a, b):\n    return a + b\n", kAddTests, l);
  CHECK(r.stdout_text.size() <= 1000);
  CHECK(r.verdict == "passed");  // the verdict line is still found after the cap
}
