#!/usr/bin/env bash
# Regenerates data/echo/prompts.txt: the verses of Proverbs 10-15 (King James Version, public
# domain) from Debian's bible-kjv, one per line, reference prefix stripped. Deterministic: the
# same package gives the same file; its sha256 is pinned in workloads.yaml.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v bible >/dev/null || { echo "make_echo_data: install bible-kjv (scripts/install_deps.sh)" >&2; exit 2; }
bible -l100000 "Prov10:1-32" "Prov11:1-31" "Prov12:1-28" "Prov13:1-25" "Prov14:1-35" "Prov15:1-33" \
  | grep -E '^ *[0-9]+ ' | sed -E 's/^ *[0-9]+ //' > data/echo/prompts.txt
wc -l data/echo/prompts.txt
sha256sum data/echo/prompts.txt
