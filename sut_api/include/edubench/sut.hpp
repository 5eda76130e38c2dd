// Header-only C++ helper for SUT authors: a base class, typed access to the host and the
// config, and EDUBENCH_SUT(...) which defines edu_sut_entry and turns every exception into
// an edu_status at the boundary (no exception ever crosses into the harness).
#ifndef EDUBENCH_SUT_HPP
#define EDUBENCH_SUT_HPP

#include <edubench/sut_api.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <map>
#include <new>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace edubench {

// Thrown for a workload, option or host the plugin cannot serve (-> EDU_ERR_UNSUPPORTED).
struct Unsupported : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// The registry's sut_config merged with --sut-opt; typed getters throw std::invalid_argument
// (-> EDU_ERR_INVALID_ARGUMENT) naming the key and what was expected.
class Config {
 public:
  Config() = default;
  Config(const edu_kv* kv, size_t n) {
    for (size_t i = 0; i < n; ++i)
      if (kv[i].key) values_[kv[i].key] = kv[i].value ? kv[i].value : "";
  }
  bool has(const std::string& key) const { return values_.count(key) != 0; }
  std::string get(const std::string& key, const std::string& fallback) const {
    auto it = values_.find(key);
    used_[key] = true;
    return it == values_.end() ? fallback : it->second;
  }
  long long get_int(const std::string& key, long long fallback) const {
    if (!has(key)) return (used_[key] = true, fallback);
    std::string v = get(key, "");
    char* end = nullptr;
    errno = 0;
    long long r = std::strtoll(v.c_str(), &end, 10);
    if (v.empty() || *end != '\0' || errno != 0)
      throw std::invalid_argument("option " + key + ": expected an integer, got '" + v + "'");
    return r;
  }
  double get_double(const std::string& key, double fallback) const {
    if (!has(key)) return (used_[key] = true, fallback);
    std::string v = get(key, "");
    char* end = nullptr;
    double r = std::strtod(v.c_str(), &end);
    if (v.empty() || *end != '\0')
      throw std::invalid_argument("option " + key + ": expected a number, got '" + v + "'");
    return r;
  }
  bool get_bool(const std::string& key, bool fallback) const {
    if (!has(key)) return (used_[key] = true, fallback);
    std::string v = get(key, "");
    if (v == "on" || v == "true" || v == "1" || v == "yes") return true;
    if (v == "off" || v == "false" || v == "0" || v == "no") return false;
    throw std::invalid_argument("option " + key + ": expected on|off, got '" + v + "'");
  }
  // One of `choices`, else std::invalid_argument listing them.
  std::string get_choice(const std::string& key, const std::string& fallback,
                         const std::vector<std::string>& choices) const {
    std::string v = get(key, fallback);
    for (const auto& c : choices)
      if (c == v) return v;
    std::string all;
    for (const auto& c : choices) all += (all.empty() ? "" : "|") + c;
    throw std::invalid_argument("option " + key + ": expected " + all + ", got '" + v + "'");
  }
  // Throws for any key no getter asked for: a typo in --sut-opt is an error, not a no-op.
  void reject_unknown() const {
    for (const auto& kv : values_)
      if (!used_.count(kv.first))
        throw std::invalid_argument("unknown option '" + kv.first + "'");
  }
  const std::map<std::string, std::string>& values() const { return values_; }

 private:
  std::map<std::string, std::string> values_;
  mutable std::map<std::string, bool> used_;
};

// The verdict of Host::run_code, copied out of the harness's buffer.
struct ExecResult {
  bool passed = false;
  bool timed_out = false;
  std::string feedback;
};

// Thin wrapper over edu_host; every call is thread-safe because the host's are.
class Host {
 public:
  explicit Host(const edu_host* h) : h_(h) {}
  const edu_host* raw() const { return h_; }

  edu_status stream(uint64_t id, const int32_t* tokens, size_t n) const {
    return h_->stream(h_->ctx, id, tokens, n);
  }
  edu_status complete(uint64_t id, const int32_t* tokens, size_t n_tokens,
                      std::string_view text = {}) const {
    edu_response r{};
    r.struct_size = sizeof r;
    r.tokens = tokens;
    r.n_tokens = n_tokens;
    r.text = text.data();
    r.text_len = text.size();
    return h_->complete(h_->ctx, id, &r);
  }
  edu_status complete_text(uint64_t id, std::string_view text) const {
    return complete(id, nullptr, 0, text);
  }
  // The observation of one tool call; grows the buffer when the harness asks for more.
  std::string call_tool(uint64_t id, const std::string& tool, const std::string& arg) const {
    std::string out(256, '\0');
    for (int attempt = 0; attempt < 4; ++attempt) {
      size_t len = 0;
      edu_status s = h_->call_tool(h_->ctx, id, tool.c_str(), arg.c_str(), out.data(),
                                   out.size(), &len);
      if (s == EDU_OK) return out.substr(0, len);
      if (s != EDU_ERR_BUFFER_TOO_SMALL)
        throw std::runtime_error("call_tool " + tool + " failed with status " +
                                 std::to_string(s));
      out.assign(len + 1, '\0');
    }
    throw std::runtime_error("call_tool " + tool + ": observation kept growing");
  }
  ExecResult run_code(uint64_t id, std::string_view code) const {
    edu_exec_result r{};
    r.struct_size = sizeof r;
    edu_status s = h_->run_code(h_->ctx, id, code.data(), code.size(), &r);
    if (s != EDU_OK) throw std::runtime_error("run_code failed with status " + std::to_string(s));
    ExecResult e;
    e.passed = r.passed != 0;
    e.timed_out = r.timed_out != 0;
    if (r.feedback) e.feedback.assign(r.feedback, r.feedback_len);
    return e;
  }
  void report(uint64_t id, const char* metric, double value) const {
    h_->report(h_->ctx, id, metric, value);
  }
  void log(int32_t level, const std::string& msg) const { h_->log(h_->ctx, level, msg.c_str()); }

