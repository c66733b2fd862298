#!/usr/bin/env bash
# Quick start, part 1: install, then run the main job on the bundled defaults.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
.venv/bin/bassnb demo --force "$@"
