// workloads.yaml -> typed, validated structs. Strict: unknown keys, wrong types, values out of
// range and dangling references are errors that name the file, the line and the field.
#include <edubench/registry/registry.hpp>

#include "settings_table.hpp"

#include <yaml-cpp/yaml.h>

#include <charconv>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <regex>
#include <set>

namespace edubench::registry {

namespace fs = std::filesystem;

std::string one_line(const std::string& s) {
  static const char hex[] = "0123456789abcdef";
  std::string out;
  for (unsigned char c : s) {
    if (c == '\n') out += "\\n";
    else if (c == '\t') out += "\\t";
    else if (c < 0x20 || c == 0x7f) (out += "\\x") += {hex[c >> 4], hex[c & 15]};
    else out += static_cast<char>(c);
  }
  return out;
}

// A field name or a yaml-cpp message can carry the input's own control characters (a quoted
// key with a newline, "unknown escape character: <newline>").
static std::string error_text(const std::string& file, int line, const std::string& field,
                              const std::string& what) {
  std::string where = line > 0 ? file + ":" + std::to_string(line) : file;
  return one_line(where + ": " + (field.empty() ? "" : field + ": ") + what);
}

Error::Error(std::string file, int line, std::string field, const std::string& what)
    : std::runtime_error(error_text(file, line, field, what)),
      file_(std::move(file)), line_(line), field_(std::move(field)) {}

const char* to_string(Scenario s) {
  switch (s) {
    case Scenario::single_stream: return "single_stream";
    case Scenario::offline: return "offline";
    case Scenario::server: return "server";
  }
  return "?";
}

std::optional<Scenario> parse_scenario(const std::string& s) {
  if (s == "single_stream") return Scenario::single_stream;
  if (s == "offline") return Scenario::offline;
  if (s == "server") return Scenario::server;
  return std::nullopt;
}

const char* to_string(Kind k) {
  switch (k) {
    case Kind::echo: return "echo";
    case Kind::generation: return "generation";
    case Kind::react: return "react";
    case Kind::codegen: return "codegen";
  }
  return "?";
}

const Workload* Registry::find_workload(const std::string& id) const {
  for (const auto& w : workloads)
    if (w.id == id) return &w;
  return nullptr;
}
const Dataset* Registry::find_dataset(const std::string& id) const {
  for (const auto& d : datasets)
    if (d.id == id) return &d;
  return nullptr;
}
const Model* Registry::find_model(const std::string& id) const {
  for (const auto& m : models)
    if (m.id == id) return &m;
  return nullptr;
}

namespace {

std::string join(const std::set<std::string>& items, const char* sep) {
  std::string all;
  for (const auto& x : items) all += (all.empty() ? "" : sep) + x;
  return all;
}

int line_of(const YAML::Node& n) { return n.Mark().line >= 0 ? n.Mark().line + 1 : 0; }

std::string describe(const YAML::Node& n) {
  if (n.IsSequence()) return "a sequence";
  if (n.IsScalar()) return "'" + n.Scalar() + "'";
  if (n.IsMap()) return "a mapping";
  return "nothing";
}

// A YAML node with the path that leads to it, so every error can name its field. Errors are
// reported at the line of the key that names the field (the value's line for the document).
struct Node {
  YAML::Node n;
  std::string path;
  const std::string* file;
  int key_line = 0;

  int line() const { return key_line > 0 ? key_line : line_of(n); }
  [[noreturn]] void fail(const std::string& what) const { throw Error(*file, line(), path, what); }

  std::string sub(const std::string& key) const { return path.empty() ? key : path + "." + key; }

  // The entry `key` (the first, as yaml-cpp's lookup), with its key's line.
  Node child(const std::string& key) const {
    if (n.IsMap())
      for (auto it = n.begin(); it != n.end(); ++it)
        if (it->first.IsScalar() && it->first.Scalar() == key) return {it->second, sub(key), file, line_of(it->first)};
    return {n[key], sub(key), file, line()};
  }
  bool has(const std::string& key) const { return n.IsMap() && n[key].IsDefined() && !n[key].IsNull(); }

