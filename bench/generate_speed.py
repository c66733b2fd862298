"""Speed and peak memory of bass generation with the bundled models, against song length.

Each length runs in a fresh process (so peak memory is that run's own): the demo mix from data_samples/ is tiled to
the length, then `BassGenerator.generate` runs at the default settings (`GenConfig`: 64 DDIM steps, guidance on). Reported:
wall time, real-time factor (seconds of compute per second of audio; < 0.05 means faster than 20x real time),
and peak resident memory before and after generating.

    python bench/generate_speed.py                       # 10 s, 30 s, 1 min, 3 min, 10 min
    python bench/generate_speed.py --lengths 30 --threads 2 --steps 32
    python bench/generate_speed.py --precision fp32 bf16                # the two U-Net precisions side by side
    python bench/generate_speed.py --lengths 180 --harmony 0 3          # harmony guidance off and on, side by side
    python bench/generate_speed.py --lengths 180 --tone-match 0 1       # with a style clip, tone matching off and on
"""
import argparse, itertools, json, subprocess, sys
from pathlib import Path
from bassnb.sampling import GenConfig

CHILD = r'''
import json, resource, sys, time, torch
from bassnb.pipeline import BassGenerator
from bassnb.audio import load_audio
seconds, threads, steps, model, precision = float(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), sys.argv[4] or None, sys.argv[5]
harmony = {'harmony': float(sys.argv[6])} if sys.argv[6] else {}
styled = dict(style='data_samples/style_finger.ogg', tone_match=float(sys.argv[7])) if sys.argv[7] else {}   # a style clip, tone matching
torch.set_num_threads(threads)
gen = BassGenerator.from_pretrained(model, device='cpu', precision=precision, **harmony)
mix, sr = load_audio('data_samples/demo_mix.ogg')
n = int(seconds * sr)
mix = mix.repeat(1, n // mix.shape[1] + 1)[:, :n]
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
gen.generate(mix[:, :sr], sr, steps=2, progress=False)            # warm-up
t0 = time.perf_counter()
r = gen.generate(mix, sr, steps=steps, progress=False, **styled)
dt = time.perf_counter() - t0
assert r.bass.shape[-1] == n
print(json.dumps(dict(seconds=seconds, wall=dt, rtf=dt / seconds, frames=r.latent.shape[-1],
                      rss_before_mb=before / 1024, rss_peak_mb=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)))
'''

def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--lengths', type=float, nargs='+', default=[10, 30, 60, 180, 600], help='song lengths in seconds')
    ap.add_argument('--threads', type=int, default=2)
    ap.add_argument('--steps', type=int, default=GenConfig.steps, help=f'DDIM steps (default: GenConfig.steps = {GenConfig.steps})')
    ap.add_argument('--model', default='', help='model folder (default: bundled)')
    ap.add_argument('--precision', nargs='+', default=['auto'], choices=['auto', 'fp32', 'bf16'],
                    help='U-Net precision(s), side by side (default: auto)')
    ap.add_argument('--harmony', type=float, nargs='+', default=[None],
                    help=f'harmony guidance strength(s), side by side (default: GenConfig.harmony = {GenConfig.harmony:g})')
    ap.add_argument('--tone-match', type=float, nargs='+', default=[None],
                    help='with data_samples/style_finger.ogg as style clip, these tone-match strengths side by side (default: no style clip)')
    a = ap.parse_args()
    root = Path(__file__).resolve().parents[1]
    print(f'threads {a.threads}, {a.steps} DDIM steps with guidance (batch of 2 per U-Net call)\n')
    print('| song length | precision | harmony | style clip, tone match | latent frames | wall time | real-time factor | peak memory (MB) | of which generation |')
    print('|---|---|---|---|---|---|---|---|---|')
    for s in a.lengths:
        for prec, h, t in itertools.product(a.precision, a.harmony, a.tone_match):
            out = subprocess.run([sys.executable, '-c', CHILD, str(s), str(a.threads), str(a.steps), a.model, prec, '' if h is None else str(h),
                                  '' if t is None else str(t)],
                                 capture_output=True, text=True, cwd=root)
            if out.returncode: print(out.stderr[-2000:]); sys.exit(1)
            r = json.loads(out.stdout.strip().splitlines()[-1])
            print(f"| {s:g} s | {prec} | {'default' if h is None else f'{h:g}'} | {'none' if t is None else f'yes, {t:g}'} | {r['frames']} | {r['wall']:.2f} s | {r['rtf']:.4f} | {r['rss_peak_mb']:.0f} | "
                  f"{r['rss_peak_mb'] - r['rss_before_mb']:.0f} |")

if __name__ == '__main__':
    main()
