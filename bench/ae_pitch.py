"""Pitch fidelity of bass autoencoders: does a bass come back with its notes?

On test songs rendered with the training SoundFonts and with FluidR3 GM (held out: timbres never heard in training),
for the true bass, each autoencoder's round trip, the mel + Griffin-Lim codec with the same floats per second, and two
controls at the model's own STFT (the true magnitude + Griffin-Lim phase; the decoder's magnitude + Griffin-Lim phase):
pYIN-voiced fraction of the note frames, fraction of voiced frames within 50 cents of the MIDI note, chord-tone and
chord-root fractions, the spectral-peak error on sustained notes and the share of bin-centre peaks.

    python bench/ae_pitch.py --sets fluidr3=data/test_fluidr3 train-sf=data/test_trainsf --models bundled runs/ae_if --n 30
    python bench/ae_pitch.py --oracle --sets fluidr3=data/test_fluidr3     # phase oracles from the true STFT

Models: 'bundled' (the package's), a folder with bass_ae.safetensors, a run folder (model.safetensors), or a file.
"""
import argparse, json, math, time, statistics
from pathlib import Path
import numpy as np, torch
from bassnb.autoencoder import phase_advance, inst_freq, if_phase, fit_f0, harmonic_deviation
from bassnb.spectral import stft, istft, griffin_lim
from bassnb.checkpoint import load_ae
from bassnb.train_autoencoder import mel_griffinlim
from bassnb.data import find_songs
from bassnb.synth import read_song
from bassnb.evaluation import WINDOW_MARGIN, bass_f0, pitch_accuracy, chord_tone_fraction, root_fraction, peak_errors, note_pitch
from common import write_results

METRICS = ['voiced', 'within', 'within_w', 'agree', 'chord_tone', 'root', 'peak_cents', 'bin_centre']


def model_file(m):
    if m == 'bundled': return None
    p = Path(m)
    for c in [p, p / 'bass_ae.safetensors', p / 'model.safetensors', p / 'ae_bass' / 'model.safetensors']:
        if c.is_file(): return c
    raise FileNotFoundError(f'no bass autoencoder at {p}')


def excerpt(song_dir, sr, start, seconds):
    "Mono bass excerpt at `sr` and the notes and chords shifted into it."
    stems, meta = read_song(song_dir)
    from bassnb.audio import resample
    x = resample(stems['bass'].mean(0, keepdim=True), meta['sr'], sr)
    a, n = int(start * sr), int(seconds * sr)
    x = x[:, a:a + n]
    shift = lambda items, keep: [dict(it, start=it['start'] - start, end=it['end'] - start) for it in items
                                 if it['end'] > start and it['start'] < start + seconds]
    return x, shift(meta['bass_notes'], True), shift(meta['chords'], True), meta


def agreement(tr, ref_tr, notes):
    "Of the note frames where the true bass is voiced, the fraction where `tr` is voiced within 50 cents of it."
    t, f, g = tr[0], tr[1], ref_tr[1]
    m = np.isfinite(note_pitch(t, notes)) & np.isfinite(g)
    ok = m & np.isfinite(f)
    c = np.abs(1200 * np.log2(f[ok] / g[ok]))
    return float((c < 50).sum() / max(m.sum(), 1))


def scores(y, sr, notes, chords, ref_tr=None):
    tr = bass_f0(y, sr, prob=True)
    pa = pitch_accuracy(None, sr, notes, track=tr)
    pw = pitch_accuracy(None, sr, notes, track=tr, margin=WINDOW_MARGIN)
    pk = peak_errors(y, sr, notes)
    return tr, dict(voiced=pa['voiced'], within=pa['within'],
                within_w=pw['within'], frames_w=pw['frames'], agree=agreement(tr, ref_tr or tr, notes),
                chord_tone=chord_tone_fraction(None, sr, chords, tr),
                root=root_fraction(None, sr, chords, tr),
                peak_cents=float(np.median([abs(e) for e, _ in pk])) if pk else float('nan'),
                bin_centre=float(np.mean([b for _, b in pk])) if pk else float('nan'))


def summary(per_song):
    "Each metric's mean over songs, except 'window inside': pooled over the songs' frames (a song of short notes keeps only a few)."
    m = {k: float(np.nanmean([r[k] for r in per_song])) for k in METRICS if k != 'within_w'}
    f = np.array([r['frames_w'] for r in per_song]); w = np.nan_to_num([r['within_w'] for r in per_song])
    return dict(m, within_w=float((w * f).sum() / max(f.sum(), 1)))


