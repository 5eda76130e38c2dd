#include <edubench/hostsvc/tools.hpp>

#include <cctype>
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

std::string format(const Num& n) {
  if (n.is_int) return std::to_string(n.i);
  double v = n.d;
  if (v == std::floor(v) && std::fabs(v) < 9e15) return std::to_string(static_cast<int64_t>(v));
  char b[64];
  std::snprintf(b, sizeof b, "%.10f", v);
  std::string s = b;
  while (!s.empty() && s.back() == '0') s.pop_back();
  if (!s.empty() && s.back() == '.') s.pop_back();
  return s;
}

struct CalcError {
  std::string what;
};

// expr := term (('+'|'-') term)* ; term := unary (('*'|'/'|'%') unary)* ;
// unary := '-' unary | '+' unary | primary ; primary := number | '(' expr ')'
class Parser {
 public:
  explicit Parser(std::string_view s) : s_(s) {}
  Num parse() {
    Num v = expr();
    skip();
    if (p_ != s_.size()) fail_at("unexpected '" + std::string(1, s_[p_]) + "'");
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
      v = primary();
    }
    --depth_;
    return v;
  }
  Num primary() {
    skip();
    if (eat('(')) {
      Num v = expr();
      if (!eat(')')) fail_at("expected ')'");
      return v;
    }
    size_t start = p_;
    bool dot = false;
    while (p_ < s_.size() && (std::isdigit(static_cast<unsigned char>(s_[p_])) || (s_[p_] == '.' && !dot))) {
      dot |= s_[p_] == '.';
      ++p_;
    }
    if (p_ == start || (p_ - start == 1 && dot)) {
      if (p_ >= s_.size()) fail_at("expected a number");
      fail_at("unexpected '" + std::string(1, s_[p_]) + "'");
    }
    std::string tok(s_.substr(start, p_ - start));
    Num n;
    if (!dot) {
      errno = 0;
      char* end = nullptr;
      long long v = std::strtoll(tok.c_str(), &end, 10);
      if (errno == ERANGE) throw CalcError{"overflow: " + tok + " is too large"};
      n.i = v;
    } else {
      n.is_int = false;
      n.d = std::strtod(tok.c_str(), nullptr);
    }
    return n;
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

std::optional<double> parse_number(std::string_view s) {
  s = trim(s);
  if (s.empty() || s.size() > 64) return std::nullopt;
  std::string t(s);
  char* end = nullptr;
  double v = std::strtod(t.c_str(), &end);
  if (*end != '\0' || !std::isfinite(v)) return std::nullopt;
  return v;
}

const std::map<std::string, std::string>& constants() {
  static const std::map<std::string, std::string> table = {
      {"pi", "3.14159"},           {"e", "2.71828"},
      {"golden_ratio", "1.61803"}, {"sqrt2", "1.41421"},
      {"speed_of_light", "299792458"}, {"gravity", "9.81"},
      {"avogadro", "602214076000000000000000"}, {"days_in_year", "365"},
      {"hours_in_day", "24"},      {"minutes_in_hour", "60"},
      {"seconds_in_minute", "60"}, {"days_in_week", "7"},
      {"months_in_year", "12"},    {"boiling_point_water", "100"},
      {"freezing_point_water", "0"}, {"dozen", "12"},
      {"score", "20"},             {"gross", "144"},
      {"century", "100"},          {"millennium", "1000"},
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

ToolResult string_length(std::string_view text) {
  text = trim(text);
  if (text.size() >= 2 && (text.front() == '\'' || text.front() == '"') && text.back() == text.front())
    text = text.substr(1, text.size() - 2);
  size_t n = 0;
  for (unsigned char c : text) n += (c & 0xC0) != 0x80;  // count UTF-8 lead bytes: code points
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
  size_t comma = pair.find(',');
  if (comma == std::string_view::npos) return err("expected two numbers separated by a comma");
  auto a = parse_number(pair.substr(0, comma));
  auto b = parse_number(pair.substr(comma + 1));
  if (!a || !b) return err("expected two numbers separated by a comma");
  return ok(*a > *b ? "greater" : *a < *b ? "less" : "equal");
}

ToolResult run_tool(std::string_view tool, std::string_view arg) {
  if (tool == "calculator") return calculator(arg);
  if (tool == "string_length") return string_length(arg);
  if (tool == "lookup") return lookup(arg);
  if (tool == "compare") return compare(arg);
  return err("unknown tool '" + std::string(tool).substr(0, 64) + "'");
}

}  // namespace edubench::hostsvc
