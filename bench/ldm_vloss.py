"""Fixed-noise validation v-loss of exported U-Nets on the same validation crops of a latent cache (`fixed_vloss`, 10_train_diffusion),
so that runs with different seeds — whose own logged validation crops differ — and weight averages can be compared side by side.

  python bench/ldm_vloss.py --latents data/lat_mt --models bassnb/assets/models/small/unet.safetensors runs/a/model.safetensors --seeds 1 2
"""
import argparse, torch
from bassnb.train_diffusion import load_cache, LatentPairs, fixed_vloss
from bassnb.checkpoint import load_model
from bassnb.unet import LatentUNet

def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--latents', default='data/lat_mt')
    ap.add_argument('--models', nargs='+', required=True, help='exported U-Nets (.safetensors)')
    ap.add_argument('--crops', type=int, default=128)
    ap.add_argument('--frames', type=int, default=64)
    ap.add_argument('--seeds', type=int, nargs='+', default=[1, 2], help='crop seeds')
    ap.add_argument('--threads', type=int, default=1)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    _, valid = load_cache(a.latents, 'valid')
    models = {p: load_model(p, LatentUNet)[0].float().eval() for p in a.models}
    side = next(iter(models.values())).cfg.side
    print(f'{len(valid)} validation songs, {a.crops} crops of {a.frames} frames per seed\n')
    print('| U-Net | ' + ' | '.join(f'crops seed {s}' for s in a.seeds) + ' |\n|---|' + '---|' * len(a.seeds))
    batches = []
    for s in a.seeds:
        ds = LatentPairs(valid, a.frames, a.crops, s, side)
        batches.append(torch.utils.data.default_collate([ds[i] for i in range(a.crops)]))
    for p, m in models.items():
        print(f'| {p} | ' + ' | '.join(f"{float(fixed_vloss(m, b['bass'], b['mix'])):.4f}" for b in batches) + ' |')

if __name__ == '__main__':
    main()
