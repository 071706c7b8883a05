# Shared by scripts/start.sh and scripts/test.sh: make pnpm (through corepack) and system tools available.
# shellcheck shell=bash

# Corepack 0.34 ships npm-registry signing keys older than the ones pnpm is now signed with;
# without this it refuses every pnpm download with "No compatible signature found".
export COREPACK_ENABLE_DOWNLOAD_PROMPT=0
export COREPACK_INTEGRITY_KEYS=0

pnpm_cmd() {
  corepack pnpm "$@"
}

# apt_ensure CMD:PACKAGE ... — installs the Debian packages whose command is missing.
apt_ensure() {
  local missing=() pair cmd pkg
  for pair in "$@"; do
    cmd=${pair%%:*}
    pkg=${pair#*:}
    if ! command -v "$cmd" >/dev/null 2>&1 && [ ! -x "$cmd" ]; then
      missing+=("$pkg")
    fi
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  echo "Installing Debian packages: ${missing[*]}"
  local sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
}
