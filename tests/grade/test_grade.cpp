// The parts of `edubench grade` that need no plugin: team folders and team.yaml, the grade
// book (resume keys, stale rows, merging Slurm parts), and the report's ordering and escaping.
#include <edubench/session/errors.hpp>
#include "book.hpp"
#include <edubench/grade/gradescope.hpp>
#include <edubench/registry/registry.hpp>
#include "report.hpp"
#include "team.hpp"

#include <doctest/doctest.h>

#include <unistd.h>

#include <filesystem>
#include <fstream>

using namespace edubench::harness;
namespace fs = std::filesystem;

namespace {

// A fresh folder under the build tree's temp dir, removed at the end of the test.
struct TempDir {
  fs::path path;
  TempDir() {
    path = fs::temp_directory_path() / ("edubench-test-grade-" + std::to_string(::getpid()) + "-" +
                                        std::to_string(counter()++));
    fs::remove_all(path);
    fs::create_directories(path);
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
  static int& counter() {
    static int n = 0;
    return n;
  }
};

void write(const fs::path& p, const std::string& text) {
  fs::create_directories(p.parent_path());
  std::ofstream(p) << text;
}

GradeRow row(const std::string& team, const std::string& verdict, const std::string& scenario, double metric,
             bool higher) {
  GradeRow r;
  r.team = r.team_name = team;
  r.workload = "echo";
  r.scenario = scenario;
  r.verdict = verdict;
  r.metric_name = higher ? "samples_per_s" : "latency_p90_ms";
  r.metric_value = metric;
  r.higher_is_better = higher;
  r.plugin_sha256 = "sha-" + team;
  r.registry_sha256 = "reg";
  r.graded_at = "2024-01-01T00:00:00Z";
  return r;
}

}  // namespace

TEST_CASE("team folders: exactly one .so, team.yaml optional, problems are one line") {
  TempDir d;
  CHECK_THROWS_WITH_AS(team_folder_names((d.path / "nope").string()), doctest::Contains("no such directory"), BadInput);
  CHECK_THROWS_WITH_AS(team_folder_names(d.path.string()), doctest::Contains("no team folders"), BadInput);

  write(d.path / "b" / "sut.so", "x");
  write(d.path / "a" / "x.so", "x");
  write(d.path / "a" / "y.so", "y");
  fs::create_directories(d.path / "c");
  fs::create_directories(d.path / ".hidden");
  write(d.path / "notes.txt", "a file, not a team");
  CHECK(team_folder_names(d.path.string()) == std::vector<std::string>{"a", "b", "c"});

  TeamFolder b = read_team_folder(d.path.string(), "b");
  CHECK(b.problem.empty());
  CHECK(b.name == "b");
  CHECK(b.division == "closed");
  CHECK(fs::path(b.plugin).filename() == "sut.so");
  CHECK(fs::path(b.plugin).is_absolute());

  CHECK(read_team_folder(d.path.string(), "a").problem.find("2 .so files (x.so, y.so)") != std::string::npos);
  CHECK(read_team_folder(d.path.string(), "c").problem.find("no .so in the team folder") != std::string::npos);
}

TEST_CASE("team.yaml: every key read, every mistake named with file, line and field") {
  TempDir d;
  write(d.path / "t" / "sut.so", "x");
  const fs::path yaml = d.path / "t" / "team.yaml";
  auto problem = [&](const std::string& text) {
    write(yaml, text);
    return read_team_folder(d.path.string(), "t").problem;
  };
  write(yaml, "name: The Team\nmembers: [Ada, Bob]\ndivision: open\nworkloads: [echo, kv_cache]\n");
  TeamFolder t = read_team_folder(d.path.string(), "t");
  CHECK(t.problem.empty());
  CHECK(t.name == "The Team");
  CHECK(t.members == std::vector<std::string>{"Ada", "Bob"});
  CHECK(t.division == "open");
  REQUIRE(t.workloads.size() == 2);
  CHECK(t.workloads[1].id == "kv_cache");
  CHECK(t.workloads[1].line == 4);

  write(yaml, "members: Ada\n");
  CHECK(read_team_folder(d.path.string(), "t").members == std::vector<std::string>{"Ada"});
  write(yaml, "");
  CHECK(read_team_folder(d.path.string(), "t").problem.empty());

  CHECK(problem("name: x\ndivision: half\n") == yaml.string() + ":2: division: expected closed or open, got 'half'");
  CHECK(problem("nmae: x\n").find(yaml.string() + ":1: nmae: unknown key") == 0);
  CHECK(problem("workloads: echo\n").find(":1: workloads: expected a list") != std::string::npos);
  CHECK(problem("members: {a: 1}\n").find(":1: members: expected a list of names") != std::string::npos);
  CHECK(problem("name: [a\n").find(yaml.string() + ":") == 0);
  CHECK(problem("name: [a\n").find("not YAML") != std::string::npos);
  CHECK(problem("- a\n- b\n").find("expected a mapping") != std::string::npos);
  // A half-read team.yaml leaves nothing behind.
  problem("name: Someone\ndivision: half\n");
  TeamFolder bad = read_team_folder(d.path.string(), "t");
  CHECK(bad.name == "t");
  CHECK(bad.division == "closed");
}

TEST_CASE("grade book: resume keys, stale rows, batches") {
  TempDir d;
  const std::string file = (d.path / "gradebook.sqlite").string();
  GradeBook book(file);
  GradeBatch b;
  b.started_at = "2024-01-01T00:00:00Z";
  b.host = "h";
  b.command = "edubench grade x";
  const int64_t id = book.begin_batch(b);
  GradeRow r = row("a", "PASS", "offline", 10, true);
  r.batch_id = id;
  r.submission_exit = 0;
  r.check_s = 0.5;
  book.put(r);
  CHECK(book.has_grade("a", "echo", "offline", "sha-a", "reg", "closed", ""));
  CHECK_FALSE(book.has_grade("a", "echo", "offline", "sha-other", "reg", "closed", ""));  // a new .so
  CHECK_FALSE(book.has_grade("a", "echo", "offline", "sha-a", "reg2", "closed", ""));     // another registry
  CHECK_FALSE(book.has_grade("a", "echo", "offline", "sha-a", "reg", "open", ""));        // another division
  CHECK_FALSE(book.has_grade("a", "echo", "offline", "sha-a", "reg", "closed", "x=1"));   // other --set
  GradeRow e = row("a", "ERROR", "server", 0, false);
  book.put(e);
  CHECK_FALSE(book.has_grade("a", "echo", "server", "sha-a", "reg", "closed", ""));  // ERROR is retried

  // Reopened from disk: the same rows, optional columns kept as NULL or value.
  {
    GradeBook again(file);
    auto rows = again.rows();
    REQUIRE(rows.size() == 2);
    CHECK(rows[0].scenario == "offline");
    CHECK(rows[0].submission_exit == 0);
    CHECK_FALSE(rows[0].check_exit.has_value());
    CHECK(rows[0].check_s == 0.5);
    CHECK(rows[0].batch_id == id);
    CHECK(again.batches().at(0).graded == 1);
    CHECK(again.batches().at(0).finished_at.empty());
  }
  book.set_team_names("a", "A-Team", "Ada, Bob");
  CHECK(book.rows().at(1).team_name == "A-Team");
  CHECK(book.rows().at(1).members == "Ada, Bob");
  book.end_batch(id, "2024-01-01T00:01:00Z");
  CHECK(book.batches().at(0).finished_at == "2024-01-01T00:01:00Z");

  GradeRow folder = row("a", "ERROR", kNoItem, 0, false);
  folder.workload.assign(kNoItem, 1);  // assign(const char*) trips GCC 12's -Wrestrict false positive (PR 105329)
  book.put(folder);
  book.forget_stale("a", "sha-a");  // same plugin: graded rows stay, the folder row goes
  CHECK(book.rows().size() == 2);
  book.forget_stale("a", "sha-new");  // the team handed in another .so
  CHECK(book.rows().empty());
}

TEST_CASE("grade book: merging Slurm parts replaces each part's teams, once") {
  TempDir d;
  GradeBook main_book((d.path / "main.sqlite").string());
  main_book.put(row("a", "FAIL", "offline", 1, true));  // an older grade of team a
  main_book.put(row("b", "PASS", "offline", 2, true));
  GradeBook part((d.path / "part.sqlite").string());
  GradeBatch b;
  b.started_at = "2024-01-02T00:00:00Z";
  b.host = "node1";
  b.command = "edubench grade x --team a";
  GradeRow a = row("a", "PASS", "server", 3, false);
  a.batch_id = part.begin_batch(b);
  part.put(a);
  main_book.merge(part);
  main_book.merge(part);  // collecting twice changes nothing
  auto rows = main_book.rows();
  REQUIRE(rows.size() == 2);
  CHECK(rows[0].team == "a");
  CHECK(rows[0].scenario == "server");  // team a's old offline row went with the new part
  CHECK(rows[1].team == "b");
  REQUIRE(main_book.batches().size() == 1);
  CHECK(rows[0].batch_id == main_book.batches()[0].id);
}

TEST_CASE("a newer grade book than this edubench is refused, a non-database named") {
  TempDir d;
  const fs::path file = d.path / "gradebook.sqlite";
  write(file, "not a database at all, but long enough to have a header of sorts..........................");
  CHECK_THROWS_WITH_AS(GradeBook(file.string()).rows(), doctest::Contains(file.string().c_str()), HarnessError);
}

TEST_CASE("report: passing rows first, each scenario ranked by its metric; cells escaped") {
  std::vector<GradeRow> rows = {row("slow", "PASS", "offline", 10, true), row("err", "ERROR", "offline", 0, true),
                                row("fast", "PASS", "offline", 100, true), row("bad", "FAIL", "offline", 1000, true),
                                row("lat2", "PASS", "single_stream", 2.0, false),
                                row("lat1", "PASS", "single_stream", 1.0, false)};
  rows.back().metric_value.reset();
  rows.push_back(row("lat0", "PASS", "single_stream", 0.5, false));
  sort_for_report(rows);
  std::vector<std::string> order;
  for (const auto& r : rows) order.push_back(r.team);
  CHECK(order == std::vector<std::string>{"fast", "slow", "lat0", "lat2", "lat1", "bad", "err"});

  CHECK(html_escape("<b>Tom & \"Jerry's\"</b>") == "&lt;b&gt;Tom &amp; &quot;Jerry&#39;s&quot;&lt;/b&gt;");
  CHECK(csv_field("plain") == "plain");
  CHECK(csv_field("a, b") == "\"a, b\"");
  CHECK(csv_field("say \"hi\"") == "\"say \"\"hi\"\"\"");
  CHECK(csv_field("=HYPERLINK(\"x\")") == "\"'=HYPERLINK(\"\"x\"\")\"");
  CHECK(csv_field("-") == "-");
  CHECK(csv_field("line\nbreak") == "\"line\nbreak\"");
}

TEST_CASE("report: grades.csv and grades.html written from rows") {
  TempDir d;
  GradeRow r = row("t1", "PASS", "offline", 5, true);
  r.team_name = "<script>alert(1)</script>";
  write_grade_reports({r}, d.path.string());
  std::ifstream h(d.path / "grades.html");
  const std::string html((std::istreambuf_iterator<char>(h)), {});
  CHECK(html.find("<script>") == std::string::npos);
  CHECK(html.find("&lt;script&gt;alert(1)&lt;/script&gt;") != std::string::npos);
  std::ifstream c(d.path / "grades.csv");
  std::string header, line;
  std::getline(c, header);
  std::getline(c, line);
  CHECK(header.rfind("rank,verdict,team,", 0) == 0);
  CHECK(line.rfind("1,PASS,t1,<script>alert(1)</script>,", 0) == 0);
  CHECK_FALSE(fs::exists(d.path / "grades.csv.tmp"));
}

TEST_CASE("gradescope results: the points follow the verdict, and no hidden test reaches a student") {
  TempDir t;
  // A code data set whose hidden tests the failing rule's figures and the row's detail quote.
  write(t.path / "tasks.jsonl",
        R"({"prompt": "Write f(xs).", "hidden_tests": "assert secret_fn([1, 2, 3]) == 424242\nassert secret_fn([]) == 0\n"})"
        "\n");
  std::string reg = "schema: 1\ndatasets:\n  d:\n    path: tasks.jsonl\n    format: jsonl\n    sha256: ";
  reg += edubench::registry::sha256_file((t.path / "tasks.jsonl").string());
  reg += "\n    source: a test\n    license: public domain\nworkloads:\n  w:\n    description: a fixture\n"
         "    kind: echo\n    status: ready\n    dataset: d\n    reference_sut: echo_c\n"
         "    accuracy: {metric: exact_match}\n    scenarios:\n      offline: {min_query_count: 10}\n";
  write(t.path / "reg.yaml", reg);
  const fs::path run = t.path / "grades" / "runs" / "team" / "w" / "offline";
  write(run / "verdict.json",
        R"({"schema": 1, "passed": false, "rules": [)"
        R"({"rule": "hidden_tests", "status": "FAIL", "file": "accuracy/accuracy.jsonl", "figures": "first: assert secret_fn([1, 2, 3]) == 424242 failed"},)"
        R"({"rule": "accuracy", "status": "FAIL", "file": "accuracy/accuracy.jsonl", "figures": "got secret_fn([1, 2, 3]) = 7, not 424242"},)"
        R"({"rule": "dataset", "status": "PASS", "file": "", "figures": "1 sample loaded"}]})");
  {
    GradeBook book((t.path / "grades" / "gradebook.sqlite").string());
    GradeRow r = row("team", "FAIL", "offline", 1.0, true);
    r.workload = "w";
    r.failed_rules = "hidden_tests accuracy";
    r.detail = "hidden_tests: accuracy/accuracy.jsonl: first: assert secret_fn([1, 2, 3]) == 424242 failed";
    r.run_dir = run.string();
    book.put(r);
  }
  const std::string out = (t.path / "results.json").string();
  gradescope_results({(t.path / "grades").string(), out, (t.path / "reg.yaml").string(), 10, ""});
  std::ifstream f(out);
  const std::string text((std::istreambuf_iterator<char>(f)), {});
  CHECK(text.find("secret_fn([1, 2, 3])") == std::string::npos);
  CHECK(text.find("424242") == std::string::npos);
  CHECK(text.find("[hidden test]") != std::string::npos);  // accuracy's figures, cut
  CHECK(text.find("\"after_published\"") != std::string::npos);  // hidden_tests' own test
  CHECK(text.find("\"score\": 0.0") != std::string::npos);  // a FAIL row earns nothing
  CHECK(text.find("failed rules: hidden_tests accuracy") != std::string::npos);
}
