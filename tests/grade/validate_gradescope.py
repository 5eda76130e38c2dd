#!/usr/bin/env python3
"""Checks a results.json against Gradescope's autograder results format (gradescope-utils'
json_test_runner.py and the "Autograder Specifications" page): field names and types, statuses,
scores within their maxima, visibility values, leaderboard orders. Then the expectations of one
test case, and (with --hidden FILE) that no hidden test's text appears in any field a student sees.

usage: validate_gradescope.py RESULTS --expect-score S --expect-max M [--expect-status failed]
       [--expect-output REGEX] [--expect-leaderboard] [--hidden TEST_JSONL]
"""
import argparse
import json
import re
import sys

VIS = {"hidden", "after_due_date", "after_published", "visible"}


def fail(msg):
    sys.exit(f"validate_gradescope: {msg}")


def number(x):
    return isinstance(x, (int, float)) and not isinstance(x, bool)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("results")
    ap.add_argument("--expect-score", type=float, required=True)
    ap.add_argument("--expect-max", type=float, required=True)
    ap.add_argument("--expect-status", default=None, help="a status that at least one test must have")
    ap.add_argument("--expect-output", default=None, help="a regex one test's output must match")
    ap.add_argument("--expect-leaderboard", action="store_true")
    ap.add_argument("--hidden", default=None)
    a = ap.parse_args()
    r = json.load(open(a.results))
    allowed = {"score", "execution_time", "output", "output_format", "test_output_format", "test_name_format",
               "visibility", "stdout_visibility", "extra_data", "tests", "leaderboard"}
    if not isinstance(r, dict) or set(r) - allowed:
        fail(f"top-level keys outside the format: {sorted(set(r) - allowed)}")
    if not number(r.get("score")):
        fail("score: expected a number")
    if "execution_time" in r and not isinstance(r["execution_time"], int):
        fail("execution_time: expected an integer (seconds)")
    for k in ("visibility", "stdout_visibility"):
        if k in r and r[k] not in VIS:
            fail(f"{k}: {r[k]!r} is not one of {sorted(VIS)}")
    tests = r.get("tests")
    if not isinstance(tests, list) or not tests:
        fail("tests: expected a non-empty list")
    total = maximum = 0
    for i, t in enumerate(tests):
        extra = set(t) - {"score", "max_score", "status", "name", "name_format", "number", "output", "output_format",
                          "tags", "visibility", "extra_data"}
        if extra:
            fail(f"tests[{i}]: keys outside the format: {sorted(extra)}")
        if not isinstance(t.get("name"), str) or not t["name"]:
            fail(f"tests[{i}].name: expected a string")
        if not number(t.get("score")) or not number(t.get("max_score")):
            fail(f"tests[{i}]: score and max_score must be numbers")
        if t["score"] < 0 or t["score"] > t["max_score"] + 1e-9:
            fail(f"tests[{i}]: score {t['score']} outside 0..{t['max_score']}")
        if t.get("status") not in ("passed", "failed"):
            fail(f"tests[{i}].status: {t.get('status')!r}")
        if t["max_score"] > 0 and (t["status"] == "passed") != (t["score"] == t["max_score"]):
            fail(f"tests[{i}]: status {t['status']} with score {t['score']} of {t['max_score']}")
        if t.get("visibility", "visible") not in VIS:
            fail(f"tests[{i}].visibility: {t['visibility']!r}")
        if "tags" in t and not all(isinstance(x, str) for x in t["tags"]):
            fail(f"tests[{i}].tags: expected strings")
        total += t["score"]
        maximum += t["max_score"]
    if abs(total - r["score"]) > 0.05:
        fail(f"score {r['score']} is not the sum of the tests' scores {total}")
    if abs(r["score"] - a.expect_score) > 0.05 or abs(maximum - a.expect_max) > 0.05:
        fail(f"expected {a.expect_score} of {a.expect_max} points, got {r['score']} of {maximum}")
    if a.expect_status and not any(t["status"] == a.expect_status for t in tests):
        fail(f"no test has status {a.expect_status}")
    if a.expect_output and not any(re.search(a.expect_output, t.get("output", "")) for t in tests):
        fail(f"no test's output matches {a.expect_output!r}")
    board = r.get("leaderboard", [])
    for i, e in enumerate(board):
        if set(e) != {"name", "value", "order"} or e["order"] not in ("asc", "desc") or not number(e["value"]):
            fail(f"leaderboard[{i}]: expected name, a numeric value and order asc|desc: {e}")
    if a.expect_leaderboard and not board:
        fail("expected leaderboard entries")
    if a.hidden:
        visible = [r.get("output", "")] + [t.get("output", "") + t["name"] for t in tests
                                           if t.get("visibility", "visible") != "hidden"] + [e["name"] for e in board]
        blob = "\n".join(visible)
        leaked = []
        for line in open(a.hidden):
            for test in json.loads(line)["hidden_tests"].splitlines():
                body = test.removeprefix("assert ")
                if body in blob:
                    leaked.append(body)
        if leaked:
            fail(f"{len(leaked)} hidden tests appear in student-visible fields, e.g. {leaked[0]!r}")
    print(f"{a.results}: valid; {r['score']} of {maximum} points in {len(tests)} tests, {len(board)} leaderboard entries")


if __name__ == "__main__":
    main()
