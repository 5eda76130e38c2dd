// edubench-make-react-data: the seeded generator of the react_agent data set. Questions need
// 2 to 5 tool calls; every Observation in a trace is what the harness's own tool code
// (hostsvc::run_tool) returns for that Action, so the model learns the real tools' output.
//
// Held out: an operand number or a word is "test-only" when a keyed hash puts it in the
// held-out eighth; training and validation questions never contain one, every test question
// contains at least one. Words are random letter strings and operands span 1 to 5 digits, so
// the model must learn to copy, not remember a word list.
#include <edubench/hostsvc/tools.hpp>

#include <boost/program_options.hpp>
#include <nlohmann/json.hpp>

#include <cmath>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <random>
#include <set>
#include <string>
#include <vector>

namespace po = boost::program_options;
namespace fs = std::filesystem;
using edubench::hostsvc::run_tool;

namespace {

enum class Split { train, test };

uint64_t fnv1a(const std::string& s) {
  uint64_t h = 1469598103934665603ull;
  for (unsigned char c : s) h = (h ^ c) * 1099511628211ull;
  return h;
}
// Single digits are never held out: every question draws on them.
bool held_out(const std::string& item) { return item.size() > 1 && fnv1a("react-holdout:" + item) % 8 == 0; }

struct Trace {
  std::string question, text, answer;
  std::vector<std::string> tools;  // the route: tool names in call order
};

// Builds one trace: thoughts and actions go in as written, observations come from the tools.
class TraceBuilder {
 public:
  explicit TraceBuilder(std::string question) { t_.question = question; t_.text = "Question: " + question + "\n"; }
  std::string act(const std::string& thought, const std::string& tool, const std::string& arg) {
    auto r = run_tool(tool, arg);
    if (!r.ok) throw std::runtime_error("generator bug: " + tool + "[" + arg + "] -> " + r.observation);
    t_.text += "Thought: " + thought + "\nAction: " + tool + "[" + arg + "]\nObservation: " + r.observation + "\n";
    t_.tools.push_back(tool);
    return r.observation;
  }
  Trace answer(const std::string& a) {
    t_.text += "Answer: " + a + "\n";
    t_.answer = a;
    return t_;
  }

 private:
  Trace t_;
};

// kShort: the eight families of 2-5 calls (train.txt, test.jsonl). kLong: compositions of 4-6
// calls (train_long.txt, test_long.jsonl), from their own random streams so the short files stay
// byte-identical to what models/react's first four stages were trained on.
enum class Length { kShort, kLong };
// The model's context is 512 bytes and the agent's whole trace must fit in it (react_sut.cpp
// ends a query without an answer when it runs out).
constexpr size_t kMaxLongTrace = 511;  // the short families' longest is 470

class Generator {
 public:
  Generator(uint64_t seed, Split split, Length length = Length::kShort)
      : rng_(seed), split_(split), length_(length) {}

  Trace next() {
    // Draw until the question's items match the split (train: none held out; test: some).
    for (;;) {
      items_.clear();
      Trace t = length_ == Length::kShort ? family() : long_family();
      if (t.text.size() > kMaxLongTrace) continue;
      bool any = false;
      for (const auto& i : items_) any = any || held_out(i);
      if (any == (split_ == Split::test)) return t;
    }
  }

 private:
  std::mt19937_64 rng_;
  Split split_;
  Length length_;
  std::vector<std::string> items_;  // the operands and words of the current question

  uint64_t uniform(uint64_t lo, uint64_t hi) { return std::uniform_int_distribution<uint64_t>(lo, hi)(rng_); }

