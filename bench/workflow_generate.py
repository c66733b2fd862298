"Generation-based measurements of 17_workflow (imported by workflow_eval.py): MIDI of generated takes, ranking, bar regeneration."
import json, time
from pathlib import Path
import numpy as np, torch

def crop_meta(m, seconds):
    "Chords of meta `m` cut to the first `seconds`."
    return [dict(c, end=min(c['end'], seconds)) for c in m['chords'] if c['start'] < seconds]

def span_chords(chords, a, b):
    return [dict(c, start=max(c['start'], a) - a, end=min(c['end'], b) - a) for c in chords if c['end'] > a and c['start'] < b]

def generate_eval(a):
    from bassnb.synth import read_song
    from bassnb.evaluation import song_mix, bass_f0, chord_tone_fraction
    from bassnb.pipeline import BassGenerator
    from bassnb.contrastive import load_contrastive, embed_audio
    from bassnb.workflow import transcribe, note_chord_fraction, chord_agreement, analyse
    gen = BassGenerator.from_pretrained(a.model, device='cpu', steps=a.steps)
    judge = load_contrastive(bass_ae=gen.bass_ae, mix_ae=gen.mix_ae)
    dirs = sorted((Path(a.data) / 'test_trainsf').glob('song_*'))[:a.n]
    rows, out = [], Path(__file__).parent / 'results' / 'workflow_generate_partial.jsonl'
    out.write_text('')
    for i, d in enumerate(dirs):
        t0 = time.time()
        st, m = read_song(d); sr = m['sr']; n = int(a.seconds * sr)
        mix = song_mix((st, m))[..., :n]; chords = crop_meta(m, a.seconds)
        res = gen.generate(mix, sr, n_variations=a.takes, seed=0, progress=False)
        em = embed_audio(judge, gen.mix_ae, mix, sr)
        takes = []
        for b in res.bass:
            tr = bass_f0(b, sr, prob=True)
            takes.append(dict(ctf=chord_tone_fraction(b, sr, chords, tr), chords=chord_agreement(b, mix, sr, tr),
                              judge=float(em @ embed_audio(judge, gen.bass_ae, b, sr))))
        for t in takes: t['fit'] = t['chords'] + t['judge']
        pick = {k: int(np.argmax([t[k] for t in takes])) for k in ('fit', 'judge', 'chords')}
        r = dict(song=m['song_id'], takes=takes, pick=pick, ctf_mean=float(np.mean([t['ctf'] for t in takes])),
                 ctf_best=float(max(t['ctf'] for t in takes)), **{f'ctf_top_{k}': takes[j]['ctf'] for k, j in pick.items()})
        # MIDI of two takes: the first and the top-ranked one
        r['midi'] = []
        for j in sorted({0, pick['fit']}):
            notes = transcribe(res.bass[j], sr)
            r['midi'].append(dict(take=j, notes=len(notes), note_ctf=note_chord_fraction(notes, chords), audio_ctf=takes[j]['ctf']))
        if i < a.inpaint:
            g = analyse(mix, sr)
            span = g.bar_span(f"{max(1, len(g.downbeats) // 2 - 1)}-{len(g.downbeats) // 2}")   # two bars in the middle
            keep = res.bass[0]
            new = gen.regenerate(mix, keep, span, sr, sr, seed=100, progress=False).bass[0]
            free = gen.generate(mix, sr, seed=100, progress=False).bass[0]
            hop = gen.bass_ae.cfg.compression / gen.sr
            lo, hi = int((span[0] - hop) * sr), int((span[1] + hop) * sr)
            outside = torch.cat([new[:, :lo] - keep[:, :lo], new[:, hi:] - keep[:, hi:]], -1)
            ref = torch.cat([keep[:, :lo], keep[:, hi:]], -1)
            snr = float(10 * torch.log10(ref.pow(2).sum() / outside.pow(2).sum().clamp_min(1e-20)))
            a0, a1 = int(span[0] * sr), int(span[1] * sr)
            sc = span_chords(chords, *span)
            jump = lambda v: float(v.diff(dim=-1).abs().max())
            seam = max(jump(new[:, max(0, a0 - int(.06 * sr)):a0 + 200]), jump(new[:, a1 - 200:a1 + int(.06 * sr)]))
            r['inpaint'] = dict(span=span, snr_outside_db=min(snr, 200.), ctf_inside=chord_tone_fraction(new[:, a0:a1], sr, sc),
                                ctf_free_inside=chord_tone_fraction(free[:, a0:a1], sr, sc),
                                ctf_kept_inside=chord_tone_fraction(keep[:, a0:a1], sr, sc),
                                seam_jump=seam, max_jump_elsewhere=max(jump(keep), jump(new[:, a0:a1]), jump(free)))
        r['seconds'] = time.time() - t0
        rows.append(r)
        with out.open('a') as f: f.write(json.dumps(r, default=float) + '\n')
        print(f"{m['song_id']}: top {r['ctf_top_fit']:.2f} mean {r['ctf_mean']:.2f} best {r['ctf_best']:.2f} ({r['seconds']:.0f} s)", flush=True)
    report(rows, a)
    return rows

def report(rows, a):
    ms = lambda v: f"{np.mean(v):.3f} ± {np.std(v):.3f}"
    c = lambda k: [r[k] for r in rows]
    print(f"\n{len(rows)} songs, first {a.seconds:g} s, {a.takes} takes each (seed 0), {a.steps} DDIM steps, guidance 6\n")
    print('| take | chord-tone fraction (audio) |\n|---|---|')
    for k, name in [('ctf_top_fit', 'top-ranked by fit (judge + chord agreement)'), ('ctf_top_judge', 'top by the judge alone'),
                    ('ctf_top_chords', 'top by chord agreement alone'), ('ctf_mean', 'mean take'), ('ctf_best', 'best take (oracle)')]:
        print(f"| {name} | {ms(c(k))} |")
    print(f"\ntop-ranked above the mean take in {sum(r['ctf_top_fit'] > r['ctf_mean'] for r in rows)}/{len(rows)} songs")
    md = [x for r in rows for x in r['midi']]
    print(f"\nMIDI of generated takes ({len(md)} takes): note chord-tone fraction {ms([x['note_ctf'] for x in md])}, "
          f"the same takes' audio chord-tone fraction {ms([x['audio_ctf'] for x in md])}; notes per take {ms([x['notes'] for x in md])}")
    ip = [r['inpaint'] for r in rows if 'inpaint' in r]
    if ip:
        print(f"\nbar regeneration ({len(ip)} songs, two bars in the middle, seed 100 over take 1): SNR outside the span ± one latent frame "
              f"min {min(x['snr_outside_db'] for x in ip):.1f} dB; chord-tone fraction inside: regenerated {ms([x['ctf_inside'] for x in ip])}, "
              f"free generation (same seed) {ms([x['ctf_free_inside'] for x in ip])}, kept take {ms([x['ctf_kept_inside'] for x in ip])}; "
              f"largest sample jump at the seams / largest elsewhere: max {max(x['seam_jump'] / x['max_jump_elsewhere'] for x in ip):.2f}")
