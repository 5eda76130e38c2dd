// bench_textgen: the measured figures of docs/performance_textgen.md, on the shipped models
// and real test-split prompts. Prints markdown tables.
//   cache: KV cache on vs off, 32-byte prompts, growing numbers of new tokens.
//   spec:  target-only vs speculative decoding (draft model and n-gram drafter) over gamma,
//          in the same process, with the walltime formula's prediction beside the measurement.
//   floor: decode speed against weights bytes / memory bandwidth and FLOPs / GEMM rate.
#include <edubench/model/blas_core.hpp>
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
#include <sstream>

#include <unistd.h>

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

// Median seconds of pass a and of pass b (each a callable that runs one pass and rolls its
// cache back). The two are timed alternately, so a change in the machine's load hits both (the
// two cores are shared; a ratio of two separate measurements would carry other jobs' bursts).
template <typename A, typename B>
std::pair<double, double> paired_seconds(A&& pass_a, B&& pass_b, int reps) {
  std::vector<double> sa, sb;
  for (int i = 0; i <= reps; ++i) {  // pass 0 is a warm-up
    double t0 = now_s();
    pass_a();
    const double da = since(t0);
    t0 = now_s();
    pass_b();
    const double db = since(t0);
    if (i > 0) sa.push_back(da), sb.push_back(db);
  }
  auto median = [](std::vector<double>& v) {
    std::nth_element(v.begin(), v.begin() + static_cast<int64_t>(v.size() / 2), v.end());
    return v[v.size() / 2];
  };
  return {median(sa), median(sb)};
}

// One fast pass over `tokens` tokens of one sequence as the speculative decoder runs it (a draft
// step, or a verification of several), after a 100-token prefix, rolled back. Passes of one model
// share its decoder, as the decoder's own steps do: one fp16 copy of the weights, so they sit in
// the caches where they sit in a run (two copies of textgen_large, 76 MB, fell out of a 300 MiB
// L3 share that holds one, and made v look like a DRAM-bound machine's).
struct Pass {
  Pass(Gpt m, FastDecoder& fast, int64_t tokens)
      : fast(fast), cache(m->config(), 1, m->config().block_size), x(static_cast<size_t>(tokens), 101),
        rows(static_cast<size_t>(tokens), 0) {
    m->forward_cached(torch::full({kPrefix}, 32, torch::kLong), cache, 0);
  }
  void operator()() {
    fast.step(x.data(), rows.data(), static_cast<int64_t>(x.size()), cache);
    cache.truncate(0, kPrefix);
  }
  static constexpr int64_t kPrefix = 100;
  FastDecoder& fast;
  KvCache cache;
  std::vector<int64_t> x, rows;
};

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

