// Fast, allocation-light JSON-lines output for run logs of millions of events, and files that
// appear whole or not at all (written under a temporary name, then renamed).
#pragma once

#include <edubench/runlog/run_log.hpp>

#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

namespace edubench::runlog::detail {

// Appends `s` as a JSON string literal. Valid UTF-8 passes through; a byte that is not part of
// valid UTF-8 becomes \u00XX so every line stays parseable.
void append_json_string(std::string& out, std::string_view s);
void append_int(std::string& out, int64_t v);
void append_uint(std::string& out, uint64_t v);
void append_double(std::string& out, double v);
void append_int_array(std::string& out, const std::vector<int32_t>& v);
// Appends `,"name":` (the next field of an object already open).
inline void append_field(std::string& out, const char* name) {
  out += ",\"";
  out += name;
  out += "\":";
}

// A file written under PATH.tmp and renamed into place by commit(), so a crash never leaves a
// half file under the real name; buffered, and hashed (sha256) as it is written so the manifest
// need not read the file back.
class AtomicFile {
 public:
  // throws std::runtime_error naming the file. `hash_at_commit`: hash by reading the file back
  // in commit() rather than as it is written (a file written during the run keeps that CPU
  // off the run: commit() comes after it).
  explicit AtomicFile(const std::string& path, bool hash_at_commit = false);
  ~AtomicFile();
  AtomicFile(const AtomicFile&) = delete;
  AtomicFile& operator=(const AtomicFile&) = delete;
  std::string& buffer() { return buf_; }
  void maybe_flush() {
    if (buf_.size() > (1u << 20)) flush();
  }
  // Flushes, closes (no fsync), renames into place; returns the sha256 of the contents in
  // lowercase hex. Throws std::runtime_error naming the file on failure.
  std::string commit();

 private:
  void flush();
  std::string path_, tmp_;
  std::FILE* f_ = nullptr;
  std::string buf_;
  void* sha_ = nullptr;  // EVP_MD_CTX*, kept out of this header
  bool hash_at_commit_ = false;
};

// The writers behind write_events_jsonl / write_accuracy_jsonl, returning the file's sha256.
std::string write_events_file(const std::string& path, const RunLog& log);
std::string write_accuracy_file(const std::string& path, const RunLog& log);

}  // namespace edubench::runlog::detail
