#include <edubench/hostsvc/tools.hpp>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdint>
#include <cstdlib>
#include <map>
#include <optional>

namespace edubench::hostsvc {
namespace {

constexpr size_t kMaxExpression = 256;

ToolResult ok(std::string s) { return {std::move(s), true}; }
ToolResult err(std::string s) { return {"error: " + std::move(s), false}; }

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

// A number that stays an exact integer until a decimal or an inexact division appears.
struct Num {
  bool is_int = true;
  int64_t i = 0;
  double d = 0;
  double as_double() const { return is_int ? static_cast<double>(i) : d; }
};

// Decimals: at most 10 places and 15 significant digits (what a double holds), trailing zeros
// dropped ("2.5", "100", "0.3" for 0.1 + 0.2); magnitudes outside [1e-6, 1e15) in exponent
// form, which the calculator reads back.
std::string format(const Num& n) {
  if (n.is_int) return std::to_string(n.i);
  const double v = n.d, a = std::fabs(v);
  char b[64];
  if (a == 0) return "0";
  if (a >= 1e15 || a < 1e-6) {
    std::snprintf(b, sizeof b, "%.15g", v);
    return b;
  }
  const int int_digits = a < 1 ? 1 : static_cast<int>(std::floor(std::log10(a))) + 1;
  std::snprintf(b, sizeof b, "%.*f", std::clamp(15 - int_digits, 0, 10), v);
  std::string s = b;
  if (s.find('.') != std::string::npos) {
    while (s.back() == '0') s.pop_back();
    if (s.back() == '.') s.pop_back();
  }
  return s == "-0" ? "0" : s;
}

// A character for an error message: printable ASCII as itself, anything else as a byte value.
std::string shown(char c) {
  const auto u = static_cast<unsigned char>(c);
  if (u >= 0x20 && u < 0x7f) return std::string("'") + c + "'";
  char b[16];
  std::snprintf(b, sizeof b, "byte 0x%02X", u);
  return b;
}

struct CalcError {
  std::string what;
};

// number := digits ['.' digits] [('e'|'E') ['+'|'-'] digits], or '.' digits. An integer without
// fraction or exponent stays exact (int64); anything else is a double. Advances `p`.
std::optional<Num> lex_number(std::string_view s, size_t& p, std::string& error) {
  auto digits = [&] {
    size_t from = p;
    while (p < s.size() && std::isdigit(static_cast<unsigned char>(s[p]))) ++p;
    return p - from;
  };
  const size_t start = p;
  size_t whole = digits(), frac = 0;
  bool decimal = false;
  if (p < s.size() && s[p] == '.') {
    ++p;
    decimal = true;
    frac = digits();
  }
  if (whole + frac == 0) {
    p = start;
    error = "unexpected " + shown(s[p]);
    return std::nullopt;
  }
  if (p < s.size() && (s[p] == 'e' || s[p] == 'E')) {
    ++p;
    decimal = true;
    if (p < s.size() && (s[p] == '+' || s[p] == '-')) ++p;
    if (digits() == 0) {
      error = "expected the exponent's digits";
      return std::nullopt;
    }
  }
  const std::string tok(s.substr(start, p - start));
  Num n;
  errno = 0;
  if (!decimal) {
    n.i = std::strtoll(tok.c_str(), nullptr, 10);
    if (errno == ERANGE) {
      error = "overflow: " + tok + " is too large";
      return std::nullopt;
    }
  } else {
    n.is_int = false;
    n.d = std::strtod(tok.c_str(), nullptr);
    if (!std::isfinite(n.d)) {
      error = "overflow: " + tok + " is too large";
      return std::nullopt;
    }
  }
  return n;
}

// expr := term (('+'|'-') term)* ; term := unary (('*'|'//'|'/'|'%') unary)* ;
// unary := '-' unary | '+' unary | power ; power := primary ['**' unary] ;
// primary := number | '(' expr ')'. As in Python: ** binds tighter than unary minus and to the
// right (-2**2 = -4, 2**3**2 = 512, 2**-1 = 0.5), // is floor division (-7 // 2 = -4).
class Parser {
 public:
  explicit Parser(std::string_view s) : s_(s) {}
  Num parse() {
    Num v = expr();
    skip();
    if (p_ != s_.size()) fail_at("unexpected " + shown(s_[p_]));
    return v;
  }

