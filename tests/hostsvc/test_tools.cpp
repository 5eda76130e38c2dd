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
  CHECK(calc("123456789012.345 * 1") == "123456789012.345");  // no binary noise past 15 digits
  CHECK(calc("-0.00000000001 * 1") == "-1e-11");                // tiny, not rounded to 0
  CHECK(calc("0 * -2.5") == "0");                               // never "-0"
  CHECK(calc("6.02214076e+23 * 2") == "1.204428152e+24");       // exponent form, read back too
  CHECK(calc("1.5e3 + 1") == "1501");
}

TEST_CASE("calculator: integer % truncates toward zero, division is exact when it can be") {
  CHECK(calc("-7 % 3") == "-1");
  CHECK(calc("7 % -3") == "1");
  CHECK(calc("-9223372036854775807 / -1") == "9223372036854775807");
  CHECK(calc("5.5 % 2") == "1.5");
}

TEST_CASE("calculator: ** and // as in Python") {
  CHECK(calc("2 ** 10") == "1024");
  CHECK(calc("2 ** 3 ** 2") == "512");  // right associative
  CHECK(calc("-2 ** 2") == "-4");       // binds tighter than unary minus
  CHECK(calc("(-2) ** 3") == "-8");
  CHECK(calc("2 ** -1") == "0.5");
  CHECK(calc("0 ** 0") == "1");
  CHECK(calc("9 ** 0.5") == "3");
  CHECK(calc("3 * 2 ** 2") == "12");
  CHECK(calc("7 // 2") == "3");
  CHECK(calc("-7 // 2") == "-4");  // floor, where % truncates
  CHECK(calc("7 // -2") == "-4");
  CHECK(calc("7.5 // 2") == "3");
  CHECK(calc("2 ** 63") == "error: overflow");
  CHECK(calc("3 ** 39") == "4052555153018976267");
  CHECK(calc("0 ** -1") == "error: division by zero");
  CHECK(calc("(-8) ** 0.5") == "error: a negative number to a fractional power");
  CHECK(calc("5 // 0") == "error: division by zero");
  CHECK(calc("(-9223372036854775807 - 1) // -1") == "error: overflow");
  CHECK(calc("2 * * 3").rfind("error: unexpected '*'", 0) == 0);  // ** only when adjacent
}

TEST_CASE("calculator: errors are observations, never crashes") {
  CHECK(calc("1 / 0") == "error: division by zero");
  CHECK(calc("5 % 0") == "error: modulo by zero");
  CHECK(calc("9223372036854775807 + 1") == "error: overflow");
  CHECK(calc("99999999999999999999") == "error: overflow: 99999999999999999999 is too large");
  CHECK(calc("2 +") == "error: expected a number at position 4");
  CHECK(calc("2 + abc") == "error: unexpected 'a' at position 5");
  CHECK(calc("2 \xC3\xA9") == "error: unexpected byte 0xC3 at position 3");
  CHECK(calc("2e") == "error: expected the exponent's digits at position 3");
  CHECK(calc("1.2.3") == "error: unexpected '.' at position 4");
  CHECK(calc("1e999") == "error: overflow: 1e999 is too large");
  CHECK(calc("1e300 * 1e300") == "error: overflow");
  CHECK(calc("-9223372036854775807 - 2") == "error: overflow");
  CHECK(calc("3037000500 * 3037000500") == "error: overflow");
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
  CHECK(string_length("  'two words'  ").observation == "9");
  CHECK(string_length("'it''").observation == "3");  // only one pair is stripped
  CHECK(string_length("\xFF\xFE").observation == "error: string_length: argument is not valid UTF-8");
  CHECK(string_length("caf\xC3").observation == "error: string_length: argument is not valid UTF-8");
}

TEST_CASE("lookup returns the table's value, names are case- and space-insensitive") {
  CHECK(lookup("pi").observation == "3.14159");
  CHECK(lookup("Speed of Light").observation == "299792458");
  CHECK(lookup("unobtainium").observation == "error: unknown constant 'unobtainium'");
  CHECK_FALSE(lookup("unobtainium").ok);
}

TEST_CASE("every looked-up constant is a number the calculator and compare accept") {
  for (const char* name : {"pi", "e", "speed_of_light", "gravity", "avogadro", "dozen", "planck", "boltzmann"}) {
    const std::string v = lookup(name).observation;
    CHECK_MESSAGE(calculator(v + " * 1").ok, name);
    CHECK_MESSAGE(compare(v + ", 0").observation == "greater", name);
  }
}

TEST_CASE("compare: numbers, exact for integers, errors name the bad operand") {
  CHECK(compare("9, 5").observation == "greater");
  CHECK(compare("2.5,10").observation == "less");
  CHECK(compare("3, 3.0").observation == "equal");
  CHECK(compare("-4, -3.5").observation == "less");
  CHECK(compare("9007199254740993, 9007199254740992").observation == "greater");  // beyond 2^53
  CHECK(compare("three, 3").observation == "error: compare expects two numbers 'a, b'; 'three' is not a number");
  CHECK(compare("3, 0x10").observation == "error: compare expects two numbers 'a, b'; '0x10' is not a number");
  CHECK(compare("3, nan").observation == "error: compare expects two numbers 'a, b'; 'nan' is not a number");
  CHECK(compare("1, 2, 3").observation == "error: compare expects two numbers 'a, b'; '2, 3' is not a number");
  CHECK(compare("3").observation == "error: compare expects two numbers 'a, b'");
}

TEST_CASE("run_tool dispatches by name and refuses unknown tools") {
  CHECK(run_tool("calculator", "6*7").observation == "42");
  CHECK(is_known_tool("compare"));
  CHECK_FALSE(is_known_tool("shell"));
  ToolResult r = run_tool("shell", "rm -rf /");
  CHECK_FALSE(r.ok);
  CHECK(r.observation == "error: unknown tool 'shell'");
}
