"""Helpers shared by the bench scripts (run as `python bench/<script>.py`, so `from common import ...` finds this file)."""
import json
from pathlib import Path
from bassnb.data import find_songs, split_songs
from bassnb.audio import atomic_write

def test_songs(data, n:int|None=None, whole=False):
    "The first `n` (all if None) songs of the held-out test split of the corpus in `data`: the split every bench scores on; with `whole`, of all its songs (a test-only corpus such as data/test_fluidr3)."
    songs = find_songs(data)
    return (songs if whole else split_songs(songs)['test'])[:n]

def write_results(path, res) -> Path:
    "Write `res` as indented JSON to `path` (folders made, numpy/torch numbers as floats), atomically."
    path = Path(path); path.parent.mkdir(parents=True, exist_ok=True)
    with atomic_write(path, overwrite=True) as tmp: Path(tmp).write_text(json.dumps(res, indent=1, default=float))
    return path

def song_line_renders(song_dir, sr:int, n:int, soundfont='fluidr3', programs=None) -> dict:
    "The song's own bass line (its song.mid) played by each GM bass program of `soundfont`: `{program: array (2, n)}` at `sr`."
    import numpy as np
    from bassnb.synth import BASS_PROGRAMS, render_timbre, stem_instrument
    _, inst = stem_instrument(song_dir, 'bass')
    out = {}
    for p in programs or BASS_PROGRAMS:
        inst.program = p
        out[p] = np.ascontiguousarray(render_timbre(dict(soundfont=soundfont), inst, sr, n, 0., tail=0.).T)
    return out