void bench_cache(Gpt& target, const std::vector<std::vector<int64_t>>& prompts, const std::vector<int64_t>& lengths) {
  std::printf("### KV cache on vs off (32-byte prompts, %zu prompts, greedy; on = the fast decode path)\n\n", prompts.size());
  std::printf("| new tokens | cache on: ms/token | cache off: ms/token | speedup | on: first/last 16 tokens ms | off: first/last 16 tokens ms | same tokens |\n");
  std::printf("| --- | --- | --- | --- | --- | --- | --- |\n");
  KvCache cache(target->config(), 1, target->config().block_size);
  for (int64_t n : lengths) {
    double total[2] = {0, 0}, first[2] = {0, 0}, last[2] = {0, 0};
    bool same = true;
    for (const auto& p : prompts) {
      std::vector<int32_t> outs[2];
      for (int on = 1; on >= 0; --on) {
        std::vector<double> stamps;
        for (int rep = 0; rep < 2; ++rep) {  // the faster of two runs
          std::vector<double> s;
          double t0 = now_s();
          outs[on] = greedy_generate(target, cache, p, n, on == 1 ? Decode::fast : Decode::uncached, [&](const int32_t*, size_t) { s.push_back(since(t0)); });
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

void bench_spec(Gpt& target, Gpt& draft, const std::vector<std::vector<int64_t>>& prompts, int64_t max_new,
                const std::vector<int64_t>& gammas, const std::vector<std::string>& drafters, int reps,
                double confidence) {
  // Cost ratios for the formula, measured on this machine as the decoder runs them:
  // c = draft step / target step, v(g) = target verification of g + 1 tokens / target step
  // (all on the fast path).
  const int64_t most = *std::max_element(gammas.begin(), gammas.end()) + 1;
  FastDecoder tfast(target, most), dfast(draft, 1);
  Pass t1(target, tfast, 1), d1(draft, dfast, 1);
  const auto [ts, ds] = paired_seconds(t1, d1, 301);
  const double c = ds / ts;
  std::printf("### Speculative vs target-only decoding (%zu prompts of 48 bytes, %lld new tokens, greedy%s)\n\n",
              prompts.size(), static_cast<long long>(max_new),
              confidence > 0 ? (", a draft stops below probability " + std::to_string(confidence)).c_str() : "");
  std::printf("Target %.2f M parameters, draft %.2f M. Target step %.3f ms, draft step %.3f ms (fast path): c = %.3f.\n\n",
              static_cast<double>(target->parameter_count()) / 1e6, static_cast<double>(draft->parameter_count()) / 1e6,
              ts * 1e3, ds * 1e3, c);
  KvCache cache(target->config(), 1, target->config().block_size);
  std::vector<std::vector<int32_t>> ref;
  for (const auto& p : prompts) ref.push_back(greedy_generate(target, cache, p, max_new, Decode::torch));
  const double ntok = static_cast<double>(prompts.size() * static_cast<size_t>(max_new));
  std::printf("Each row: target-only (KV cache, fast path) and speculative decoding of the same prompts, timed\n"
              "alternately, best of %d each; speedup = target-only time / speculative time. Predicted:\n"
              "(1 - a^(g+1)) / ((1 - a)(g c + v)) with the measured a, c and v(g).\n\n", reps);
  std::printf("| drafter | gamma | v(gamma) | acceptance a | tokens per round | target passes per token | target-only tokens/s | speculative tokens/s | speedup measured | predicted (formula, a) | predicted (tokens per round) | lossless |\n");
  std::printf("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |\n");
  struct Breakdown {
    std::string kind;
    int64_t gamma;
    double base;  // target-only seconds, all prompts
    SpecSeconds parts;
    int64_t verify_passes;
  };
  std::vector<Breakdown> breakdowns;
  for (const auto& kind : drafters) {
    for (int64_t g : gammas) {
      Pass many(target, tfast, g + 1);
      const auto [one, verify] = paired_seconds(t1, many, 101);
      const double v = verify / one;
      SpeculativeDecoder dec(target, kind == "model" ? draft : Gpt{nullptr}, g);
      dec.set_draft_confidence(confidence);
      SpecStats st;
      bool same = true;
      for (size_t i = 0; i < prompts.size(); ++i) same = same && dec.generate(prompts[i], max_new, st) == ref[i];
      double secs = 1e300, base = 1e300;
      SpecSeconds parts;  // of the fastest speculative repetition
      for (int rep = 0; rep < reps; ++rep) {
        base = std::min(base, best_of(1, [&] {
          for (const auto& p : prompts) greedy_generate(target, cache, p, max_new, Decode::fast);
        }));
        dec.reset_seconds();
        const double s = best_of(1, [&] {
          SpecStats ignored;
          for (const auto& p : prompts) dec.generate(p, max_new, ignored);
        });
        if (s < secs) secs = s, parts = dec.seconds();
      }
      breakdowns.push_back({kind, g, base, parts, st.target_passes - static_cast<int64_t>(prompts.size())});
      const double a = st.drafted ? static_cast<double>(st.accepted) / static_cast<double>(st.drafted) : 0;
      const double rounds = static_cast<double>(st.target_passes - static_cast<int64_t>(prompts.size()));
      // The n-gram drafter costs no model step (c = 0).
      const double cc = kind == "model" ? c : 0.0;
      const double pred = a < 1 ? (1 - std::pow(a, g + 1)) / ((1 - a) * (g * cc + v)) : (g + 1) / (g * cc + v);
      // The formula assumes every draft token is accepted independently with probability a;
      // on this text agreement comes in runs, so also: measured tokens per round / round cost.
      const double per_round = (static_cast<double>(st.accepted) + rounds) / rounds;
      const double pred_rounds = per_round / (g * cc + v);
      std::printf("| %s | %lld | %.2f | %.3f | %.2f | %.3f | %.0f | %.0f | %.2fx | %.2fx | %.2fx | %s |\n", kind.c_str(),
                  static_cast<long long>(g), v, a, per_round, static_cast<double>(st.target_passes) / ntok, ntok / base,
                  ntok / secs, base / secs, pred, pred_rounds, same ? "yes" : "NO");
      std::fflush(stdout);
    }
  }
  // The passes as they ran: a target-only step = its run less the same prompts' prefills (the
  // speculative side times those), per step after the first token.
  std::printf("\nWhere the time went, as the decoder measures itself (wall clock, the fastest repetition; ms per\n"
              "generated token). v in the run = a verification pass / a target-only step of the run beside it:\n"
              "what the formula's v is, measured where the passes ran (positions up to the prompt + %lld).\n\n",
              static_cast<long long>(max_new));
  std::printf("| drafter | gamma | target-only | speculative | target prefill | draft prefill | draft steps | draft feed | verify | other | verify pass ms | v in the run |\n");
  std::printf("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |\n");
  for (const auto& b : breakdowns) {
    const double k = 1e3 / ntok;
    const auto& p = b.parts;
    const double step = (b.base - p.target_prefill) / (ntok - static_cast<double>(prompts.size()));
    const double pass = b.verify_passes ? p.verify / static_cast<double>(b.verify_passes) : 0;
    std::printf("| %s | %lld | %.3f | %.3f | %.3f | %.3f | %.3f | %.3f | %.3f | %.3f | %.3f | %.2f |\n", b.kind.c_str(),
                static_cast<long long>(b.gamma), b.base * k, p.total() * k, p.target_prefill * k, p.draft_prefill * k,
                p.draft_steps * k, p.draft_feed * k, p.verify * k, p.other * k, pass * 1e3, pass / step);
  }
  std::printf("\n");
}

// Copy bandwidth (bytes read + bytes written per second) over a working set of `bytes`, best of
// enough repetitions to move ~2 GiB: below the last-level cache it measures the cache, above it
// memory. The knee tells where a model's weights sit.
double copy_bandwidth(int64_t bytes) {
  auto src = torch::ones({bytes / 8}), dst = torch::empty({bytes / 8});
  dst.copy_(src);
  const int reps = static_cast<int>(std::max<int64_t>(5, (int64_t{2} << 30) / bytes));
  return static_cast<double>(bytes) / best_of(reps, [&] { dst.copy_(src); });
}

void bench_floor(Gpt& target, const std::vector<std::vector<int64_t>>& prompts) {
  const double params = static_cast<double>(target->parameter_count());
  const double wbytes = params * 4;
  std::printf("### Where the weights sit: copy bandwidth by working set (src + dst)\n\n");
  std::printf("Caches (getconf): L1d %ld KiB, L2 %ld KiB, L3 %ld KiB (as the hypervisor reports it).\n\n",
              sysconf(_SC_LEVEL1_DCACHE_SIZE) / 1024, sysconf(_SC_LEVEL2_CACHE_SIZE) / 1024, sysconf(_SC_LEVEL3_CACHE_SIZE) / 1024);
  std::printf("| working set | copy GB/s (read + write) |\n| --- | --- |\n");
  double bw = 0;  // the largest working set's: memory, for every model here
  for (int64_t mib : {1, 4, 16, 32, 64, 128, 512}) {
    bw = copy_bandwidth(mib << 20);
    std::printf("| %lld MiB | %.1f |\n", static_cast<long long>(mib), bw / 1e9);
  }
  // GEMM rate: 1024 x 1024 fp32, best of 10.
  auto a = torch::randn({1024, 1024}), b = torch::randn({1024, 1024});
  torch::matmul(a, b);
  const double gemm = 2.0 * 1024 * 1024 * 1024 / best_of(10, [&] { torch::matmul(a, b); });
  // Per decoded token: 2 FLOPs per weight plus attention over ~100 cached positions.
  const auto& cfg = target->config();
  const double flops = 2 * params + 4.0 * static_cast<double>(cfg.n_layer * cfg.n_embd) * 100;
  KvCache cache(cfg, 1, cfg.block_size);
  auto tokens_per_s = [&](Decode how) {
    greedy_generate(target, cache, prompts[0], 16, how);
    return static_cast<double>(prompts.size() * 128) / best_of(3, [&] {
      for (const auto& p : prompts) greedy_generate(target, cache, p, 128, how);
    });
  };
  const double fast = tokens_per_s(Decode::fast), torch_tps = tokens_per_s(Decode::torch);
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
  // Each step reads every weight once; the copy bandwidth counts a read and a write per byte
  // moved, so a read-only stream of the weights is bounded by about the same bytes/s.
  const double floor_ms = wbytes / bw * 1e3;
  std::printf("\n### Decode speed against its floors (%.2f M parameters, %.1f MB of fp32 weights)\n\n", params / 1e6, wbytes / 1e6);
  std::printf("| quantity | value |\n| --- | --- |\n");
  std::printf("| memory bandwidth (512 MiB copy) | %.1f GB/s |\n", bw / 1e9);
  std::printf("| GEMM rate (1024^3 fp32) | %.1f GFLOP/s |\n", gemm / 1e9);
  std::printf("| bandwidth floor: weights / bandwidth | %.3f ms/token (%.0f tokens/s) |\n", floor_ms, 1e3 / floor_ms);
  std::printf("| compute floor: %.1f MFLOP/token / GEMM rate | %.3f ms/token (%.0f tokens/s) |\n", flops / 1e6, flops / gemm * 1e3, gemm / flops);
  std::printf("| measured, batch 1, fast path | %.2f ms/token (%.0f tokens/s): %.0f%% of the bandwidth floor's speed |\n",
              1e3 / fast, fast, 100 * fast * floor_ms / 1e3);
  std::printf("| measured, batch 1, LibTorch steps | %.2f ms/token (%.0f tokens/s): %.0f%% of the bandwidth floor's speed |\n",
              1e3 / torch_tps, torch_tps, 100 * torch_tps * floor_ms / 1e3);
  // The fast step reads fp16 copies of matrices whose values are exact fp16 numbers: its own
  // floor is the bytes it reads.
  const double step_bytes = static_cast<double>(FastDecoder(target).matrix_bytes_per_step());
  if (step_bytes < wbytes) {
    const double step_floor_ms = step_bytes / bw * 1e3;
    std::printf("| floor of the bytes the fast step reads (%.1f MB: fp16 matrices) | %.3f ms/token (%.0f tokens/s); "
                "measured fast path at %.0f%% of it |\n",
                step_bytes / 1e6, step_floor_ms, 1e3 / step_floor_ms, 100 * fast * step_floor_ms / 1e3);
  }
  std::printf("| measured, batch %lld (one LibTorch decode step for all rows) | %.2f ms/step, %.0f tokens/s |\n\n",
              static_cast<long long>(B), 1e3 * static_cast<double>(B) / btps, btps);
}

std::vector<int64_t> parse_list(const std::string& what, const std::string& text) {
  std::vector<int64_t> out;
  std::stringstream ss(text);
  for (std::string item; std::getline(ss, item, ',');) {
    char* end = nullptr;
    const long long v = std::strtoll(item.c_str(), &end, 10);
    if (item.empty() || *end != '\0' || v < 1) throw po::error(what + ": expected positive integers separated by commas, got '" + text + "'");
    out.push_back(v);
  }
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  std::string root, what, model, draft_model, lengths_text, gammas_text, drafters_text;
  double confidence;
  int threads, reps;
  size_t n_prompts;
  int64_t spec_tokens;
  po::options_description desc("bench_textgen: KV cache, speculative decoding and decode floors\n\noptions");
  desc.add_options()("help,h", "show this help")
      ("root", po::value(&root)->default_value("."), "repository root (models/, data/)")
      ("what", po::value(&what)->default_value("all"), "cache | spec | floor | all")
      ("model", po::value(&model)->default_value("textgen"), "target: a folder of models/ (textgen, textgen_large)")
      ("draft", po::value(&draft_model)->default_value("textgen_draft"), "draft model: a folder of models/")
      ("prompts", po::value(&n_prompts)->default_value(8), "test-split prompts per measurement")
      ("lengths", po::value(&lengths_text)->default_value("64,128,224"), "cache: new-token counts (each + 32 within the context)")
      ("spec-tokens", po::value(&spec_tokens)->default_value(128), "spec: new tokens per prompt")
      ("gammas", po::value(&gammas_text)->default_value("1,2,3,4,5,6,7,8"), "spec: draft lengths")
      ("draft-confidence", po::value(&confidence)->default_value(0.0),
       "spec: a draft stops for the round after a token it gave less than this probability (0: always gamma)")
      ("drafters", po::value(&drafters_text)->default_value("model,ngram"), "spec: model and/or ngram")
      ("reps", po::value(&reps)->default_value(3), "spec: timed repetitions of each side (best of)")
      ("wall-clock", po::bool_switch(&g_wall_clock), "time by wall clock (default: this thread's CPU time; needed with --threads > 1)")
      ("threads", po::value(&threads)->default_value(1), "intra-op threads (1: on a shared 2-core machine a second OpenMP thread waits at every op)");
  std::vector<int64_t> lengths, gammas;
  std::vector<std::string> drafters;
  try {
    po::variables_map vm;
    po::store(po::parse_command_line(argc, argv, desc), vm);
    if (vm.count("help")) return std::cout << desc, 0;
    po::notify(vm);
    if (threads > 1 && !g_wall_clock) throw po::error("--threads > 1 needs --wall-clock (CPU time counts this thread only)");
    if (what != "cache" && what != "spec" && what != "floor" && what != "all")
      throw po::error("--what: expected cache|spec|floor|all, got '" + what + "'");
    lengths = parse_list("--lengths", lengths_text);
    gammas = parse_list("--gammas", gammas_text);
    std::stringstream ss(drafters_text);
    for (std::string d; std::getline(ss, d, ',');) {
      if (d != "model" && d != "ngram") throw po::error("--drafters: expected model and/or ngram, got '" + d + "'");
      drafters.push_back(d);
    }
    if (reps < 1) throw po::error("--reps: expected at least 1");
    if (confidence < 0 || confidence >= 1) throw po::error("--draft-confidence: expected a probability in [0, 1)");
  } catch (const po::error& e) {
    std::fprintf(stderr, "bench_textgen: error: %s (see --help)\n", e.what());
    return 2;
  }
  try {
    set_threads(threads);
    c10::InferenceMode guard;
    const std::string tdir = root + "/models/" + model, ddir = root + "/models/" + draft_model;
    Gpt target = load_gpt(tdir + "/config.json", tdir + "/model.safetensors");
    Gpt draft = load_gpt(ddir + "/config.json", ddir + "/model.safetensors");
    for (int64_t n : lengths)
      if (n + 32 > target->config().block_size)
        throw std::runtime_error("--lengths: " + std::to_string(n) + " + 32 exceeds " + model + "'s context of " +
                                 std::to_string(target->config().block_size));
    const std::string prompts = root + "/data/textgen/prompts.jsonl";
    std::printf("target %s, draft %s, threads %d, torch intra-op threads %d, clock: %s, OpenBLAS kernels: %s%s\n\n",
                model.c_str(), draft_model.c_str(), threads, torch::get_num_threads(),
                g_wall_clock ? "wall" : "thread CPU time", blas_core().empty() ? "(not OpenBLAS)" : blas_core().c_str(),
                blas_core_note().empty() ? "" : (" (" + blas_core_note() + ")").c_str());
    if (what == "cache" || what == "all") bench_cache(target, load_prompts(prompts, n_prompts, 32), lengths);
    if (what == "spec" || what == "all")
      bench_spec(target, draft, load_prompts(prompts, n_prompts, 48), spec_tokens, gammas, drafters, reps, confidence);
    if (what == "floor" || what == "all") bench_floor(target, load_prompts(prompts, n_prompts, 48));
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bench_textgen: error: %s\n", e.what());
    return 1;
  }
  return 0;
}
