#!/usr/bin/env bash
# Installs the Debian 12 packages edubench needs, only those missing (run as root).
# Nothing is downloaded from anywhere but Debian's archive.
#   --with-slurm       also Slurm and munge: the test that grades a class on a real one-node cluster
#                      (tests/grade/grade_slurm_real.sh; scripts/test.sh asks for it)
#   --with-sanitizers  also clang and its runtimes (AddressSanitizer, UBSan, libFuzzer): the
#                      sanitizer and fuzzing pass of scripts/test.sh (docs/sanitizers.md, docs/fuzzing.md)
set -euo pipefail
with_slurm=0 with_sanitizers=0
for a in "$@"; do
  case $a in
    --with-slurm) with_slurm=1 ;;
    --with-sanitizers) with_sanitizers=1 ;;
    *) echo "install_deps: unknown option $a (expected --with-slurm or --with-sanitizers)" >&2; exit 2 ;;
  esac
done

# Each package is used, and says by what (nothing else is installed).
PACKAGES=(
  g++ gcc cmake make                   # the build (C++20, CMake >= 3.20)
  git                                  # the harness records `git describe` of the tree it was built from
  pkg-config                           # finds libseccomp (hostsvc, session)
  libtorch-dev                         # model/, plugins/, tools/train, bench/textgen (LibTorch 1.13, CPU)
  libopenblas0-openmp                  # LibTorch's BLAS at run time (the reference BLAS is ~30x slower)
  libblas-dev                          # cblas.h and libblas.so: model/'s fast decode path calls CBLAS (the OpenBLAS above at run time)
  libboost-dev                         # Boost.DLL: session/ loads plugins
  libboost-program-options-dev         # cli/, tools/, bench/ command lines
  libboost-filesystem-dev              # Boost.DLL's paths (session/)
  libyaml-cpp-dev                      # registry/ (workloads.yaml), grade/ (team.yaml)
  nlohmann-json3-dev                   # runlog/, compliance/, grade/, report/, model/ (JSON files)
  libssl-dev                           # sha256 of data sets, models, plugins and run files (registry/, runlog/)
  libseccomp-dev                       # the code sandbox (hostsvc/) and the SUT worker's filter (session/worker)
  python3                              # the sandbox runs agents' Python; tests/ read safetensors and check layers
  libsqlite3-dev                       # the grade book (grade/)
  doctest-dev                          # tests/ (unit tests)
  chromium                             # tests/report: the HTML report rendered as a person sees it
  python3-torch                        # bench/textgen/gpt_eager.py: the eager-Python baseline of bench_decode (PyTorch 1.13)
  bible-kjv                            # source text of the textgen data set (scripts/prepare_textgen_data.py)
  python3-yaml                         # tests/starters/check_ci_yaml.py: the GitHub and GitLab CI files new-sut writes parse as YAML
)
if ((with_slurm)); then
  PACKAGES+=(slurm-wlm munge)          # grade --slurm --submit on a one-node cluster (tests/grade/slurm_cluster.sh)
fi
if ((with_sanitizers)); then
  PACKAGES+=(clang libclang-rt-14-dev)  # tests/fuzz against libFuzzer, with ASan + UBSan (libclang-rt: their runtimes)
fi

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
