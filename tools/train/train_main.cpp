// edubench-train: trains a character-level GPT on a text file, seeded, and writes
// model.safetensors + config.json + a loss curve (CSV). Every shipped checkpoint is reproduced
// by the command recorded in workloads.yaml.
#include <edubench/model/gpt.hpp>

#include <malloc.h>

#include <boost/program_options.hpp>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <random>
#include <vector>

namespace po = boost::program_options;
using namespace edubench::model;

namespace {

std::string read_all(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  if (!f) throw std::runtime_error(path + ": cannot open");
  return std::string((std::istreambuf_iterator<char>(f)), {});
}
// Several files as one text; windows that straddle a boundary are as harmless as those that
// straddle two traces of one file.
std::string read_all_of(const std::vector<std::string>& paths) {
  std::string text;
  for (const auto& p : paths) text += read_all(p);
  return text;
}

// A batch of random windows: inputs [B, T] and next-byte targets [B, T].
std::pair<torch::Tensor, torch::Tensor> batch(const std::string& text, int64_t B, int64_t T, std::mt19937_64& rng) {
  std::uniform_int_distribution<size_t> pick(0, text.size() - static_cast<size_t>(T) - 2);
  auto x = torch::empty({B, T}, torch::kLong), y = torch::empty({B, T}, torch::kLong);
  auto xa = x.accessor<int64_t, 2>(), ya = y.accessor<int64_t, 2>();
  for (int64_t b = 0; b < B; ++b) {
    size_t s = pick(rng);
    for (int64_t t = 0; t < T; ++t) {
      xa[b][t] = static_cast<unsigned char>(text[s + static_cast<size_t>(t)]);
      ya[b][t] = static_cast<unsigned char>(text[s + static_cast<size_t>(t) + 1]);
    }
  }
  return {x, y};
}

double evaluate(Gpt& m, const std::string& text, int64_t B, int64_t T, int batches, uint64_t seed) {
  torch::NoGradGuard ng;
  m->eval();
  std::mt19937_64 rng(seed);  // the same windows at every evaluation
  double sum = 0;
  for (int i = 0; i < batches; ++i) {
    auto [x, y] = batch(text, B, T, rng);
    sum += torch::nn::functional::cross_entropy(m->forward(x).view({-1, m->config().vocab_size}), y.view({-1})).item<double>();
  }
  m->train();
  return sum / batches;
}

}  // namespace