 private:
  [[noreturn]] void fail_at(const std::string& what) {
    throw CalcError{what + " at position " + std::to_string(p_ + 1)};
  }
  void skip() {
    while (p_ < s_.size() && std::isspace(static_cast<unsigned char>(s_[p_]))) ++p_;
  }
  bool eat(char c) {
    skip();
    if (p_ < s_.size() && s_[p_] == c) return ++p_, true;
    return false;
  }
  bool eat2(char a, char b) {
    skip();
    if (p_ + 1 < s_.size() && s_[p_] == a && s_[p_ + 1] == b) return p_ += 2, true;
    return false;
  }
  Num expr() {
    Num v = term();
    for (;;) {
      if (eat('+')) v = add(v, term(), false);
      else if (eat('-')) v = add(v, term(), true);
      else return v;
    }
  }
  Num term() {
    Num v = unary();
    for (;;) {
      if (eat('*')) v = mul(v, unary());
      else if (eat2('/', '/')) v = floor_div(v, unary());
      else if (eat('/')) v = div(v, unary());
      else if (eat('%')) v = mod(v, unary());
      else return v;
    }
  }
  Num unary() {
    if (++depth_ > 64) throw CalcError{"expression nested too deeply"};
    Num v;
    if (eat('-')) {
      v = unary();
      if (v.is_int) {
        if (v.i == INT64_MIN) throw CalcError{"overflow"};
        v.i = -v.i;
      } else {
        v.d = -v.d;
      }
    } else if (eat('+')) {
      v = unary();
    } else {
      v = power();
    }
    --depth_;
    return v;
  }
  Num power() {
    Num base = primary();
    if (!eat2('*', '*')) return base;
    return pow(base, unary());
  }
  Num primary() {
    skip();
    if (eat('(')) {
      Num v = expr();
      if (!eat(')')) fail_at("expected ')'");
      return v;
    }
    if (p_ >= s_.size()) fail_at("expected a number");
    std::string error;
    auto n = lex_number(s_, p_, error);
    if (!n && error.rfind("overflow", 0) == 0) throw CalcError{error};
    if (!n) fail_at(error);
    return *n;
  }
  static Num finite(double d) {
    if (!std::isfinite(d)) throw CalcError{"overflow"};
    Num n;
    n.is_int = false;
    n.d = d;
    return n;
  }
  static Num add(const Num& a, const Num& b, bool sub) {
    if (a.is_int && b.is_int) {
      Num n;
      if (sub ? __builtin_sub_overflow(a.i, b.i, &n.i) : __builtin_add_overflow(a.i, b.i, &n.i))
        throw CalcError{"overflow"};
      return n;
    }
    return finite(sub ? a.as_double() - b.as_double() : a.as_double() + b.as_double());
  }
  static Num mul(const Num& a, const Num& b) {
    if (a.is_int && b.is_int) {
      Num n;
      if (__builtin_mul_overflow(a.i, b.i, &n.i)) throw CalcError{"overflow"};
      return n;
    }
    return finite(a.as_double() * b.as_double());
  }
  static Num div(const Num& a, const Num& b) {
    if (b.as_double() == 0) throw CalcError{"division by zero"};
    if (a.is_int && b.is_int && !(a.i == INT64_MIN && b.i == -1) && a.i % b.i == 0) {
      Num n;
      n.i = a.i / b.i;
      return n;
    }
    return finite(a.as_double() / b.as_double());
  }
  static Num floor_div(const Num& a, const Num& b) {
    if (b.as_double() == 0) throw CalcError{"division by zero"};
    if (a.is_int && b.is_int) {
      if (a.i == INT64_MIN && b.i == -1) throw CalcError{"overflow"};
      Num n;
      n.i = a.i / b.i;
      if (a.i % b.i != 0 && ((a.i < 0) != (b.i < 0))) --n.i;  // toward minus infinity
      return n;
    }
    return finite(std::floor(a.as_double() / b.as_double()));
  }
  static Num pow(const Num& base, const Num& e) {
    if (base.as_double() == 0 && e.as_double() < 0) throw CalcError{"division by zero"};
    if (base.is_int && e.is_int && e.i >= 0) {  // exact, by squaring
      Num n, b = base;
      n.i = 1;
      for (int64_t k = e.i; k > 0; k >>= 1) {
        if ((k & 1) && __builtin_mul_overflow(n.i, b.i, &n.i)) throw CalcError{"overflow"};
        if (k > 1 && __builtin_mul_overflow(b.i, b.i, &b.i)) throw CalcError{"overflow"};
      }
      return n;
    }
    const double r = std::pow(base.as_double(), e.as_double());
    if (std::isnan(r)) throw CalcError{"a negative number to a fractional power"};
    return finite(r);
  }
  static Num mod(const Num& a, const Num& b) {
    if (b.as_double() == 0) throw CalcError{"modulo by zero"};
    if (a.is_int && b.is_int) {
      Num n;
      n.i = b.i == -1 ? 0 : a.i % b.i;
      return n;
    }
    return finite(std::fmod(a.as_double(), b.as_double()));
  }

