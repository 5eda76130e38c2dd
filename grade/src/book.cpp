#include "book.hpp"

#include <edubench/session/errors.hpp>

#include <sqlite3.h>

#include <ctime>
#include <map>
#include <set>

namespace edubench::harness {
namespace {

// 2 added attempts, earlier_attempts, verified, verify_value, verify_run_dir, verified_at, rechecked_at.
constexpr int kSchemaVersion = 2;

// The schema is written for a person reading the file with the sqlite3 CLI as much as for this
// code: docs/grading.md explains each column.
constexpr const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS batches (
  id INTEGER PRIMARY KEY,
  started_at TEXT NOT NULL,
  finished_at TEXT,
  host TEXT NOT NULL,
  harness_version TEXT NOT NULL,
  harness_git TEXT NOT NULL,
  command TEXT NOT NULL,
  registry_path TEXT NOT NULL,
  registry_sha256 TEXT NOT NULL,
  overrides TEXT NOT NULL,
  graded INTEGER NOT NULL DEFAULT 0,
  skipped INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS grades (
  team TEXT NOT NULL,
  team_name TEXT NOT NULL,
  members TEXT NOT NULL,
  division TEXT NOT NULL,
  plugin_path TEXT NOT NULL,
  plugin_sha256 TEXT NOT NULL,
  plugin_name TEXT NOT NULL,
  plugin_version TEXT NOT NULL,
  workload TEXT NOT NULL,
  scenario TEXT NOT NULL,
  metric_name TEXT NOT NULL,
  metric_value REAL,
  higher_is_better INTEGER NOT NULL,
  accuracy_metric TEXT NOT NULL,
  accuracy_value REAL,
  verdict TEXT NOT NULL CHECK (verdict IN ('PASS', 'FAIL', 'ERROR')),
  failed_rules TEXT NOT NULL,
  detail TEXT NOT NULL,
  submission_exit INTEGER,
  check_exit INTEGER,
  submission_s REAL,
  check_s REAL,
  registry_path TEXT NOT NULL,
  registry_sha256 TEXT NOT NULL,
  overrides TEXT NOT NULL,
  run_dir TEXT NOT NULL,
  graded_at TEXT NOT NULL,
  batch_id INTEGER REFERENCES batches(id),
  attempts INTEGER NOT NULL DEFAULT 1,
  earlier_attempts TEXT NOT NULL DEFAULT '',
  verified TEXT NOT NULL DEFAULT '',
  verify_value REAL,
  verify_run_dir TEXT NOT NULL DEFAULT '',
  verified_at TEXT NOT NULL DEFAULT '',
  rechecked_at TEXT NOT NULL DEFAULT '',
  PRIMARY KEY (team, workload, scenario)
);
)sql";

// A version-1 book (before retries, verification and recheck) gains the new columns.
constexpr const char* kSchema1To2 = R"sql(
ALTER TABLE grades ADD COLUMN attempts INTEGER NOT NULL DEFAULT 1;
ALTER TABLE grades ADD COLUMN earlier_attempts TEXT NOT NULL DEFAULT '';
ALTER TABLE grades ADD COLUMN verified TEXT NOT NULL DEFAULT '';
ALTER TABLE grades ADD COLUMN verify_value REAL;
ALTER TABLE grades ADD COLUMN verify_run_dir TEXT NOT NULL DEFAULT '';
ALTER TABLE grades ADD COLUMN verified_at TEXT NOT NULL DEFAULT '';
ALTER TABLE grades ADD COLUMN rechecked_at TEXT NOT NULL DEFAULT '';
)sql";

constexpr const char* kRowColumns =
    "team, team_name, members, division, plugin_path, plugin_sha256, plugin_name, plugin_version, workload, "
    "scenario, metric_name, metric_value, higher_is_better, accuracy_metric, accuracy_value, verdict, "
    "failed_rules, detail, submission_exit, check_exit, submission_s, check_s, registry_path, registry_sha256, "
    "overrides, run_dir, graded_at, batch_id, attempts, earlier_attempts, verified, verify_value, verify_run_dir, "
    "verified_at, rechecked_at";

constexpr const char* kBatchColumns =
    "id, started_at, finished_at, host, harness_version, harness_git, command, registry_path, registry_sha256, "
    "overrides, graded, skipped";

// One prepared statement; binds by position from 1, reads columns from 0.
class Stmt {
 public:
  Stmt(sqlite3* db, const std::string& sql, const std::string& path) : db_(db), path_(path) {
    if (sqlite3_prepare_v2(db, sql.c_str(), -1, &s_, nullptr) != SQLITE_OK) fail();
  }
  ~Stmt() { sqlite3_finalize(s_); }
  Stmt(const Stmt&) = delete;
  Stmt& operator=(const Stmt&) = delete;

