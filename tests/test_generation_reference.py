"""Generation is unchanged for a fixed seed: `BassGenerator.generate` on tiny models (their weights stored in the fixture)
must reproduce outputs that were computed by the code of `main` at f081eb9, before the module refactor of issue 16.

Regenerate the fixture (only when a change of the generated output is intended) with:
    python tests/test_generation_reference.py --write
"""
import sys
from pathlib import Path
import torch

FIXTURE = Path(__file__).parent / 'fixtures' / 'generation_reference.safetensors'
CASES = {   # name: keyword arguments of BassGenerator.generate
    'plain': dict(steps=3, guidance=1., rescale=0., seed=0),
    'guided': dict(steps=4, guidance=3., rescale=.7, seed=1, n_variations=2),
    'style': dict(steps=4, guidance=2., rescale=.5, grounding=.5, tone_match=0., seed=2, style=True),   # tone matching (11c) came later
}

def make_models():
    "Tiny bass/mix autoencoders and U-Net with every weight random (so that no layer is an identity or zero)."
    from bassnb.autoencoder import StftAutoencoder, ae_preset
    from bassnb.unet import LatentUNet, unet_preset
    torch.manual_seed(0)
    models = dict(bass=StftAutoencoder(ae_preset('tiny', 'bass')), mix=StftAutoencoder(ae_preset('tiny', 'mix')),
                  unet=LatentUNet(unet_preset('tiny')))
    with torch.no_grad():
        for m in models.values():
            for p in m.parameters(): p.copy_((torch.randn_like(p) * .2).half().float())   # exact in float16
    return models

def generate_all(models):
    from bassnb.pipeline import BassGenerator, GenConfig
    g = torch.Generator().manual_seed(0)
    sr = 8000
    mix = torch.randn(2, int(1.3 * sr), generator=g) * .1                 # stereo, 1.3 s at the models' rate
    style = torch.randn(1, sr, generator=g) * .1
    gen = BassGenerator(models['bass'], models['mix'], models['unet'], device='cpu', gen=GenConfig(precision='fp32'))
    out = dict(mix=mix, style=style)
    for name, kw in CASES.items():
        kw = dict(kw)
        if kw.pop('style', False): kw.update(style=style, style_sr=sr)
        r = gen.generate(mix, sr, progress=False, **kw)
        out[f'{name}.bass'], out[f'{name}.latent'] = r.bass, r.latent
    return out

def write():
    from safetensors.torch import save_file
    models = make_models()
    t = {f'{k}/{n}': (v.half() if v.is_floating_point() else v).contiguous() for k, m in models.items() for n, v in m.state_dict().items()}
    t.update({f'out/{k}': v.contiguous() for k, v in generate_all(models).items()})
    FIXTURE.parent.mkdir(exist_ok=True)
    save_file(t, FIXTURE)
    print(f"wrote {FIXTURE} ({FIXTURE.stat().st_size} bytes)")

def test_generation_unchanged():
    from safetensors.torch import load_file
    t = load_file(FIXTURE)
    models = make_models()
    for k, m in models.items(): m.load_state_dict({n[len(k) + 1:]: v.float() if v.is_floating_point() else v for n, v in t.items() if n.startswith(k + '/')})
    got = generate_all(models)
    for k, v in got.items():
        ref = t[f'out/{k}']
        assert v.shape == ref.shape, (k, v.shape, ref.shape)
        assert ref.abs().max() > 0, k                                   # a reference that can tell outputs apart
        # within float32 rounding (matrix products sum in another order on another thread count)
        torch.testing.assert_close(v, ref, rtol=1e-4, atol=1e-5 * float(ref.abs().max()), msg=lambda m: f"{k}: generation changed: {m}")

if __name__ == '__main__' and '--write' in sys.argv: write()
