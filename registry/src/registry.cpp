// workloads.yaml -> typed, validated structs. Strict: unknown keys, wrong types, values out of
// range and dangling references are errors that name the file, the line and the field.
#include <edubench/registry/registry.hpp>

#include <yaml-cpp/yaml.h>

#include <filesystem>
#include <functional>
#include <regex>
#include <set>

namespace edubench::registry {

void apply_setting_at(Settings& s, const std::string& key, const std::string& value,
                      const std::string& file, int line, const std::string& field);
bool is_setting(const std::string& key);

namespace fs = std::filesystem;

static std::string error_text(const std::string& file, int line, const std::string& field,
                              const std::string& what) {
  std::string where = line > 0 ? file + ":" + std::to_string(line) : file;
  return where + ": " + (field.empty() ? "" : field + ": ") + what;
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

// A YAML node with the path that leads to it, so every error can name its field.
struct Node {
  YAML::Node n;
  std::string path;
  const std::string* file;

  int line() const { return n.Mark().line >= 0 ? n.Mark().line + 1 : 0; }
  [[noreturn]] void fail(const std::string& what) const { throw Error(*file, line(), path, what); }

  Node child(const std::string& key) const {
    return {n[key], path.empty() ? key : path + "." + key, file};
  }
  bool has(const std::string& key) const { return n.IsMap() && n[key].IsDefined() && !n[key].IsNull(); }

  void expect_map() const {
    if (!n.IsMap()) fail("expected a mapping");
  }
  // Every key must be one of `known`; the message lists them.
  void only_keys(const std::set<std::string>& known) const {
    expect_map();
    for (auto it = n.begin(); it != n.end(); ++it) {
      std::string k = it->first.as<std::string>();
      if (!known.count(k)) {
        std::string all;
        for (const auto& x : known) all += (all.empty() ? "" : ", ") + x;
        Node bad{it->first, path.empty() ? k : path + "." + k, file};
        bad.fail("unknown key (known: " + all + ")");
      }
    }
  }
  Node required(const std::string& key) const {
    if (!has(key)) fail("missing required field '" + key + "'");
    return child(key);
  }
  std::string str() const {
    if (!n.IsScalar()) fail("expected a string");
    return n.as<std::string>();
  }
  std::string str_in(const std::set<std::string>& allowed) const {
    std::string v = str();
    if (!allowed.count(v)) {
      std::string all;
      for (const auto& x : allowed) all += (all.empty() ? "" : "|") + x;
      fail("expected one of " + all + ", got '" + v + "'");
    }
    return v;
  }
  double number(double min, double max) const {
    if (!n.IsScalar()) fail("expected a number");
    double v;
    try {
      v = n.as<double>();
    } catch (const YAML::Exception&) {
      fail("expected a number, got '" + n.as<std::string>() + "'");
    }
    if (v < min || v > max) fail("expected a number in [" + std::to_string(min) + ", " + std::to_string(max) + "], got " + n.as<std::string>());
    return v;
  }
  uint64_t integer(uint64_t min, uint64_t max) const {
    if (!n.IsScalar()) fail("expected an integer");
    std::string s = n.as<std::string>();
    if (s.empty() || s.find_first_not_of("0123456789") != std::string::npos) fail("expected a non-negative integer, got '" + s + "'");
    uint64_t v = std::stoull(s);
    if (v < min || v > max) fail("expected an integer in [" + std::to_string(min) + ", " + std::to_string(max) + "], got " + s);
    return v;
  }
  // Iterates a mapping's entries in file order.
  void each(const std::function<void(const std::string&, const Node&)>& f) const {
    expect_map();
    for (auto it = n.begin(); it != n.end(); ++it) {
      std::string k = it->first.as<std::string>();
      f(k, Node{it->second, path.empty() ? k : path + "." + k, file});
    }
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
    if (!v.n.IsScalar()) v.fail("expected a scalar value");
    apply_setting_at(s, key, v.n.as<std::string>(), *node.file, v.line(), v.path);
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
               "sut_config", "reference_sut", "accuracy", "defaults", "scenarios"});
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
    w.child("models").each([&](const std::string& role, const Node& v) { wl.models[role] = v.str(); });
  wl.tokenizer = w.has("tokenizer") ? w.child("tokenizer").str_in({"none", "bytes"}) : "none";
  if (w.has("max_new_tokens")) wl.max_new_tokens = static_cast<uint32_t>(w.child("max_new_tokens").integer(0, 1 << 20));
  if (w.has("sut_config"))
    w.child("sut_config").each([&](const std::string& k, const Node& v) { wl.sut_config.emplace_back(k, v.str()); });
  wl.reference_sut = w.required("reference_sut").str();
  if (wl.reference_sut.empty()) w.child("reference_sut").fail("expected a plugin name");
  Node acc = w.required("accuracy");
  acc.only_keys({"metric", "reference", "closed_fraction", "open_floor"});
  wl.accuracy.metric = acc.required("metric").str_in({"exact_match", "token_agreement", "pass_rate"});
  if (acc.has("reference")) wl.accuracy.reference = acc.child("reference").number(0, 1);
  if (acc.has("closed_fraction")) wl.accuracy.closed_fraction = acc.child("closed_fraction").number(0, 1);
  if (acc.has("open_floor")) wl.accuracy.open_floor = acc.child("open_floor").number(0, 1);
  Settings defaults;
  if (w.has("defaults")) parse_settings_into(defaults, w.child("defaults"));
  Node scs = w.required("scenarios");
  scs.each([&](const std::string& name, const Node& v) {
    auto sc = parse_scenario(name);
    if (!sc) Node{scs.n, v.path, scs.file}.fail("unknown scenario (known: offline, server, single_stream)");
    Settings s = defaults;
    if (*sc == Scenario::server) s.latency_percentile = 0.99;  // LoadGen's server default
    if (!v.n.IsNull()) parse_settings_into(s, v);
    if (*sc == Scenario::server && s.target_qps <= 0)
      v.fail("a server scenario needs target_qps > 0");
    wl.scenarios[*sc] = s;
  });
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
  } catch (const YAML::Exception& e) {
    throw Error(reg.path, e.mark.line >= 0 ? e.mark.line + 1 : 0, "", "YAML syntax: " + e.msg);
  }
  Node top{doc, "", &reg.path};
  try {
    top.only_keys({"schema", "datasets", "models", "workloads"});
    if (top.required("schema").integer(1, 1000) != 1) top.child("schema").fail("expected schema 1");
    std::set<std::string> seen;
    auto check_dup = [&](const std::string& kind, const std::string& id, const Node& n) {
      if (!seen.insert(kind + ":" + id).second) n.fail("duplicate " + kind + " id '" + id + "'");
    };
    if (top.has("datasets"))
      top.child("datasets").each([&](const std::string& id, const Node& d) {
        check_dup("dataset", id, d);
        reg.datasets.push_back(parse_dataset(id, d, reg.root));
      });
    if (top.has("models"))
      top.child("models").each([&](const std::string& id, const Node& m) {
        check_dup("model", id, m);
        reg.models.push_back(parse_model(id, m, reg.root));
      });
    top.required("workloads").each([&](const std::string& id, const Node& w) {
      check_dup("workload", id, w);
      reg.workloads.push_back(parse_workload(id, w));
      const Workload& wl = reg.workloads.back();
      if (!wl.dataset.empty() && !reg.find_dataset(wl.dataset))
        w.child("dataset").fail("no dataset '" + wl.dataset + "' under datasets:");
      for (const auto& [role, model] : wl.models)
        if (!reg.find_model(model)) w.child("models").child(role).fail("no model '" + model + "' under models:");
    });
  } catch (const YAML::Exception& e) {
    throw Error(reg.path, e.mark.line >= 0 ? e.mark.line + 1 : 0, "", e.msg);
  }
  return reg;
}

}  // namespace edubench::registry
