#!/usr/bin/env python3
"""Checks the CI files `edubench new-sut` writes against the shape their services require:
.github/workflows/edubench.yml (GitHub Actions: on, jobs.<id>.runs-on, steps with exactly one of
run/uses) and .gitlab-ci.yml (GitLab CI: every job has a script list and a declared stage), and
that both run ci/test.sh, the script that runs the project's tests, a submission and its check.
Prints one line per problem naming the file and the field; exit 0 when none.
Usage: check_ci_yaml.py PROJECT_DIR"""
import os
import sys

import yaml

GITLAB_RESERVED = {"stages", "variables", "default", "include", "workflow", "image", "services", "cache",
                   "before_script", "after_script"}


def check_github(path, problems):
    doc = yaml.safe_load(open(path, encoding="utf-8"))
    if not isinstance(doc, dict):
        return problems.append(f"{path}: not a mapping")
    # YAML 1.1 reads the key `on` as true; GitHub reads it as the trigger list.
    triggers = doc.get("on", doc.get(True))
    if not triggers:
        problems.append(f"{path}: on: missing (no trigger)")
    jobs = doc.get("jobs")
    if not isinstance(jobs, dict) or not jobs:
        return problems.append(f"{path}: jobs: expected a mapping of jobs")
    runs = []
    for name, job in jobs.items():
        where = f"{path}: jobs.{name}"
        if not isinstance(job, dict):
            problems.append(f"{where}: expected a mapping")
            continue
        if not job.get("runs-on"):
            problems.append(f"{where}.runs-on: missing")
        container = job.get("container")
        if container is not None and container != "debian:12":
            problems.append(f"{where}.container: expected debian:12, got {container!r}")
        steps = job.get("steps")
        if not isinstance(steps, list) or not steps:
            problems.append(f"{where}.steps: expected a list")
            continue
        for i, step in enumerate(steps):
            if not isinstance(step, dict) or ("run" in step) == ("uses" in step):
                problems.append(f"{where}.steps[{i}]: expected exactly one of run or uses")
            elif "run" in step:
                runs.append(step["run"])
    return runs


def check_gitlab(path, problems):
    doc = yaml.safe_load(open(path, encoding="utf-8"))
    if not isinstance(doc, dict):
        return problems.append(f"{path}: not a mapping")
    stages = doc.get("stages", ["build", "test", "deploy"])
    scripts = []
    jobs = {k: v for k, v in doc.items() if k not in GITLAB_RESERVED and not str(k).startswith(".")}
    if not jobs:
        problems.append(f"{path}: no job")
    for name, job in jobs.items():
        where = f"{path}: {name}"
        if not isinstance(job, dict):
            problems.append(f"{where}: expected a mapping")
            continue
        script = job.get("script")
        if not isinstance(script, list) or not script or not all(isinstance(s, str) for s in script):
            problems.append(f"{where}.script: expected a list of commands")
        else:
            scripts += script
        if job.get("stage", "test") not in stages:
            problems.append(f"{where}.stage: {job.get('stage')!r} is not in stages {stages}")
        if job.get("image", doc.get("image")) != "debian:12":
            problems.append(f"{where}.image: expected debian:12")
    return scripts


def main():
    root = sys.argv[1]
    problems = []
    gh = os.path.join(root, ".github", "workflows", "edubench.yml")
    gl = os.path.join(root, ".gitlab-ci.yml")
    for path, check in ((gh, check_github), (gl, check_gitlab)):
        if not os.path.isfile(path):
            problems.append(f"{path}: missing")
            continue
        commands = check(path, problems) or []
        # Both services run the same two scripts, so CI runs what a team runs locally.
        for needed in ("sh ci/install_sdk.sh", "sh ci/test.sh"):
            if not any(needed in c for c in commands):
                problems.append(f"{path}: does not run `{needed}`")
    test_sh = open(os.path.join(root, "ci", "test.sh"), encoding="utf-8").read()
    for needed in ("ctest --test-dir build", "--mode submission", "check submission"):
        if needed not in test_sh:
            problems.append(f"{root}/ci/test.sh: does not run `{needed}`")
    for p in problems:
        print(p)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
