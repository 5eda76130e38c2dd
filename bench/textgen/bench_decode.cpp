// bench_decode: batch-1 greedy decoding of the textgen GPT four ways, side by side in one run:
// the eager-Python baseline (gpt_eager.py on Debian's python3-torch), the C++ LibTorch path
// (the oracle) and the C++ fast path (FastDecoder) reading fp32 matrices and reading its fp16
// copies (where the weights are exact fp16 numbers, as textgen_large's are), same prompts, same
// thread count; checks that all four produce the registry's reference tokens. Wall clock (the Python side
// runs in a child process). --loop runs one way's decode steps only, for a profiler
// (bench/textgen/profile_decode.sh).
#include <edubench/model/generate.hpp>
#include <edubench/model/tokenizer.hpp>

#include <boost/program_options.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <iostream>
#include <memory>

namespace po = boost::program_options;
using namespace edubench::model;
namespace {

double clock_s(clockid_t id) {
  timespec ts{};
  clock_gettime(id, &ts);
  return static_cast<double>(ts.tv_sec) + 1e-9 * static_cast<double>(ts.tv_nsec);
}
double wall_s() { return clock_s(CLOCK_MONOTONIC); }

struct Prompts {
  std::vector<std::vector<int64_t>> prompt;
  std::vector<std::vector<int32_t>> reference;
};

Prompts load(const std::string& path, size_t n, size_t new_tokens) {
  std::ifstream f(path);
  if (!f) throw std::runtime_error(path + ": cannot open");
  Prompts p;
  for (std::string line; p.prompt.size() < n && std::getline(f, line);) {
    auto j = nlohmann::json::parse(line);
    p.prompt.push_back(encode_bytes(j.at("prompt").get<std::string>()));
    auto ref = j.at("reference_tokens").get<std::vector<int32_t>>();
    ref.resize(std::min(ref.size(), new_tokens));
    p.reference.push_back(ref);
  }
  if (p.prompt.size() < n) throw std::runtime_error(path + ": fewer prompts than requested");
  return p;
}

struct Run {
  double seconds = 0;  // all prompts, prefill and every step
  std::vector<std::vector<int32_t>> tokens;
};

Run run_cpp(Gpt& m, const Prompts& p, int64_t new_tokens, Decode how) {
  KvCache cache(m->config(), 1, m->config().block_size);
  Run r;
  for (const auto& prompt : p.prompt) {
    const double t0 = wall_s();
    r.tokens.push_back(greedy_generate(m, cache, prompt, new_tokens, how));
    r.seconds += wall_s() - t0;
  }
  return r;
}

// The fast path with the decoder's fp16 copies on or off (greedy_generate's Decode::fast uses
// them wherever the weights are exact fp16 numbers).
Run run_fast(Gpt& m, const Prompts& p, int64_t new_tokens, bool fp16) {
  KvCache cache(m->config(), 1, m->config().block_size);
  FastDecoder fast(m, 1, fp16);
  Run r;
  for (const auto& prompt : p.prompt) {
    const double t0 = wall_s();
    cache.truncate(0, 0);
    std::vector<int32_t> out = {argmax_token(m->forward_cached(torch::tensor(prompt, torch::kLong), cache, 0)[-1])};
    while (static_cast<int64_t>(out.size()) < new_tokens)
      out.push_back(argmax_token(fast.step(out.back(), cache, 0), fast.vocab()));
    r.seconds += wall_s() - t0;
    r.tokens.push_back(out);
  }
  return r;
}

Run run_python(const std::string& cmd) {
  std::unique_ptr<FILE, int (*)(FILE*)> pipe(popen(cmd.c_str(), "r"), pclose);
  if (!pipe) throw std::runtime_error("cannot start: " + cmd);
  std::string out;
  char buf[65536];
  for (size_t n; (n = fread(buf, 1, sizeof buf, pipe.get())) > 0;) out.append(buf, n);
  auto j = nlohmann::json::parse(out, nullptr, false);
  if (j.is_discarded() || !j.contains("tokens")) throw std::runtime_error("the Python baseline failed: " + cmd);
  Run r;
  r.tokens = j["tokens"].get<std::vector<std::vector<int32_t>>>();
  for (double s : j["seconds"].get<std::vector<double>>()) r.seconds += s;
  return r;
}

// Decode steps only (after one prefill), for perf: one way, `steps` steps, rolled back so the
// context stays near the prompt length plus 64.
void loop(Gpt& m, const std::vector<int64_t>& prompt, Decode how, int64_t steps) {
  KvCache cache(m->config(), 1, m->config().block_size);
  FastDecoder fast(m);
  m->forward_cached(torch::tensor(prompt, torch::kLong), cache, 0);
  const int64_t base = cache.length(0);
  auto one = torch::tensor({int64_t{32}}, torch::kLong);
  const double w0 = wall_s(), c0 = clock_s(CLOCK_PROCESS_CPUTIME_ID);
  for (int64_t i = 0; i < steps; ++i) {
    if (cache.length(0) >= base + 128) cache.truncate(0, base);
    if (how == Decode::torch)
      m->forward_cached(one, cache, 0);
    else
      fast.step(32, cache, 0);
  }
  const double k = 1e3 / static_cast<double>(steps);
  std::fprintf(stderr, "%lld steps: %.3f ms/step wall, %.3f ms/step CPU (every thread)\n", static_cast<long long>(steps),
               (wall_s() - w0) * k, (clock_s(CLOCK_PROCESS_CPUTIME_ID) - c0) * k);
}

}  // namespace

