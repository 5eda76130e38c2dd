// edubench-make-codegen-data: the seeded generator of the codegen_agent data set. Each task
// asks for one small Python function under a random name; it has visible tests (the SUT may
// run them through run_code) and hidden tests (only the harness runs them, for scoring).
// Training traces show attempts: some first attempts are wrong in the ways small models are
// (a misspelt name, a missing colon, a lost indent, an off-by-one constant, the wrong
// operation, a type error), each followed by the sandbox's real feedback and then the fix.
// Every verdict and every feedback line in a trace comes from hostsvc::run_python.
//
// The hard level (test_hard.jsonl, 40% of the training traces): the prompt does not say what an
// empty input gives, the visible tests may; a first attempt cannot know, and the retry loop reads
// the answer from the sandbox's feedback (it names the test that called the solution).
//
// Held out: the test split's constants and names are drawn so that a keyed hash puts at least
// one of them in the held-out eighth; training and validation use none of those.
#include <edubench/hostsvc/sandbox.hpp>

#include <boost/program_options.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <mutex>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

namespace po = boost::program_options;
namespace fs = std::filesystem;
namespace hostsvc = edubench::hostsvc;

namespace {

uint64_t fnv1a(const std::string& s) {
  uint64_t h = 1469598103934665603ull;
  for (unsigned char c : s) h = (h ^ c) * 1099511628211ull;
  return h;
}
bool held_out(const std::string& item) { return item.size() > 1 && fnv1a("codegen-holdout:" + item) % 8 == 0; }

using Rng = std::mt19937_64;
int64_t uniform(Rng& r, int64_t lo, int64_t hi) { return std::uniform_int_distribution<int64_t>(lo, hi)(r); }

std::string py_list(const std::vector<int64_t>& xs) {
  std::string s = "[";
  for (size_t i = 0; i < xs.size(); ++i) s += (i ? ", " : "") + std::to_string(xs[i]);
  return s + "]";
}
std::string py_str(const std::string& s) { return "'" + s + "'"; }

// A task family: a description, the canonical body, and the expected value of a call, as a
// Python literal, for an argument. `k` is the family's constant (unused by some).
struct Family {
  const char* arg;  // "xs" (a list of ints) or "s" (a lowercase string)
  std::string (*describe)(int64_t k);
  std::string (*body)(int64_t k);
  std::string (*expect_list)(const std::vector<int64_t>& xs, int64_t k);
  std::string (*expect_str)(const std::string& s, int64_t k);
  std::string (*wrong_body)(int64_t k);  // a plausible wrong operation (AssertionError)
};

std::string K(int64_t k) { return std::to_string(k); }
std::string list_of(const std::vector<int64_t>& xs) { return py_list(xs); }
std::string boolean(bool b) { return b ? "True" : "False"; }

int64_t sum(const std::vector<int64_t>& xs) {
  int64_t s = 0;
  for (auto x : xs) s += x;
  return s;
}

const std::vector<Family>& families() {
  static const std::vector<Family> f = {
      {"xs", [](int64_t) { return std::string("returns the sum of the list xs"); },
       [](int64_t) { return std::string("return sum(xs)"); },
       [](const std::vector<int64_t>& xs, int64_t) { return K(sum(xs)); }, nullptr,
       [](int64_t) { return std::string("return len(xs)"); }},
      {"xs", [](int64_t) { return std::string("returns the largest element of the non-empty list xs"); },
       [](int64_t) { return std::string("return max(xs)"); },
       [](const std::vector<int64_t>& xs, int64_t) { return K(*std::max_element(xs.begin(), xs.end())); }, nullptr,
       [](int64_t) { return std::string("return min(xs)"); }},
      {"xs", [](int64_t) { return std::string("returns the smallest element of the non-empty list xs"); },
       [](int64_t) { return std::string("return min(xs)"); },
       [](const std::vector<int64_t>& xs, int64_t) { return K(*std::min_element(xs.begin(), xs.end())); }, nullptr,
       [](int64_t) { return std::string("return max(xs)"); }},
      {"xs", [](int64_t k) { return "returns how many elements of the list xs are greater than " + K(k); },
       [](int64_t k) { return "return len([x for x in xs if x > " + K(k) + "])"; },
       [](const std::vector<int64_t>& xs, int64_t k) {
         return K(std::count_if(xs.begin(), xs.end(), [&](int64_t x) { return x > k; }));
       },
       nullptr, [](int64_t k) { return "return len([x for x in xs if x < " + K(k) + "])"; }},
      {"xs", [](int64_t k) { return "returns the list xs with " + K(k) + " added to every element"; },
       [](int64_t k) { return "return [x + " + K(k) + " for x in xs]"; },
       [](const std::vector<int64_t>& xs, int64_t k) {
         auto ys = xs;
         for (auto& y : ys) y += k;
         return list_of(ys);
       },
       nullptr, [](int64_t k) { return "return [x - " + K(k) + " for x in xs]"; }},
      {"xs", [](int64_t k) { return "returns the list xs with every element multiplied by " + K(k); },
       [](int64_t k) { return "return [x * " + K(k) + " for x in xs]"; },
       [](const std::vector<int64_t>& xs, int64_t k) {
         auto ys = xs;
         for (auto& y : ys) y *= k;
         return list_of(ys);
       },
       nullptr, [](int64_t k) { return "return [x + " + K(k) + " for x in xs]"; }},
      {"xs", [](int64_t) { return std::string("returns the even elements of the list xs, in order"); },
       [](int64_t) { return std::string("return [x for x in xs if x % 2 == 0]"); },
       [](const std::vector<int64_t>& xs, int64_t) {
         std::vector<int64_t> ys;
         for (auto x : xs)
           if (x % 2 == 0) ys.push_back(x);
         return list_of(ys);
       },
       nullptr, [](int64_t) { return std::string("return [x for x in xs if x % 2 == 1]"); }},
      {"xs", [](int64_t) { return std::string("returns the odd elements of the list xs, in order"); },
       [](int64_t) { return std::string("return [x for x in xs if x % 2 == 1]"); },
       [](const std::vector<int64_t>& xs, int64_t) {
         std::vector<int64_t> ys;
         for (auto x : xs)
           if (x % 2 != 0) ys.push_back(x);
         return list_of(ys);
       },
       nullptr, [](int64_t) { return std::string("return [x for x in xs if x % 2 == 0]"); }},
      {"xs", [](int64_t) { return std::string("returns the sum of the squares of the elements of the list xs"); },
       [](int64_t) { return std::string("return sum(x * x for x in xs)"); },
       [](const std::vector<int64_t>& xs, int64_t) {
         int64_t s = 0;
         for (auto x : xs) s += x * x;
         return K(s);
       },
       nullptr, [](int64_t) { return std::string("return sum(x + x for x in xs)"); }},
      {"xs", [](int64_t k) { return "returns the first " + K(k) + " elements of the list xs"; },
       [](int64_t k) { return "return xs[:" + K(k) + "]"; },
       [](const std::vector<int64_t>& xs, int64_t k) {
         return list_of(std::vector<int64_t>(xs.begin(), xs.begin() + std::min<int64_t>(k, xs.size())));
       },
       nullptr, [](int64_t k) { return "return xs[" + K(k) + ":]"; }},
      {"s", [](int64_t) { return std::string("returns the string s reversed"); },
       [](int64_t) { return std::string("return s[::-1]"); }, nullptr,
       [](const std::string& s, int64_t) { return py_str(std::string(s.rbegin(), s.rend())); },
       [](int64_t) { return std::string("return s[1:]"); }},
      {"s", [](int64_t) { return std::string("returns True when the string s reads the same backwards"); },
       [](int64_t) { return std::string("return s == s[::-1]"); }, nullptr,
       [](const std::string& s, int64_t) { return boolean(s == std::string(s.rbegin(), s.rend())); },
       [](int64_t) { return std::string("return s != s[::-1]"); }},
      {"s", [](int64_t k) { return "returns the string s repeated " + K(k) + " times"; },
       [](int64_t k) { return "return s * " + K(k); }, nullptr,
       [](const std::string& s, int64_t k) {
         std::string r;
         for (int64_t i = 0; i < k; ++i) r += s;
         return py_str(r);
       },
       [](int64_t k) { return "return s + " + py_str(K(k)); }},
      {"s", [](int64_t k) { return "returns the length of the string s plus " + K(k); },
       [](int64_t k) { return "return len(s) + " + K(k); }, nullptr,
       [](const std::string& s, int64_t k) { return K(static_cast<int64_t>(s.size()) + k); },
       [](int64_t k) { return "return len(s) * " + K(k); }},
      {"s", [](int64_t) { return std::string("returns the string s in upper case"); },
       [](int64_t) { return std::string("return s.upper()"); }, nullptr,
       [](const std::string& s, int64_t) {
         std::string u = s;
         for (auto& c : u) c = static_cast<char>(c - 'a' + 'A');
         return py_str(u);
       },
       [](int64_t) { return std::string("return s.lower()"); }},
      {"s", [](int64_t) { return std::string("returns how many times the letter 'a' occurs in the string s"); },
       [](int64_t) { return std::string("return s.count('a')"); }, nullptr,
       [](const std::string& s, int64_t) { return K(std::count(s.begin(), s.end(), 'a')); },
       [](int64_t) { return std::string("return s.find('a')"); }},
  };
  return f;
}

// Families whose constant must stay small (list slicing, repetition).
bool small_k(size_t family) { return family == 9 || family == 12; }

// The hard level: the prompt does not say what an empty input gives; half the time the tests
// expect a value for it (and the one-line body raises there), half the time they never pass
// one. A model cannot know which from the prompt: the retry loop has to read the sandbox's
// feedback, which names the test that called the solution and so the value expected.
struct EdgeFamily {
  const char* arg;
  const char* what;  // "returns ..."
  const char* body;  // raises on an empty input
  std::string (*expect_list)(const std::vector<int64_t>& xs);
  std::string (*expect_str)(const std::string& s);
};

const std::vector<EdgeFamily>& edge_families() {
  auto first = [](const std::string& s) { return py_str(s.substr(0, 1)); };
  auto last = [](const std::string& s) { return py_str(s.substr(s.size() - 1)); };
  static const std::vector<EdgeFamily> f = {
      {"xs", "returns the largest element of the list xs", "return max(xs)",
       [](const std::vector<int64_t>& xs) { return K(*std::max_element(xs.begin(), xs.end())); }, nullptr},
      {"xs", "returns the smallest element of the list xs", "return min(xs)",
       [](const std::vector<int64_t>& xs) { return K(*std::min_element(xs.begin(), xs.end())); }, nullptr},
      {"xs", "returns the first element of the list xs", "return xs[0]",
       [](const std::vector<int64_t>& xs) { return K(xs.front()); }, nullptr},
      {"xs", "returns the last element of the list xs", "return xs[-1]",
       [](const std::vector<int64_t>& xs) { return K(xs.back()); }, nullptr},
      {"xs", "returns the average of the list xs, rounded down", "return sum(xs) // len(xs)",
       [](const std::vector<int64_t>& xs) {
         const auto n = static_cast<int64_t>(xs.size()), s = sum(xs);
         return K(s / n - ((s % n != 0) && ((s < 0) != (n < 0))));  // Python's floor division
       },
       nullptr},
      {"xs", "returns the largest element of the list xs minus the smallest", "return max(xs) - min(xs)",
       [](const std::vector<int64_t>& xs) {
         return K(*std::max_element(xs.begin(), xs.end()) - *std::min_element(xs.begin(), xs.end()));
       },
       nullptr},
      {"s", "returns the first letter of the string s", "return s[0]", nullptr, first},
      {"s", "returns the last letter of the string s", "return s[-1]", nullptr, last},
  };
  return f;
}

struct Task {
  std::string name, description, solution, visible_tests, hidden_tests;
  std::string arg, body;  // the argument, and the one-line body a first attempt writes
  std::string wrong_body;  // a plausible wrong operation ("" for the hard level)
  size_t family = 0;
  int64_t k = 0;
  std::vector<std::string> items;
};

std::string identifier(Rng& r) {
  std::string s;
  for (int64_t i = 0, n = uniform(r, 3, 10); i < n; ++i) {
    if (i > 0 && i < n - 1 && uniform(r, 0, 5) == 0) s += '_';
    else s += static_cast<char>('a' + uniform(r, 0, 25));
  }
  return s;
}

// A name the task cannot use: a Python keyword (a SyntaxError), or a function its own body calls
// (`def max(xs): return max(xs)` recurses). Such a task is drawn again.
bool unusable_name(const Task& t) {
  static const std::set<std::string> keywords = {
      "False", "None", "True", "and", "as", "assert", "async", "await", "break", "class", "continue", "def", "del",
      "elif", "else", "except", "finally", "for", "from", "global", "if", "import", "in", "is", "lambda",
      "nonlocal", "not", "or", "pass", "raise", "return", "try", "while", "with", "yield"};
  return keywords.count(t.name) > 0 || t.body.find(t.name + "(") != std::string::npos;
}

// The one-line function a first attempt writes: `def name(arg):` and the body.
std::string one_line_def(const Task& t) { return "def " + t.name + "(" + t.arg + "):\n    " + t.body + "\n"; }

Task make_task(Rng& r) {
  Task t;
  t.family = static_cast<size_t>(uniform(r, 0, static_cast<int64_t>(families().size()) - 1));
  const Family& f = families()[t.family];
  t.name = identifier(r);
  t.k = small_k(t.family) ? uniform(r, 1, 5) : uniform(r, 1, 99);
  t.items = {t.name, std::to_string(t.k)};
  const std::string sig = t.name + "(" + f.arg + ")";
  t.description = "Write a function `" + sig + "` that " + f.describe(t.k) + ".";
  t.arg = f.arg;
  t.body = f.body(t.k);
  t.wrong_body = f.wrong_body(t.k);
  t.solution = one_line_def(t);
  auto test_line = [&]() {
    if (std::string(f.arg) == "xs") {
      std::vector<int64_t> xs;
      const bool nonempty = t.family == 1 || t.family == 2;
      for (int64_t i = 0, n = uniform(r, nonempty ? 1 : 0, 6); i < n; ++i) xs.push_back(uniform(r, -20, 50));
      return "assert " + t.name + "(" + py_list(xs) + ") == " + f.expect_list(xs, t.k) + "\n";
    }
    std::string s;
    for (int64_t i = 0, n = uniform(r, 0, 7); i < n; ++i) s += static_cast<char>('a' + uniform(r, 0, 3) * (uniform(r, 0, 1) ? 1 : 7));
    if (t.family == 11 && uniform(r, 0, 1)) s = s + std::string(s.rbegin(), s.rend());  // palindromes too
    return "assert " + t.name + "(" + py_str(s) + ") == " + f.expect_str(s, t.k) + "\n";
  };
  for (int i = 0; i < 2; ++i) t.visible_tests += test_line();
  for (int i = 0; i < 5; ++i) t.hidden_tests += test_line();
  return t;
}

// A hard-level task: an edge family; with `edge`, the tests expect `value` for an empty input
// (one visible test, one hidden) and the solution guards for it. Training draws an edge half
// the time; the test split 40% of the time, which puts a perfect first attempt near 60%.
Task make_edge_task(Rng& r, bool test_split) {
  Task t;
  t.family = static_cast<size_t>(uniform(r, 0, static_cast<int64_t>(edge_families().size()) - 1));
  const EdgeFamily& f = edge_families()[t.family];
  const bool list = std::string(f.arg) == "xs";
  const bool edge = test_split ? uniform(r, 0, 9) < 4 : uniform(r, 0, 1) == 1;
  static const char* list_values[] = {"0", "None", "-1"};
  static const char* str_values[] = {"''", "None", "'?'"};
  const std::string value = (list ? list_values : str_values)[uniform(r, 0, 2)];
  t.name = identifier(r);
  t.items = {t.name};
  t.arg = f.arg;
  t.body = f.body;
  const std::string sig = t.name + "(" + f.arg + ")";
  t.description = "Write a function `" + sig + "` that " + f.what + ".";
  t.solution = edge ? "def " + sig + ":\n    if not " + f.arg + ":\n        return " + value + "\n    " + f.body + "\n"
                    : one_line_def(t);
  auto test_line = [&]() {
    if (list) {
      std::vector<int64_t> xs;
      for (int64_t i = 0, n = uniform(r, 1, 6); i < n; ++i) xs.push_back(uniform(r, -20, 50));
      return "assert " + t.name + "(" + py_list(xs) + ") == " + f.expect_list(xs) + "\n";
    }
    std::string s;
    for (int64_t i = 0, n = uniform(r, 1, 7); i < n; ++i) s += static_cast<char>('a' + uniform(r, 0, 25));
    return "assert " + t.name + "(" + py_str(s) + ") == " + f.expect_str(s) + "\n";
  };
  const std::string empty_test = "assert " + t.name + "(" + (list ? "[]" : "''") + ") == " + value + "\n";
  // The empty case comes second among the visible tests, so a first attempt passes the first.
  t.visible_tests = test_line() + (edge ? empty_test : test_line());
  const int64_t at = uniform(r, 0, 4);
  for (int64_t i = 0; i < 5; ++i) t.hidden_tests += edge && i == at ? empty_test : test_line();
  return t;
}

// A wrong first attempt, of one kind of mistake. The hard level has no wrong operation: its
// first attempt is already wrong when the tests expect a value for an empty input.
std::string wrong_attempt(const Task& t, Rng& r) {
  const std::string& body = t.body;
  const char* arg = t.arg.c_str();
  int64_t kind = uniform(r, 0, t.wrong_body.empty() ? 3 : 4);
  if (t.wrong_body.empty() && kind == 3) kind = 4;
  switch (kind) {
    case 0: {  // the name misspelt: NameError in the tests
      std::string n = t.name;
      size_t i = static_cast<size_t>(uniform(r, 0, static_cast<int64_t>(n.size()) - 1));
      n[i] = n[i] == 'z' ? 'a' : static_cast<char>(n[i] == '_' ? 'q' : n[i] + 1);
      return "def " + n + "(" + arg + "):\n    " + body + "\n";
    }
    case 1:  // no colon: SyntaxError
      return "def " + t.name + "(" + arg + ")\n    " + body + "\n";
    case 2:  // no indent: IndentationError
      return "def " + t.name + "(" + arg + "):\n" + body + "\n";
    case 3:  // the wrong operation: AssertionError
      return "def " + t.name + "(" + arg + "):\n    " + t.wrong_body + "\n";
    default:  // the other argument name: NameError inside the function
      return "def " + t.name + "(" + (t.arg == "xs" ? "s" : "xs") + "):\n    " + body + "\n";
  }
}

struct Sample {
  Task task;
  std::string trace;  // training form
};

hostsvc::SandboxResult run(const std::string& code, const std::string& tests) {
  return hostsvc::run_python(code, tests, hostsvc::SandboxLimits{});
}

std::string result_line(const hostsvc::SandboxResult& r) {
  return r.passed ? "Result: passed\n" : "Result: " + r.verdict + ": " + r.feedback + "\n";
}

enum class Level { kEasy, kHard, kMixed };
constexpr int64_t kHardShareOfMixed = 40;  // percent of training traces from the hard level

// One easy trace: 0, 1 or 2 wrong attempts (about 55 / 35 / 10 %), then the solution. One hard
// trace: a wrong attempt 20% of the time, then the one-line body, then (when the tests expect a
// value for an empty input) the guarded solution. Every verdict is the sandbox's. Throws if the
// solution fails its own tests (a generator bug).
Sample make_sample(Rng& r, bool want_held_out, Level level) {
  const bool hard = level == Level::kHard || (level == Level::kMixed && uniform(r, 0, 99) < kHardShareOfMixed);
  for (;;) {
    Task t = hard ? make_edge_task(r, level == Level::kHard) : make_task(r);
    if (unusable_name(t)) continue;
    bool any = false;
    for (const auto& i : t.items) any = any || held_out(i);
    if (any != want_held_out) continue;
    std::string trace = "Task: " + t.description + "\n";
    const int64_t roll = uniform(r, 0, 99);
    const int wrong = hard ? (roll < 80 ? 0 : 1) : roll < 55 ? 0 : roll < 90 ? 1 : 2;
    for (int i = 0; i < wrong; ++i) {
      std::string bad = wrong_attempt(t, r);
      auto v = run(bad, t.visible_tests);
      if (v.passed) continue;  // a "mistake" the visible tests do not catch teaches nothing
      trace += "Code:\n" + bad + "\n" + result_line(v);
    }
    const std::string one_line = one_line_def(t);
    if (hard && one_line != t.solution) {
      auto v = run(one_line, t.visible_tests);
      if (v.passed) throw std::runtime_error("generator bug: the one-line body of '" + t.description + "' passes an empty input");
      trace += "Code:\n" + one_line + "\n" + result_line(v);
    }
    auto good = run(t.solution, t.visible_tests + t.hidden_tests);
    if (!good.passed)
      throw std::runtime_error("generator bug: the solution of '" + t.description + "' fails: " + good.feedback);
    trace += "Code:\n" + t.solution + "\n" + result_line(good);
    return {t, trace};
  }
}

void write_file(const fs::path& path, const std::string& text) {
  std::ofstream f(path, std::ios::binary);
  f << text;
  if (!f.flush()) throw std::runtime_error(path.string() + ": cannot write");
}

// n samples from `seed`, generated by `threads` threads; sample i always comes from its own
// seed (seed, i), so the output does not depend on the thread count.
std::vector<Sample> generate(uint64_t seed, size_t n, bool held, Level level, int threads) {
  std::vector<Sample> out(n);
  std::atomic<size_t> next{0};
  std::mutex err_mu;
  std::string error;
  std::atomic<bool> failed{false};
  auto work = [&] {
    for (size_t i; !failed && (i = next++) < n;) {
      try {
        Rng r(seed * 1000003 + i);
        out[i] = make_sample(r, held, level);
      } catch (const std::exception& e) {
        std::lock_guard<std::mutex> g(err_mu);
        error = "sample " + std::to_string(i) + ": " + e.what();
        failed = true;  // stop at once: a generator bug found late costs the whole run
      }
    }
  };
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t) pool.emplace_back(work);
  for (auto& t : pool) t.join();
  if (!error.empty()) throw std::runtime_error(error);
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  uint64_t seed = 0;
  size_t train_count = 0, validation_count = 0, test_count = 0;
  int threads = 0;
  std::string out;
  po::options_description desc(
      "edubench-make-codegen-data: generate the codegen_agent data set (verdicts from the real sandbox)\n\noptions");
  desc.add_options()("help,h", "show this help")
      ("out", po::value(&out)->required(), "output folder (train.txt, validation.txt, test.jsonl, test_hard.jsonl and their _traces.txt)")
      ("seed", po::value(&seed)->default_value(11), "seed")
      ("train-count", po::value(&train_count)->default_value(10000), "training traces")
      ("validation-count", po::value(&validation_count)->default_value(600), "validation traces")
      ("test-count", po::value(&test_count)->default_value(160), "tasks in test.jsonl and in test_hard.jsonl")
      ("threads", po::value(&threads)->default_value(2), "sandbox runs in parallel (the output does not depend on it)");
  try {
    po::variables_map vm;
    po::store(po::parse_command_line(argc, argv, desc), vm);
    if (vm.count("help")) return std::cout << desc, 0;
    po::notify(vm);
    if (threads < 1 || threads > 64) throw po::error("--threads: expected 1..64");
    fs::create_directories(out);
    auto join = [](const std::vector<Sample>& v) {
      std::string s;
      for (const auto& x : v) s += x.trace + "\n";
      return s;
    };
    write_file(fs::path(out) / "train.txt", join(generate(seed * 3 + 0, train_count, false, Level::kMixed, threads)));
    write_file(fs::path(out) / "validation.txt",
               join(generate(seed * 3 + 1, validation_count, false, Level::kMixed, threads)));
    auto write_test = [&](const std::vector<Sample>& test, const std::string& stem) {
      std::string jsonl;
      for (const auto& s : test)
        jsonl += nlohmann::json{{"prompt", s.task.description},
                                {"function", s.task.name},
                                {"visible_tests", s.task.visible_tests},
                                {"hidden_tests", s.task.hidden_tests},
                                {"solution", s.task.solution}}
                     .dump() +
                 "\n";
      write_file(fs::path(out) / (stem + ".jsonl"), jsonl);
      write_file(fs::path(out) / (stem + "_traces.txt"), join(test));
    };
    write_test(generate(seed * 3 + 2, test_count, true, Level::kEasy, threads), "test");
    write_test(generate(seed * 3 + 3, test_count, true, Level::kHard, threads), "test_hard");
    return 0;
  } catch (const po::error& e) {
    std::cerr << "edubench-make-codegen-data: error: " << e.what() << "\n";
    return 2;
  } catch (const std::exception& e) {
    std::cerr << "edubench-make-codegen-data: error: " << e.what() << "\n";
    return 5;
  }
}
