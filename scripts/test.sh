#!/usr/bin/env bash
# Installs everything the tests need and runs every test: typecheck, lint, unit and integration
# tests (Vitest), the end-to-end suite (Playwright on Debian's Chromium) and a smoke run of the bench.
# The store's tests run on a real PostgreSQL: TEST_DATABASE_URL, else 127.0.0.1:5432, else a
# throwaway cluster started here and removed on exit (scripts/test-postgres.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh
. scripts/test-postgres.sh

# Real images for the tests are made with real tools; the browser is Debian's Chromium.
apt_ensure qemu-img:qemu-utils sgdisk:gdisk sfdisk:fdisk genisoimage:genisoimage \
  mkfs.fat:dosfstools mcopy:mtools zstd:zstd xz:xz-utils bzip2:bzip2 /usr/bin/chromium:chromium

test_postgres

pnpm_cmd install --frozen-lockfile
pnpm_cmd run typecheck
pnpm_cmd run lint
pnpm_cmd run format:check
pnpm_cmd run test
