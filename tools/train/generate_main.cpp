// edubench-generate: the reference outputs of a text workload. For every prompt of a jsonl data
// set, the greedy continuation by a trained GPT (KV-cached, one sequence at a time), written
// back with "reference_tokens"; also the model's loss and perplexity on a text split.
#include <edubench/model/generate.hpp>
#include <edubench/model/tokenizer.hpp>

#include <boost/program_options.hpp>
#include <nlohmann/json.hpp>

#include <cmath>
#include <cstdio>
#include <fstream>
#include <iostream>

namespace po = boost::program_options;
using namespace edubench::model;

int main(int argc, char** argv) {
  std::string model, weights, prompts, out, eval_text;
  int max_new, threads, max_prompts;
  po::options_description desc("edubench-generate: greedy reference outputs and perplexity\n\noptions");
  desc.add_options()("help,h", "show this help")
      ("model", po::value(&model)->required(), "config.json")
      ("weights", po::value(&weights)->required(), "model.safetensors")
      ("prompts", po::value(&prompts), "jsonl with \"prompt\" per line")
      ("out", po::value(&out), "jsonl to write: prompt + reference_tokens")
      ("max-new-tokens", po::value(&max_new)->default_value(128), "tokens to generate per prompt")
      ("count", po::value(&max_prompts)->default_value(0), "only the first N prompts (0: all)")
      ("eval-text", po::value(&eval_text), "text split to report loss and perplexity on")
      ("threads", po::value(&threads)->default_value(2), "intra-op threads");
  try {
    po::variables_map vm;
    po::store(po::parse_command_line(argc, argv, desc), vm);
    if (vm.count("help")) return std::cout << desc, 0;
    po::notify(vm);
  } catch (const po::error& e) {
    std::fprintf(stderr, "edubench-generate: error: %s (see --help)\n", e.what());
    return 2;
  }
  try {
    set_threads(threads);
    c10::InferenceMode guard;
    Gpt m = load_gpt(model, weights);
    const int64_t T = m->config().block_size;
    if (!eval_text.empty()) {
      std::ifstream f(eval_text, std::ios::binary);
      if (!f) throw std::runtime_error(eval_text + ": cannot open");
      std::string text((std::istreambuf_iterator<char>(f)), {});
      double sum = 0;
      int64_t n = 0;
      // Non-overlapping windows of block_size: every byte predicted once (except window starts).
      for (size_t s = 0; s + static_cast<size_t>(T) + 1 <= text.size(); s += static_cast<size_t>(T)) {
        std::vector<int64_t> x(static_cast<size_t>(T)), y(static_cast<size_t>(T));
        for (int64_t t = 0; t < T; ++t) {
          x[static_cast<size_t>(t)] = static_cast<unsigned char>(text[s + static_cast<size_t>(t)]);
          y[static_cast<size_t>(t)] = static_cast<unsigned char>(text[s + static_cast<size_t>(t) + 1]);
        }
        auto logits = m->forward(torch::tensor(x, torch::kLong).unsqueeze(0))[0];
        sum += torch::nn::functional::cross_entropy(logits, torch::tensor(y, torch::kLong),
                                                    torch::nn::functional::CrossEntropyFuncOptions().reduction(torch::kSum))
                   .item<double>();
        n += T;
      }
      if (n == 0) throw std::runtime_error(eval_text + ": shorter than one context window");
      std::printf("%s: loss %.4f nats/byte, perplexity %.3f over %lld bytes\n", eval_text.c_str(), sum / n,
                  std::exp(sum / n), static_cast<long long>(n));
    }
    if (!prompts.empty()) {
      if (out.empty()) throw std::runtime_error("--out is required with --prompts");
      std::ifstream in(prompts);
      if (!in) throw std::runtime_error(prompts + ": cannot open");
      std::ofstream o(out);
      KvCache cache(m->config(), 1, T);
      int count = 0;
      for (std::string line; (max_prompts == 0 || count < max_prompts) && std::getline(in, line);) {
        if (line.empty()) continue;
        auto j = nlohmann::json::parse(line, nullptr, false);
        if (!j.is_object() || !j.contains("prompt") || !j["prompt"].is_string())
          throw std::runtime_error(prompts + ": line " + std::to_string(count + 1) + ": expected a string field 'prompt'");
        // LibTorch, the oracle, writes the references the fast path is held to.
        auto gen = greedy_generate(m, cache, encode_bytes(j["prompt"].get<std::string>()), max_new, Decode::torch);
        j["reference_tokens"] = gen;
        o << j.dump() << "\n";
        ++count;
      }
      std::printf("wrote %d references to %s\n", count, out.c_str());
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "edubench-generate: error: %s\n", e.what());
    return 1;
  }
  return 0;
}