  // 1 to 5 digits, each digit count equally likely, so short and long numbers are both common.
  std::string number(int max_digits = 4) {
    int d = static_cast<int>(uniform(1, static_cast<uint64_t>(max_digits)));
    uint64_t lo = d == 1 ? 0 : static_cast<uint64_t>(std::pow(10, d - 1));
    std::string n = std::to_string(uniform(lo, static_cast<uint64_t>(std::pow(10, d)) - 1));
    items_.push_back(n);
    return n;
  }
  std::string word() {
    std::string w;
    for (uint64_t i = 0, n = uniform(2, 12); i < n; ++i) w += static_cast<char>('a' + uniform(0, 25));
    items_.push_back(w);
    return w;
  }
  std::string op() { return std::string(1, "+-*"[uniform(0, 2)]); }
  std::string op_word(const std::string& o) { return o == "+" ? "plus" : o == "-" ? "minus" : "times"; }
  std::string constant() {
    static const std::vector<std::string> names = {"pi",    "e",     "golden_ratio", "sqrt2", "gravity",
                                                   "dozen", "score", "gross",        "century", "days_in_week",
                                                   "hours_in_day", "days_in_year", "minutes_in_hour"};
    return names[uniform(0, names.size() - 1)];
  }
  // Every constant the lookup tool knows, for questions about the characters of its value (which
  // is never calculated with, so 6.02214076e+23 is as good as 12).
  std::string any_constant() {
    static const std::vector<std::string> names = {
        "pi", "e", "golden_ratio", "sqrt2", "speed_of_light", "gravity", "avogadro", "days_in_year",
        "hours_in_day", "minutes_in_hour", "seconds_in_minute", "days_in_week", "months_in_year",
        "boiling_point_water", "freezing_point_water", "dozen", "score", "gross", "century", "millennium",
        "planck", "boltzmann"};
    return names[uniform(0, names.size() - 1)];
  }
  std::string short_constant() {
    static const std::vector<std::string> names = {"pi", "e", "sqrt2", "gravity", "dozen", "score", "gross", "century"};
    return names[uniform(0, names.size() - 1)];
  }
  // Long words push a trace past the model's 512-byte context: 2-7 letters (2-5 and constants
  // with short names in the six-call families) keep most inside, next() drops the rest.
  std::string short_word(uint64_t max_letters = 7) {
    std::string w;
    for (uint64_t i = 0, n = uniform(2, max_letters); i < n; ++i) w += static_cast<char>('a' + uniform(0, 25));
    items_.push_back(w);
    return w;
  }
  std::string relation() { return uniform(0, 1) ? "greater" : "less"; }
  static std::string yes_no(const std::string& observed, const std::string& asked) {
    return observed == asked ? "yes" : "no";
  }

  Trace family() {
    switch (uniform(0, 7)) {
      case 0: {  // (a op b) op c: 2 calls
        std::string a = number(), o1 = op(), b = number(), o2 = op(), c = number();
        TraceBuilder t("What is (" + a + " " + o1 + " " + b + ") " + o2 + " " + c + "?");
        std::string r = t.act("inner part first", "calculator", a + " " + o1 + " " + b);
        return t.answer(t.act("then the rest", "calculator", r + " " + o2 + " " + c));
      }
      case 1: {  // (a op b) op (c op d): 3 calls
        std::string a = number(3), o1 = op(), b = number(3), o2 = op(), c = number(3), o3 = op(), d = number(3);
        TraceBuilder t("What is (" + a + " " + o1 + " " + b + ") " + o2 + " (" + c + " " + o3 + " " + d + ")?");
        std::string x = t.act("left part", "calculator", a + " " + o1 + " " + b);
        std::string y = t.act("right part", "calculator", c + " " + o3 + " " + d);
        return t.answer(t.act("combine them", "calculator", x + " " + o2 + " " + y));
      }
      case 2: {  // two lengths compared: 3 calls
        std::string w1 = word(), w2 = word(), rel = relation();
        TraceBuilder t("Is the length of '" + w1 + "' " + rel + " than the length of '" + w2 + "'?");
        std::string l1 = t.act("first length", "string_length", w1);
        std::string l2 = t.act("second length", "string_length", w2);
        return t.answer(yes_no(t.act("compare them", "compare", l1 + ", " + l2), rel));
      }
      case 3: {  // a length against a number: 2 calls
        std::string w = word(), n = number(2), rel = relation();
        TraceBuilder t("Is the length of '" + w + "' " + rel + " than " + n + "?");
        std::string l = t.act("its length", "string_length", w);
        return t.answer(yes_no(t.act("compare them", "compare", l + ", " + n), rel));
      }
      case 4: {  // a constant op a number: 2 calls
        std::string c = constant(), o = op(), n = number();
        TraceBuilder t("What is " + c + " " + op_word(o) + " " + n + "?");
        std::string v = t.act("look up " + c, "lookup", c);
        return t.answer(t.act("now compute", "calculator", v + " " + o + " " + n));
      }
      case 5: {  // a length op a constant: 3 calls
        std::string w = word(), o = op(), c = constant();
        TraceBuilder t("What is the length of '" + w + "' " + op_word(o) + " " + c + "?");
        std::string l = t.act("its length", "string_length", w);
        std::string v = t.act("look up " + c, "lookup", c);
        return t.answer(t.act("now compute", "calculator", l + " " + o + " " + v));
      }
      case 6: {  // is (a op b) op (c op d) rel e: 4 calls
        std::string a = number(3), o1 = op(), b = number(3), o2 = op(), c = number(3), o3 = op(), d = number(3);
        std::string e = number(5), rel = relation();
        TraceBuilder t("Is (" + a + " " + o1 + " " + b + ") " + o2 + " (" + c + " " + o3 + " " + d + ") " + rel +
                       " than " + e + "?");
        std::string x = t.act("left part", "calculator", a + " " + o1 + " " + b);
        std::string y = t.act("right part", "calculator", c + " " + o3 + " " + d);
        std::string z = t.act("combine them", "calculator", x + " " + o2 + " " + y);
        return t.answer(yes_no(t.act("compare them", "compare", z + ", " + e), rel));
      }
      default: {  // (length + length) op constant: 5 calls
        std::string w1 = word(), w2 = word(), o = op(), c = constant();
        TraceBuilder t("What is (the length of '" + w1 + "' plus the length of '" + w2 + "') " + op_word(o) + " " +
                       c + "?");
        std::string l1 = t.act("first length", "string_length", w1);
        std::string l2 = t.act("second length", "string_length", w2);
        std::string s = t.act("add them", "calculator", l1 + " + " + l2);
        std::string v = t.act("look up " + c, "lookup", c);
        return t.answer(t.act("now compute", "calculator", s + " " + o + " " + v));
      }
    }
  }

