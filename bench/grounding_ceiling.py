"""How much of a bass's timbre lives in its latent's time-average? The ceiling of style grounding (issue 14).

Style grounding (11_sampling) moves the generated latent's time-average toward the style clip's. It can only move the
timbre as far as the latent's time-average carries it. This script measures that without the diffusion model, on test
songs whose true bass line we have as MIDI. For each song a requested GM bass program (not the song's own) is drawn
as in eval_generation.py, and the style clip is another song's line played by it (8 s). Each row decodes a latent and
asks which of the 8 programs, playing **this song's own line** (rendered from its song.mid), is nearest in timbre
(`timbre_features`, MFCC + spectral shape):

- `round trip of the requested program`: this song's line played by the requested program, encoded and decoded — how
  well the autoencoder keeps the program's identity at all (the ceiling of any latent-space transfer);
- `mean swap`: the song's true bass latent with its time-average replaced by the style clip's — what grounding at full
  strength on every step could reach at best;
- `mean + std swap`: also each channel's std over time matched to the clip's;
- `covariance swap`: the whole channel covariance matched (whitening-colouring, shrinkage 0.1).

    python bench/grounding_ceiling.py --data data/test_fluidr3 --soundfont fluidr3 --m 20
    python bench/grounding_ceiling.py --data data/test_trainsf --soundfont timgm6mb --m 20 --bass-ae old/bass_ae.safetensors
"""
import argparse, time
from pathlib import Path
import numpy as np, torch
from bassnb.synth import read_song, BASS_PROGRAMS
from bassnb.checkpoint import load_ae
from bassnb.pipeline import BassGenerator
from bassnb.evaluation import program_references, timbre_features, timbre_scale, timbre_distance, TIMBRE_SR
from bassnb.sampling import time_mean
from common import test_songs, write_results, song_line_renders
from tqdm.auto import tqdm

ROWS = {'rt': 'round trip of the requested program', 'mean': 'mean swap', 'meanstd': 'mean + std swap', 'cov': 'covariance swap'}

def covariance(z, shrink=.1):
    "Channel covariance (D, D) of a latent (1, D, T), shrunk toward a scaled identity."
    x = z[0] - z[0].mean(-1, keepdim=True)
    c = x @ x.T / x.shape[-1]
    return (1 - shrink) * c + shrink * torch.eye(c.shape[0]) * c.diagonal().mean()

def mpow(c, p):
    e, v = torch.linalg.eigh(c.double())
    return (v * e.clamp_min(1e-8) ** p @ v.T).float()

def swaps(z, zs):
    "The three statistic swaps of latent `z` (1, D, T) toward style latent `zs`."
    m, ms = time_mean(z), time_mean(zs)
    out = dict(mean=z - m + ms, meanstd=(z - m) / z.std(-1, keepdim=True).clamp_min(1e-6) * zs.std(-1, keepdim=True) + ms)
    out['cov'] = (mpow(covariance(zs), .5) @ mpow(covariance(z), -.5) @ (z - m)[0])[None] + ms
    return out

def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--data', default='data/test_fluidr3', help='a test-only corpus (every song is scored)')
    ap.add_argument('--soundfont', default='fluidr3', help='SoundFont of the style clips and the program references')
    ap.add_argument('--m', type=int, default=20)
    ap.add_argument('--bass-ae', help='bass autoencoder to measure (default: the bundled one)')
    ap.add_argument('--style-seed', type=int, default=50_000, help='as eval_generation.py: the same style clips')
    ap.add_argument('--threads', type=int, default=1)
    ap.add_argument('--name', default='grounding_ceiling')
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    gen = BassGenerator.from_pretrained(device='cpu')
    if a.bass_ae: gen.bass_ae = load_ae(a.bass_ae)
    ae = gen.bass_ae
    def encode(x, sr):
        y, _ = gen._prepare(x, sr, 'style', 0.)
        with torch.inference_mode(): return ae.to_unit(ae.encode_chunked(y[None], gen.gen.window)), y.shape[-1]
    def decode(z, n):
        with torch.inference_mode(): return ae.decode_chunked(ae.from_unit(z), n, gen.gen.window)[0].float()
    t0, rows = time.perf_counter(), []
    for i, s in enumerate(tqdm(test_songs(a.data, whole=True)[:a.m], desc='songs')):
        stems, meta = read_song(s.dir)
        own = meta['stems']['bass']['program']
        others = [p for p in BASS_PROGRAMS if p != own]
        req = others[i % len(others)]
        clip = program_references(a.style_seed + i, seconds=8., soundfont=a.soundfont)[req]
        n = stems['bass'].shape[-1]
        line = song_line_renders(s.dir, meta['sr'], n, a.soundfont)
        refs = {p: timbre_features(v, meta['sr']) for p, v in line.items()}
        scale = timbre_scale(list(refs.values()))
        def nearest(x):
            f = timbre_features(x, gen.sr)
            return min(refs, key=lambda p: timbre_distance(f, refs[p], scale))
        zs, _ = encode(clip, TIMBRE_SR)
        z, nz = encode(stems['bass'], meta['sr'])
        zr, nr = encode(torch.from_numpy(line[req]), meta['sr'])
        row = dict(song=meta['song_id'], own=own, requested=req, rt=nearest(decode(zr, nr)))
        row.update({k: nearest(decode(v, nz)) for k, v in swaps(z, zs).items()})
        rows.append(row)
    print(f"{a.data}, style clips and references by {a.soundfont}, bass AE {a.bass_ae or 'bundled'}, {len(rows)} songs ({time.perf_counter() - t0:.0f} s)\n")
    print('| latent | nearest program = requested |\n|---|---|')
    for k, name in ROWS.items(): print(f"| {name} | {np.mean([r[k] == r['requested'] for r in rows]):.0%} |")
    print('\nchance 1/8 = 12.5 %')
    write_results(Path('bench/results') / f'{a.name}.json', dict(args=vars(a), rows=rows))

if __name__ == '__main__':
    main()
