"""Pictures and audio examples of the README, from the bundled models and the demo song of data_samples/.

    python bench/readme_media.py            # writes nbs/images/demo_*.png and data_samples/example_*.ogg

The demo mix (never in the training corpus) gets three takes, seed 0, default settings: no style clip, grounded on
data_samples/style_finger.ogg and on data_samples/style_synth.ogg (the same bass line, two GM programs).
"""
import argparse, json
from pathlib import Path
import torch
import matplotlib; matplotlib.use('agg')
import matplotlib.pyplot as plt
from bassnb.pipeline import BassGenerator
from bassnb.audio import load_audio, save_audio, show_spec
from bassnb.evaluation import bass_f0, chord_tone_fraction, plot_pitch_chords, program_references, program_distances
from bassnb.synth import DATA_SAMPLES_SEED


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--samples', default='data_samples')
    ap.add_argument('--images', default='nbs/images')
    ap.add_argument('--model', help='model folder (default: bundled)')
    ap.add_argument('--seconds', type=float, default=12., help='length of the audio examples written to --samples')
    ap.add_argument('--force', action='store_true')
    a = ap.parse_args()
    smp, img = Path(a.samples), Path(a.images); img.mkdir(parents=True, exist_ok=True)
    gen = BassGenerator.from_pretrained(a.model, device='cpu')
    mix, sr = load_audio(smp / 'demo_mix.ogg')
    true = load_audio(smp / 'demo_bass.ogg')[0]
    meta = json.loads((smp / 'demo_meta.json').read_text())
    takes = {'no style': gen.generate(mix, sr, seed=0, progress=False)}
    for n in ['finger', 'synth']: takes[n] = gen.generate(mix, sr, style=smp / f'style_{n}.ogg', seed=0, progress=False)

    fig, axs = plt.subplots(2, 1, figsize=(13, 6.5), sharex=True)
    for ax, (name, x) in zip(axs, [('true bass', true), ('generated bass (no style clip, seed 0)', takes['no style'].bass[0])]):
        tr = bass_f0(x, sr, prob=True)
        ctf = chord_tone_fraction(x, sr, meta['chords'], track=tr)
        plot_pitch_chords(x, sr, meta['chords'], track=tr, ax=ax, title=f'{name}: {ctf:.0%} of voiced frames on a chord tone')
        print(f'{name}: chord-tone fraction {ctf:.3f}')
    plt.tight_layout(); plt.savefig(img / 'demo_generated.png', dpi=80); plt.close('all')

    refs = {n: load_audio(smp / f'style_{n}.ogg')[0] for n in ['finger', 'synth']}
    prog = program_references(DATA_SAMPLES_SEED + 1)                       # the style clips' line by GM 32..39
    fig, axs = plt.subplots(2, 2, figsize=(13, 6), sharey=True)
    for row, n in zip(axs, ['finger', 'synth']):
        d = program_distances(takes[n].bass[0], sr, prog)
        show_spec(refs[n], sr, ax=row[0], title=f'style clip: {n}', fmax=2500)
        show_spec(takes[n].bass[0], sr, ax=row[1], fmax=2500,
                  title=f'generated, grounded on {n}: nearest GM program {min(d, key=d.get)} (33 finger, 38 synth)')
        print(f'grounded on {n}: distance to GM 33 {d[33]:.2f}, to GM 38 {d[38]:.2f}, nearest {min(d, key=d.get)}')
    plt.tight_layout(); plt.savefig(img / 'demo_styles.png', dpi=80); plt.close('all')

    n = int(a.seconds * sr)
    for k in ['finger', 'synth']:
        p = save_audio(smp / f'example_with_bass_{k}.ogg', takes[k].mix_with_bass[0][:, :n], sr, overwrite=a.force)
        print(f'wrote {p} ({p.stat().st_size / 1024:.0f} KB)')


if __name__ == '__main__':
    main()
