"""Where does the linear-power part of the multi-scale spectral distance come from? Per scale, and with phase or magnitude swapped.

For the first N test songs (10 s excerpts), the linear-power L1 of each STFT scale (hop 32 ... 4096, window 4 x hop)
between the original and: the autoencoder's reconstruction; the mel + Griffin-Lim baseline; silence; the decoder's
magnitudes with the *original* phase; the original magnitudes with the *decoder's* phase. If even the true phase
cannot bring the decoder below silence, the metric demands more than magnitudes; if the decoder's phase spoils true
magnitudes, phase coherence over long windows is what is missing.

    python bench/ae_diagnosis.py --kind bass --n 10
    python bench/ae_diagnosis.py --models bundled runs/ft --kind bass
"""
import argparse, statistics
from pathlib import Path
import torch, torch.nn.functional as F
from ae_recon import excerpts, model_path
from bassnb.checkpoint import load_ae
from bassnb.train_autoencoder import mel_griffinlim
from bassnb.spectral import stft, istft, power, MSSD_HOPS
from common import test_songs


def per_scale(x, y):
    "Linear-power L1 (as in `mssd`, times n_fft) at each scale of MSSD_HOPS."
    return [float(F.l1_loss(power(stft(x, 4 * h, h)), power(stft(y, 4 * h, h))) * 4 * h) for h in MSSD_HOPS]


def variants(ae, x):
    "The signals to compare with `x`: reconstruction, baseline, silence, and the two phase/magnitude swaps."
    S = ae.spec(x[None])
    Sh = ae.decode_spec(ae.encode(x[None]))[..., :S.shape[-1]]
    swap = lambda mag, ph: istft(mag.abs() * torch.exp(1j * ph.angle()), x.shape[-1])[0]
    return {'autoencoder': ae(x[None])[0][0],
            'mel + Griffin-Lim': torch.stack([mel_griffinlim(c, ae.cfg.sr, ae.cfg.latent_dim, ae.cfg.compression) for c in x]),
            'silence': x * 0, 'decoder magnitude + true phase': swap(Sh, S), 'true magnitude + decoder phase': swap(S, Sh)}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--data', default='data/synth')
    ap.add_argument('--models', nargs='+', default=['bundled'], help="model folders as for ae_recon.py ('bundled': shipped)")
    ap.add_argument('--kind', default='bass', choices=['bass', 'mix'])
    ap.add_argument('--n', type=int, default=10)
    ap.add_argument('--threads', type=int, default=1)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    test = test_songs(a.data, a.n)
    print(f'{a.kind}: linear-power L1 per scale, mean over {len(test)} test songs (10 s each)\n')
    print('| model | signal | ' + ' | '.join(f'hop {h}' for h in MSSD_HOPS) + ' | sum |\n|---|---|' + '---|' * (len(MSSD_HOPS) + 1))
    for mo in a.models:
        ae = load_ae(model_path(None if mo == 'bundled' else mo, a.kind), a.kind)
        rows = {}
        with torch.inference_mode():
            for _, x in excerpts(test, ae, a.kind, 10.):
                for k, y in variants(ae, x).items(): rows.setdefault(k, []).append(per_scale(x, y))
        for k, r in rows.items():
            m = [statistics.mean(c) for c in zip(*r)]
            print(f'| {mo} | {k} | ' + ' | '.join(f'{v:.2f}' for v in m) + f' | {sum(m):.2f} |')


if __name__ == '__main__':
    main()