  // Compositions of 4 to 6 calls: the constant's value becomes a string whose characters are
  // counted, a computed value is compared, so the route is longer and its length varies.
  Trace long_family() {
    switch (uniform(0, 6)) {  // 4 twice: the other six-call family often runs past the context
      case 0: {  // characters of a constant's value against a word's length: 4 calls
        std::string c = any_constant(), w = short_word(), rel = relation();
        TraceBuilder t("Is the length of the value of " + c + " " + rel + " than the length of '" + w +
                       "'?");
        std::string v = t.act("look up " + c, "lookup", c);
        std::string l1 = t.act("count its characters", "string_length", v);
        std::string l2 = t.act("the word's length", "string_length", w);
        return t.answer(yes_no(t.act("compare them", "compare", l1 + ", " + l2), rel));
      }
      case 1: {  // characters of a constant's value op a word's length: 4 calls
        std::string c = any_constant(), o = op(), w = short_word();
        TraceBuilder t("What is the length of the value of " + c + " " + op_word(o) +
                       " the length of '" + w + "'?");
        std::string v = t.act("look up " + c, "lookup", c);
        std::string l1 = t.act("count its characters", "string_length", v);
        std::string l2 = t.act("the word's length", "string_length", w);
        return t.answer(t.act("now compute", "calculator", l1 + " " + o + " " + l2));
      }
      case 2: {  // (a length op a constant) against (a op b): 5 calls
        std::string w = short_word(), o1 = op(), c = constant(), rel = relation(), a = number(3), o2 = op(),
                    b = number(3);
        TraceBuilder t("Is the length of '" + w + "' " + op_word(o1) + " " + c + " " + rel + " than " + a + " " + o2 +
                       " " + b + "?");
        std::string l = t.act("its length", "string_length", w);
        std::string v = t.act("look up " + c, "lookup", c);
        std::string x = t.act("left side", "calculator", l + " " + o1 + " " + v);
        std::string y = t.act("right side", "calculator", a + " " + o2 + " " + b);
        return t.answer(yes_no(t.act("compare them", "compare", x + ", " + y), rel));
      }
      case 3: {  // ((a op b) op (c op d)) op constant: 5 calls
        std::string a = number(3), o1 = op(), b = number(3), o2 = op(), c = number(3), o3 = op(), d = number(3);
        std::string o4 = op(), k = constant();
        TraceBuilder t("What is ((" + a + " " + o1 + " " + b + ") " + o2 + " (" + c + " " + o3 + " " + d + ")) " +
                       op_word(o4) + " " + k + "?");
        std::string x = t.act("left part", "calculator", a + " " + o1 + " " + b);
        std::string y = t.act("right part", "calculator", c + " " + o3 + " " + d);
        std::string z = t.act("combine them", "calculator", x + " " + o2 + " " + y);
        std::string v = t.act("look up " + k, "lookup", k);
        return t.answer(t.act("now compute", "calculator", z + " " + o4 + " " + v));
      }
      case 4:
      case 6: {  // ((length + length) op constant) against a number: 6 calls
        std::string w1 = short_word(5), w2 = short_word(5), o = op(), c = short_constant(), rel = relation(),
                    n = number(4);
        TraceBuilder t("Is (the length of '" + w1 + "' plus the length of '" + w2 + "') " + op_word(o) + " " + c +
                       " " + rel + " than " + n + "?");
        std::string l1 = t.act("first length", "string_length", w1);
        std::string l2 = t.act("second length", "string_length", w2);
        std::string s = t.act("add them", "calculator", l1 + " + " + l2);
        std::string v = t.act("look up " + c, "lookup", c);
        std::string x = t.act("now compute", "calculator", s + " " + o + " " + v);
        return t.answer(yes_no(t.act("compare them", "compare", x + ", " + n), rel));
      }
      default: {  // (length + length) op characters of a constant's value: 6 calls
        std::string w1 = short_word(5), w2 = short_word(5), o = op(), c = short_constant();
        TraceBuilder t("What is (the length of '" + w1 + "' plus the length of '" + w2 + "') " + op_word(o) +
                       " the length of the value of " + c + "?");
        std::string l1 = t.act("first length", "string_length", w1);
        std::string l2 = t.act("second length", "string_length", w2);
        std::string s = t.act("add them", "calculator", l1 + " + " + l2);
        std::string v = t.act("look up " + c, "lookup", c);
        std::string l3 = t.act("count its characters", "string_length", v);
        return t.answer(t.act("now compute", "calculator", s + " " + o + " " + l3));
      }
    }
  }
};

void write_file(const fs::path& path, const std::string& text) {
  std::ofstream f(path, std::ios::binary);
  f << text;
  if (!f.flush()) throw std::runtime_error(path.string() + ": cannot write");
}

// Train and validation text of at least `chars` bytes; their questions go into `seen`.
std::string traces_text(Generator& g, size_t chars, std::set<std::string>* seen) {
  std::string text;
  while (text.size() < chars) {
    Trace t = g.next();
    if (seen) seen->insert(t.question);
    text += t.text + "\n";
  }
  return text;
}

// STEM.jsonl (prompt, reference, tool_calls, tools) and STEM_traces.txt, `count` questions.
void write_test(Generator& g, size_t count, const std::set<std::string>& train_questions, const fs::path& out,
                const std::string& stem) {
  std::string jsonl, traces;
  for (size_t i = 0; i < count;) {
    Trace t = g.next();
    if (train_questions.count(t.question)) continue;  // cannot happen (held-out items), kept as a guard
    nlohmann::json j = {{"prompt", t.question}, {"reference", t.answer}, {"tool_calls", t.tools.size()}, {"tools", t.tools}};
    jsonl += j.dump() + "\n";
    traces += t.text + "\n";
    ++i;
  }
  write_file(out / (stem + ".jsonl"), jsonl);
  write_file(out / (stem + "_traces.txt"), traces);
}

}  // namespace

