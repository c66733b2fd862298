"""Picture of one sustained FluidR3 bass note (never heard in training) and its round trips through bass autoencoders.

A long-window spectrogram (8192 points: 2.7 Hz bins) of the note's partials, 0-400 Hz, with the written note's harmonics
dashed and the 1024-point STFT's bin centres dotted (where a decoder that writes steady tones at bin centres puts them).

    python bench/ae_pitch_figure.py --models old=runs/old_bundle/bass_ae.safetensors new=bassnb/assets/models/small/bass_ae.safetensors \
        --out nbs/images/ae_pitch_note.png
"""
import argparse
from pathlib import Path
import numpy as np, torch, pretty_midi
import matplotlib; matplotlib.use('agg')
import matplotlib.pyplot as plt
from bassnb.timbres import render_timbre
from bassnb.checkpoint import load_ae


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--models', nargs='+', required=True, help='name=path of exported bass autoencoders')
    ap.add_argument('--program', type=int, default=32, help='GM program (32: acoustic bass)')
    ap.add_argument('--pitches', type=int, nargs='+', default=[38, 31, 40], help='MIDI notes, 2 s each (D2 G1 E2)')
    ap.add_argument('--soundfont', default='fluidr3')
    ap.add_argument('--out', default='nbs/images/ae_pitch_note.png')
    a = ap.parse_args()
    torch.set_num_threads(1)
    sr = 22050
    inst = pretty_midi.Instrument(a.program, name='bass')
    inst.notes = [pretty_midi.Note(100, p, 2. * i, 2. * i + 1.8) for i, p in enumerate(a.pitches)]
    x = torch.from_numpy(render_timbre(dict(soundfont=a.soundfont), inst, sr, int(2 * len(a.pitches) * sr)).mean(1))[None]
    x = x / x.abs().max() * .5
    rows = {f'true ({a.soundfont}, GM {a.program})': x}
    with torch.inference_mode():
        for spec in a.models:
            name, path = spec.split('=', 1)
            rows[f'{name}: round trip'] = load_ae(path, 'bass').float()(x[None])[0][0]
    n_fft, hop = 8192, 512
    fig, axs = plt.subplots(1, len(rows), figsize=(5 * len(rows), 4), sharey=True)
    f = np.fft.rfftfreq(n_fft, 1 / sr)
    k = f <= 400
    for ax, (name, y) in zip(axs, rows.items()):
        S = torch.stft(y[0], n_fft, hop, window=torch.hann_window(n_fft), return_complex=True).abs().numpy()
        db = 20 * np.log10(S[k] / S.max() + 1e-6)
        im = ax.imshow(db, origin='lower', aspect='auto', vmin=-60, vmax=0, cmap='magma',
                       extent=[0, y.shape[-1] / sr, 0, f[k][-1]])
        for i, p in enumerate(a.pitches):
            f0 = 440 * 2 ** ((p - 69) / 12)
            for h in range(1, int(400 / f0) + 1):
                ax.plot([2 * i + .1, 2 * i + 1.7], [h * f0] * 2, '--', color='cyan', lw=.7)
        for b in np.arange(1, 400 / (sr / 1024)) * sr / 1024: ax.axhline(b, color='white', lw=.4, ls=':')
        ax.set_title(name, fontsize=10); ax.set_xlabel('time (s)')
    axs[0].set_ylabel('frequency (Hz)')
    fig.colorbar(im, ax=axs, label='dB', shrink=.8)
    fig.suptitle("dashed: the written notes' harmonics; dotted: the 1024-point STFT's bin centres (21.5 Hz apart)", fontsize=10)
    Path(a.out).parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(a.out, dpi=80, bbox_inches='tight')
    print(a.out)


if __name__ == '__main__':
    main()
