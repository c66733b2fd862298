#!/usr/bin/env bash
# Quick start, part 2: install, then run every test (notebook cells + tests/). Ends with pytest's "N passed" line.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
.venv/bin/python -m pytest tests -q -p no:cacheprovider "$@"
