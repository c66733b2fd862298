"""The paper's two objective evaluations (Pasini et al. 2024), with judges trained here (nbs/14a_contrastive.ipynb, nbs/14b_train_contrastive.ipynb).

1. Matching: on the first N test songs of a synthetic corpus, the contrastive mix-bass model's top-1 retrieval accuracy
   (is a mix's own bass the most similar of the N candidates of its kind? chance 1/N) and mean matching score (cosine)
   of: the ground-truth bass, its bass-autoencoder reconstruction, the generated bass (default settings), another
   song's bass (mismatch) and silence — plus probes of what the judge hears: the bass re-rendered from the song's
   MIDI as written and the same transposed by a tritone (wrong key; same rhythm and sound; `transpose_line`, as the
   third judge's training negatives: mostly a tritone up), a tritone down, and an octave up (the right notes in
   another register: a control for judges that hear register instead of harmony), the earlier runs' version of that
   pair (the reference with its notes above E2 an octave down, the tritone +6 below E2 and -6 above), the true bass
   delayed by 3/16 of a beat (off the grid), by one beat and by one bar (on the grid, but every note under the
   previous bar's chord; their reference: the true bass with its first bar silent, as theirs is). Every bass, real or
   generated, is audio encoded by the bass autoencoder. Paired comparisons: per song, does the right bass score
   above its altered twin (transposed vs re-rendered, delayed vs ground truth, ...)? `--compare`: the matching of
   other judges on the same audio.
2. FAD: Frechet distance between bass-tower embeddings (windows of 32 latent frames every 8, before normalisation;
   the normalised variant beside it) of generated and real basses of the same songs, for DDIM steps 8/16/32/64 at the
   default guidance and guidance 1/2/4/6/8 at 64 steps — every setting generated afresh from the same seed — with
   references: real basses of N other test songs and the two halves of the N songs (the noise floor at these sample
   sizes), the autoencoder reconstruction (the best a generator that goes through the decoder can reach), the
   mismatch (real basses of other songs: FAD measures realism, not fit) and silence. FAD in our own embedding space:
   not comparable with published (VGGish) FAD numbers.

    python bench/eval_paper.py --n 30 --save                 # bundled models -> bench/results/eval_paper.{md,json}
    python bench/eval_paper.py --n 5 --steps 8 64 --guidance 6 --json /tmp/quick.json
    python bench/eval_paper.py --model my_models --contrastive runs/contrastive/model.safetensors
    python bench/eval_paper.py --n 30 --compare runs/contrastive/model.safetensors   # matching of other judges too

Generation runs at the pipeline's `precision` (default 'auto': bf16 where the CPU computes it natively, else fp32);
the header says which.
"""
import argparse, json, sys, time
from pathlib import Path
import numpy as np, torch, torch.nn.functional as F
from functools import partial
from bassnb.audio import to_channels
from bassnb.synth import read_song, render_stem, transpose_line
from bassnb.pipeline import BassGenerator, unet_dtype
from bassnb.evaluation import song_mix, mismatch_bass
from bassnb.train_autoencoder import reconstruct, assets_dir
from bassnb.contrastive import (load_contrastive, audio_latent, similarity, retrieval_accuracy, pair_accuracy, bass_embeddings,
                                fad)
from common import test_songs, write_results
from tqdm.auto import tqdm


def judge(model, zm, zb):
    "Retrieval accuracy and per-song matching scores of bass latents `zb` against mix latents `zm`."
    sim = similarity(model, zm, zb)
    return dict(acc=retrieval_accuracy(sim), scores=sim.diagonal().tolist())


def embeddings(model, zb, a):
    return {k: bass_embeddings(model, zb, a.fad_frames, a.fad_hop, normalize=k == 'norm') for k in ('pre', 'norm')}


def fads(e, real):
    return {k: fad(e[k], real[k]) for k in e}


def low_fold(pitches, semitones=0):
    "The earlier runs' probe transposition: each note `semitones` up, an octave less where it would pass E2 (40), so also for 0."
    return [p + semitones if p + semitones <= 40 else p + semitones - 12 for p in pitches]


def tritone_down(pitches):
    "Each note a tritone down, a tritone up instead where it would fall below E1 (28)."
    return [p - 6 if p - 6 >= 28 else p + 6 for p in pitches]


def octave_up(pitches): return [p + 12 for p in pitches]


def rendered_bass(song_dir, song, transpose=None):
    "The song's bass re-rendered from its MIDI at its in-mix gain and pan (`render_stem`), its pitches mapped by `transpose`."
    return to_channels(render_stem(song_dir, 'bass', transpose), song[0]['bass'].shape[0])


def beat_samples(m, beats): return int(round(beats * 60 / m['tempo'] * m['sr']))


