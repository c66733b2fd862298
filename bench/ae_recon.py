"""Reconstruction benchmark of the autoencoders vs a mel + Griffin-Lim codec with the same floats per second.

On songs of the test split (never used in training) it reports, for the bass and the mix autoencoder:
multi-scale spectral distance and log-mel L1 of the autoencoder and of the baseline, side by side, and the
encode / decode speed in seconds of compute per minute of audio.

    python bench/ae_recon.py --data data/synth --n 20            # bundled small models
    python bench/ae_recon.py --models runs --data data/synth     # runs/ae_bass/model.safetensors, runs/ae_mix/...
"""
import argparse, time, statistics, json
from pathlib import Path
import torch
from bassnb.train_autoencoder import load_ae, mel_griffinlim, recon_scores
from bassnb.data import find_songs, split_songs, load_song


def model_path(models, kind):
    if models is None: return None                                   # bundled
    p = Path(models)
    for c in [p / f'{kind}_ae.safetensors', p / f'ae_{kind}' / 'model.safetensors']:
        if c.exists(): return c
    raise FileNotFoundError(f'no {kind} autoencoder under {p}')


def excerpts(songs, ae, kind, seconds):
    "A `seconds`-long excerpt from the middle of each song: its bass, or the mix of all its other stems."
    for s in songs:
        x = load_song(s, ae.cfg.sr, ae.cfg.channels)[kind]
        n, a = int(seconds * ae.cfg.sr), max(0, (x.shape[-1] - int(seconds * ae.cfg.sr)) // 2)
        yield s.id, x[:, a:a + n]


def speed(ae, seconds=60., reps=3):
    "Median seconds of compute per minute of audio for encode and decode (inference mode)."
    x = torch.randn(1, ae.cfg.channels, int(seconds * ae.cfg.sr)) * .1
    enc, dec = [], []
    with torch.inference_mode():
        ae.encode(x)
        for _ in range(reps):
            t0 = time.perf_counter(); z = ae.encode(x); t1 = time.perf_counter()
            ae.decode(z, x.shape[-1]); t2 = time.perf_counter()
            enc.append(t1 - t0); dec.append(t2 - t1)
    return statistics.median(enc) * 60 / seconds, statistics.median(dec) * 60 / seconds


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--data', default='data/synth')
    ap.add_argument('--models', help='folder with {bass,mix}_ae.safetensors or runs/ae_{bass,mix}/ (default: bundled)')
    ap.add_argument('--n', type=int, default=20, help='test songs')
    ap.add_argument('--seconds', type=float, default=10.)
    ap.add_argument('--threads', type=int, default=2)
    ap.add_argument('--json', help='also write the results here')
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    test = split_songs(find_songs(a.data))['test'][:a.n]
    res = {}
    for kind in ['bass', 'mix']:
        ae = load_ae(model_path(a.models, kind), kind)
        rows = []
        with torch.inference_mode():
            for sid, x in excerpts(test, ae, kind, a.seconds):
                y = ae(x[None])[0][0]
                b = torch.stack([mel_griffinlim(c, ae.cfg.sr, ae.cfg.latent_dim, ae.cfg.compression) for c in x])
                rows.append(dict(song=sid, ae=recon_scores(x, y, ae.cfg.sr), baseline=recon_scores(x, b, ae.cfg.sr),
                                 silence=recon_scores(x, x * 0, ae.cfg.sr)))
        mean = lambda who, m: statistics.mean(r[who][m] for r in rows)
        wins = lambda m: sum(r['ae'][m] < r['baseline'][m] for r in rows)
        enc, dec = speed(ae)
        res[kind] = dict(songs=len(rows), sr=ae.cfg.sr, latent=ae.cfg.latent_dim,
                         floats_per_s=ae.cfg.latent_dim * ae.cfg.sr / ae.cfg.compression,
                         **{f'{who}_{m}': mean(w, m) for who, w in [('ae', 'ae'), ('gl', 'baseline'), ('silence', 'silence')]
                            for m in ['mssd', 'mssd_lin', 'mssd_log', 'logmel_l1']},
                         **{f'ae_wins_{m}': wins(m) for m in ['mssd', 'mssd_lin', 'mssd_log', 'logmel_l1']},
                         encode_s_per_min=enc, decode_s_per_min=dec, per_song=rows)
    print(f"test songs: {len(test)} x {a.seconds:g} s excerpts; torch threads: {a.threads}\n")
    metrics = [('mssd', 'MSSD (total)'), ('mssd_lin', 'MSSD linear-power part'), ('mssd_log', 'MSSD log-power part'),
               ('logmel_l1', 'log-mel L1')]
    print('| model | metric | autoencoder | mel + Griffin-Lim | silence | AE better than baseline (songs) |')
    print('|---|---|---|---|---|---|')
    for k, r in res.items():
        for m, name in metrics:
            print(f"| {k} ({r['latent']} ch, {r['sr']} Hz, {r['floats_per_s']:.0f} floats/s) | {name} | {r['ae_' + m]:.3f} | "
                  f"{r['gl_' + m]:.3f} | {r['silence_' + m]:.3f} | {r['ae_wins_' + m]}/{r['songs']} |")
    print('\n| model | encode (s per minute of audio) | decode (s per minute of audio) |\n|---|---|---|')
    for k, r in res.items(): print(f"| {k} | {r['encode_s_per_min']:.3f} | {r['decode_s_per_min']:.3f} |")
    if a.json: Path(a.json).write_text(json.dumps(res, indent=1))


if __name__ == '__main__':
    main()
