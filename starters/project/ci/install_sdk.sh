#!/bin/sh
# Installs the course's edubench SDK on a Debian 12 CI image (run as root): ci/edubench-sdk.deb if
# the team committed it, else the .deb at $EDUBENCH_SDK_URL (a CI variable the course gives you).
# apt resolves the SDK's Debian dependencies (compiler, CMake, LibTorch, OpenBLAS, python3).
set -eu
cd "$(dirname "$0")/.."
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
if [ -f ci/edubench-sdk.deb ]; then
  deb=$(pwd)/ci/edubench-sdk.deb
elif [ -n "${EDUBENCH_SDK_URL:-}" ]; then
  apt-get install -y -q --no-install-recommends ca-certificates curl
  curl -fsSL -o /tmp/edubench-sdk.deb "$EDUBENCH_SDK_URL"
  deb=/tmp/edubench-sdk.deb
else
  echo "install_sdk: error: no ci/edubench-sdk.deb and EDUBENCH_SDK_URL is not set (the course's SDK .deb)" >&2
  exit 2
fi
apt-get install -y -q --no-install-recommends "$deb"