int main(int argc, char** argv) {
  std::string root, python, loop_way, model_name, data_file;
  int threads, reps;
  size_t count;
  int64_t new_tokens, steps;
  po::options_description desc("bench_decode: eager Python vs LibTorch vs fast decode path, batch 1\n\noptions");
  desc.add_options()("help,h", "show this help")
      ("root", po::value(&root)->default_value("."), "repository root (models/, data/, bench/)")
      ("model", po::value(&model_name)->default_value("textgen"), "a folder of models/ (textgen, textgen_large)")
      ("data", po::value(&data_file)->default_value("data/textgen/kv_cache_prompts.jsonl"),
       "prompts with the model's greedy reference_tokens, relative to --root")
      ("python", po::value(&python)->default_value("/usr/bin/python3"), "the Python with Debian's python3-torch")
      ("prompts", po::value(&count)->default_value(32), "prompts of data/textgen/kv_cache_prompts.jsonl")
      ("new-tokens", po::value(&new_tokens)->default_value(128), "greedy tokens per prompt")
      ("reps", po::value(&reps)->default_value(3), "repetitions, the three ways alternating")
      ("threads", po::value(&threads)->default_value(1), "intra-op threads, both languages")
      ("loop", po::value(&loop_way), "torch | fast: only run decode steps (for a profiler)")
      ("steps", po::value(&steps)->default_value(20000), "decode steps of --loop");
  try {
    po::variables_map vm;
    po::store(po::parse_command_line(argc, argv, desc), vm);
    if (vm.count("help")) return std::cout << desc, 0;
    po::notify(vm);
    if (vm.count("loop") && loop_way != "torch" && loop_way != "fast") throw po::error("--loop: expected torch|fast");
  } catch (const po::error& e) {
    std::fprintf(stderr, "bench_decode: error: %s (see --help)\n", e.what());
    return 2;
  }
  try {
    set_threads(threads);
    c10::InferenceMode guard;
    const std::string model = root + "/models/" + model_name, data = root + "/" + data_file;
    Gpt m = load_gpt(model + "/config.json", model + "/model.safetensors");
    const Prompts p = load(data, count, static_cast<size_t>(new_tokens));
    if (!loop_way.empty()) {
      loop(m, p.prompt[0], loop_way == "torch" ? Decode::torch : Decode::fast, steps);
      return 0;
    }
    const std::string cmd = python + " " + root + "/bench/textgen/gpt_eager.py --model " + model + " --prompts " + data +
                            " --count " + std::to_string(count) + " --new-tokens " + std::to_string(new_tokens) +
                            " --threads " + std::to_string(threads);
    run_cpp(m, p, 8, Decode::fast);  // warm-up of the C++ ways (the Python side warms itself)
    run_cpp(m, p, 8, Decode::torch);
    const int64_t f16_bytes = FastDecoder(m).matrix_bytes_per_step(), f32_bytes = FastDecoder(m, 1, false).matrix_bytes_per_step();
    const std::string fast_name = "C++ fast path (FastDecoder), " + std::string(f16_bytes < f32_bytes ? "fp16" : "fp32") +
                                  " matrices, " + std::to_string(f16_bytes / 1000000) + " MB a step";
    const std::string fast32_name = "C++ fast path, fp32 matrices (fp16=false), " + std::to_string(f32_bytes / 1000000) + " MB a step";
    const char* names[] = {"eager Python (nn.Module, torch.cat cache)", "C++ LibTorch (GptImpl::forward_cached)",
                           fast32_name.c_str(), fast_name.c_str()};
    constexpr int kWays = 4;
    std::vector<double> secs[kWays];
    bool same[kWays] = {true, true, true, true};
    for (int rep = 0; rep < reps; ++rep) {
      Run runs[kWays] = {run_python(cmd), run_cpp(m, p, new_tokens, Decode::torch), run_fast(m, p, new_tokens, false),
                         run_fast(m, p, new_tokens, true)};
      for (int w = 0; w < kWays; ++w) {
        secs[w].push_back(runs[w].seconds);
        same[w] = same[w] && runs[w].tokens == p.reference;
      }
      std::fprintf(stderr, "rep %d: %.2f s / %.2f s / %.2f s / %.2f s\n", rep, runs[0].seconds, runs[1].seconds,
                   runs[2].seconds, runs[3].seconds);
    }
    const double ntok = static_cast<double>(count) * static_cast<double>(new_tokens);
    std::printf("%s (%.2f M parameters): %zu prompts x %lld greedy tokens, batch 1, %d intra-op thread(s), wall clock, %d repetitions "
                "(the four ways alternating); tokens/s = all tokens / time of all prompts (prefill included).\n\n",
                model_name.c_str(), static_cast<double>(m->parameter_count()) / 1e6, count,
                static_cast<long long>(new_tokens), torch::get_num_threads(), reps);
    std::printf("| way | tokens/s (best) | tokens/s (median) | ms/token (best) | x eager Python (median of the "
                "repetitions' ratios) | tokens = references |\n| --- | --- | --- | --- | --- | --- |\n");
    auto best = [](std::vector<double> v) { return *std::min_element(v.begin(), v.end()); };
    auto median = [](std::vector<double> v) {
      std::sort(v.begin(), v.end());
      return v[v.size() / 2];
    };
    for (int w = 0; w < kWays; ++w) {
      // Each repetition's ratio pairs runs minutes apart at most: the load of the shared cores
      // changes less within one repetition than across the run.
      std::vector<double> ratio;
      for (int rep = 0; rep < reps; ++rep) ratio.push_back(secs[0][rep] / secs[w][rep]);
      std::printf("| %s | %.0f | %.0f | %.2f | %.2fx | %s |\n", names[w], ntok / best(secs[w]), ntok / median(secs[w]),
                  1e3 * best(secs[w]) / ntok, median(ratio), same[w] ? "yes" : "NO");
    }
    return same[0] && same[1] && same[2] && same[3] ? 0 : 1;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bench_decode: error: %s\n", e.what());
    return 1;
  }
}