  std::string_view s_;
  size_t p_ = 0;
  int depth_ = 0;
};

// One signed number and nothing else (compare's operands).
std::optional<Num> parse_number(std::string_view s) {
  s = trim(s);
  if (s.empty() || s.size() > 64) return std::nullopt;
  const bool negative = s.front() == '-';
  if (negative || s.front() == '+') s.remove_prefix(1);
  size_t p = 0;
  std::string error;
  auto n = s.empty() ? std::nullopt : lex_number(s, p, error);
  if (!n || p != s.size()) return std::nullopt;
  if (negative) {
    if (n->is_int) n->i = -n->i;  // lex_number never returns INT64_MIN
    else n->d = -n->d;
  }
  return n;
}

const std::map<std::string, std::string>& constants() {
  static const std::map<std::string, std::string> table = {
      {"pi", "3.14159"},           {"e", "2.71828"},
      {"golden_ratio", "1.61803"}, {"sqrt2", "1.41421"},
      {"speed_of_light", "299792458"}, {"gravity", "9.81"},
      {"avogadro", "6.02214076e+23"}, {"days_in_year", "365"},
      {"hours_in_day", "24"},      {"minutes_in_hour", "60"},
      {"seconds_in_minute", "60"}, {"days_in_week", "7"},
      {"months_in_year", "12"},    {"boiling_point_water", "100"},
      {"freezing_point_water", "0"}, {"dozen", "12"},
      {"score", "20"},             {"gross", "144"},
      {"century", "100"},          {"millennium", "1000"},
      // SI-exact values (2019); the Python suite's ReAct task bank asks for them.
      {"planck", "6.62607015e-34"}, {"boltzmann", "1.380649e-23"},
  };
  return table;
}

}  // namespace

const std::vector<std::string>& tool_names() {
  static const std::vector<std::string> names = {"calculator", "string_length", "lookup", "compare"};
  return names;
}

bool is_known_tool(std::string_view name) {
  for (const auto& n : tool_names())
    if (n == name) return true;
  return false;
}

ToolResult calculator(std::string_view expression) {
  expression = trim(expression);
  if (expression.empty()) return err("empty expression");
  if (expression.size() > kMaxExpression) return err("expression longer than 256 characters");
  try {
    return ok(format(Parser(expression).parse()));
  } catch (const CalcError& e) {
    return err(e.what);
  }
}

// Counts code points of valid UTF-8 (so "naïve" is 5, not 6); malformed bytes are an error
// rather than a guess.
ToolResult string_length(std::string_view text) {
  text = trim(text);
  if (text.size() >= 2 && (text.front() == '\'' || text.front() == '"') && text.back() == text.front())
    text = text.substr(1, text.size() - 2);
  size_t n = 0;
  for (size_t i = 0; i < text.size(); ++n) {
    const auto c = static_cast<unsigned char>(text[i]);
    const size_t len = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 0;
    if (len == 0 || i + len > text.size()) return err("string_length: argument is not valid UTF-8");
    for (size_t k = 1; k < len; ++k)
      if ((static_cast<unsigned char>(text[i + k]) & 0xC0) != 0x80) return err("string_length: argument is not valid UTF-8");
    i += len;
  }
  return ok(std::to_string(n));
}

ToolResult lookup(std::string_view name) {
  std::string key(trim(name));
  for (auto& c : key) c = c == ' ' ? '_' : static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  auto it = constants().find(key);
  if (it == constants().end()) return err("unknown constant '" + std::string(trim(name)).substr(0, 64) + "'");
  return ok(it->second);
}

ToolResult compare(std::string_view pair) {
  const size_t comma = pair.find(',');
  if (comma == std::string_view::npos) return err("compare expects two numbers 'a, b'");
  auto a = parse_number(pair.substr(0, comma));
  auto b = parse_number(pair.substr(comma + 1));
  if (!a || !b) {
    std::string bad(trim(!a ? pair.substr(0, comma) : pair.substr(comma + 1)));
    return err("compare expects two numbers 'a, b'; '" + bad.substr(0, 32) + "' is not a number");
  }
  if (a->is_int && b->is_int) return ok(a->i > b->i ? "greater" : a->i < b->i ? "less" : "equal");
  // long double holds every int64 exactly, so an integer against a decimal compares exactly too.
  const auto x = a->is_int ? static_cast<long double>(a->i) : a->d;
  const auto y = b->is_int ? static_cast<long double>(b->i) : b->d;
  return ok(x > y ? "greater" : x < y ? "less" : "equal");
}

ToolResult run_tool(std::string_view tool, std::string_view arg) {
  if (tool == "calculator") return calculator(arg);
  if (tool == "string_length") return string_length(arg);
  if (tool == "lookup") return lookup(arg);
  if (tool == "compare") return compare(arg);
  return err("unknown tool '" + std::string(tool).substr(0, 64) + "'");
}

}  // namespace edubench::hostsvc