  Stmt& text(const std::string& v) { return check(sqlite3_bind_text(s_, ++n_, v.c_str(), -1, SQLITE_TRANSIENT)); }
  Stmt& integer(int64_t v) { return check(sqlite3_bind_int64(s_, ++n_, v)); }
  Stmt& real(std::optional<double> v) {
    return check(v ? sqlite3_bind_double(s_, ++n_, *v) : sqlite3_bind_null(s_, ++n_));
  }
  Stmt& integer(std::optional<int> v) {
    return check(v ? sqlite3_bind_int(s_, ++n_, *v) : sqlite3_bind_null(s_, ++n_));
  }
  Stmt& null() { return check(sqlite3_bind_null(s_, ++n_)); }
  Stmt& text_or_null(const std::string& v) { return v.empty() ? null() : text(v); }

  bool step() {  // true: a row is there
    const int rc = sqlite3_step(s_);
    if (rc == SQLITE_ROW) return true;
    if (rc != SQLITE_DONE) fail();
    return false;
  }
  std::string col_text(int i) const {
    const unsigned char* t = sqlite3_column_text(s_, i);
    return t ? reinterpret_cast<const char*>(t) : "";
  }
  int64_t col_int(int i) const { return sqlite3_column_int64(s_, i); }
  std::optional<double> col_real(int i) const {
    if (sqlite3_column_type(s_, i) == SQLITE_NULL) return std::nullopt;
    return sqlite3_column_double(s_, i);
  }
  std::optional<int> col_opt_int(int i) const {
    if (sqlite3_column_type(s_, i) == SQLITE_NULL) return std::nullopt;
    return sqlite3_column_int(s_, i);
  }

 private:
  Stmt& check(int rc) {
    if (rc != SQLITE_OK) fail();
    return *this;
  }
  [[noreturn]] void fail() const {
    throw HarnessError(kExitInternal, path_ + ": sqlite: " + sqlite3_errmsg(db_));
  }
  sqlite3* db_;
  std::string path_;
  sqlite3_stmt* s_ = nullptr;
  int n_ = 0;
};

// BEGIN IMMEDIATE ... COMMIT, rolled back when an exception leaves the scope.
class Transaction {
 public:
  Transaction(sqlite3* db, const std::string& path) : db_(db), path_(path) { run("BEGIN IMMEDIATE"); }
  ~Transaction() {
    if (!done_) sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
  }
  void commit() {
    run("COMMIT");
    done_ = true;
  }

 private:
  void run(const char* sql) {
    if (sqlite3_exec(db_, sql, nullptr, nullptr, nullptr) != SQLITE_OK)
      throw HarnessError(kExitInternal, path_ + ": sqlite: " + sqlite3_errmsg(db_));
  }
  sqlite3* db_;
  std::string path_;
  bool done_ = false;
};

void insert_row(sqlite3* db, const std::string& path, const GradeRow& r, int64_t batch_id) {
  Stmt s(db, std::string("INSERT OR REPLACE INTO grades (") + kRowColumns +
                 ") VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
         path);
  s.text(r.team).text(r.team_name).text(r.members).text(r.division).text(r.plugin_path).text(r.plugin_sha256)
      .text(r.plugin_name).text(r.plugin_version).text(r.workload).text(r.scenario).text(r.metric_name)
      .real(r.metric_value).integer(int64_t{r.higher_is_better}).text(r.accuracy_metric).real(r.accuracy_value)
      .text(r.verdict).text(r.failed_rules).text(r.detail).integer(r.submission_exit).integer(r.check_exit)
      .real(r.submission_s).real(r.check_s).text(r.registry_path).text(r.registry_sha256).text(r.overrides)
      .text(r.run_dir).text(r.graded_at);
  if (batch_id)
    s.integer(batch_id);
  else
    s.null();  // 0: no batch
  s.integer(int64_t{r.attempts}).text(r.earlier_attempts).text(r.verified).real(r.verify_value)
      .text(r.verify_run_dir).text(r.verified_at).text(r.rechecked_at);
  s.step();
}

int64_t insert_batch(sqlite3* db, const std::string& path, const GradeBatch& b) {
  Stmt s(db,
         "INSERT INTO batches (started_at, finished_at, host, harness_version, harness_git, command, "
         "registry_path, registry_sha256, overrides, graded, skipped) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
         path);
  s.text(b.started_at).text_or_null(b.finished_at).text(b.host).text(b.harness_version).text(b.harness_git)
      .text(b.command).text(b.registry_path).text(b.registry_sha256).text(b.overrides).integer(b.graded)
      .integer(b.skipped);
  s.step();
  return sqlite3_last_insert_rowid(db);
}

}  // namespace

