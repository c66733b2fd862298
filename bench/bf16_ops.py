"""Which ops of a U-Net are slow in bfloat16 on this CPU: every distinct op of one forward, timed alone in fp32 and in bf16.

One float32 forward of the U-Net (random weights, seeded) on a batch of `--batch` (2: guidance) at `--frames` latent frames
records each leaf module call (conv, GroupNorm, upsampling ...) and each `scaled_dot_product_attention` call with its
input shape. Each distinct (op, shape) is then re-run alone, `--repeats` times, on a float32 copy and on a bfloat16 copy
(weights `.to(bfloat16)`, as `pipeline.cast_model` does), and the table gives the median ms per call, the calls per forward,
and the ms per forward, worst bf16/fp32 first. The last rows time whole forwards of the U-Net in both dtypes.

    python bench/bf16_ops.py --preset paper --frames 216         # 20 s at 44.1 kHz (4096 samples a frame)
    python bench/bf16_ops.py --preset paper --frames 1000        # one generation window of a 3-minute song
"""
import argparse, copy, statistics, time
from pathlib import Path
import torch, torch.nn as nn, torch.nn.functional as F
from bassnb.unet import LatentUNet, unet_preset


def median_ms(f, repeats):
    f()                                                            # warm-up (oneDNN primitive creation, caches)
    ts = []
    for _ in range(repeats):
        t0 = time.perf_counter(); f(); ts.append(time.perf_counter() - t0)
    return 1000 * statistics.median(ts)


def record(unet, *args):
    "[(name, callable-maker, input shapes)] of the leaf modules and attention calls of one forward of `unet`."
    calls, hooks = [], []
    def hook(name):
        def h(m, inp, out): calls.append((f"{type(m).__name__} {name}", m, tuple(tuple(x.shape) for x in inp), {}))
        return h
    for name, m in unet.named_modules():
        if not list(m.children()) and not isinstance(m, (nn.Identity, nn.Dropout)):
            hooks.append(m.register_forward_hook(hook(name)))
    sdpa = F.scaled_dot_product_attention
    def rec_sdpa(q, k, v, attn_mask=None, **kw):
        calls.append(('sdpa', None, (tuple(q.shape), tuple(k.shape), tuple(v.shape)) +
                      ((tuple(attn_mask.shape),) if attn_mask is not None else ()), kw))
        return sdpa(q, k, v, attn_mask=attn_mask, **kw)
    F.scaled_dot_product_attention = rec_sdpa
    try:
        with torch.inference_mode(): unet(*args)
    finally:
        F.scaled_dot_product_attention = sdpa
        for h in hooks: h.remove()
    return calls


def signature(name, m, shapes):
    "A key that is the same for calls that cost the same: the op, its settings and its input shapes."
    if m is None: return ('sdpa', shapes)
    kind = name.split()[0]
    if isinstance(m, nn.Conv1d): desc = f"{m.in_channels}->{m.out_channels} k{m.kernel_size[0]} s{m.stride[0]}"
    elif isinstance(m, nn.GroupNorm): desc = f"{m.num_groups} groups"
    else: desc = ''
    return (kind, desc, shapes)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--preset', default='paper')
    ap.add_argument('--frames', type=int, default=216)
    ap.add_argument('--batch', type=int, default=2)
    ap.add_argument('--threads', type=int, default=1)
    ap.add_argument('--repeats', type=int, default=5)
    ap.add_argument('--forwards', type=int, default=3, help='whole forwards timed per dtype (median)')
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    unet = LatentUNet(unet_preset(a.preset)).eval()
    c = unet.cfg
    z, cond, t = torch.randn(a.batch, c.in_dim, a.frames), torch.randn(a.batch, c.cond_dim, a.frames), torch.full((a.batch,), .5)
    calls = record(unet, z, t, cond)
    groups = {}
    for name, m, shapes, kw in calls:
        k = signature(name, m, shapes)
        if k not in groups: groups[k] = [0, name, m, shapes, kw]
        groups[k][0] += 1
    print(f"{a.preset} U-Net, batch {a.batch}, {a.frames} frames, {a.threads} thread(s), median of {a.repeats} per op; "
          f"torch {torch.__version__}; load at start: {Path('/proc/loadavg').read_text().split()[0]}\n")
    print('| op | settings | input shape | calls/forward | fp32 ms/call | bf16 ms/call | bf16/fp32 | fp32 ms/forward | bf16 ms/forward |')
    print('|---|---|---|---|---|---|---|---|---|')
    rows, tot = [], {torch.float32: 0., torch.bfloat16: 0.}
    with torch.inference_mode():
        for key, (count, name, m, shapes, kw) in groups.items():
            ms = {}
            for dt in (torch.float32, torch.bfloat16):
                xs = [torch.randn(s, dtype=dt) for s in shapes]
                if m is None: f = lambda xs=xs: F.scaled_dot_product_attention(*xs[:3], attn_mask=xs[3] if len(xs) > 3 else None, **kw)
                else:
                    mm = copy.deepcopy(m).to(dt)
                    f = lambda mm=mm, xs=xs: mm(*xs)
                ms[dt] = median_ms(f, a.repeats)
                tot[dt] += count * ms[dt]
            rows.append((key, count, ms))
    rows.sort(key=lambda r: -r[1] * (r[2][torch.bfloat16] - r[2][torch.float32]))
    for (kind, *rest), count, ms in rows:
        desc, shapes = (rest if kind != 'sdpa' else ('q, k, v, mask', rest[0]))
        f32, b16 = ms[torch.float32], ms[torch.bfloat16]
        print(f"| {kind} | {desc} | {' '.join('x'.join(map(str, s)) for s in shapes)} | {count} | {f32:.3f} | {b16:.3f} | "
              f"{b16 / f32:.2f} | {count * f32:.2f} | {count * b16:.2f} |")
    print(f"| **sum of the ops above** | | | {sum(r[1] for r in rows)} | | | {tot[torch.bfloat16] / tot[torch.float32]:.2f} | "
          f"{tot[torch.float32]:.1f} | {tot[torch.bfloat16]:.1f} |")
    whole = {}
    for dt in (torch.float32, torch.bfloat16):
        with torch.no_grad(): u = copy.deepcopy(unet).to(dt)  # outside inference_mode: the attention bias cache reads
        args = (z.to(dt), t, cond.to(dt))                       # the weights' version counters, which inference tensors lack
        with torch.inference_mode(): whole[dt] = median_ms(lambda: u(*args), a.forwards)
    print(f"| **whole forward** | | | | | | {whole[torch.bfloat16] / whole[torch.float32]:.2f} | "
          f"{whole[torch.float32]:.1f} | {whole[torch.bfloat16]:.1f} |")


if __name__ == '__main__':
    main()