  // Iterates a mapping's entries in file order; a key given twice is an error (YAML says keys
  // are unique, yaml-cpp keeps both). `noun` names what the keys are in that message.
  void each(const std::function<void(const std::string&, const Node&)>& f, const std::string& noun = "key") const {
    if (!n.IsMap()) fail("expected a mapping, got " + describe(n));
    std::map<std::string, int> seen;
    for (auto it = n.begin(); it != n.end(); ++it) {
      if (!it->first.IsScalar()) Node{it->first, path, file}.fail("expected a plain key");
      std::string k = it->first.Scalar();
      Node entry{it->second, sub(k), file, line_of(it->first)};
      auto [at, fresh] = seen.emplace(k, entry.line());
      if (!fresh) entry.fail("duplicate " + noun + " '" + k + "' (first at line " + std::to_string(at->second) + ")");
      f(k, entry);
    }
  }
  // Every key must be one of `known`; the message lists them.
  void only_keys(const std::set<std::string>& known) const {
    if (!n.IsMap()) fail("expected a mapping with keys " + join(known, ", ") + "; got " + describe(n));
    each([&](const std::string& k, const Node& entry) {
      if (!known.count(k)) entry.fail("unknown key (known: " + join(known, ", ") + ")");
    });
  }
  Node required(const std::string& key) const {
    if (!has(key)) fail("missing required field '" + key + "'");
    return child(key);
  }
  std::string str() const {
    if (!n.IsScalar()) fail("expected a string, got " + describe(n));
    return n.Scalar();
  }
  std::string str_in(const std::set<std::string>& allowed) const {
    std::string v = str();
    if (!allowed.count(v)) fail("expected one of " + join(allowed, "|") + ", got '" + v + "'");
    return v;
  }
  double number(double min, double max) const {
    if (!n.IsScalar()) fail("expected a number, got " + describe(n));
    const std::string& text = n.Scalar();
    double v = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
    if (text.empty() || ec != std::errc() || end != text.data() + text.size() || !std::isfinite(v))
      fail("expected a number, got '" + text + "'");
    if (!(v >= min && v <= max))
      fail("expected a number in [" + format_number(min) + ", " + format_number(max) + "], got " + text);
    return v;
  }
  uint64_t integer(uint64_t min, uint64_t max) const {
    if (!n.IsScalar()) fail("expected an integer, got " + describe(n));
    const std::string& text = n.Scalar();
    uint64_t v = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
    if (text.empty() || text[0] == '-' || text[0] == '+' || ec != std::errc() || end != text.data() + text.size())
      fail("expected a non-negative integer, got '" + text + "'");
    if (v < min || v > max)
      fail("expected an integer in [" + std::to_string(min) + ", " + std::to_string(max) + "], got " + text);
    return v;
  }
};

bool is_sha256(const std::string& s) {
  static const std::regex re("^[0-9a-f]{64}$");
  return std::regex_match(s, re);
}

std::string resolve(const std::string& root, const std::string& p) {
  fs::path path(p);
  return (path.is_absolute() ? path : fs::path(root) / path).lexically_normal().string();
}

std::string sha_field(const Node& parent, const std::string& key) {
  Node c = parent.required(key);
  std::string v = c.str();
  if (!is_sha256(v)) c.fail("expected 64 lowercase hex digits (a sha256), got '" + v + "'");
  return v;
}

void parse_settings_into(Settings& s, const Node& node) {
  node.each([&](const std::string& key, const Node& v) {
    if (!is_setting(key)) apply_setting_at(s, key, "", *node.file, v.line(), v.path);  // names known keys
    if (!v.n.IsScalar()) v.fail("expected a single value, got " + describe(v.n));
    apply_setting_at(s, key, v.n.Scalar(), *node.file, v.line(), v.path);
  });
}

Dataset parse_dataset(const std::string& id, const Node& d, const std::string& root) {
  d.only_keys({"path", "format", "sha256", "source", "license", "regenerate"});
  Dataset ds;
  ds.id = id;
  ds.path = resolve(root, d.required("path").str());
  ds.format = d.required("format").str_in({"lines", "jsonl"});
  ds.sha256 = sha_field(d, "sha256");
  ds.source = d.required("source").str();
  ds.license = d.required("license").str();
  if (d.has("regenerate")) ds.regenerate = d.child("regenerate").str();
  return ds;
}

Model parse_model(const std::string& id, const Node& m, const std::string& root) {
  m.only_keys({"weights", "weights_sha256", "config", "config_sha256", "parameters", "regenerate", "quality"});
  Model md;
  md.id = id;
  md.weights = resolve(root, m.required("weights").str());
  md.weights_sha256 = sha_field(m, "weights_sha256");
  md.config = resolve(root, m.required("config").str());
  md.config_sha256 = sha_field(m, "config_sha256");
  md.parameters = m.required("parameters").integer(1, 100'000'000'000ull);
  md.regenerate = m.required("regenerate").str();
  if (m.has("quality"))
    m.child("quality").each([&](const std::string& k, const Node& v) { md.quality[k] = v.number(-1e300, 1e300); });
  return md;
}

Workload parse_workload(const std::string& id, const Node& w) {
  w.only_keys({"description", "kind", "status", "dataset", "models", "tokenizer", "max_new_tokens",
               "eos_token", "sut_config", "reference_sut", "accuracy", "defaults", "scenarios", "gates"});
  Workload wl;
  wl.id = id;
  wl.description = w.required("description").str();
  std::string kind = w.required("kind").str_in({"echo", "generation", "react", "codegen"});
  wl.kind = kind == "echo" ? Kind::echo : kind == "generation" ? Kind::generation
          : kind == "react" ? Kind::react : Kind::codegen;
  wl.status = w.required("status").str_in({"ready", "planned"});
  if (w.has("dataset")) wl.dataset = w.child("dataset").str();
  if (wl.status == "ready" && wl.dataset.empty()) w.fail("a ready workload needs a 'dataset'");
  if (w.has("models"))
    w.child("models").each([&](const std::string& role, const Node& v) {
      wl.models[role] = v.str();
      if (wl.models[role].empty()) v.fail("expected a model id");
    }, "model role");
  wl.tokenizer = w.has("tokenizer") ? w.child("tokenizer").str_in({"none", "bytes"}) : "none";
  if (w.has("max_new_tokens")) wl.max_new_tokens = static_cast<uint32_t>(w.child("max_new_tokens").integer(0, 1 << 20));
  if (w.has("eos_token")) wl.eos_token = static_cast<int32_t>(w.child("eos_token").integer(0, INT32_MAX));
  if (w.has("sut_config"))
    w.child("sut_config").each([&](const std::string& k, const Node& v) { wl.sut_config.emplace_back(k, v.str()); });
  wl.reference_sut = w.required("reference_sut").str();
  if (wl.reference_sut.empty()) w.child("reference_sut").fail("expected a plugin name, got ''");
  Node acc = w.required("accuracy");
  acc.only_keys({"metric", "reference", "closed_fraction", "open_floor"});
  wl.accuracy.metric = acc.required("metric").str_in({"exact_match", "token_agreement", "pass_rate"});
  if (acc.has("reference")) wl.accuracy.reference = acc.child("reference").number(0, 1);
  if (acc.has("closed_fraction")) wl.accuracy.closed_fraction = acc.child("closed_fraction").number(0, 1);
  if (acc.has("open_floor")) wl.accuracy.open_floor = acc.child("open_floor").number(0, 1);
  if (wl.status == "ready" && wl.kind == Kind::generation) {
    if (!wl.models.count("target")) w.fail("a ready generation workload needs models: {target: MODEL_ID}");
    if (wl.max_new_tokens == 0) w.fail("a ready generation workload needs max_new_tokens >= 1");
  }
  if (w.has("gates"))
    w.child("gates").each([&](const std::string& name, const Node& g) {
      g.only_keys({"metric", "ratio_at_least", "ratio_at_most", "difference_at_least", "before", "after"});
      Gate gate;
      gate.name = name;
      gate.metric = g.required("metric").str();
      if (gate.metric.empty()) g.child("metric").fail("expected a path into result.json's metrics (e.g. tokens_per_s) or accuracy (accuracy.value)");
      for (const char* test : {"ratio_at_least", "ratio_at_most", "difference_at_least"}) {
        if (!g.has(test)) continue;
        if (!gate.test.empty()) g.fail("expected one of ratio_at_least, ratio_at_most, difference_at_least");
        gate.test = test;
        gate.threshold = g.child(test).number(-1e12, 1e12);
      }
      if (gate.test.empty()) g.fail("expected one of ratio_at_least, ratio_at_most, difference_at_least");
      gate.before = g.required("before").str();
      gate.after = g.required("after").str();
      wl.gates.push_back(gate);
    }, "gate");
  // A scenario's settings: the Settings defaults (server: LoadGen's p99), then the workload's
  // `defaults:` block, then the scenario's own entries.
  std::optional<Node> defaults;
  if (w.has("defaults")) {
    defaults = w.child("defaults");
    Settings checked;
    parse_settings_into(checked, *defaults);  // reported once, even if no scenario inherits it
  }
  Node scs = w.required("scenarios");
  scs.each([&](const std::string& name, const Node& v) {
    auto sc = parse_scenario(name);
    if (!sc) v.fail("unknown scenario (known: offline, server, single_stream)");
    Settings s;
    if (*sc == Scenario::server) s.latency_percentile = 0.99;
    if (defaults) parse_settings_into(s, *defaults);
    if (!v.n.IsNull()) parse_settings_into(s, v);
    if (std::string problem = settings_problem(s, *sc); !problem.empty()) v.fail(problem);
    wl.scenarios[*sc] = s;
  }, "scenario");
  if (wl.scenarios.empty()) scs.fail("expected at least one scenario");
  return wl;
}

}  // namespace

Registry load_registry(const std::string& path) {
  Registry reg;
  std::error_code ec;
  fs::path abs = fs::absolute(path, ec);
  reg.path = abs.lexically_normal().string();
  reg.root = abs.parent_path().lexically_normal().string();
  if (!fs::is_regular_file(abs, ec)) throw Error(reg.path, 0, "", "no such registry file");
  YAML::Node doc;
  try {
    doc = YAML::LoadFile(reg.path);
  } catch (const YAML::BadFile&) {
    throw Error(reg.path, 0, "", "cannot read the registry file");
  } catch (const YAML::Exception& e) {
    throw Error(reg.path, e.mark.line >= 0 ? e.mark.line + 1 : 0, "", "YAML syntax: " + e.msg);
  }
  Node top{doc, "", &reg.path};
  try {
    top.only_keys({"schema", "datasets", "models", "workloads"});
    if (top.required("schema").integer(1, 1000) != 1) top.child("schema").fail("expected schema 1");
    if (top.has("datasets"))
      top.child("datasets").each([&](const std::string& id, const Node& d) {
        reg.datasets.push_back(parse_dataset(id, d, reg.root));
      }, "dataset id");
    if (top.has("models"))
      top.child("models").each([&](const std::string& id, const Node& m) {
        reg.models.push_back(parse_model(id, m, reg.root));
      }, "model id");
    top.required("workloads").each([&](const std::string& id, const Node& w) {
      reg.workloads.push_back(parse_workload(id, w));
      const Workload& wl = reg.workloads.back();
      if (!wl.dataset.empty() && !reg.find_dataset(wl.dataset))
        w.child("dataset").fail("no dataset '" + wl.dataset + "' under datasets:");
      for (const auto& [role, model] : wl.models)
        if (!reg.find_model(model)) w.child("models").child(role).fail("no model '" + model + "' under models:");
    }, "workload id");
  } catch (const YAML::Exception& e) {
    throw Error(reg.path, e.mark.line >= 0 ? e.mark.line + 1 : 0, "", e.msg);
  }
  return reg;
}

}  // namespace edubench::registry