def delayed(song, beats=3 / 16):
    "The true bass `beats` beats late (3/16: its notes fall between the eighth-note grid points; 4: a bar, on the grid)."
    x, m = song[0]['bass'], song[1]
    return F.pad(x, (beat_samples(m, beats), 0))[:, :x.shape[-1]]


def silenced(song, beats=4):
    "The true bass with its first `beats` beats silent: the reference of the delays by a beat and a bar (their silent start)."
    x = song[0]['bass'].clone()
    x[:, :beat_samples(song[1], beats)] = 0
    return x


def generate(gen, songs, steps, guidance, a):
    t0 = time.perf_counter()
    out = [gen.generate(song_mix(s), s[1]['sr'], steps=steps, guidance=guidance, seed=a.seed, progress=False).bass[0]
           for s in tqdm(songs, desc=f'{steps} steps, guidance {guidance:g}', leave=False)]
    return out, time.perf_counter() - t0


PAIRS = [('probe: re-rendered as written', 'probe: re-rendered as written, transposed a tritone'),
         ('probe: re-rendered as written', 'probe: re-rendered as written, a tritone down'),
         ('probe: re-rendered as written', 'probe: re-rendered as written, an octave up (right notes)'),
         ('probe: re-rendered, high notes an octave down', 'probe: the same, transposed a tritone'),
         ('ground truth', 'probe: ground truth delayed 3/16 beat'),
         ('probe: re-rendered, high notes an octave down', 'probe: ground truth delayed 3/16 beat'),
         ('probe: ground truth, first bar silent', 'probe: ground truth delayed 1 beat'),
         ('probe: ground truth, first bar silent', 'probe: ground truth delayed 1 bar'),
         ('ground truth', 'generated'), ('ground truth', "mismatch (another song's bass)")]


def matching(model, zm, zb, gen_key):
    "Retrieval and scores of every candidate set `zb` against the mixes `zm`, and the paired comparisons of `PAIRS`."
    res = [dict(source=k, **judge(model, zm, z)) for k, z in zb.items()]
    sc = {m['source']: m['scores'] for m in res}
    pairs = [dict(right=r, altered=w, wins=pair_accuracy(sc[r], sc[w]), diff=float(np.mean(sc[r]) - np.mean(sc[w])))
             for r, w in [(r, gen_key if w == 'generated' else w) for r, w in PAIRS]]
    return res, pairs