def oracle_rows(x, n_fft=1024, hop=256):
    S = stft(x, n_fft, hop)
    mag, pa = S.abs(), phase_advance(*S.shape[-2:], n_fft, hop)
    n = x.shape[-1]
    rot = lambda d: torch.polar(torch.ones(()), if_phase(d, n_fft, hop))
    hd = harmonic_deviation(fit_f0(S, 22050, n_fft, hop)[0], S.shape[-2], 22050, n_fft, hop)
    return {'oracle: true magnitude, bin-centre phase': istft(mag * pa, n, n_fft, hop),
            'oracle: true magnitude, integrated true frequency': istft(mag * pa * rot(inst_freq(S, n_fft, hop)), n, n_fft, hop),
            'oracle: true magnitude, harmonic phase of the fitted fundamental': istft(mag * pa * rot(hd), n, n_fft, hop)}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--sets', nargs='+', default=['fluidr3=data/test_fluidr3', 'train-sf=data/test_trainsf'],
                    help='name=folder of test songs (rendered by `bassnb synth`)')
    ap.add_argument('--models', nargs='*', default=['bundled'])
    ap.add_argument('--names', nargs='*', help='display names of the models (default: their paths)')
    ap.add_argument('--n', type=int, default=30, help='songs per set')
    ap.add_argument('--start', type=float, default=4., help='excerpt start (s)')
    ap.add_argument('--seconds', type=float, default=20.)
    ap.add_argument('--controls', action='store_true', help='add the Griffin-Lim controls (true and decoder magnitudes)')
    ap.add_argument('--baseline', action='store_true', help='add the mel + Griffin-Lim codec of the same size')
    ap.add_argument('--oracle', action='store_true', help='add phase oracles computed from the true STFT')
    ap.add_argument('--threads', type=int, default=1)
    ap.add_argument('--json', help='write all results (per song too) here')
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    names = a.names or a.models
    aes = {nm: load_ae(model_file(m), 'bass').float() for nm, m in zip(names, a.models)}
    sr = 22050
    for ae in aes.values(): assert ae.cfg.sr == sr and ae.cfg.channels == 1, 'this benchmark is for mono 22.05 kHz bass models'
    res, t0 = {}, time.time()
    for spec in a.sets:
        set_name, folder = spec.split('=', 1)
        songs = find_songs(folder)[:a.n]
        rows = {}
        for s in songs:
            x, notes, chords, meta = excerpt(s.dir if hasattr(s, 'dir') else Path(folder) / s.id, sr, a.start, a.seconds)
            cands = {'true bass': x}
            with torch.inference_mode():
                for nm, ae in aes.items():
                    y, z = ae(x[None])
                    cands[f'{nm}: round trip'] = y[0]
                    if a.controls: cands[f'{nm}: decoder magnitude + Griffin-Lim'] = griffin_lim(ae.decode_spec(z)[0].abs(), x.shape[-1])
                if a.controls: cands['control: true magnitude + Griffin-Lim'] = griffin_lim(stft(x).abs(), x.shape[-1])
                if a.baseline:
                    ae0 = next(iter(aes.values())) if aes else None
                    d, c = (ae0.cfg.latent_dim, ae0.cfg.compression) if ae0 else (32, 4096)
                    cands[f'mel + Griffin-Lim ({d} mels every {c} samples)'] = mel_griffinlim(x[0], sr, d, c)[None]
                if a.oracle: cands.update(oracle_rows(x))
            ref_tr = None
            for k, y in cands.items():
                tr, sc = scores(y, sr, notes, chords, ref_tr)
                ref_tr = ref_tr or tr                                   # the true bass comes first
                rows.setdefault(k, []).append(dict(song=s.id, soundfont=meta['stems']['bass'].get('timbre', {}).get('soundfont'),
                                                   program=meta['stems']['bass']['program'], **sc))
            print(f'{set_name} {s.id}: ' + '  '.join(f"{k.split(':')[0][:12]} {v[-1]['within']:.2f}/{v[-1]['voiced']:.2f}" for k, v in rows.items()),
                  f'({time.time() - t0:.0f} s)', flush=True)
        res[set_name] = {k: dict(mean=summary(v), songs=len(v), per_song=v) for k, v in rows.items()}
    print(f"\n{a.n} songs per set, {a.seconds:g} s from {a.start:g} s; pitch by pYIN; 'within 50 c of MIDI' is of the voiced note frames (30 ms inside a note; 'window inside' of those whose whole pYIN window lies inside one note, pooled over the songs' frames), 'of true bass' of the frames where the true bass is voiced; "
          "peak error = median |cents| of sustained notes' strongest partial; bin-centre = share of such peaks on a 21.5 Hz bin centre\n")
    print('| set | bass | voiced | within 50 c of MIDI | within 50 c of MIDI, window inside | within 50 c of true bass | chord tones | root | peak error (c) | bin-centre peaks |\n|---|---|---|---|---|---|---|---|---|---|')
    for set_name, rows in res.items():
        for k, v in rows.items():
            m = v['mean']
            print(f"| {set_name} | {k} | {m['voiced']:.3f} | {m['within']:.3f} | {m['within_w']:.3f} | {m['agree']:.3f} | {m['chord_tone']:.3f} | {m['root']:.3f} | "
                  f"{m['peak_cents']:.1f} | {m['bin_centre']:.2f} |")
    if a.json: write_results(a.json, res)


if __name__ == '__main__':
    main()
