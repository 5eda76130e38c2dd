// The agent tools: a real expression parser (precedence, unary minus, exact integers, decimal
// formatting) and clean "error:" observations for everything bad.
#include <edubench/hostsvc/tools.hpp>

#include <doctest/doctest.h>

using namespace edubench::hostsvc;

static std::string calc(const char* e) { return calculator(e).observation; }

TEST_CASE("calculator: precedence, parentheses and unary minus") {
  CHECK(calc("(25 * 4) + (10 * 3)") == "130");
  CHECK(calc("2 + 3 * 4") == "14");
  CHECK(calc("(2 + 3) * 4") == "20");
  CHECK(calc("-3 + 5") == "2");
  CHECK(calc("-(2 + 3) * -2") == "10");
  CHECK(calc("10 - 4 - 3") == "3");  // left associative
  CHECK(calc("17 % 5") == "2");
  CHECK(calc("100 / 4 / 5") == "5");
}

TEST_CASE("calculator: exact integers, decimals formatted without noise") {
  CHECK(calc("7 / 2") == "3.5");
  CHECK(calc("1 / 3") == "0.3333333333");
  CHECK(calc("2.5 * 4") == "10");
  CHECK(calc("0.1 + 0.2") == "0.3");
  CHECK(calc("3.14159 * 2") == "6.28318");
  CHECK(calc("9223372036854775807") == "9223372036854775807");
}

TEST_CASE("calculator: errors are observations, never crashes") {
  CHECK(calc("1 / 0") == "error: division by zero");
  CHECK(calc("5 % 0") == "error: modulo by zero");
  CHECK(calc("9223372036854775807 + 1") == "error: overflow");
  CHECK(calc("99999999999999999999") == "error: overflow: 99999999999999999999 is too large");
  CHECK(calc("2 +") == "error: expected a number at position 4");
  CHECK(calc("2 + abc") == "error: unexpected 'a' at position 5");
  CHECK(calc("(1 + 2") == "error: expected ')' at position 7");
  CHECK(calc("__import__('os')") == "error: unexpected '_' at position 1");
  CHECK(calc("") == "error: empty expression");
  CHECK(calc(std::string(300, '1').c_str()) == "error: expression longer than 256 characters");
  CHECK(calc(std::string(200, '-').append("1").c_str()) == "error: expression nested too deeply");
  CHECK_FALSE(calculator("1/0").ok);
}

TEST_CASE("string_length counts code points and strips one pair of quotes") {
  CHECK(string_length("benchmark").observation == "9");
  CHECK(string_length("'benchmark'").observation == "9");
  CHECK(string_length("\"\"").observation == "0");
  CHECK(string_length("naïve").observation == "5");
}

TEST_CASE("lookup and compare") {
  CHECK(lookup("pi").observation == "3.14159");
  CHECK(lookup("Speed of Light").observation == "299792458");
  CHECK(lookup("unobtainium").observation == "error: unknown constant 'unobtainium'");
  CHECK(compare("9, 5").observation == "greater");
  CHECK(compare("2.5,10").observation == "less");
  CHECK(compare("3, 3.0").observation == "equal");
  CHECK(compare("three, 3").observation == "error: expected two numbers separated by a comma");
  CHECK(compare("3").observation == "error: expected two numbers separated by a comma");
}

TEST_CASE("run_tool dispatches by name and refuses unknown tools") {
  CHECK(run_tool("calculator", "6*7").observation == "42");
  CHECK(is_known_tool("compare"));
  CHECK_FALSE(is_known_tool("shell"));
  ToolResult r = run_tool("shell", "rm -rf /");
  CHECK_FALSE(r.ok);
  CHECK(r.observation == "error: unknown tool 'shell'");
}
