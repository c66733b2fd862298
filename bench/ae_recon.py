"""Reconstruction benchmark of the autoencoders vs a mel + Griffin-Lim codec with the same floats per second.

On songs of the test split (never used in training) it reports, for the bass and the mix autoencoder:
multi-scale spectral distance and log-mel L1 of the autoencoder and of the baseline, side by side, and the
encode / decode speed in seconds of compute per minute of audio.

    python bench/ae_recon.py --data data/synth --n 20                    # bundled small models
    python bench/ae_recon.py --models runs --data data/synth             # runs/ae_bass/model.safetensors, runs/ae_mix/...
    python bench/ae_recon.py --models bundled runs/ft --data data/synth  # two sets side by side, on the same excerpts
"""
import argparse, time, statistics, json
from pathlib import Path
import torch
from bassnb.checkpoint import load_ae
from bassnb.train_autoencoder import mel_griffinlim, recon_scores
from bassnb.data import load_song
from common import test_songs, write_results


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
    ap.add_argument('--models', nargs='+', default=['bundled'],
                    help="one or more folders with {bass,mix}_ae.safetensors or ae_{bass,mix}/model.safetensors, side by side "
                         "('bundled': the models shipped in the package; default)")
    ap.add_argument('--n', type=int, default=20, help='test songs')
    ap.add_argument('--seconds', type=float, default=10.)
    ap.add_argument('--threads', type=int, default=2)
    ap.add_argument('--json', help='also write the results here')
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    test = test_songs(a.data, a.n)
    metrics = ['mssd', 'mssd_lin', 'mssd_log', 'logmel_l1']
    res = {}
    for kind in ['bass', 'mix']:
        aes = {m: load_ae(model_path(None if m == 'bundled' else m, kind), kind) for m in a.models}
        ae0 = next(iter(aes.values()))
        rows = []
        with torch.inference_mode():
            for sid, x in excerpts(test, ae0, kind, a.seconds):
                b = torch.stack([mel_griffinlim(c, ae0.cfg.sr, ae0.cfg.latent_dim, ae0.cfg.compression) for c in x])
                rows.append(dict(song=sid, baseline=recon_scores(x, b, ae0.cfg.sr), silence=recon_scores(x, x * 0, ae0.cfg.sr),
                                 **{m: recon_scores(x, ae(x[None])[0][0], ae.cfg.sr) for m, ae in aes.items()}))
        mean = lambda who, m: statistics.mean(r[who][m] for r in rows)
        res[kind] = dict(songs=len(rows), sr=ae0.cfg.sr, latent=ae0.cfg.latent_dim,
                         floats_per_s=ae0.cfg.latent_dim * ae0.cfg.sr / ae0.cfg.compression,
                         models={mo: dict(**{m: mean(mo, m) for m in metrics},
                                          wins={m: sum(r[mo][m] < r['baseline'][m] for r in rows) for m in metrics},
                                          **dict(zip(['encode_s_per_min', 'decode_s_per_min'], speed(aes[mo]))))
                                 for mo in a.models},
                         baseline={m: mean('baseline', m) for m in metrics}, silence={m: mean('silence', m) for m in metrics},
                         per_song=rows)
    print(f"test songs: {len(test)} x {a.seconds:g} s excerpts; torch threads: {a.threads}\n")
    names = {'mssd': 'MSSD (total)', 'mssd_lin': 'MSSD linear-power part', 'mssd_log': 'MSSD log-power part',
             'logmel_l1': 'log-mel L1'}
    print('| model | metric | ' + ' | '.join(f'autoencoder {mo}' for mo in a.models) + ' | mel + Griffin-Lim | silence | '
          + ' | '.join(f'{mo} better than baseline (songs)' for mo in a.models) + ' |')
    print('|---' * (4 + 2 * len(a.models)) + '|')
    for k, r in res.items():
        for m, name in names.items():
            print(f"| {k} ({r['latent']} ch, {r['sr']} Hz, {r['floats_per_s']:.0f} floats/s) | {name} | "
                  + ' | '.join(f"{r['models'][mo][m]:.3f}" for mo in a.models)
                  + f" | {r['baseline'][m]:.3f} | {r['silence'][m]:.3f} | "
                  + ' | '.join(f"{r['models'][mo]['wins'][m]}/{r['songs']}" for mo in a.models) + ' |')
    print('\n| model | autoencoder | encode (s per minute of audio) | decode (s per minute of audio) |\n|---|---|---|---|')
    for k, r in res.items():
        for mo, v in r['models'].items(): print(f"| {k} | {mo} | {v['encode_s_per_min']:.3f} | {v['decode_s_per_min']:.3f} |")
    if a.json: write_results(a.json, res)


if __name__ == '__main__':
    main()
