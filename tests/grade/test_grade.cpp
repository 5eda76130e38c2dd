// The parts of `edubench grade` that need no plugin: team folders and team.yaml, the grade
// book (resume keys, stale rows, merging Slurm parts), and the report's ordering and escaping.
#include <edubench/session/errors.hpp>
#include "book.hpp"
#include <edubench/grade/gradescope.hpp>
#include <edubench/registry/registry.hpp>
#include "gradescope_scores.hpp"
#include "regrade.hpp"
#include "report.hpp"
#include "team.hpp"
#include "temp_dir.hpp"

#include <doctest/doctest.h>

#include <sqlite3.h>

#include <unistd.h>

#include <filesystem>
#include <limits>
#include <fstream>

using namespace edubench::harness;
namespace fs = std::filesystem;

namespace {

using edubench::test::TempDir;

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

TEST_CASE("grade book: a version-1 book gains the retry and verification columns, rows kept") {
  TempDir d;
  const std::string file = (d.path / "gradebook.sqlite").string();
  {  // the version-1 schema as edubench wrote it before retries and --verify-top
    sqlite3* db = nullptr;
    REQUIRE(sqlite3_open(file.c_str(), &db) == SQLITE_OK);
    const char* v1 =
        "CREATE TABLE batches (id INTEGER PRIMARY KEY, started_at TEXT NOT NULL, finished_at TEXT, host TEXT NOT "
        "NULL, harness_version TEXT NOT NULL, harness_git TEXT NOT NULL, command TEXT NOT NULL, registry_path TEXT "
        "NOT NULL, registry_sha256 TEXT NOT NULL, overrides TEXT NOT NULL, graded INTEGER NOT NULL DEFAULT 0, "
        "skipped INTEGER NOT NULL DEFAULT 0);"
        "CREATE TABLE grades (team TEXT NOT NULL, team_name TEXT NOT NULL, members TEXT NOT NULL, division TEXT NOT "
        "NULL, plugin_path TEXT NOT NULL, plugin_sha256 TEXT NOT NULL, plugin_name TEXT NOT NULL, plugin_version "
        "TEXT NOT NULL, workload TEXT NOT NULL, scenario TEXT NOT NULL, metric_name TEXT NOT NULL, metric_value "
        "REAL, higher_is_better INTEGER NOT NULL, accuracy_metric TEXT NOT NULL, accuracy_value REAL, verdict TEXT "
        "NOT NULL, failed_rules TEXT NOT NULL, detail TEXT NOT NULL, submission_exit INTEGER, check_exit INTEGER, "
        "submission_s REAL, check_s REAL, registry_path TEXT NOT NULL, registry_sha256 TEXT NOT NULL, overrides "
        "TEXT NOT NULL, run_dir TEXT NOT NULL, graded_at TEXT NOT NULL, batch_id INTEGER, PRIMARY KEY (team, "
        "workload, scenario));"
        "INSERT INTO grades VALUES ('old', 'Old', '', 'closed', 'p', 'sha', 'n', 'v', 'echo', 'offline', "
        "'samples_per_s', 7, 1, 'exact_match', 1, 'PASS', '', '', 0, 0, 1, 1, 'r', 'rs', '', '/x', "
        "'2024-01-01T00:00:00Z', NULL);"
        "PRAGMA user_version = 1;";
    REQUIRE(sqlite3_exec(db, v1, nullptr, nullptr, nullptr) == SQLITE_OK);
    sqlite3_close(db);
  }
  GradeBook book(file);
  auto rows = book.rows();
  REQUIRE(rows.size() == 1);
  CHECK(rows[0].team == "old");
  CHECK(rows[0].metric_value == 7);
  CHECK(rows[0].attempts == 1);
  CHECK(rows[0].verified.empty());
  rows[0].verified = "differs";
  rows[0].verify_value = 3;
  book.update_verification(rows[0]);
  CHECK(GradeBook(file).rows().at(0).verified == "differs");
  CHECK(GradeBook(file).rows().at(0).verify_value == 3);
}

TEST_CASE("grade book: a recheck rewrites the checker's columns only") {
  TempDir d;
  GradeBook book((d.path / "b.sqlite").string());
  GradeRow r = row("a", "PASS", "offline", 10, true);
  r.attempts = 2;
  r.earlier_attempts = "attempt 1: FAIL, submission exit 3: crashed";
  r.submission_s = 4;
  book.put(r);
  r.verdict = "FAIL";
  r.failed_rules = "TEST04";
  r.detail = "TEST04: too fast";
  r.check_exit = 6;
  r.rechecked_at = "2024-02-02T00:00:00Z";
  r.submission_s = 99;  // not a checker column: stays 4
  book.update_check(r);
  const GradeRow g = book.rows().at(0);
  CHECK(g.verdict == "FAIL");
  CHECK(g.failed_rules == "TEST04");
  CHECK(g.check_exit == 6);
  CHECK(g.rechecked_at == "2024-02-02T00:00:00Z");
  CHECK(g.submission_s == 4);
  CHECK(g.attempts == 2);
  CHECK(g.earlier_attempts == "attempt 1: FAIL, submission exit 3: crashed");
}

TEST_CASE("verify: two figures are the same within a factor, whichever is larger") {
  CHECK(ratio_apart(100, 100) == 0);
  CHECK(ratio_apart(100, 125) == doctest::Approx(0.25));
  CHECK(ratio_apart(125, 100) == doctest::Approx(0.25));
  CHECK(ratio_apart(100000, 1000) == doctest::Approx(99));  // a 100x slowdown is far, not "within 100%"
  CHECK(ratio_apart(0, 1) == std::numeric_limits<double>::infinity());
  CHECK(ratio_apart(-1, 1) == std::numeric_limits<double>::infinity());
}

TEST_CASE("leaderboard: PASS rows with a metric, ranked per workload and scenario") {
  std::vector<GradeRow> rows = {row("slow", "PASS", "offline", 10, true), row("fast", "PASS", "offline", 100, true),
                                row("bad", "FAIL", "offline", 1000, true),
                                row("lat", "PASS", "single_stream", 2.0, false)};
  rows[1].verified = "same";
  rows[1].verify_value = 90;
  rows[0].attempts = 2;
  const std::string csv = leaderboard_csv(rows);
  CHECK(csv.find("echo,offline,1,fast,fast,samples_per_s,100,1,,,same,90,1,") != std::string::npos);
  CHECK(csv.find("echo,offline,2,slow,") != std::string::npos);
  CHECK(csv.find("echo,single_stream,1,lat,") != std::string::npos);
  CHECK(csv.find("bad") == std::string::npos);
  const std::string text = leaderboard_text(rows);
  CHECK(text.find("leaderboard echo/offline by samples_per_s (higher is better)") != std::string::npos);
  CHECK(text.find("re-run same (90)") != std::string::npos);
  CHECK(text.find("passed on attempt 2") != std::string::npos);
  CHECK(leaderboard_text({rows[2]}) == "leaderboard: no passing row yet\n");
}

TEST_CASE("gradescope scores: a line per member with an email, points per PASS row") {
  CHECK(split_member("Ada Lovelace <ada@uni.edu>") == std::pair<std::string, std::string>{"Ada Lovelace", "ada@uni.edu"});
  CHECK(split_member("Bob") == std::pair<std::string, std::string>{"Bob", ""});
  CHECK(split_member("<x> trailing") == std::pair<std::string, std::string>{"<x> trailing", ""});
  GradeRow a1 = row("a", "PASS", "offline", 1, true), a2 = row("a", "FAIL", "server", 1, false);
  a1.members = a2.members = "Ada Lovelace <ada@uni.edu>, Bob";
  a1.team_name = a2.team_name = "Team A";
  GradeRow b = row("b", "ERROR", kNoItem, 0, true);
  std::vector<std::string> warnings;
  const std::string csv = gradescope_scores_csv({a1, a2, b}, 10, warnings);
  CHECK(csv == "Name,Email,Team,Total Score,Max Points\nAda Lovelace,ada@uni.edu,Team A,10,20\nBob,,Team A,10,20\n");
  REQUIRE(warnings.size() == 2);
  CHECK(warnings[0].find("member 'Bob' has no email") != std::string::npos);
  CHECK(warnings[1].find("team b: no members") != std::string::npos);
}