std::string utc_now() {
  std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char b[32];
  std::strftime(b, sizeof b, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return b;
}

GradeBook::GradeBook(const std::string& path) : path_(path) {
  if (sqlite3_open_v2(path.c_str(), &db_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX,
                      nullptr) != SQLITE_OK) {
    const std::string why = db_ ? sqlite3_errmsg(db_) : "out of memory";
    sqlite3_close(db_);
    db_ = nullptr;
    throw HarnessError(kExitInternal, path + ": cannot open the grade book: " + why);
  }
  // Two batches on one file (a person and a cron job) wait for each other instead of failing.
  sqlite3_busy_timeout(db_, 30000);
  Stmt v(db_, "PRAGMA user_version", path_);
  v.step();
  const int64_t version = v.col_int(0);
  if (version > kSchemaVersion)
    fail("schema version " + std::to_string(version) + " is newer than this edubench's (" +
         std::to_string(kSchemaVersion) + ")");
  {
    Transaction tx(db_, path_);
    exec(kSchema);
    if (version == 1) exec(kSchema1To2);
    if (version < kSchemaVersion) exec(("PRAGMA user_version = " + std::to_string(kSchemaVersion)).c_str());
    tx.commit();
  }
}

GradeBook::~GradeBook() { sqlite3_close(db_); }

void GradeBook::exec(const char* sql) {
  char* err = nullptr;
  if (sqlite3_exec(db_, sql, nullptr, nullptr, &err) != SQLITE_OK) {
    std::string what = err ? err : sqlite3_errmsg(db_);
    sqlite3_free(err);
    fail(what);
  }
}

void GradeBook::fail(const std::string& what) const { throw HarnessError(kExitInternal, path_ + ": sqlite: " + what); }

bool GradeBook::has_grade(const std::string& team, const std::string& workload, const std::string& scenario,
                          const std::string& plugin_sha256, const std::string& registry_sha256,
                          const std::string& division, const std::string& overrides) const {
  Stmt s(db_,
         "SELECT 1 FROM grades WHERE team = ? AND workload = ? AND scenario = ? AND plugin_sha256 = ? "
         "AND registry_sha256 = ? AND division = ? AND overrides = ? AND verdict IN ('PASS', 'FAIL')",
         path_);
  s.text(team).text(workload).text(scenario).text(plugin_sha256).text(registry_sha256).text(division).text(overrides);
  return s.step();
}

void GradeBook::forget_stale(const std::string& team, const std::string& plugin_sha256) {
  Transaction tx(db_, path_);
  Stmt s(db_, "DELETE FROM grades WHERE team = ? AND (plugin_sha256 <> ? OR workload = ? OR scenario = ? OR ? = '')",
         path_);
  s.text(team).text(plugin_sha256).text(kNoItem).text(kNoItem).text(plugin_sha256);
  s.step();
  tx.commit();
}

void GradeBook::set_team_names(const std::string& team, const std::string& team_name, const std::string& members) {
  Stmt s(db_, "UPDATE grades SET team_name = ?, members = ? WHERE team = ?", path_);
  s.text(team_name).text(members).text(team);
  s.step();
}

void GradeBook::put(const GradeRow& row) {
  Transaction tx(db_, path_);
  insert_row(db_, path_, row, row.batch_id);
  if (row.batch_id) {
    Stmt s(db_, "UPDATE batches SET graded = graded + 1 WHERE id = ?", path_);
    s.integer(row.batch_id);
    s.step();
  }
  tx.commit();
}

void GradeBook::update_check(const GradeRow& r) {
  Stmt s(db_,
         "UPDATE grades SET verdict = ?, failed_rules = ?, detail = ?, check_exit = ?, check_s = ?, "
         "registry_path = ?, registry_sha256 = ?, rechecked_at = ? WHERE team = ? AND workload = ? AND scenario = ?",
         path_);
  s.text(r.verdict).text(r.failed_rules).text(r.detail).integer(r.check_exit).real(r.check_s).text(r.registry_path)
      .text(r.registry_sha256).text(r.rechecked_at).text(r.team).text(r.workload).text(r.scenario);
  s.step();
}

void GradeBook::update_verification(const GradeRow& r) {
  Stmt s(db_,
         "UPDATE grades SET verified = ?, verify_value = ?, verify_run_dir = ?, verified_at = ? "
         "WHERE team = ? AND workload = ? AND scenario = ?",
         path_);
  s.text(r.verified).real(r.verify_value).text(r.verify_run_dir).text(r.verified_at).text(r.team).text(r.workload)
      .text(r.scenario);
  s.step();
}

int64_t GradeBook::begin_batch(const GradeBatch& b) {
  Transaction tx(db_, path_);
  const int64_t id = insert_batch(db_, path_, b);
  tx.commit();
  return id;
}

void GradeBook::count_skipped(int64_t batch_id) {
  Stmt s(db_, "UPDATE batches SET skipped = skipped + 1 WHERE id = ?", path_);
  s.integer(batch_id);
  s.step();
}

void GradeBook::end_batch(int64_t batch_id, const std::string& finished_at) {
  Stmt s(db_, "UPDATE batches SET finished_at = ? WHERE id = ?", path_);
  s.text(finished_at).integer(batch_id);
  s.step();
}

std::vector<GradeRow> GradeBook::rows() const {
  Stmt s(db_, std::string("SELECT ") + kRowColumns + " FROM grades ORDER BY team, workload, scenario", path_);
  std::vector<GradeRow> out;
  while (s.step()) {
    GradeRow r;
    int i = 0;
    r.team = s.col_text(i++);
    r.team_name = s.col_text(i++);
    r.members = s.col_text(i++);
    r.division = s.col_text(i++);
    r.plugin_path = s.col_text(i++);
    r.plugin_sha256 = s.col_text(i++);
    r.plugin_name = s.col_text(i++);
    r.plugin_version = s.col_text(i++);
    r.workload = s.col_text(i++);
    r.scenario = s.col_text(i++);
    r.metric_name = s.col_text(i++);
    r.metric_value = s.col_real(i++);
    r.higher_is_better = s.col_int(i++) != 0;
    r.accuracy_metric = s.col_text(i++);
    r.accuracy_value = s.col_real(i++);
    r.verdict = s.col_text(i++);
    r.failed_rules = s.col_text(i++);
    r.detail = s.col_text(i++);
    r.submission_exit = s.col_opt_int(i++);
    r.check_exit = s.col_opt_int(i++);
    r.submission_s = s.col_real(i++);
    r.check_s = s.col_real(i++);
    r.registry_path = s.col_text(i++);
    r.registry_sha256 = s.col_text(i++);
    r.overrides = s.col_text(i++);
    r.run_dir = s.col_text(i++);
    r.graded_at = s.col_text(i++);
    r.batch_id = s.col_int(i++);
    r.attempts = static_cast<int>(s.col_int(i++));
    r.earlier_attempts = s.col_text(i++);
    r.verified = s.col_text(i++);
    r.verify_value = s.col_real(i++);
    r.verify_run_dir = s.col_text(i++);
    r.verified_at = s.col_text(i++);
    r.rechecked_at = s.col_text(i++);
    out.push_back(std::move(r));
  }
  return out;
}

std::vector<GradeBatch> GradeBook::batches() const {
  Stmt s(db_, std::string("SELECT ") + kBatchColumns + " FROM batches ORDER BY id", path_);
  std::vector<GradeBatch> out;
  while (s.step()) {
    GradeBatch b;
    int i = 0;
    b.id = s.col_int(i++);
    b.started_at = s.col_text(i++);
    b.finished_at = s.col_text(i++);
    b.host = s.col_text(i++);
    b.harness_version = s.col_text(i++);
    b.harness_git = s.col_text(i++);
    b.command = s.col_text(i++);
    b.registry_path = s.col_text(i++);
    b.registry_sha256 = s.col_text(i++);
    b.overrides = s.col_text(i++);
    b.graded = s.col_int(i++);
    b.skipped = s.col_int(i++);
    out.push_back(std::move(b));
  }
  return out;
}

void GradeBook::merge(const GradeBook& part) {
  const std::vector<GradeBatch> batches = part.batches();
  const std::vector<GradeRow> rows = part.rows();
  Transaction tx(db_, path_);
  // A batch is the same batch when it started at the same time on the same host with the same
  // command: collecting twice must not copy it twice.
  std::map<int64_t, int64_t> ids;
  for (const GradeBatch& b : batches) {
    Stmt find(db_, "SELECT id FROM batches WHERE started_at = ? AND host = ? AND command = ?", path_);
    find.text(b.started_at).text(b.host).text(b.command);
    if (find.step()) {
      ids[b.id] = find.col_int(0);
      Stmt upd(db_, "UPDATE batches SET finished_at = ?, graded = ?, skipped = ? WHERE id = ?", path_);
      upd.text_or_null(b.finished_at).integer(b.graded).integer(b.skipped).integer(ids[b.id]);
      upd.step();
      continue;
    }
    ids[b.id] = insert_batch(db_, path_, b);
  }
  std::set<std::string> teams;
  for (const GradeRow& r : rows) teams.insert(r.team);
  for (const std::string& t : teams) {
    Stmt del(db_, "DELETE FROM grades WHERE team = ?", path_);
    del.text(t);
    del.step();
  }
  for (const GradeRow& r : rows) insert_row(db_, path_, r, ids.count(r.batch_id) ? ids[r.batch_id] : 0);
  tx.commit();
}

}  // namespace edubench::harness
