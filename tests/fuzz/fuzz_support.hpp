// What every fuzz target shares: a scratch folder of its own for the files a path-taking parser
// reads, and the contract a parser's error must keep (one non-empty line).
#pragma once

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>

namespace edubench::fuzz {

// A folder made once per process under $TMPDIR (or /tmp), removed at exit.
inline const std::filesystem::path& scratch_dir() {
  static const std::filesystem::path dir = [] {
    const char* tmp = std::getenv("TMPDIR");
    std::string templ = std::string(tmp && *tmp ? tmp : "/tmp") + "/edubench-fuzz-XXXXXX";
    if (!mkdtemp(templ.data())) {
      std::perror("edubench fuzz: mkdtemp");
      std::abort();
    }
    std::atexit([] {
      std::error_code ec;
      std::filesystem::remove_all(scratch_dir(), ec);
    });
    return std::filesystem::path(templ);
  }();
  return dir;
}

inline void write_file(const std::filesystem::path& path, std::string_view bytes) {
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  f.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  if (!f) {
    std::fprintf(stderr, "edubench fuzz: cannot write %s\n", path.c_str());
    std::abort();
  }
}

inline std::string_view as_text(const uint8_t* data, size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

// The promise of every reader: a bad input is one line that says what is wrong. A message that
// is empty or spans lines is a finding, as a crash is.
inline void require_one_line(std::string_view what, const char* parser) {
  if (what.empty() || what.find('\n') != std::string_view::npos) {
    std::fprintf(stderr, "%s: error message is not one non-empty line: [%.*s]\n", parser,
                 static_cast<int>(what.size()), what.data());
    std::abort();
  }
}

}  // namespace edubench::fuzz
