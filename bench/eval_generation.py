"""Quality of generated basslines on songs the models never saw (issue 6's quality bar), with baselines.

1. `quality`: on the first N songs of the test split of a synthetic corpus, the chord-tone fraction (pYIN pitch on a
   tone of the sounding chord) and the onset alignment (bass onsets on the song's beat grid) of: the true bass, the
   generated bass (default settings, no style), the bass of a different song (mismatch), silence, and a rule-based
   bass made from the mix alone (beat tracking + beat chroma + triad templates -> root on every beat).
2. `style`: on the first M test songs, a style clip of a *different* GM bass program than the song's (another
   song's bass line, 8 s), generation with grounding 0 and 1 (and each --tone-match; same seed), and for each take: the timbre distance to
   the style clip and the nearest of the 8 program references (GM 32-39 playing the style clip's line).

    python bench/eval_generation.py --data data/synth --n 30 --m 20            # bundled models
    python bench/eval_generation.py --model my_model_folder --what style
"""
import argparse, json, re, time
from pathlib import Path
import numpy as np, torch
from bassnb.synth import read_song, BASS_PROGRAMS
from bassnb.pipeline import BassGenerator, GenConfig
from bassnb.evaluation import (quality_rows, quality_table, baseline_candidates, program_references, timbre_features,
                               timbre_scale, timbre_distance, song_mix, TIMBRE_SR, chord_tone_fraction)
from common import test_songs, write_results, song_line_renders
from tqdm.auto import tqdm


def quality(gen, songs, a):
    songs = [read_song(s.dir) for s in tqdm(songs, desc='loading')]
    cands = baseline_candidates(songs)
    cache = {}
    def generated(song):
        k = song[1]['song_id']
        if k not in cache:
            cache[k] = gen.generate(song_mix(song), song[1]['sr'], seed=a.seed, steps=a.steps, guidance=a.guidance, rescale=a.rescale, progress=False).bass[0]
        return cache[k]
    cands = {'ground truth': cands['ground truth'], 'generated (default settings)': generated,
             'rule-based (mix -> beats + chords -> roots)': cands['rule-based'], 'mismatch (another song\'s bass)': cands['mismatch'],
             'silence': cands['silence']}
    t0 = time.perf_counter()
    rows = quality_rows(songs, cands, progress=True)
    return rows, time.perf_counter() - t0


def style(gen, songs, a):
    out = []
    for i, s in enumerate(tqdm(songs, desc='style')):
        stems, m = read_song(s.dir)
        own = m['stems']['bass']['program']
        others = [p for p in BASS_PROGRAMS if p != own]
        req = others[i % len(others)]
        refs = program_references(a.style_seed + i, seconds=8., soundfont=a.style_soundfont)   # another song's line, by each program
        F = {p: timbre_features(v, TIMBRE_SR) for p, v in refs.items()}
        scale = timbre_scale(list(F.values()))
        clip = refs[req]
        mix = song_mix((stems, m))
        row = dict(song=m['song_id'], own=own, requested=req)
        gens = {f'g{g:g}t{t:g}': gen.generate(mix, m['sr'], style=clip, style_sr=TIMBRE_SR, grounding=g, tone_match=t, seed=a.seed, steps=a.steps,
                                              guidance=a.guidance, rescale=a.rescale, progress=False) for g in a.grounding for t in a.tone_match}
        takes = {k: r.bass[0] for k, r in gens.items()}
        takes['ground truth'] = stems['bass']
        if a.extras: takes.update(extra_takes(gen, gens, clip, stems['bass'], m['sr']))
        L = {p: timbre_features(v, m['sr']) for p, v in song_line_renders(s.dir, m['sr'], stems['bass'].shape[-1], a.style_soundfont).items()}   # the song's own line by each program
        scale_l = timbre_scale(list(L.values()))
        for k, x in takes.items():
            f = timbre_features(x, m['sr'])
            d = {p: timbre_distance(f, v, scale) for p, v in F.items()}
            dl = {p: timbre_distance(f, v, scale_l) for p, v in L.items()}
            row[k] = dict(dist_style=d[req], nearest=min(d, key=d.get), dist_own=d[own], nearest_line=min(dl, key=dl.get),
                          ctf=chord_tone_fraction(x, m['sr'], m['chords']))
        out.append(row)
    return out


def extra_takes(gen, gens, clip, true_bass, sr):
    "--extras: the first grounded take's latent with its time-average set exactly to the clip's (decoded as `generate` decodes "
    "styled takes), and the true bass tone-matched to the clip (`11c_tone_match`)."
    from bassnb.sampling import time_mean
    from bassnb.tone import match_tone
    from bassnb.audio import resample
    r = next(r for r in gens.values() if r.settings['grounding'] > 0)
    ys = gen.style_audio(clip, TIMBRE_SR)
    dec = gen.style_ae or gen.bass_ae
    with torch.inference_mode():
        z = r.latent.to(gen.device)
        z = z + (gen.encode_style(ys, prepared=True) - time_mean(z))
        wav = dec.decode_chunked(dec.from_unit(z), round(r.bass.shape[-1] * gen.sr / sr), gen.gen.window).float().cpu()
    return {'exact average': resample(wav[0], gen.sr, sr), 'ground truth, tone-matched': resample(match_tone(resample(true_bass, sr, gen.sr), ys.cpu(), gen.sr), gen.sr, sr)}


def take_name(k):
    "'g1t0' -> 'generated, grounding 1, tone match 0' (older result files: 'g1' -> 'generated, grounding 1')."
    if not (m := re.fullmatch(r'g([\d.]+)(?:t([\d.]+))?', k)): return k
    return f'generated, grounding {m[1]}' + (f', tone match {m[2]}' if m[2] else '')


