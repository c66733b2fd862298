#!/usr/bin/env bash
# Build the docs site into _docs/ (offline): every notebook executed, show_doc entries, navigation, search, MathJax
# served from the site. Open _docs/index.html, or serve it: python -m http.server -d _docs (search needs http).
# Options go to scripts/build_docs.py: --jobs 2 (notebooks side by side), --timeout 300 (seconds per notebook), --only 03_spectral
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x .venv/bin/python ] && .venv/bin/python -c 'import mkdocs_jupyter, jupyter_server_mathjax' 2>/dev/null || bash scripts/setup.sh
.venv/bin/python scripts/build_docs.py "$@"
