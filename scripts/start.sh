#!/usr/bin/env bash
# Installs everything and runs the console on http://localhost:8080 (simulator mode unless
# OVH credentials are set; see README "Configuration").
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh

pnpm_cmd install --frozen-lockfile
pnpm_cmd --filter @byoi/web build
exec corepack pnpm --filter @byoi/bff start
