// Fast, allocation-light JSON-lines output for run logs of millions of events, and files that
// appear whole or not at all (written under a temporary name, then renamed).
#pragma once

#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

namespace edubench::results::detail {

// Appends `s` as a JSON string literal. Valid UTF-8 passes through; a byte that is not part of
// valid UTF-8 becomes \u00XX so every line stays parseable.
void append_json_string(std::string& out, std::string_view s);
void append_int(std::string& out, int64_t v);
void append_uint(std::string& out, uint64_t v);
void append_double(std::string& out, double v);
void append_int_array(std::string& out, const std::vector<int32_t>& v);

class AtomicFile {
 public:
  explicit AtomicFile(const std::string& path);  // throws std::runtime_error naming the file
  ~AtomicFile();
  std::string& buffer() { return buf_; }
  void maybe_flush() {
    if (buf_.size() > (1u << 20)) flush();
  }
  void commit();  // flush, fsync-less close, rename into place; throws on failure

 private:
  void flush();
  std::string path_, tmp_;
  std::FILE* f_ = nullptr;
  std::string buf_;
};

}  // namespace edubench::results::detail
