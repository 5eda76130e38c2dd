// Data sets: checked against their pinned sha256, then parsed record by record.
#include <edubench/registry/registry.hpp>

#include <nlohmann/json.hpp>
#include <openssl/evp.h>

#include <cstdint>
#include <fstream>
#include <memory>
#include <sstream>

namespace edubench::registry {
namespace {

std::string hex(const unsigned char* d, unsigned n) {
  static const char* digits = "0123456789abcdef";
  std::string s(2 * n, '0');
  for (unsigned i = 0; i < n; ++i) {
    s[2 * i] = digits[d[i] >> 4];
    s[2 * i + 1] = digits[d[i] & 15];
  }
  return s;
}

using Ctx = std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)>;

}  // namespace

std::string sha256_bytes(const void* data, size_t n) {
  Ctx ctx(EVP_MD_CTX_new(), &EVP_MD_CTX_free);
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned len = 0;
  if (!ctx || !EVP_DigestInit_ex(ctx.get(), EVP_sha256(), nullptr) ||
      !EVP_DigestUpdate(ctx.get(), data, n) || !EVP_DigestFinal_ex(ctx.get(), out, &len))
    throw std::runtime_error("sha256: OpenSSL failed");
  return hex(out, len);
}

std::string sha256_file(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  if (!f) throw std::runtime_error(path + ": cannot open for reading");
  Ctx ctx(EVP_MD_CTX_new(), &EVP_MD_CTX_free);
  if (!ctx || !EVP_DigestInit_ex(ctx.get(), EVP_sha256(), nullptr)) throw std::runtime_error("sha256: OpenSSL failed");
  std::vector<char> buf(1 << 16);
  while (f) {
    f.read(buf.data(), static_cast<std::streamsize>(buf.size()));
    if (f.gcount() > 0) EVP_DigestUpdate(ctx.get(), buf.data(), static_cast<size_t>(f.gcount()));
  }
  if (f.bad()) throw std::runtime_error(path + ": read error");
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned len = 0;
  EVP_DigestFinal_ex(ctx.get(), out, &len);
  return hex(out, len);
}

std::vector<int32_t> tokenize_bytes(const std::string& text) {
  std::vector<int32_t> t(text.size());
  for (size_t i = 0; i < text.size(); ++i) t[i] = static_cast<unsigned char>(text[i]);
  return t;
}

std::string detokenize_bytes(const std::vector<int32_t>& tokens) {
  std::string s;
  s.reserve(tokens.size());
  for (int32_t t : tokens) s.push_back(static_cast<char>(t >= 0 && t < 256 ? t : '?'));
  return s;
}

std::vector<Sample> with_prompt_tokens(std::vector<Sample> samples, uint64_t prompt_tokens) {
  if (prompt_tokens == 0) return samples;
  std::vector<Sample> out;
  for (auto& s : samples)
    if (s.text.size() == prompt_tokens) out.push_back(std::move(s)), out.back().index = out.size() - 1;
  return out;
}

std::vector<Sample> load_samples(const Dataset& d) {
  // Read once, hash those bytes, parse those bytes: what is checked is what is used.
  std::string bytes;
  {
    std::ifstream f(d.path, std::ios::binary);
    std::ostringstream all;
    if (f) all << f.rdbuf();
    if (!f || f.bad())
      throw Error(d.path, 0, "datasets." + d.id, "cannot read the data set" +
                  (d.regenerate.empty() ? std::string() : " (regenerate with: " + d.regenerate + ")"));
    bytes = std::move(all).str();
  }
  std::string actual = sha256_bytes(bytes.data(), bytes.size());
  if (actual != d.sha256)
    throw Error(d.path, 0, "datasets." + d.id + ".sha256",
                "the file's sha256 is " + actual + ", the registry pins " + d.sha256 +
                    (d.regenerate.empty() ? "" : " (regenerate with: " + d.regenerate + ")"));
  std::istringstream f(bytes);
  std::vector<Sample> out;
  std::string line;
  for (int lineno = 1; std::getline(f, line); ++lineno) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty()) continue;
    Sample s;
    s.index = out.size();
    if (d.format == "lines") {
      s.text = s.reference = line;
      s.extra_json = "{}";
    } else {
      nlohmann::json j = nlohmann::json::parse(line, nullptr, false);
      if (j.is_discarded() || !j.is_object())
        throw Error(d.path, lineno, "", "expected one JSON object per line (with a string 'prompt')");
      if (!j.contains("prompt") || !j["prompt"].is_string())
        throw Error(d.path, lineno, "prompt", "expected a string field 'prompt'");
      s.text = j["prompt"].get<std::string>();
      j.erase("prompt");
      if (j.contains("reference")) {
        if (!j["reference"].is_string()) throw Error(d.path, lineno, "reference", "expected a string");
        s.reference = j["reference"].get<std::string>();
        j.erase("reference");
      }
      if (j.contains("reference_tokens")) {
        const auto& rt = j["reference_tokens"];
        if (!rt.is_array()) throw Error(d.path, lineno, "reference_tokens", "expected an array of integers");
        for (const auto& t : rt) {
          if (!t.is_number_integer() || t.get<int64_t>() < 0 || t.get<int64_t>() > INT32_MAX)
            throw Error(d.path, lineno, "reference_tokens",
                        "expected an array of token ids (integers >= 0), got " + t.dump());
          s.reference_tokens.push_back(static_cast<int32_t>(t.get<int64_t>()));
        }
        j.erase("reference_tokens");
      }
      if (j.contains("tools")) {
        const auto& tl = j["tools"];
        if (!tl.is_array()) throw Error(d.path, lineno, "tools", "expected an array of tool names");
        for (const auto& t : tl) {
          if (!t.is_string() || t.get<std::string>().empty())
            throw Error(d.path, lineno, "tools", "expected an array of tool names (non-empty strings), got " + t.dump());
          s.reference_tools.push_back(t.get<std::string>());
        }
        j.erase("tools");
      }
      s.extra_json = j.dump();
    }
    out.push_back(std::move(s));
  }
  return out;
}

}  // namespace edubench::registry