def style_table(rows):
    keys = [k for k in rows[0] if k not in ('song', 'own', 'requested')]
    lines = ['| bass | timbre distance to the style clip (mean ± std) | nearest program = requested | nearest program = the song\'s own | '
             'nearest song-line reference = requested | = the song\'s own | chord-tone fraction |', '|---|---|---|---|---|---|---|']
    for k in keys:
        d = np.array([r[k]['dist_style'] for r in rows])
        hit = np.mean([r[k]['nearest'] == r['requested'] for r in rows])
        own = np.mean([r[k]['nearest'] == r['own'] for r in rows])
        name = take_name(k)
        line = [np.mean([r[k]['nearest_line'] == r[w] for r in rows]) for w in ('requested', 'own')]
        ctf = np.mean([r[k]['ctf'] for r in rows])
        lines.append(f'| {name} | {d.mean():.2f} ± {d.std():.2f} | {hit:.0%} | {own:.0%} | {line[0]:.0%} | {line[1]:.0%} | {ctf:.3f} |')
    for k in keys:                                   # each tone-matched take paired with the same take unmatched
        base = re.sub(r't[\d.]+$', 't0', k)
        if k == base or base not in keys: continue
        hit = lambda key: np.array([r[key]['nearest_line'] == r['requested'] for r in rows])
        d, c = (np.array([r[k][m] - r[base][m] for r in rows]) for m in ('dist_style', 'ctf'))
        se = lambda v: v.std(ddof=1) / np.sqrt(len(v)) if len(v) > 1 else float('nan')
        lines.append(f'\n{take_name(k)} vs tone match 0, paired: song-line hits gained in {(hit(k) & ~hit(base)).sum()} songs, lost in '
                     f'{(hit(base) & ~hit(k)).sum()}; timbre distance to the clip {d.mean():+.2f} ± {se(d):.2f} (lower in {(d < 0).sum()} of '
                     f'{len(d)}); chord tones {c.mean():+.3f} ± {se(c):.3f}')
    return '\n'.join(lines) + (f'\n\n{len(rows)} songs; chance of a given program being nearest: 1/8 = 12.5%. Program references: the style '
                                'clip\'s line (another song\'s) or the song\'s own line (from its MIDI; the line the generated bass accompanies) '
                                'played by each of the 8 programs with the style SoundFont')


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--data', default='data/synth')
    ap.add_argument('--model', help='model folder (default: bundled small models)')
    ap.add_argument('--what', nargs='+', default=['quality', 'style'], choices=['quality', 'style'])
    ap.add_argument('--n', type=int, default=30, help='test songs for the quality table')
    ap.add_argument('--m', type=int, default=20, help='test songs for the style table')
    ap.add_argument('--seed', type=int, default=0, help='generation seed')
    ap.add_argument('--style-seed', type=int, default=50_000, help='seed of the songs whose lines make the style clips')
    ap.add_argument('--grounding', type=float, nargs='+', default=[0., 1.])
    ap.add_argument('--tone-match', type=float, nargs='+', default=[GenConfig.tone_match],
                    help=f'tone-match strengths (default: GenConfig.tone_match = {GenConfig.tone_match:g}); the style table has a take '
                         'for every grounding x tone match')
    ap.add_argument('--style-soundfont', default='timgm6mb', help="SoundFont playing the style clips and program references "
                    "(default timgm6mb, a training one; 'fluidr3' for timbres the models never heard)")
    ap.add_argument('--extras', action='store_true', help="style table: also the first grounded take's latent with its time-average set "
                    "exactly to the clip's, and the true bass tone-matched to the clip")
    ap.add_argument('--whole', action='store_true', help='score the first songs of --data itself, not of its test split '
                    '(for a test-only corpus such as data/test_fluidr3)')
    ap.add_argument('--name', default='eval_generation', help='results file name (without .json)')
    ap.add_argument('--steps', type=int, help=f'DDIM steps (default: GenConfig.steps = {GenConfig.steps})')
    ap.add_argument('--guidance', type=float, help=f'guidance scale (default: GenConfig.guidance = {GenConfig.guidance:g})')
    ap.add_argument('--rescale', type=float, help=f'guidance rescale (default: GenConfig.rescale = {GenConfig.rescale:g})')
    ap.add_argument('--harmony', type=float, help=f'harmony guidance strength (default: GenConfig.harmony = {GenConfig.harmony:g}; acts with a model folder holding a pitch probe)')
    ap.add_argument('--precision', default='auto', choices=['auto', 'fp32', 'bf16'], help='U-Net precision (default: auto)')
    ap.add_argument('--threads', type=int, default=2)
    ap.add_argument('--out', default='bench/results', help='folder for the json results')
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    gen = BassGenerator.from_pretrained(a.model, device='cpu', precision=a.precision,
                                       **({'harmony': a.harmony} if a.harmony is not None else {}))
    test = test_songs(a.data, whole=a.whole)
    print(f'model: {a.model or "bundled small"}; test songs available: {len(test)}; threads {a.threads}; precision {a.precision}; '
          f'harmony {gen.gen.harmony:g} ({"with" if gen.probe is not None else "no"} pitch probe)\n')
    res = {}
    if 'quality' in a.what:
        rows, dt = quality(gen, test[:a.n], a)
        print(quality_table(rows)); print(f'({dt:.0f} s)\n')
        res['quality'] = [{k: v for k, v in r.items()} for r in rows]
    if 'style' in a.what:
        rows = style(gen, test[:a.m], a)
        print(style_table(rows))
        res['style'] = rows
    Path(a.out).mkdir(parents=True, exist_ok=True)
    write_results(Path(a.out) / f'{a.name}.json', res)


if __name__ == '__main__':
    main()
