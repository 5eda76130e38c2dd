// OpenBLAS's kernels chosen for CPUs its Debian 12 build does not recognise (blas_core.hpp).
#include <edubench/model/blas_core.hpp>

#include <dlfcn.h>

#include <cstdlib>

namespace edubench::model {
namespace {

// The entry points of a DYNAMIC_ARCH OpenBLAS: the core's name, and the load-time choice of
// kernels (gotoblas_dynamic_init reads OPENBLAS_CORETYPE; _quit forgets the last choice).
struct OpenBlas {
  char* (*corename)() = nullptr;
  void (*dynamic_quit)() = nullptr;
  void (*dynamic_init)() = nullptr;
};

OpenBlas find_openblas() {
  OpenBlas o;
  // Only a library already loaded (LibTorch's BLAS through Debian's alternatives): RTLD_NOLOAD.
  for (const char* soname : {"libopenblas.so.0", "libblas.so.3"}) {
    void* h = dlopen(soname, RTLD_NOW | RTLD_NOLOAD);
    if (h == nullptr) continue;
    o.corename = reinterpret_cast<char* (*)()>(dlsym(h, "openblas_get_corename"));
    o.dynamic_quit = reinterpret_cast<void (*)()>(dlsym(h, "gotoblas_dynamic_quit"));
    o.dynamic_init = reinterpret_cast<void (*)()>(dlsym(h, "gotoblas_dynamic_init"));
    dlclose(h);  // the reference RTLD_NOLOAD added; the library stays loaded
    if (o.corename != nullptr) break;
  }
  return o;
}

// The best of OpenBLAS's x86-64 kernel sets this CPU (and its OS) can run; null: none better
// than the fallback.
const char* best_core() {
#if defined(__x86_64__)
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512vl") &&
      __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512cd"))
    return "SkylakeX";
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return "Haswell";
  if (__builtin_cpu_supports("avx")) return "SandyBridge";
#endif
  return nullptr;
}

struct Choice {
  std::string core, note;
};

Choice choose() {
  const OpenBlas o = find_openblas();
  if (o.corename == nullptr) return {};
  Choice c{o.corename(), ""};
  const char* better = best_core();
  // "Prescott" is what this OpenBLAS falls back to on a CPU it does not know.
  if (c.core != "Prescott" || std::getenv("OPENBLAS_CORETYPE") != nullptr || better == nullptr ||
      o.dynamic_quit == nullptr || o.dynamic_init == nullptr)
    return c;
  // At load time, before any BLAS call of this library (the environment is read once, by
  // gotoblas_dynamic_init, and put back as it was).
  setenv("OPENBLAS_CORETYPE", better, 1);
  o.dynamic_quit();
  o.dynamic_init();
  unsetenv("OPENBLAS_CORETYPE");
  c.core = o.corename();
  c.note = "OpenBLAS took this CPU for Prescott; using its " + c.core + " kernels";
  return c;
}

const Choice& choice() {
  static const Choice c = choose();
  return c;
}

// Made when the library is loaded (a plugin's dlopen, a tool's start), not at the first call.
[[maybe_unused]] const bool kChosenAtLoad = (choice(), true);

}  // namespace

std::string blas_core() { return choice().core; }
std::string blas_core_note() { return choice().note; }

}  // namespace edubench::model