def run(a):
    gen = BassGenerator.from_pretrained(a.model, device='cpu', precision=a.precision)
    model = load_contrastive(a.contrastive, bass_ae=gen.bass_ae, mix_ae=gen.mix_ae)
    test = test_songs(a.data)
    songs = [read_song(s.dir) for s in tqdm(test[:a.n], desc='loading')]
    if len(songs) < 2: sys.exit(f'need at least 2 test songs, found {len(songs)} in {a.data}')
    others = [read_song(s.dir) for s in test[a.n:2 * a.n]]
    blat = lambda xs, ss: [audio_latent(gen.bass_ae, x, s[1]['sr']) for x, s in zip(xs, ss)]
    zm = [audio_latent(gen.mix_ae, song_mix(s), s[1]['sr']) for s in songs]
    d = dict(steps=gen.gen.steps, guidance=gen.gen.guidance)
    settings = sorted({(s, d['guidance']) for s in a.steps} | {(d['steps'], c) for c in a.guidance} | {(d['steps'], d['guidance'])})
    gens = {}
    for st, c in settings:                                    # each setting from scratch, same seed
        audio, dt = generate(gen, songs, st, c, a)
        gens[st, c] = dict(lat=blat(audio, songs), seconds=dt)
    real = [s[0]['bass'] for s in songs]
    cands = {'ground truth': real,
             'bass autoencoder reconstruction': [reconstruct(gen.bass_ae, x, s[1]['sr']) for x, s in zip(real, songs)],
             f"generated (default: {d['steps']} steps, guidance {d['guidance']:g})": None,
             "mismatch (another song's bass)": [mismatch_bass(songs)(s) for s in songs],
             'silence': [torch.zeros_like(x) for x in real],
             'probe: re-rendered as written': [rendered_bass(t.dir, s) for t, s in zip(test, songs)],
             'probe: re-rendered as written, transposed a tritone':
                 [rendered_bass(t.dir, s, partial(transpose_line, semitones=6)) for t, s in zip(test, songs)],
             'probe: re-rendered as written, a tritone down': [rendered_bass(t.dir, s, tritone_down) for t, s in zip(test, songs)],
             'probe: re-rendered as written, an octave up (right notes)':
                 [rendered_bass(t.dir, s, octave_up) for t, s in zip(test, songs)],
             'probe: re-rendered, high notes an octave down': [rendered_bass(t.dir, s, low_fold) for t, s in zip(test, songs)],
             'probe: the same, transposed a tritone':
                 [rendered_bass(t.dir, s, partial(low_fold, semitones=6)) for t, s in zip(test, songs)],
             'probe: ground truth delayed 3/16 beat': [delayed(s) for s in songs],
             'probe: ground truth, first bar silent': [silenced(s) for s in songs],
             'probe: ground truth delayed 1 beat': [delayed(s, 1) for s in songs],
             'probe: ground truth delayed 1 bar': [delayed(s, 4) for s in songs]}
    zb = {k: gens[d['steps'], d['guidance']]['lat'] if v is None else blat(v, songs) for k, v in cands.items()}
    gen_key = next(k for k in cands if k.startswith('generated'))
    match, pairs = matching(model, zm, zb, gen_key)
    compare = []
    for path in a.compare:                                    # other judges on the same audio (matching only)
        m, p = matching(load_contrastive(path, bass_ae=gen.bass_ae, mix_ae=gen.mix_ae), zm, zb, gen_key)
        compare.append(dict(contrastive=path, matching=m, pairs=p))
    E = {k: embeddings(model, z, a) for k, z in zb.items()}
    ref = E['ground truth']
    sweep = []
    for (st, c), g in gens.items():
        j = judge(model, zm, g['lat'])
        sweep.append(dict(steps=st, guidance=c, fad=fads(embeddings(model, g['lat'], a), ref), acc=j['acc'],
                          score=float(np.mean(j['scores'])), seconds=g['seconds']))
    h = len(songs) // 2
    refs = [dict(ref='real basses of the first half of the songs vs the second half', n_songs=[h, len(songs) - h],
                 fad=fads(*[embeddings(model, p, a) for p in (zb['ground truth'][:h], zb['ground truth'][h:])]))]
    if len(others) == len(songs):
        refs.append(dict(ref=f'real basses of {len(others)} other test songs', n_songs=[len(songs), len(others)],
                         fad=fads(embeddings(model, blat([s[0]['bass'] for s in others], others), a), ref)))
    refs += [dict(ref=k, n_songs=[len(songs)] * 2, fad=fads(E[k], ref)) for k in cands if k != 'ground truth' and not k.startswith('generated')]
    return dict(n=len(songs), windows=len(ref['pre']), default=d, matching=match, pairs=pairs, compare=compare, sweep=sweep,
                references=refs)


