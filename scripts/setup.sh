#!/usr/bin/env bash
# Create .venv (when missing) and install bassnb in editable mode with its development tools.
# Safe to run again: pip only installs what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
[ -x .venv/bin/python ] || "$PY" -m venv .venv
. .venv/bin/activate
pip install -q --disable-pip-version-check -e '.[dev]'
# tinysoundfont renders our training songs; its pyaudio dependency (live playback only) needs portaudio headers
# to build, so we install it without dependencies (see README, "Why these pins").
python -c 'import tinysoundfont' 2>/dev/null || pip install -q --disable-pip-version-check --no-deps tinysoundfont
# librosa compiles its numba kernels on first use and caches them inside its package; compile the ones bassnb uses
# (through its own pitch, onset and beat functions) once here, so that processes started side by side later (the docs
# build runs two notebooks at a time) don't write that cache at once: a cache written concurrently once crashed a notebook.
python -c "import numpy as np; from bassnb.evaluation import bass_f0, bass_onsets, track_beats
y = np.random.default_rng(0).standard_normal(22050).astype('float32') * .1
bass_f0(y, 22050); bass_onsets(y, 22050); track_beats(y, 22050)"
# General MIDI SoundFonts: the training corpus renders with several (nbs/01a_timbres); FluidR3 is the unseen-timbre test set.
sfs="timgm6mb-soundfont csound-soundfont opl3-soundfont fluid-soundfont-gm"
[ -f /usr/share/sounds/sf2/FluidR3_GM.sf2 ] && [ -f /usr/share/sounds/sf2/TimGM6mb.sf2 ] ||
  { [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null && apt-get update -qq && apt-get install -y -qq $sfs >/dev/null; } ||
  echo "setup.sh: SoundFonts missing (apt-get install $sfs); tests that render with them will be skipped"
# tests/test_widget_browser.py drives the widget in Debian's chromium through Playwright (it skips without a browser).
command -v chromium >/dev/null || { [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null &&
  apt-get update -qq && apt-get install -y -qq chromium >/dev/null; } ||
  echo "setup.sh: no chromium (apt-get install chromium); the browser test will be skipped"
# The docs site (scripts/docs.sh) is built with mkdocs-material + mkdocs-jupyter and MathJax from jupyter-server-mathjax
# (dev_requirements above); the one Mermaid diagram (nbs/index.ipynb) is drawn by mermaid.min.js from its npm package.
mm=.venv/share/bassnb/mermaid.min.js
if [ ! -f "$mm" ]; then
  t=$(mktemp -d)
  if command -v npm >/dev/null && (cd "$t" && npm pack -q mermaid@11.17.2 >/dev/null 2>&1 &&
       tar xzf mermaid-11.17.2.tgz package/dist/mermaid.min.js); then
    mkdir -p "$(dirname "$mm")" && mv "$t/package/dist/mermaid.min.js" "$mm"
  else echo "setup.sh: no mermaid.min.js (needs npm); the docs site will show the index's diagram as its source text"; fi
  rm -rf "$t"
fi
