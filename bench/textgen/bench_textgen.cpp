// bench_textgen: the measured figures of docs/performance_textgen.md, on the shipped models
// and real test-split prompts. Prints markdown tables.
//   cache: KV cache on vs off, 32-byte prompts, growing numbers of new tokens.
//   spec:  target-only vs speculative decoding (draft model and n-gram drafter) over gamma,
//          in the same process, with the walltime formula's prediction beside the measurement.
//   floor: decode speed against weights bytes / memory bandwidth and FLOPs / GEMM rate.
#include <edubench/model/generate.hpp>
#include <edubench/model/tokenizer.hpp>

#include <boost/program_options.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <ctime>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <iostream>

namespace po = boost::program_options;
using namespace edubench::model;
namespace {

// The clock of every measurement: this thread's CPU time by default. The two cores are shared
// with other jobs, so wall time mostly measures their load; with one intra-op thread all of
// LibTorch's and OpenBLAS's work runs on this thread, and its CPU time is the work done.
bool g_wall_clock = false;

double now_s() {
  timespec ts{};
  clock_gettime(g_wall_clock ? CLOCK_MONOTONIC : CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + 1e-9 * static_cast<double>(ts.tv_nsec);
}
double since(double t0) { return now_s() - t0; }

std::vector<std::vector<int64_t>> load_prompts(const std::string& path, size_t n, size_t chars) {
  std::ifstream f(path);
  if (!f) throw std::runtime_error(path + ": cannot open");
  std::vector<std::vector<int64_t>> out;
  for (std::string line; out.size() < n && std::getline(f, line);) {
    auto j = nlohmann::json::parse(line, nullptr, false);
    if (!j.is_object() || !j.contains("prompt") || !j["prompt"].is_string())
      throw std::runtime_error(path + ": expected a string field 'prompt' on every line");
    auto p = j["prompt"].get<std::string>();
    out.push_back(encode_bytes(p.substr(0, std::min(chars, p.size()))));
  }
  if (out.size() < n) throw std::runtime_error(path + ": fewer prompts than requested");
  return out;
}

// Median seconds of one forward_cached of model a over ta new tokens and of model b over tb
// new tokens, each after a 100-token prefix and rolled back after every pass. The two are
// timed alternately, so a change in the machine's load hits both (the two cores are shared;
// a ratio of two separate measurements would carry other jobs' bursts).
std::pair<double, double> paired_pass_seconds(Gpt& a, int64_t ta, Gpt& b, int64_t tb, int reps) {
  const int64_t prefix = 100;
  KvCache ca(a->config(), 1, a->config().block_size), cb(b->config(), 1, b->config().block_size);
  a->forward_cached(torch::full({prefix}, 32, torch::kLong), ca, 0);
  b->forward_cached(torch::full({prefix}, 32, torch::kLong), cb, 0);
  auto xa = torch::full({ta}, 101, torch::kLong), xb = torch::full({tb}, 101, torch::kLong);
  std::vector<double> sa, sb;
  for (int i = 0; i <= reps; ++i) {  // pass 0 is a warm-up
    double t0 = now_s();
    a->forward_cached(xa, ca, 0);
    const double da = since(t0);
    t0 = now_s();
    b->forward_cached(xb, cb, 0);
    const double db = since(t0);
    ca.truncate(0, prefix);
    cb.truncate(0, prefix);
    if (i > 0) sa.push_back(da), sb.push_back(db);
  }
  auto median = [](std::vector<double>& v) {
    std::nth_element(v.begin(), v.begin() + static_cast<int64_t>(v.size() / 2), v.end());
    return v[v.size() / 2];
  };
  return {median(sa), median(sb)};
}

// Best of `n` runs of f (seconds): the run least disturbed by other jobs on the machine.
template <typename F>
double best_of(int n, F&& f) {
  double best = 1e300;
  for (int i = 0; i < n; ++i) {
    double t0 = now_s();
    f();
    best = std::min(best, since(t0));
  }
  return best;
}

void bench_cache(Gpt& target, const std::vector<std::vector<int64_t>>& prompts) {
  std::printf("### KV cache on vs off (32-byte prompts, %zu prompts, greedy)\n\n", prompts.size());
  std::printf("| new tokens | cache on: ms/token | cache off: ms/token | speedup | on: first/last 16 tokens ms | off: first/last 16 tokens ms | same tokens |\n");
  std::printf("| --- | --- | --- | --- | --- | --- | --- |\n");
  KvCache cache(target->config(), 1, target->config().block_size);
  const int64_t max_new = target->config().block_size - 32;
  for (int64_t n : {64L, 128L, max_new}) {
    double total[2] = {0, 0}, first[2] = {0, 0}, last[2] = {0, 0};
    bool same = true;
    for (const auto& p : prompts) {
      std::vector<int32_t> outs[2];
      for (int on = 1; on >= 0; --on) {
        std::vector<double> stamps;
        for (int rep = 0; rep < 2; ++rep) {  // the faster of two runs
          std::vector<double> s;
          double t0 = now_s();
          outs[on] = greedy_generate(target, cache, p, n, on == 1 ? Decode::torch : Decode::uncached, [&](const int32_t*, size_t) { s.push_back(since(t0)); });
          if (stamps.empty() || s.back() < stamps.back()) stamps = s;
        }
        total[on] += stamps.back();
        // Per-token latency early and late in the sequence (the first token is the prefill).
        first[on] += (stamps[16] - stamps[0]) / 16;
        last[on] += (stamps.back() - stamps[stamps.size() - 17]) / 16;
      }
      same = same && outs[0] == outs[1];
    }
    const double k = 1000.0 / static_cast<double>(prompts.size());
    std::printf("| %lld | %.2f | %.2f | %.1fx | %.2f / %.2f | %.2f / %.2f | %s |\n", static_cast<long long>(n),
                total[1] * k / n, total[0] * k / n, total[0] / total[1], first[1] * k, last[1] * k, first[0] * k,
                last[0] * k, same ? "yes" : "NO");
    std::fflush(stdout);
  }
  std::printf("\n");
}

void bench_spec(Gpt& target, Gpt& draft, const std::vector<std::vector<int64_t>>& prompts, int64_t max_new) {
  // Cost ratios for the formula, measured on this machine: c = draft step / target step,
  // v(g) = target pass over g + 1 tokens / target pass over 1 token.
  const auto [t1, d1] = paired_pass_seconds(target, 1, draft, 1, 301);
  const double c = d1 / t1;
  std::printf("### Speculative vs target-only decoding (%zu prompts of 48 bytes, %lld new tokens, greedy)\n\n",
              prompts.size(), static_cast<long long>(max_new));
  std::printf("Target step %.2f ms, draft step %.2f ms: c = %.3f.\n\n", t1 * 1e3, d1 * 1e3, c);
  KvCache cache(target->config(), 1, target->config().block_size);
  std::vector<std::vector<int32_t>> ref;
  for (const auto& p : prompts) ref.push_back(greedy_generate(target, cache, p, max_new, Decode::torch));
  const double ntok = static_cast<double>(prompts.size() * static_cast<size_t>(max_new));
  std::printf("Each row: target-only (KV cache) and speculative decoding of the same prompts, timed\n"
              "alternately, best of 3 each; speedup = target-only time / speculative time.\n\n");
  std::printf("| drafter | gamma | v(gamma) | acceptance a | tokens per round | target passes per token | target-only tokens/s | speculative tokens/s | speedup measured | predicted (formula, a) | predicted (tokens per round) | lossless |\n");
  std::printf("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |\n");
  for (const char* kind : {"model", "ngram"}) {
    for (int64_t g = 1; g <= 8; ++g) {
      const auto [one, many] = paired_pass_seconds(target, 1, target, g + 1, 101);
      const double v = many / one;
      SpeculativeDecoder dec(target, std::string(kind) == "model" ? draft : Gpt{nullptr}, g);
      SpecStats st;
      bool same = true;
      for (size_t i = 0; i < prompts.size(); ++i) same = same && dec.generate(prompts[i], max_new, st) == ref[i];
      double secs = 1e300, base = 1e300;
      for (int rep = 0; rep < 3; ++rep) {
        base = std::min(base, best_of(1, [&] {
          for (const auto& p : prompts) greedy_generate(target, cache, p, max_new, Decode::torch);
        }));
        secs = std::min(secs, best_of(1, [&] {
          SpecStats ignored;
          for (const auto& p : prompts) dec.generate(p, max_new, ignored);
        }));
      }
      const double a = st.drafted ? static_cast<double>(st.accepted) / static_cast<double>(st.drafted) : 0;
      const double rounds = static_cast<double>(st.target_passes - static_cast<int64_t>(prompts.size()));
      // (1 - a^(g+1)) / ((1 - a)(g c + v)); the n-gram drafter costs no model step (c = 0).
      const double cc = std::string(kind) == "model" ? c : 0.0;
      const double pred = a < 1 ? (1 - std::pow(a, g + 1)) / ((1 - a) * (g * cc + v)) : (g + 1) / (g * cc + v);
      // The formula assumes every draft token is accepted independently with probability a;
      // on this text agreement comes in runs, so also: measured tokens per round / round cost.
      const double per_round = (static_cast<double>(st.accepted) + rounds) / rounds;
      const double pred_rounds = per_round / (g * cc + v);
      std::printf("| %s | %lld | %.2f | %.3f | %.2f | %.3f | %.0f | %.0f | %.2fx | %.2fx | %.2fx | %s |\n", kind,
                  static_cast<long long>(g), v, a, per_round, static_cast<double>(st.target_passes) / ntok, ntok / base,
                  ntok / secs, base / secs, pred, pred_rounds, same ? "yes" : "NO");
      std::fflush(stdout);
    }
  }
  std::printf("\n");
}

void bench_floor(Gpt& target, const std::vector<std::vector<int64_t>>& prompts) {
  // Memory bandwidth: copying 256 MiB (read + write counted), best of 5.
  auto src = torch::ones({64 << 20}), dst = torch::empty({64 << 20});
  dst.copy_(src);
  const double bw = 2.0 * static_cast<double>(src.numel() * 4) / best_of(5, [&] { dst.copy_(src); });
  // GEMM rate: 1024 x 1024 fp32, best of 10.
  auto a = torch::randn({1024, 1024}), b = torch::randn({1024, 1024});
  torch::matmul(a, b);
  const double gemm = 2.0 * 1024 * 1024 * 1024 / best_of(10, [&] { torch::matmul(a, b); });
  const double params = static_cast<double>(target->parameter_count());
  const double wbytes = params * 4;
  // Per decoded token: 2 FLOPs per weight (embeddings excluded would change little) plus
  // attention over ~100 cached positions.
  const auto& cfg = target->config();
  const double flops = 2 * params + 4.0 * static_cast<double>(cfg.n_layer * cfg.n_embd) * 100;
  KvCache cache(cfg, 1, cfg.block_size);
  greedy_generate(target, cache, prompts[0], 128, Decode::torch);
  const double tps = static_cast<double>(prompts.size() * 128) / best_of(3, [&] {
    for (const auto& p : prompts) greedy_generate(target, cache, p, 128, Decode::torch);
  });
  // Batched decode: every prompt in one KV cache, one decode step for all rows.
  const int64_t B = static_cast<int64_t>(prompts.size());
  KvCache bc(cfg, B, cfg.block_size);
  std::vector<int64_t> rows, next;
  for (int64_t r = 0; r < B; ++r) {
    rows.push_back(r);
    next.push_back(argmax_token(target->forward_cached(torch::tensor(prompts[static_cast<size_t>(r)], torch::kLong), bc, r)[-1]));
  }
  double t0 = now_s();
  for (int i = 0; i < 127; ++i) {
    auto logits = target->decode_step(torch::tensor(next, torch::kLong), bc, rows);
    for (int64_t r = 0; r < B; ++r) next[static_cast<size_t>(r)] = argmax_token(logits[r]);
  }
  const double btps = static_cast<double>(B * 127) / since(t0);
  std::printf("### Decode speed against its floors (target, %.2f M parameters, %.1f MB of fp32 weights)\n\n", params / 1e6, wbytes / 1e6);
  std::printf("| quantity | value |\n| --- | --- |\n");
  std::printf("| memory bandwidth (256 MiB copy) | %.1f GB/s |\n", bw / 1e9);
  std::printf("| GEMM rate (1024^3 fp32) | %.1f GFLOP/s |\n", gemm / 1e9);
  std::printf("| bandwidth floor: weights / bandwidth | %.3f ms/token (%.0f tokens/s) |\n", wbytes / bw * 1e3, bw / wbytes);
  std::printf("| compute floor: %.1f MFLOP/token / GEMM rate | %.3f ms/token (%.0f tokens/s) |\n", flops / 1e6, flops / gemm * 1e3, gemm / flops);
  std::printf("| measured, batch 1 (KV cache) | %.2f ms/token (%.0f tokens/s) |\n", 1e3 / tps, tps);
  std::printf("| measured, batch %lld (one decode step for all rows) | %.2f ms/step, %.0f tokens/s |\n\n",
              static_cast<long long>(B), 1e3 * static_cast<double>(B) / btps, btps);
}

}  // namespace

int main(int argc, char** argv) {
  std::string root, what;
  int threads;
  size_t n_prompts;
  po::options_description desc("bench_textgen: KV cache, speculative decoding and decode floors\n\noptions");
  desc.add_options()("help,h", "show this help")
      ("root", po::value(&root)->default_value("."), "repository root (models/, data/)")
      ("what", po::value(&what)->default_value("all"), "cache | spec | floor | all")
      ("prompts", po::value(&n_prompts)->default_value(8), "test-split prompts per measurement")
      ("wall-clock", po::bool_switch(&g_wall_clock), "time by wall clock (default: this thread's CPU time; needed with --threads > 1)")
      ("threads", po::value(&threads)->default_value(1), "intra-op threads (1: on a shared 2-core machine a second OpenMP thread waits at every op)");
  try {
    po::variables_map vm;
    po::store(po::parse_command_line(argc, argv, desc), vm);
    if (vm.count("help")) return std::cout << desc, 0;
    po::notify(vm);
    if (threads > 1 && !g_wall_clock) throw po::error("--threads > 1 needs --wall-clock (CPU time counts this thread only)");
    if (what != "cache" && what != "spec" && what != "floor" && what != "all")
      throw po::error("--what: expected cache|spec|floor|all, got '" + what + "'");
  } catch (const po::error& e) {
    std::fprintf(stderr, "bench_textgen: error: %s (see --help)\n", e.what());
    return 2;
  }
  try {
    set_threads(threads);
    c10::InferenceMode guard;
    Gpt target = load_gpt(root + "/models/textgen/config.json", root + "/models/textgen/model.safetensors");
    Gpt draft = load_gpt(root + "/models/textgen_draft/config.json", root + "/models/textgen_draft/model.safetensors");
    const std::string prompts = root + "/data/textgen/prompts.jsonl";
    std::printf("threads %d, torch intra-op threads %d, clock: %s\n\n", threads, torch::get_num_threads(),
                g_wall_clock ? "wall" : "thread CPU time");
    if (what == "cache" || what == "all") bench_cache(target, load_prompts(prompts, n_prompts, 32));
    if (what == "spec" || what == "all") bench_spec(target, draft, load_prompts(prompts, n_prompts, 48), 128);
    if (what == "floor" || what == "all") bench_floor(target, load_prompts(prompts, n_prompts, 48));
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bench_textgen: error: %s\n", e.what());
    return 1;
  }
  return 0;
}