 private:
  const edu_host* h_;
};

// Base class of a C++ SUT. The constructor receives (const Host&, std::string_view workload,
// const Config&) and throws to refuse; issue/flush may throw (-> a status for the harness).
class Sut {
 public:
  virtual ~Sut() = default;
  virtual void issue(const edu_query* queries, size_t n) = 0;
  virtual void flush() {}
};

namespace detail {

inline void write_err(char* err, size_t cap, const char* msg) {
  if (!err || cap == 0) return;
  const size_t n = std::min(std::strlen(msg), cap - 1);  // a long message is cut, never overrun
  std::memcpy(err, msg, n);
  err[n] = '\0';
}

// Runs f, mapping every exception to a status (OpenXR's loader does the same at its boundary).
template <class F>
edu_status guarded(F&& f, char* err = nullptr, size_t err_cap = 0) noexcept {
  try {
    f();
    return EDU_OK;
  } catch (const std::bad_alloc&) {
    write_err(err, err_cap, "out of memory");
    return EDU_ERR_INTERNAL;
  } catch (const Unsupported& e) {
    write_err(err, err_cap, e.what());
    return EDU_ERR_UNSUPPORTED;
  } catch (const std::invalid_argument& e) {
    write_err(err, err_cap, e.what());
    return EDU_ERR_INVALID_ARGUMENT;
  } catch (const std::exception& e) {
    write_err(err, err_cap, e.what());
    return EDU_ERR_INTERNAL;
  } catch (...) {
    write_err(err, err_cap, "unknown exception");
    return EDU_ERR_INTERNAL;
  }
}

template <class T>
struct Adapter {
  static edu_status create(const edu_host* host, const char* workload, const edu_kv* cfg,
                           size_t n_cfg, void** out_sut, char* err, size_t err_cap) noexcept {
    if (!host || !workload || !out_sut) {
      write_err(err, err_cap, "create: NULL host, workload or out_sut");
      return EDU_ERR_INVALID_ARGUMENT;
    }
    return guarded(
        [&] {
          Config c(cfg, n_cfg);
          *out_sut = static_cast<Sut*>(new T(Host(host), std::string_view(workload), c));
        },
        err, err_cap);
  }
  static edu_status issue(void* sut, const edu_query* q, size_t n) noexcept {
    return guarded([&] { static_cast<Sut*>(sut)->issue(q, n); });
  }
  static edu_status flush(void* sut) noexcept {
    return guarded([&] { static_cast<Sut*>(sut)->flush(); });
  }
  static void destroy(void* sut) noexcept {
    guarded([&] { delete static_cast<Sut*>(sut); });
  }
};

}  // namespace detail
}  // namespace edubench

// Defines the plugin's one exported symbol for SUT class `Class`:
//   EDUBENCH_SUT(MySut, "my-sut", "1.0", "kv_cache", "speculative_decode")
#define EDUBENCH_SUT(Class, name_, version_, ...)                                          \
  EDU_EXPORT const edu_sut_api* edu_sut_entry(uint32_t host_abi_major) {                   \
    static const char* const workloads_[] = {__VA_ARGS__, nullptr};                        \
    static const edu_sut_api api_ = {sizeof(edu_sut_api),                                  \
                                     EDU_ABI_VERSION_MAJOR,                                \
                                     EDU_ABI_VERSION_MINOR,                                \
                                     name_,                                                \
                                     version_,                                             \
                                     workloads_,                                           \
                                     &::edubench::detail::Adapter<Class>::create,          \
                                     &::edubench::detail::Adapter<Class>::issue,           \
                                     &::edubench::detail::Adapter<Class>::flush,           \
                                     &::edubench::detail::Adapter<Class>::destroy};        \
    return host_abi_major == EDU_ABI_VERSION_MAJOR ? &api_ : nullptr;                      \
  }

#endif  // EDUBENCH_SUT_HPP