int main(int argc, char** argv) {
  // glibc returning memory to the OS after every step made LibTorch training 2-3x slower.
  mallopt(M_MMAP_MAX, 0);
  mallopt(M_TRIM_THRESHOLD, 1 << 30);
  mallopt(M_TOP_PAD, 256 << 20);
  GptConfig c;
  std::vector<std::string> train_paths, val_paths;
  std::string out, curve, init;
  int64_t batch_size, steps, eval_every, warmup, seq_len;
  double lr, min_lr_frac, weight_decay, max_minutes;
  uint64_t seed;
  int threads;
  po::options_description desc("edubench-train: train a character-level GPT\n\noptions");
  desc.add_options()("help,h", "show this help")
      ("train", po::value(&train_paths)->required()->composing(),
       "training text (repeat the option to train on several files, read one after the other)")
      ("validation", po::value(&val_paths)->required()->composing(), "validation text (may be repeated too)")
      ("out", po::value(&out)->required(), "output folder (model.safetensors, config.json)")
      ("init", po::value(&init), "start from this folder's config.json + model.safetensors (the geometry options are then ignored)")
      ("curve", po::value(&curve), "loss curve CSV (default OUT/loss.csv)")
      ("n-layer", po::value(&c.n_layer)->default_value(4), "layers")
      ("n-head", po::value(&c.n_head)->default_value(4), "attention heads")
      ("n-embd", po::value(&c.n_embd)->default_value(256), "embedding width")
      ("block-size", po::value(&c.block_size)->default_value(256), "context length")
      ("batch", po::value(&batch_size)->default_value(16), "sequences per step")
      ("seq-len", po::value(&seq_len)->default_value(0),
       "tokens per training sequence (0: the context length); shorter than the context trains the first "
       "positions only: a first stage for a long-context model, whose attention learns faster over short windows")
      ("steps", po::value(&steps)->default_value(2000), "optimizer steps (the cosine schedule's length)")
      ("warmup", po::value(&warmup)->default_value(100), "linear warm-up steps")
      ("lr", po::value(&lr)->default_value(2e-3), "peak learning rate")
      ("min-lr-frac", po::value(&min_lr_frac)->default_value(0.1), "final LR as a fraction of the peak")
      ("weight-decay", po::value(&weight_decay)->default_value(0.1), "AdamW weight decay")
      ("eval-every", po::value(&eval_every)->default_value(100), "steps between validation losses")
      ("max-minutes", po::value(&max_minutes)->default_value(45), "stop (and save) after this long")
      ("seed", po::value(&seed)->default_value(1), "seed for initialisation and batches")
      ("threads", po::value(&threads)->default_value(2), "intra-op threads");
  try {
    po::variables_map vm;
    po::store(po::parse_command_line(argc, argv, desc), vm);
    if (vm.count("help")) return std::cout << desc, 0;
    po::notify(vm);
  } catch (const po::error& e) {
    std::fprintf(stderr, "edubench-train: error: %s (see --help)\n", e.what());
    return 2;
  }
  try {
    set_threads(threads);
    torch::manual_seed(seed);
    std::filesystem::create_directories(out);
    if (curve.empty()) curve = out + "/loss.csv";
    const std::string train = read_all_of(train_paths), val = read_all_of(val_paths);
    if (train.size() < static_cast<size_t>(c.block_size) + 2 || val.size() < static_cast<size_t>(c.block_size) + 2)
      throw std::runtime_error("training or validation text shorter than one block");
    Gpt m = init.empty() ? Gpt(c) : load_gpt(init + "/config.json", init + "/model.safetensors");
    c = m->config();
    if (seq_len == 0) seq_len = c.block_size;
    if (seq_len < 1 || seq_len > c.block_size)
      throw std::runtime_error("--seq-len " + std::to_string(seq_len) + ": expected 1.." + std::to_string(c.block_size) +
                               " (the model's context)");
    m->train();
    std::printf("model: %lld parameters, %lld layers x %lld wide, context %lld\n",
                static_cast<long long>(m->parameter_count()), static_cast<long long>(c.n_layer),
                static_cast<long long>(c.n_embd), static_cast<long long>(c.block_size));
    torch::optim::AdamW opt(m->parameters(), torch::optim::AdamWOptions(lr).betas({0.9, 0.99}).weight_decay(weight_decay));
    std::ofstream csv(curve);
    csv << "step,elapsed_s,tokens,train_loss,val_loss,lr\n";
    std::mt19937_64 rng(seed);
    const auto t0 = std::chrono::steady_clock::now();
    double ema = 0;
    int64_t step = 0;
    for (; step < steps; ++step) {
      double frac = static_cast<double>(step) / static_cast<double>(steps);
      double cur = step < warmup ? lr * (step + 1) / warmup
                                 : lr * (min_lr_frac + (1 - min_lr_frac) * 0.5 * (1 + std::cos(M_PI * frac)));
      for (auto& g : opt.param_groups()) static_cast<torch::optim::AdamWOptions&>(g.options()).lr(cur);
      auto [x, y] = batch(train, batch_size, seq_len, rng);
      auto loss = torch::nn::functional::cross_entropy(m->forward(x).view({-1, c.vocab_size}), y.view({-1}));
      opt.zero_grad();
      loss.backward();
      torch::nn::utils::clip_grad_norm_(m->parameters(), 1.0);
      opt.step();
      double l = loss.item<double>();
      ema = step == 0 ? l : 0.95 * ema + 0.05 * l;
      double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
      bool last = step + 1 == steps || elapsed > max_minutes * 60;
      if ((step + 1) % eval_every == 0 || last) {
        double v = evaluate(m, val, batch_size, seq_len, 8, seed + 1);
        csv << step + 1 << "," << elapsed << "," << (step + 1) * batch_size * seq_len << "," << ema << "," << v
            << "," << cur << "\n";
        csv.flush();
        std::printf("step %lld  %.0f s  train %.4f  val %.4f  lr %.2e\n", static_cast<long long>(step + 1), elapsed, ema, v, cur);
        std::fflush(stdout);
      }
      if (last) {
        ++step;
        break;
      }
    }
    save_gpt(m, out + "/config.json", out + "/model.safetensors");
    std::printf("saved %s after %lld steps\n", out.c_str(), static_cast<long long>(step));
  } catch (const std::exception& e) {
    std::fprintf(stderr, "edubench-train: error: %s\n", e.what());
    return 1;
  }
  return 0;
}
