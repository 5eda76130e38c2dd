#!/usr/bin/env bash
# `edubench new-sut` as a student meets it, from the build tree (templates from the source
# tree): --help, every bad input refused with one line and exit 2, every starter rendered with
# no placeholder left, every written file named on stdout, the CI files valid for their
# services, and a second run refused with exit 7 without touching a byte.
#   new_sut_cli.sh EDUBENCH SOURCE_DIR WORKDIR
set -uo pipefail
edubench=$1 src=$2 work=$3
fail() { echo "FAIL: $*"; exit 1; }
rm -rf "$work" && mkdir -p "$work"
cd "$work" || exit 1

"$edubench" new-sut --help >help.txt 2>&1 || fail "--help exit $?"
grep -q -- "--workload" help.txt || fail "--help does not describe --workload"

# expect RC REGEX ARGS...: exit code RC and exactly one stderr line matching REGEX.
expect() {
  local rc=$1 re=$2
  shift 2
  "$edubench" new-sut "$@" >out.txt 2>err.txt
  local got=$?
  [[ $got == "$rc" ]] || fail "new-sut $*: exit $got, expected $rc ($(cat err.txt))"
  [[ $(wc -l <err.txt) == 1 ]] || fail "new-sut $*: expected one stderr line, got: $(cat err.txt)"
  grep -Eq "^edubench: error: $re" err.txt || fail "new-sut $*: stderr '$(cat err.txt)' does not match '$re'"
}
expect 2 "new-sut: expected a NAME" --workload echo
expect 2 "new-sut: NAME '1team'" 1team --workload echo
expect 2 "new-sut: NAME 'a-b'" a-b --workload echo
expect 2 "new-sut: --workload: required" t0
expect 2 "new-sut: --workload nope: no starter for it \(starters: codegen_agent \(cpp\)" t0 --workload nope
expect 2 "new-sut: --lang c: the kv_cache starter is C\+\+ only" t0 --workload kv_cache --lang c
expect 2 "new-sut: --lang rust: expected c or cpp" t0 --workload echo --lang rust
expect 2 "new-sut unrecognised option '--bogus'" t0 --workload echo --bogus
[[ ! -e t0 ]] || fail "a refused new-sut left t0/ behind"

for spec in echo:c echo:cpp kv_cache:cpp speculative_decode:cpp react_agent:cpp codegen_agent:cpp; do
  w=${spec%%:*} lang=${spec##*:} dir=p_${w}_$lang
  "$edubench" new-sut "team_$w" --workload "$w" --lang "$lang" --dir "$dir" >"$dir.out" 2>"$dir.err" ||
    fail "new-sut --workload $w --lang $lang: exit $? ($(cat "$dir.err"))"
  # Every file on disk is named on stdout, and nothing else is claimed.
  diff <(cd "$dir" && find . -type f | sed 's|^\./||' | sort) \
       <(sed -n "s|^wrote $dir/||p" "$dir.out" | sort) >/dev/null ||
    fail "$w/$lang: the files written and the files printed differ"
  for f in CMakeLists.txt README.md tests/CMakeLists.txt ci/test.sh ci/install_sdk.sh .gitlab-ci.yml \
           .github/workflows/edubench.yml .gitignore; do
    [[ -f $dir/$f ]] || fail "$w/$lang: no $f"
  done
  [[ -x $dir/ci/test.sh ]] || fail "$w/$lang: ci/test.sh is not executable"
  if grep -rEn "@[A-Z][A-Z0-9_]*@" "$dir"; then fail "$w/$lang: a placeholder was left unreplaced"; fi
  grep -q "edubench_add_sut(team_$w SOURCES src/sut.c" "$dir/CMakeLists.txt" || fail "$w/$lang: CMakeLists.txt lacks edubench_add_sut"
  grep -q -- "--workload $w " "$dir/tests/CMakeLists.txt" || fail "$w/$lang: the accuracy test is not on $w"
  python3 "$src/tests/starters/check_ci_yaml.py" "$dir" || fail "$w/$lang: CI files"
done
# The YAML check can fail: a job without runs-on, a GitLab job without script, a CI file that no
# longer runs ci/test.sh are each named.
cp -r p_echo_c broken
sed -i '/runs-on:/d' broken/.github/workflows/edubench.yml
sed -i 's|    - sh ci/test.sh|    - echo skipped|' broken/.gitlab-ci.yml
python3 "$src/tests/starters/check_ci_yaml.py" broken >broken.txt && fail "check_ci_yaml.py passed a broken project"
grep -q "edubench.yml: jobs.test.runs-on: missing" broken.txt || fail "runs-on not named: $(cat broken.txt)"
grep -q ".gitlab-ci.yml: does not run .sh ci/test.sh." broken.txt || fail "ci/test.sh not named: $(cat broken.txt)"
echo "stages: [test]" >broken/.gitlab-ci.yml && echo "job: {stage: test, image: debian:12}" >>broken/.gitlab-ci.yml
python3 "$src/tests/starters/check_ci_yaml.py" broken >broken.txt
grep -q ".gitlab-ci.yml: job.script: expected a list of commands" broken.txt || fail "a job without script not named: $(cat broken.txt)"
[[ -f p_echo_c/src/sut.c && -f p_echo_cpp/src/sut.cpp ]] || fail "echo: --lang picks the wrong source"
"$edubench" new-sut dflt --workload echo >/dev/null 2>&1 && [[ -f dflt/src/sut.c ]] || fail "echo's default language is not C"

# A second run over the same folder: refused (exit 7), one line naming a file, nothing changed.
before=$(cd p_echo_c && find . -type f -exec sha256sum {} + | sort)
expect 7 "new-sut: p_echo_c/.* exists; refusing to overwrite" team_echo --workload echo --dir p_echo_c
after=$(cd p_echo_c && find . -type f -exec sha256sum {} + | sort)
[[ $before == "$after" ]] || fail "a refused new-sut changed p_echo_c/"
# One file in the way is enough: nothing else is written either.
mkdir -p partial && echo keep >partial/README.md
expect 7 "new-sut: partial/README.md exists; refusing to overwrite" team --workload echo --dir partial
[[ $(find partial -type f | wc -l) == 1 && $(cat partial/README.md) == keep ]] || fail "a refused new-sut wrote into partial/"
echo PASS