def tables(r, a):
    n = r['n']
    out = [f"## Contrastive matching ({n} test songs)", '',
           f"| bass | retrieval accuracy (top-1 of {n}; chance {1 / n:.3f}) | matching score (mean ± std) |", '|---|---|---|']
    for m in r['matching']:
        s = np.array(m['scores'])
        out.append(f"| {m['source']} | {m['acc']:.3f} | {s.mean():.3f} ± {s.std():.3f} |")
    out += ['', 'Retrieval: for each mix, is its own candidate the most similar of the N candidates of the same kind '
            '(for the mismatch row: is the other song\'s bass picked over the other mismatched basses, one of which is '
            'the true bass); silence: the N candidates differ only in length, so its retrieval is a lottery around chance. '
            'Probes: each re-rendered bass is the reference for its transposed twin (same renderer); "as written" keeps every '
            'note, the earlier runs\' "high notes an octave down" pair moved the reference\'s notes above E2 an octave down and the '
            'tritone\'s +6 below E2, -6 above; the true bass with its first bar silent is the reference for the delays by a beat '
            'and a bar (the same silent start).', '',
            f'Paired, song by song (the same {n} mixes): how often the first bass scores above the second (ties: half; '
            'chance 0.5 for a judge that cannot tell them apart) and the mean score difference.', '',
            '| right bass | altered bass | right one scores higher (fraction of songs) | mean score difference |', '|---|---|---|---|']
    out += [f"| {p['right']} | {p['altered']} | {p['wins']:.3f} ({p['wins'] * n:g}/{n}) | {p['diff']:+.3f} |" for p in r.get('pairs', [])]
    out += ['']
    if r.get('compare'):
        judges = [x['contrastive'] for x in r['compare']] + ['this run\'s judge']
        out += ['### The same audio, other judges', '', 'Right one scores higher (songs of ' + str(n) + ') / mean score difference:', '',
                '| right bass | altered bass | ' + ' | '.join(judges) + ' |', '|---|---|' + '---|' * len(judges)]
        for i, p in enumerate(r['pairs']):
            cells = [f"{q['wins'] * n:g}/{n} ({q['diff']:+.3f})" for q in [x['pairs'][i] for x in r['compare']] + [p]]
            out.append(f"| {p['right']} | {p['altered']} | " + ' | '.join(cells) + ' |')
        out += ['', '| bass | ' + ' | '.join(f'{j}: retrieval / score' for j in judges) + ' |', '|---|' + '---|' * len(judges)]
        for i, m in enumerate(r['matching']):
            cells = [f"{q['acc']:.3f} / {np.mean(q['scores']):.3f}" for q in [x['matching'][i] for x in r['compare']] + [m]]
            out.append(f"| {m['source']} | " + ' | '.join(cells) + ' |')
        out += ['']
    d = r['default']
    head = '| FAD | FAD (normalised embeddings) | retrieval accuracy | matching score | generation (s) |\n|---|---|---|---|---|---|'
    row = lambda s, first: f"| {first} | {s['fad']['pre']:.3f} | {s['fad']['norm']:.4f} | {s['acc']:.3f} | {s['score']:.3f} | {s['seconds']:.0f} |"
    out += [f"## FAD vs DDIM steps (guidance {d['guidance']:g})", '', '| DDIM steps ' + head]
    out += [row(s, s['steps']) for s in r['sweep'] if s['guidance'] == d['guidance'] and s['steps'] in a.steps]
    out += ['', f"## FAD vs guidance ({d['steps']} DDIM steps)", '', '| guidance ' + head]
    out += [row(s, f"{s['guidance']:g}") for s in r['sweep'] if s['steps'] == d['steps'] and s['guidance'] in a.guidance]
    out += ['', '## FAD references (each set against the real basses of the same songs unless said)', '',
            '| set | songs | FAD | FAD (normalised embeddings) |', '|---|---|---|---|']
    out += [f"| {x['ref']} | {' vs '.join(map(str, x['n_songs']))} | {x['fad']['pre']:.3f} | {x['fad']['norm']:.4f} |" for x in r['references']]
    out += ['', f"FAD samples: windows of {a.fad_frames} latent frames every {a.fad_hop} ({r['windows']} windows for {n} songs), "
            'bass-tower embeddings before (FAD) and after (normalised) L2 normalisation; FAD in the contrastive model\'s '
            'own space, not comparable with VGGish FAD. Generation seed ' + str(a.seed) + '.']
    return '\n'.join(out)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--data', default='data/synth')
    ap.add_argument('--model', help='model folder (default: bundled small models)')
    ap.add_argument('--contrastive', help='contrastive model checkpoint (default: the bundled one, '
                    'bassnb/assets/models/small/contrastive.safetensors)')
    ap.add_argument('--compare', nargs='*', default=[], help='other contrastive models whose matching (not FAD) to report on the same audio')
    ap.add_argument('--precision', default='auto', choices=['auto', 'fp32', 'bf16'], help="generation precision (the pipeline's setting)")
    ap.add_argument('--n', type=int, default=30, help='test songs')
    ap.add_argument('--seed', type=int, default=0, help='generation seed (the same for every setting)')
    ap.add_argument('--steps', type=int, nargs='+', default=[8, 16, 32, 64], help='DDIM steps of the steps sweep')
    ap.add_argument('--guidance', type=float, nargs='+', default=[1, 2, 4, 6, 8], help='guidance scales of the guidance sweep')
    ap.add_argument('--fad-frames', type=int, default=32, help='latent frames per FAD window (the training crop)')
    ap.add_argument('--fad-hop', type=int, default=8, help='latent frames between FAD windows')
    ap.add_argument('--threads', type=int, default=1)
    ap.add_argument('--json', help='write the results as JSON here')
    ap.add_argument('--save', action='store_true', help='write bench/results/eval_paper.md and .json')
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    t0 = time.perf_counter()
    r = run(a)
    used = 'bf16' if unet_dtype(a.precision, 'cpu') else 'fp32'
    r.update(seconds=time.perf_counter() - t0, threads=a.threads, seed=a.seed, fad_frames=a.fad_frames, fad_hop=a.fad_hop,
             precision=a.precision, precision_used=used,
             model=a.model or 'bundled small', contrastive=a.contrastive or str(assets_dir() / 'models/small/contrastive.safetensors'),
             command='python ' + ' '.join(sys.argv))
    md = (f"# Paper evaluations: contrastive matching and FAD\n\n`{r['command']}` — models: {r['model']}; judge: {r['contrastive']}; "
          f"generation precision: {a.precision} ({used} here); {a.threads} thread(s); {r['seconds'] / 60:.1f} min\n\n" + tables(r, a))
    print(md)
    outs = ([Path(a.json)] if a.json else []) + ([Path('bench/results/eval_paper.json')] if a.save else [])
    for p in outs: write_results(p, r)
    if a.save: Path('bench/results/eval_paper.md').write_text(md + '\n')


if __name__ == '__main__':
    main()
