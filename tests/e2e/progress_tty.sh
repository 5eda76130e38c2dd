#!/usr/bin/env bash
# progress_tty.sh REGEX -- COMMAND...: on a terminal (script(1) gives the command one) the output
# holds the progress line REGEX; without a terminal (a pipe) it does not.
set -uo pipefail
regex=$1
shift 2
command -v script >/dev/null || { echo "SKIP: no script(1)"; exit 77; }
printf -v cmd '%q ' "$@"
tty_out=$(script -qec "$cmd" /dev/null 2>&1)
pipe_out=$("$@" 2>&1 | cat)
grep -qE -- "$regex" <<<"$tty_out" || { echo "FAIL: no /$regex/ on a terminal:"; echo "$tty_out" | tail -5; exit 1; }
if grep -qE -- "$regex" <<<"$pipe_out"; then echo "FAIL: /$regex/ without a terminal:"; echo "$pipe_out" | tail -5; exit 1; fi
echo "progress line on a terminal only: ok"
