#!/usr/bin/env bash
# Installs the Debian 12 packages edubench needs, only those missing (run as root).
# Nothing is downloaded from anywhere but Debian's archive.
set -euo pipefail

PACKAGES=(
  g++ gcc cmake make git pkg-config
  libtorch-dev libopenblas0-openmp          # LibTorch plugins; OpenBLAS (the reference BLAS is ~30x slower)
  libboost-dev libboost-program-options-dev libboost-filesystem-dev
  libyaml-cpp-dev nlohmann-json3-dev libssl-dev libfmt-dev
  libseccomp-dev libmuparser-dev python3    # agent tools, the code sandbox, the SUT worker
  libsqlite3-dev                            # the grade book (edubench grade)
  doctest-dev
  bible-kjv                                 # source text of the textgen data set (regeneration)
)

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if ((${#missing[@]} == 0)); then
  echo "install_deps: every package is installed"
  exit 0
fi
if [[ $(id -u) -ne 0 ]]; then
  echo "install_deps: error: missing packages (${missing[*]}); run as root or: sudo apt-get install ${missing[*]}" >&2
  exit 2
fi
echo "install_deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
apt-get install -y -q --no-install-recommends "${missing[@]}"
