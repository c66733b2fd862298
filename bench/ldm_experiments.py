"""Experiments of the diffusion notebook (10_train_diffusion): is the mix used, does the model generalise to
longer inputs (DPB vs no position information vs learned absolute positions), what did DPB learn, loss curves.

    python bench/ldm_experiments.py --run runs/ldm --variants runs/len_dpb runs/len_none runs/len_abs \
        --latents data/latents --long data/latents_long

Writes bench/results/ldm_experiments.{md,json} and figures into nbs/images/ (shown by the notebook and README).
"""
import argparse, json
from pathlib import Path
import torch
import matplotlib; matplotlib.use('agg')
import matplotlib.pyplot as plt
from bassnb.checkpoint import load_model
from bassnb.unet import LatentUNet
from bassnb.attention import DpbAttention
from bassnb.learner import plot_log, read_log
from bassnb.train_diffusion import load_cache, LatentPairs, conditioning_eval, length_eval
from bassnb.diffusion import diffusion_loss
from common import write_results


def crops(latents, split, n, frames, seed):
    _, songs = load_cache(latents, split)
    ds = LatentPairs(songs, frames, n, seed)
    return torch.utils.data.default_collate([ds[i] for i in range(n)]), len(songs)


def dpb_figure(model, path, n=64):
    "Learned bias B(i - j) of every DPB attention layer, per head, against the offset in that layer's frames."
    layers = [(name, m) for name, m in model.named_modules() if isinstance(m, DpbAttention) and m.pos == 'dpb']
    cols = 4
    rows = -(-len(layers) // cols)
    fig, axs = plt.subplots(rows, cols, figsize=(4 * cols, 3 * rows), squeeze=False)
    for ax in axs.flat[len(layers):]: ax.axis('off')
    for ax, (name, m) in zip(axs.flat, layers):
        with torch.no_grad(): b = m.dpb.mlp(m.dpb.offsets(n)).T          # (heads, 2n-1)
        off = torch.arange(-n + 1, n)
        for h, row in enumerate(b): ax.plot(off, row, label=f'head {h}')
        ax.set_title(f'{name} ({m.qkv.in_channels} ch)', fontsize=9); ax.set_xlabel('offset i - j (frames at this level)', fontsize=8); ax.axvline(0, c='k', lw=.5)
    axs[0][0].set_ylabel('bias added to the logits'); axs[0][0].legend(fontsize=7)
    plt.tight_layout(); plt.savefig(path, dpi=90); plt.close('all')


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--run', default='runs/ldm', help='the main diffusion run')
    ap.add_argument('--variants', nargs='*', default=['runs/len_dpb', 'runs/len_none', 'runs/len_abs'])
    ap.add_argument('--compare', nargs='*', default=[], help='other model folders (with model.safetensors) for the '
                    'conditioning test and the length test, on the same crops and noise')
    ap.add_argument('--latents', default='data/latents')
    ap.add_argument('--long', default='data/latents_long', help='cache of long songs (>= 1024 frames)')
    ap.add_argument('--lengths', type=int, nargs='+', default=[64, 256, 1024])
    ap.add_argument('--n', type=int, default=64, help='crops for the conditioning test')
    ap.add_argument('--threads', type=int, default=2)
    ap.add_argument('--out', default='bench/results')
    ap.add_argument('--images', default='nbs/images')
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    out, img = Path(a.out), Path(a.images)
    out.mkdir(parents=True, exist_ok=True); img.mkdir(parents=True, exist_ok=True)
    res, md = {}, []

    model, meta = load_model(Path(a.run) / 'model', LatentUNet)
    model.eval()
    b, n_songs = crops(a.latents, 'test', a.n, model.cfg.max_len, seed=123)
    with torch.no_grad(): c = conditioning_eval(model, b['bass'], b['mix'])
    res['conditioning'] = dict(c, step=meta.get('step'), crops=a.n, songs=n_songs, frames=model.cfg.max_len)
    g, ts = torch.Generator().manual_seed(0), (torch.arange(8) + .5) / 8          # the same levels and noise as fixed_vloss
    per_t = {k: [] for k in ('true', 'zeroed', 'mismatched')}
    eps = [torch.randn(b['bass'].shape, generator=g) for _ in ts]
    with torch.no_grad():
        for t, e in zip(ts, eps):
            for k, mx in [('true', b['mix']), ('zeroed', torch.zeros_like(b['mix'])), ('mismatched', b['mix'].roll(1, 0))]:
                per_t[k].append(float(diffusion_loss(model, b['bass'], mx, 0., t.expand(a.n), e)))
    res['conditioning_per_t'] = dict(t=ts.tolist(), **per_t)
    found = lambda vs: [Path(v) for v in vs if (Path(v) / 'model.safetensors').exists()]
    loaded = {r: load_model(r / 'model', LatentUNet) for r in found(a.compare)}   # used by both tests below
    others = list(loaded)
    res['conditioning_compare'] = {}
    for r, (m, mt) in loaded.items():                             # the same crops and noise, other models
        with torch.no_grad(): res['conditioning_compare'][str(r)] = dict(conditioning_eval(m.eval(), b['bass'], b['mix']), step=mt.get('step'))
    md += [f"### Is the mix used? ({a.run}, step {meta.get('step')}; {a.n} crops of {model.cfg.max_len} frames "
           f"from {n_songs} test songs; fixed-noise v-loss over 8 noise levels)", '',
           '| condition | ' + ' | '.join([a.run] + [str(r) for r in others]) + ' |', '|---' * (2 + len(others)) + '|'] + \
          [f'| {k} mix | {v:.4f} | ' + ' | '.join(f"{res['conditioning_compare'][str(r)][k]:.4f}" for r in others) + ' |'
           for k, v in c.items()] + [''] + \
          ['by noise level t (α = cos πt/2):', '', '| t | ' + ' | '.join(f'{t:.3f}' for t in ts.tolist()) + ' |',
           '|---' * (len(ts) + 1) + '|'] + \
          [f'| {k} | ' + ' | '.join(f'{v:.3f}' for v in per_t[k]) + ' |' for k in per_t] + ['']

    _, long = load_cache(a.long)
    loaded[Path(a.run)] = model, meta
    runs = found(a.variants) + others + [Path(a.run)]
    res['length'] = {}
    md += [f"### Length generalisation (v-loss on the first {max(a.lengths)} frames of {len(long)} long songs, cut into "
           'pieces of each length; same noise)', '',
           '| run | position information | trained steps | crop frames | ' + ' | '.join(f'{L} frames' for L in a.lengths)
           + f' | {max(a.lengths)} / {min(a.lengths)} |', '|---' * (5 + len(a.lengths)) + '|']
    for r in runs:
        m, mt = loaded.get(r) or load_model(r / 'model', LatentUNet)
        with torch.no_grad(): le = length_eval(m.eval(), long, tuple(a.lengths), max(a.lengths))
        res['length'][str(r)] = dict(pos=m.cfg.pos, step=mt.get('step'), max_len=m.cfg.max_len, **{str(k): v for k, v in le.items()})
        md.append(f"| {r} | {m.cfg.pos} | {mt.get('step')} | {m.cfg.max_len} | " + ' | '.join(f'{le[L]:.4f}' for L in a.lengths)
                  + f' | {le[max(a.lengths)] / le[min(a.lengths)]:.3f} |')
    md.append('')

    dpb_figure(model, img / 'dpb_bias.png')
    fig, ax = plt.subplots(figsize=(10, 3.5))
    plot_log(Path(a.run) / 'log.jsonl', ['loss', 'valid_vloss'], ax=ax)
    ax.set_title(f'diffusion training ({a.run}): v-loss per step and fixed-noise validation v-loss (EMA model)')
    plt.tight_layout(); plt.savefig(img / 'ldm_loss.png', dpi=90); plt.close('all')
    recs = [r for r in read_log(Path(a.run) / 'log.jsonl') if 'valid_vloss' in r]
    res['valid_curve'] = [(r['step'], r['valid_vloss']) for r in recs]
    md += ['validation v-loss by step: ' + ', '.join(f"{s}: {v:.3f}" for s, v in res['valid_curve']), '']

    write_results(out / 'ldm_experiments.json', res)
    (out / 'ldm_experiments.md').write_text('\n'.join(md))
    print('\n'.join(md))


if __name__ == '__main__':
    main()
