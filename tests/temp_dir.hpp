// A fresh folder under the system's temp dir for a test, removed when it goes out of scope: no
// fixed name (two runs at once never share one) and nothing left behind in /tmp.
#pragma once

#include <stdlib.h>

#include <cerrno>
#include <filesystem>
#include <string>
#include <system_error>

namespace edubench::test {

struct TempDir {
  explicit TempDir(const std::string& what = "test") : path(make(what)) {}
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::filesystem::path path;

 private:
  static std::filesystem::path make(const std::string& what) {
    std::string templ = (std::filesystem::temp_directory_path() / ("edubench-" + what + "-XXXXXX")).string();
    if (mkdtemp(templ.data()) == nullptr) throw std::system_error(errno, std::generic_category(), "mkdtemp " + templ);
    return templ;
  }
};

}  // namespace edubench::test
