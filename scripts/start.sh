#!/usr/bin/env bash
# Installs everything and runs the console on http://127.0.0.1:8080 (simulator mode unless
# OVH credentials are set; see README "Configuration"). The banner it prints says the address it
# really listens on, the simulator's admin API and, with no users configured, a one-time password
# (`kill -USR2 <pid>`, the pid the banner shows, prints a new one).
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh

pnpm_cmd install --frozen-lockfile
pnpm_cmd --filter @byoi/web build
exec corepack pnpm --filter @byoi/bff start