int main(int argc, char** argv) {
  uint64_t seed = 0;
  size_t train_chars = 0, validation_chars = 0, test_count = 0, long_train_chars = 0, long_validation_chars = 0,
         long_test_count = 0;
  std::string out;
  po::options_description desc(
      "edubench-make-react-data: generate the react_agent data set (traces from the real tools)\n\noptions");
  desc.add_options()("help,h", "show this help")
      ("out", po::value(&out)->required(),
       "output folder (train.txt, validation.txt, test.jsonl, test_traces.txt and their _long twins)")
      ("seed", po::value(&seed)->default_value(7), "seed")
      ("train-chars", po::value(&train_chars)->default_value(8'000'000), "size of train.txt in bytes (at least)")
      ("validation-chars", po::value(&validation_chars)->default_value(200'000), "size of validation.txt")
      ("test-count", po::value(&test_count)->default_value(200), "questions in test.jsonl")
      ("long-train-chars", po::value(&long_train_chars)->default_value(4'000'000),
       "size of train_long.txt (compositions of 4-6 calls)")
      ("long-validation-chars", po::value(&long_validation_chars)->default_value(100'000), "size of validation_long.txt")
      ("long-test-count", po::value(&long_test_count)->default_value(160), "questions in test_long.jsonl");
  try {
    po::variables_map vm;
    po::store(po::parse_command_line(argc, argv, desc), vm);
    if (vm.count("help")) return std::cout << desc, 0;
    po::notify(vm);
    const fs::path dir(out);
    fs::create_directories(dir);
    // Separate streams from one seed: the splits never share a random sequence, and the long
    // files' streams (+100..102) leave the short ones as they were before the long level existed.
    Generator train(seed * 3 + 0, Split::train), validation(seed * 3 + 1, Split::train),
        test(seed * 3 + 2, Split::test);
    Generator long_train(seed * 3 + 100, Split::train, Length::kLong),
        long_validation(seed * 3 + 101, Split::train, Length::kLong),
        long_test(seed * 3 + 102, Split::test, Length::kLong);
    std::set<std::string> train_questions;
    write_file(dir / "train.txt", traces_text(train, train_chars, &train_questions));
    write_file(dir / "validation.txt", traces_text(validation, validation_chars, nullptr));
    write_file(dir / "train_long.txt", traces_text(long_train, long_train_chars, &train_questions));
    write_file(dir / "validation_long.txt", traces_text(long_validation, long_validation_chars, nullptr));
    write_test(test, test_count, train_questions, dir, "test");
    write_test(long_test, long_test_count, train_questions, dir, "test_long");
    return 0;
  } catch (const po::error& e) {
    std::cerr << "edubench-make-react-data: error: " << e.what() << "\n";
    return 2;
  } catch (const std::exception& e) {
    std::cerr << "edubench-make-react-data: error: " << e.what() << "\n";
    return 5;
  }
}
