"""Measure 17_workflow: the grid (tempo, beats, downbeats, metre, key), the transcriber on true basses, and — with the
bundled models — MIDI of generated takes, take ranking and bar regeneration. Prints markdown; writes bench/results/workflow_*.json.

  python bench/workflow_eval.py grid --n 40                  # both test sets
  python bench/workflow_eval.py transcribe --n 40
  python bench/workflow_eval.py generate --n 30 --seconds 20 --steps 16 --takes 8
"""
import argparse, json, sys, time
sys.path.insert(0, str(__import__('pathlib').Path(__file__).parent))
from pathlib import Path
import numpy as np, torch

ROOT = Path(__file__).resolve().parent.parent
SETS = ['test_trainsf', 'test_fluidr3']

def songs(data, n): return sorted(p for p in (Path(data)).glob('song_*') if p.is_dir())[:n]

def ms(v): v = np.asarray(v, float); return f"{v.mean():.3f} ± {v.std():.3f}"

def grid_eval(a):
    import mir_eval
    from bassnb.synth import read_song
    from bassnb.evaluation import song_mix
    from bassnb.workflow import analyse
    res = {}
    for s in SETS:
        rows = []
        for d in songs(Path(a.data) / s, a.n):
            st, m = read_song(d)
            g = analyse(song_mix((st, m)), m['sr'])
            t, tr = g.tempo, m['tempo']
            rb, rd = mir_eval.beat.trim_beats(np.array(m['beats'])), mir_eval.beat.trim_beats(np.array(m['downbeats']))
            rows.append(dict(song=m['song_id'], tempo=tr, est=t, acc1=abs(t / tr - 1) <= .02,
                             acc2=any(abs(t / (tr * k) - 1) <= .02 for k in (1, 2, .5, 3, 1 / 3)),
                             beat_f=mir_eval.beat.f_measure(rb, mir_eval.beat.trim_beats(np.array(g.beats))),
                             downbeat_f=mir_eval.beat.f_measure(rd, mir_eval.beat.trim_beats(np.array(g.downbeats))),
                             meter_ok=g.meter == m['time_signature'][0],
                             key=mir_eval.key.weighted_score(f"{m['key']} {m['mode']}", g.key), key_est=g.key, key_ref=f"{m['key']} {m['mode']}"))
        res[s] = rows
    print('| test set | songs | tempo within 2 % | within 2 % allowing ×2, ×½, ×3, ×⅓ | beat F | downbeat F | metre right | key (MIREX weighted) | key exactly right |')
    print('|---|---|---|---|---|---|---|---|---|')
    for s, r in res.items():
        c = lambda k: np.mean([x[k] for x in r])
        print(f"| {s} | {len(r)} | {c('acc1'):.3f} | {c('acc2'):.3f} | {ms([x['beat_f'] for x in r])} | {ms([x['downbeat_f'] for x in r])} | "
              f"{c('meter_ok'):.3f} | {c('key'):.3f} | {np.mean([x['key'] == 1 for x in r]):.3f} |")
    return res

def transcribe_eval(a):
    from bassnb.synth import read_song
    from bassnb.workflow import transcribe, note_f1
    res = {}
    for s in SETS:
        rows = []
        for d in songs(Path(a.data) / s, a.n):
            st, m = read_song(d)
            p, r, f = note_f1(m['bass_notes'], transcribe(st['bass'], m['sr']))
            rows.append(dict(song=m['song_id'], program=m['stems']['bass']['program_name'], p=p, r=r, f=f))
        res[s] = rows
    print('| test set | songs | note precision | note recall | note F1 (onset ±50 ms, pitch ±50 cents) | songs with F1 ≥ 0.9 |')
    print('|---|---|---|---|---|---|')
    for s, r in res.items():
        print(f"| {s} | {len(r)} | {ms([x['p'] for x in r])} | {ms([x['r'] for x in r])} | {ms([x['f'] for x in r])} | "
              f"{sum(x['f'] >= .9 for x in r)}/{len(r)} |")
    allf = [x['f'] for r in res.values() for x in r]
    print(f"\nall {len(allf)} songs: note F1 {ms(allf)}; worst: " +
          ', '.join(f"{x['song']} {x['program']} {x['f']:.2f}" for x in sorted((x for r in res.values() for x in r), key=lambda x: x['f'])[:5]))
    return res

def main():
    p = argparse.ArgumentParser()
    p.add_argument('what', choices=['grid', 'transcribe', 'generate'])
    p.add_argument('--data', default=str(ROOT / 'data'), help='folder holding the test sets ' + ' and '.join(SETS) +
                   ' (default: this checkout\'s data/; the README\'s Results section renders them)')
    p.add_argument('--n', type=int, default=40)
    p.add_argument('--seconds', type=float, default=20.)
    p.add_argument('--steps', type=int, default=16)
    p.add_argument('--takes', type=int, default=8)
    p.add_argument('--threads', type=int, default=1)
    p.add_argument('--inpaint', type=int, default=10, help='songs on which bar regeneration is measured')
    p.add_argument('--model', help='generate: model folder (default: the bundled small models; the judge is always the bundled one)')
    a = p.parse_args()
    missing = [s for s in SETS if not any((Path(a.data) / s).glob('song_*'))]
    if missing: p.error(f"{a.data}: has no test songs in {', '.join(missing)}; render them as the README's Results section says (bassnb synth --n 40 --out data/test_fluidr3 --seed 777 ...) or pass --data")
    torch.set_num_threads(a.threads)
    t0 = time.time()
    if a.what == 'generate':
        from workflow_generate import generate_eval
        res = generate_eval(a)
    else: res = dict(grid=grid_eval, transcribe=transcribe_eval)[a.what](a)
    print(f"\n({time.time() - t0:.0f} s; command: python bench/workflow_eval.py {' '.join(sys.argv[1:])})")
    out = ROOT / 'bench' / 'results' / f'workflow_{a.what}.json'
    out.write_text(json.dumps(dict(args=vars(a), results=res), indent=1, default=float))

if __name__ == '__main__': main()
