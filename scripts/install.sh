#!/usr/bin/env bash
# Install voicebot into ./.venv on a Debian machine, adding the system packages it lacks.
#   scripts/install.sh          → what `voicebot demo` and production need
#   scripts/install.sh --test   → plus what the test suite needs (headless Chromium, test extras)
set -euo pipefail
cd "$(dirname "$0")/.."
extras="whisper"
packages=(espeak-ng sox python3-venv)
if [[ "${1:-}" == "--test" ]]; then
  extras="test"
  packages+=(chromium chromium-driver fonts-wqy-microhei)
fi
need=()
for pkg in "${packages[@]}"; do
  dpkg -s "$pkg" >/dev/null 2>&1 || need+=("$pkg")
done
if ((${#need[@]})); then
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  echo "installing system packages: ${need[*]}" >&2
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need[@]}" >/dev/null
fi
[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip
.venv/bin/python -m pip install -q -e ".[${extras}]"
