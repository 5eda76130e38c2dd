#include "json_out.hpp"

#include <openssl/evp.h>

#include <cerrno>
#include <charconv>
#include <cstring>
#include <stdexcept>

namespace edubench::runlog::detail {

static size_t utf8_length(const unsigned char* p, size_t left) {
  unsigned char c = p[0];
  size_t n = c >= 0xF0 && c <= 0xF4 ? 4 : c >= 0xE0 ? 3 : c >= 0xC2 && c <= 0xDF ? 2 : 0;
  if (c >= 0xF5 || n == 0 || n > left) return 0;
  for (size_t i = 1; i < n; ++i)
    if ((p[i] & 0xC0) != 0x80) return 0;
  return n;
}

void append_json_string(std::string& out, std::string_view s) {
  static const char* hex = "0123456789abcdef";
  out.push_back('"');
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  for (size_t i = 0; i < s.size();) {
    unsigned char c = p[i];
    if (c == '"' || c == '\\') {
      out.push_back('\\');
      out.push_back(static_cast<char>(c));
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '\t') {
      out += "\\t";
    } else if (c == '\r') {
      out += "\\r";
    } else if (c < 0x20 || c == 0x7f) {
      out += "\\u00";
      out.push_back(hex[c >> 4]);
      out.push_back(hex[c & 15]);
    } else if (c >= 0x80) {
      size_t n = utf8_length(p + i, s.size() - i);
      if (n == 0) {
        out += "\\u00";
        out.push_back(hex[c >> 4]);
        out.push_back(hex[c & 15]);
      } else {
        out.append(s.data() + i, n);
        i += n;
        continue;
      }
    } else {
      out.push_back(static_cast<char>(c));
    }
    ++i;
  }
  out.push_back('"');
}

void append_int(std::string& out, int64_t v) {
  char b[24];
  auto r = std::to_chars(b, b + sizeof b, v);
  out.append(b, r.ptr);
}

void append_uint(std::string& out, uint64_t v) {
  char b[24];
  auto r = std::to_chars(b, b + sizeof b, v);
  out.append(b, r.ptr);
}

void append_double(std::string& out, double v) {
  char b[32];
  auto r = std::to_chars(b, b + sizeof b, v);  // shortest round-trip form
  out.append(b, r.ptr);
}

void append_int_array(std::string& out, const std::vector<int32_t>& v) {
  out.push_back('[');
  for (size_t i = 0; i < v.size(); ++i) {
    if (i) out.push_back(',');
    append_int(out, v[i]);
  }
  out.push_back(']');
}

AtomicFile::AtomicFile(const std::string& path, bool hash_at_commit)
    : path_(path), tmp_(path + ".tmp"), hash_at_commit_(hash_at_commit) {
  f_ = std::fopen(tmp_.c_str(), "wb");
  if (!f_) throw std::runtime_error(tmp_ + ": cannot open for writing: " + std::strerror(errno));
  auto* ctx = EVP_MD_CTX_new();
  if (!ctx || EVP_DigestInit_ex(ctx, EVP_sha256(), nullptr) != 1) {
    EVP_MD_CTX_free(ctx);
    std::fclose(f_);
    std::remove(tmp_.c_str());
    throw std::runtime_error(tmp_ + ": cannot start sha256");
  }
  sha_ = ctx;
  buf_.reserve(1 << 21);
}

AtomicFile::~AtomicFile() {
  EVP_MD_CTX_free(static_cast<EVP_MD_CTX*>(sha_));
  if (f_) {
    std::fclose(f_);
    std::remove(tmp_.c_str());
  }
}

void AtomicFile::flush() {
  if (buf_.empty()) return;
  if (!hash_at_commit_ && EVP_DigestUpdate(static_cast<EVP_MD_CTX*>(sha_), buf_.data(), buf_.size()) != 1)
    throw std::runtime_error(tmp_ + ": sha256 failed");
  if (std::fwrite(buf_.data(), 1, buf_.size(), f_) != buf_.size())
    throw std::runtime_error(tmp_ + ": write failed: " + std::strerror(errno));
  buf_.clear();
}

std::string AtomicFile::commit() {
  flush();
  std::FILE* f = f_;
  f_ = nullptr;
  if (std::fclose(f) != 0) {
    std::remove(tmp_.c_str());
    throw std::runtime_error(tmp_ + ": close failed: " + std::strerror(errno));
  }
  if (hash_at_commit_) {  // read back what was written (from the page cache, after the run)
    std::FILE* in = std::fopen(tmp_.c_str(), "rb");
    std::vector<char> chunk(1 << 20);
    size_t got = 0;
    bool ok = in != nullptr;
    while (ok && (got = std::fread(chunk.data(), 1, chunk.size(), in)) > 0)
      ok = EVP_DigestUpdate(static_cast<EVP_MD_CTX*>(sha_), chunk.data(), got) == 1;
    ok = ok && !std::ferror(in);
    if (in) std::fclose(in);
    if (!ok) {
      std::remove(tmp_.c_str());
      throw std::runtime_error(tmp_ + ": cannot read back for sha256: " + std::strerror(errno));
    }
  }
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (EVP_DigestFinal_ex(static_cast<EVP_MD_CTX*>(sha_), md, &len) != 1) {
    std::remove(tmp_.c_str());
    throw std::runtime_error(tmp_ + ": sha256 failed");
  }
  if (std::rename(tmp_.c_str(), path_.c_str()) != 0) {
    std::remove(tmp_.c_str());
    throw std::runtime_error(path_ + ": rename failed: " + std::strerror(errno));
  }
  static const char* hex = "0123456789abcdef";
  std::string out;
  for (unsigned int i = 0; i < len; ++i) {
    out.push_back(hex[md[i] >> 4]);
    out.push_back(hex[md[i] & 15]);
  }
  return out;
}

}  // namespace edubench::runlog::detail
