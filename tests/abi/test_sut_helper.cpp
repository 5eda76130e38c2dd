// The C++ helper for plugin authors: exceptions become statuses at the boundary, and Config's
// typed getters refuse bad values with a message naming the option.
#include <edubench/sut.hpp>

#include <doctest/doctest.h>

#include <cstring>
#include <new>

namespace {

enum class Throw { none, invalid, bad_alloc, unsupported, other };
Throw g_throw = Throw::none;

class Probe : public edubench::Sut {
 public:
  Probe(const edubench::Host&, std::string_view, const edubench::Config& c) {
    c.get_int("batch", 1);
    c.reject_unknown();
    raise();
  }
  void issue(const edu_query*, size_t) override { raise(); }
  static void raise() {
    switch (g_throw) {
      case Throw::none: return;
      case Throw::invalid: throw std::invalid_argument("bad batch");
      case Throw::bad_alloc: throw std::bad_alloc();
      case Throw::unsupported: throw edubench::Unsupported("no GPU");
      case Throw::other: throw 42;
    }
  }
};

}  // namespace

EDUBENCH_SUT(Probe, "probe", "1.0", "echo")

static edu_status create_with(Throw t, char* err, size_t cap, const edu_kv* kv = nullptr, size_t n = 0) {
  g_throw = t;
  edu_host host{};
  void* sut = nullptr;
  edu_status s = edu_sut_entry(1)->create(&host, "echo", kv, n, &sut, err, cap);
  if (s == EDU_OK) edu_sut_entry(1)->destroy(sut);
  return s;
}

TEST_CASE("the entry point answers only its own ABI major") {
  CHECK(edu_sut_entry(1) != nullptr);
  CHECK(edu_sut_entry(2) == nullptr);
  CHECK(edu_sut_entry(1)->struct_size == sizeof(edu_sut_api));
  CHECK(std::strcmp(edu_sut_entry(1)->workloads[0], "echo") == 0);
  CHECK(edu_sut_entry(1)->workloads[1] == nullptr);
}

TEST_CASE("create without an exception returns EDU_OK") {
  char err[128];
  CHECK(create_with(Throw::none, err, sizeof err) == EDU_OK);
}

TEST_CASE("std::invalid_argument becomes EDU_ERR_INVALID_ARGUMENT with its message") {
  char err[128];
  CHECK(create_with(Throw::invalid, err, sizeof err) == EDU_ERR_INVALID_ARGUMENT);
  CHECK(std::string(err) == "bad batch");
}

TEST_CASE("std::bad_alloc becomes EDU_ERR_INTERNAL with 'out of memory'") {
  char err[128];
  CHECK(create_with(Throw::bad_alloc, err, sizeof err) == EDU_ERR_INTERNAL);
  CHECK(std::string(err) == "out of memory");
}

TEST_CASE("edubench::Unsupported becomes EDU_ERR_UNSUPPORTED with its message") {
  char err[128];
  CHECK(create_with(Throw::unsupported, err, sizeof err) == EDU_ERR_UNSUPPORTED);
  CHECK(std::string(err) == "no GPU");
}

TEST_CASE("a non-std exception becomes EDU_ERR_INTERNAL with 'unknown exception'") {
  char err[128];
  CHECK(create_with(Throw::other, err, sizeof err) == EDU_ERR_INTERNAL);
  CHECK(std::string(err) == "unknown exception");
}

TEST_CASE("a NULL error buffer is never written") {
  CHECK(create_with(Throw::invalid, nullptr, 0) == EDU_ERR_INVALID_ARGUMENT);
}

TEST_CASE("a long message is cut to the buffer and NUL-terminated") {
  char err[4];
  CHECK(create_with(Throw::invalid, err, sizeof err) == EDU_ERR_INVALID_ARGUMENT);
  CHECK(std::string(err) == "bad");
}

TEST_CASE("exceptions in issue become EDU_ERR_INTERNAL, never escape") {
  char err[64];
  g_throw = Throw::none;
  edu_host host{};
  void* sut = nullptr;
  REQUIRE(edu_sut_entry(1)->create(&host, "echo", nullptr, 0, &sut, err, sizeof err) == EDU_OK);
  g_throw = Throw::other;
  CHECK(edu_sut_entry(1)->issue(sut, nullptr, 0) == EDU_ERR_INTERNAL);
  g_throw = Throw::none;
  edu_sut_entry(1)->destroy(sut);
}

TEST_CASE("config: a bad integer and an unknown key are refused by name") {
  char err[128];
  edu_kv bad_int[] = {{"batch", "eight"}};
  CHECK(create_with(Throw::none, err, sizeof err, bad_int, 1) == EDU_ERR_INVALID_ARGUMENT);
  CHECK(std::string(err) == "option batch: expected an integer, got 'eight'");
  edu_kv unknown[] = {{"bacth", "8"}};
  CHECK(create_with(Throw::none, err, sizeof err, unknown, 1) == EDU_ERR_INVALID_ARGUMENT);
  CHECK(std::string(err) == "unknown option 'bacth'");
}

TEST_CASE("config getters parse good values and fall back when absent") {
  edu_kv kv[] = {{"cache", "off"}, {"temp", "0.5"}, {"drafter", "ngram"}, {"batch", "-8"}};
  edubench::Config c(kv, 4);
  CHECK_FALSE(c.get_bool("cache", true));
  CHECK(c.get_double("temp", 1.0) == doctest::Approx(0.5));
  CHECK(c.get_choice("drafter", "model", {"model", "ngram"}) == "ngram");
  CHECK(c.get_int("batch", 1) == -8);
  CHECK(c.get_int("missing", 7) == 7);
  CHECK_NOTHROW(c.reject_unknown());
}

TEST_CASE("config getters reject bad values, naming the option and the value") {
  edu_kv kv[] = {{"flag", "maybe"}, {"temp", "warm"}, {"drafter", "oracle"}, {"batch", "8x"},
                 {"huge", "99999999999999999999"}, {"empty", ""}};
  edubench::Config c(kv, 6);
  CHECK_THROWS_WITH_AS(c.get_bool("flag", true), "option flag: expected on|off, got 'maybe'", std::invalid_argument);
  CHECK_THROWS_WITH_AS(c.get_double("temp", 1.0), "option temp: expected a number, got 'warm'", std::invalid_argument);
  CHECK_THROWS_WITH_AS(c.get_choice("drafter", "model", {"model", "ngram"}),
                       "option drafter: expected model|ngram, got 'oracle'", std::invalid_argument);
  CHECK_THROWS_WITH_AS(c.get_int("batch", 1), "option batch: expected an integer, got '8x'", std::invalid_argument);
  CHECK_THROWS_AS(c.get_int("huge", 1), std::invalid_argument);
  CHECK_THROWS_AS(c.get_int("empty", 1), std::invalid_argument);
}
