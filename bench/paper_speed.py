"""Where generation with the `paper` presets spends its time, next to the bare networks, side by side in one run.

The paper presets (random weights, seeded: speed does not depend on training) run `BassGenerator.generate` on a 44.1 kHz
stereo mix of `--seconds` (the demo mix, tiled), 64 guided DDIM steps. In the same process and right after, the three
networks are timed bare: the mix encoder on the whole mix, 64 forwards of the U-Net on a batch of 2 (guidance), the bass
decoder on the whole latent. Generation is also split into its stages (input preparation, mix encoding, sampling,
decoding, the rest) by timing the methods it calls. Each figure is the median of `--repeats` runs.

    python bench/paper_speed.py --seconds 180 --precision fp32 bf16          # the issue's measurement (3-minute song)
    python bench/paper_speed.py --seconds 20 --steps 8 --repeats 1           # a quick look
"""
import argparse, statistics, time, sys
from pathlib import Path
import torch
from bassnb.audio import load_audio, resample, to_channels
from bassnb.autoencoder import StftAutoencoder, ae_preset
from bassnb.unet import LatentUNet, unet_preset
from bassnb.pipeline import BassGenerator, unet_dtype
from bassnb.sampling import GenConfig
import bassnb.pipeline as pipeline, bassnb.autoencoder as autoencoder

ROOT = Path(__file__).resolve().parents[1]


class Stages:
    "Accumulated wall time of wrapped callables, by name."
    def __init__(self): self.t = {}
    def wrap(self, name, f):
        def g(*a, **k):
            t0 = time.perf_counter()
            try: return f(*a, **k)
            finally: self.t[name] = self.t.get(name, 0.) + time.perf_counter() - t0
        return g


def paper_models(seed=0):
    torch.manual_seed(seed)
    bass = StftAutoencoder(ae_preset('paper', 'bass')).eval()
    mix = StftAutoencoder(ae_preset('paper', 'mix')).eval()
    unet = LatentUNet(unet_preset('paper')).eval()
    return bass, mix, unet


def bare(gen, y, steps, dtype):
    "Seconds of (mix encoder, `steps` batch-2 U-Net forwards, bass decoder) on the prepared mix `y`."
    unet = gen._unet_for(dtype)
    with torch.inference_mode():
        t0 = time.perf_counter(); cond = gen.mix_ae.encode(y[None]); t1 = time.perf_counter()
        z = torch.randn(2, gen.unet.cfg.in_dim, cond.shape[-1]); c2 = torch.cat([cond, torch.zeros_like(cond)])
        t = torch.full((2,), .5)
        for _ in range(steps): unet(z, t, c2)
        t2 = time.perf_counter(); gen.bass_ae.decode(z[:1], y.shape[-1]); t3 = time.perf_counter()
    return dict(encode=t1 - t0, unet=t2 - t1, decode=t3 - t2)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--seconds', type=float, default=180.)
    ap.add_argument('--steps', type=int, default=GenConfig.steps)
    ap.add_argument('--precision', nargs='+', default=['fp32', 'bf16'], choices=['fp32', 'bf16'])
    ap.add_argument('--threads', type=int, default=2)
    ap.add_argument('--repeats', type=int, default=3)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    bass, mix, unet = paper_models()
    x, sr = load_audio(ROOT / 'data_samples' / 'demo_mix.ogg')
    x = to_channels(resample(x, sr, 44100), 2)
    n = int(a.seconds * 44100)
    x = x.repeat(1, n // x.shape[1] + 1)[:, :n].contiguous()
    print(f"paper presets (random weights), {a.seconds:g} s of 44.1 kHz stereo, {a.steps} DDIM steps with guidance, "
          f"{a.threads} threads, median of {a.repeats}; load at start: {Path('/proc/loadavg').read_text().split()[0]}\n")
    print('| precision | generate (s) | RTF | bare encoder + U-Net + decoder (s) | RTF | ratio | prepare | encode (in generate) | '
          'sampling | decode (in generate) | rest |')
    print('|---|---|---|---|---|---|---|---|---|---|---|')
    for prec in a.precision:
        gen = BassGenerator(bass, mix, unet, device='cpu', gen=GenConfig(precision=prec))
        gen.generate(x[:, :44100 * 4], 44100, steps=2, progress=False)            # warm-up
        runs = []
        for _ in range(a.repeats):
            st = Stages()
            patches = [(pipeline.BassGenerator, '_prepare'), (pipeline.BassGenerator, 'condition'),
                       (pipeline, 'generate_latent'), (autoencoder.StftAutoencoder, 'decode_chunked')]
            saved = [(o, k, getattr(o, k)) for o, k in patches]
            for o, k, f in saved: setattr(o, k, st.wrap(k, f))
            try:
                t0 = time.perf_counter(); gen.generate(x, 44100, steps=a.steps, progress=False); total = time.perf_counter() - t0
            finally:
                for o, k, f in saved: setattr(o, k, f)
            y, _ = gen._prepare(x, 44100, 'mix', 1.)
            b = bare(gen, y, a.steps, unet_dtype(prec, 'cpu'))
            runs.append(dict(total=total, bare=sum(b.values()), **{f'bare_{k}': v for k, v in b.items()}, **st.t))
        m = {k: statistics.median(r[k] for r in runs) for k in runs[0]}
        rest = m['total'] - m['_prepare'] - m['condition'] - m['generate_latent'] - m['decode_chunked']
        print(f"| {prec} | {m['total']:.2f} | {m['total'] / a.seconds:.3f} | {m['bare']:.2f} "
              f"({m['bare_encode']:.2f} + {m['bare_unet']:.2f} + {m['bare_decode']:.2f}) | {m['bare'] / a.seconds:.3f} | "
              f"{m['total'] / m['bare']:.3f} | {m['_prepare']:.2f} | {m['condition']:.2f} | {m['generate_latent']:.2f} | "
              f"{m['decode_chunked']:.2f} | {rest:.2f} |", flush=True)


if __name__ == '__main__':
    main()
