"Note F1 of bassnb.workflow.transcribe with check=False (the code path before the harmonic-salience check) and check=True, one pYIN pass per song:  python bench/transcribe_ab.py DIR [N]"
import sys, os, time; os.environ.setdefault('OMP_NUM_THREADS', '1')
import numpy as np, librosa, torch; torch.set_num_threads(1)
from pathlib import Path
_p, _c = librosa.pyin, {}
def pyin(y, **kw):
    k = (y.tobytes().__hash__(), repr(sorted(kw.items())))
    if k not in _c: _c.clear(); _c[k] = _p(y, **kw)
    return _c[k]
librosa.pyin = pyin
import bassnb.workflow as W
from bassnb.synth import read_song
from bassnb.data import find_songs
D = Path(sys.argv[1]); n = int(sys.argv[2]) if len(sys.argv) > 2 else 40
rows = []; t0 = time.time()
for s in find_songs(D)[:n]:
    d = s.dir; st, m = read_song(d)
    f = [W.note_f1(m['bass_notes'], W.transcribe(st['bass'], m['sr'], check=c))[2] for c in (False, True)]
    rows.append(f); print(d.name, m['stems']['bass']['program_name'], f'{f[0]:.3f} -> {f[1]:.3f}', flush=True)
r = np.array(rows)
for i, k in enumerate(('before (check=False)', 'after (check=True)')):
    print(f"{D.name} {k}: note F1 {r[:, i].mean():.3f} ± {r[:, i].std():.3f}, {int((r[:, i] >= .9).sum())}/{len(r)} songs >= 0.9")
print(f'{time.time() - t0:.0f} s')
