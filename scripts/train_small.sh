#!/usr/bin/env bash
# Reproduce the bundled `small` models from scratch on a CPU (see README, "How the bundled models were made").
# Each stage resumes when rerun; kill it any time. Runs marked & go side by side, one CPU core each.
set -euo pipefail
cd "$(dirname "$0")/.."
. .venv/bin/activate
M=bassnb/assets/models/small
# Round 1: a 400-song corpus, both autoencoders from scratch, then the diffusion model.
bassnb synth --n 400 --out data/synth --seed 0 --jobs 2 --sr 22050                          # 1. corpus (~1 min)
bassnb train-ae --preset small --kind bass --data data/synth --out runs/ae_bass --steps 9000 & # 2a. bass autoencoder
bassnb train-ae --preset small --kind mix  --data data/synth --out runs/ae_mix  --steps 9000 & # 2b. mix autoencoder
wait
bassnb encode --data data/synth --bass-ae runs/ae_bass/model.safetensors \
              --mix-ae runs/ae_mix/model.safetensors --out data/latents400                    # 3. latent cache
bassnb train-diffusion --preset small --latents data/latents400 --out runs/ldm                # 4. diffusion model, 20k steps
bassnb bundle --bass-ae runs/ae_bass/model.safetensors --mix-ae runs/ae_mix/model.safetensors \
              --unet runs/ldm/model.safetensors --out runs/round1 --force                     # 5. float16 model folder
# Round 2: the corpus grown to 1200 songs (the first 400 are the same songs); starting from round 1's models,
# the decoders are fine-tuned with their encoders frozen (the latent space stays) and the diffusion model trains on.
bassnb synth --n 1200 --out data/synth --seed 0 --jobs 2 --sr 22050                         # 6. 800 more songs (~2 min)
bassnb encode --data data/synth --bass-ae runs/round1/bass_ae.safetensors \
              --mix-ae runs/round1/mix_ae.safetensors --out data/latents --workers 1          # 7. latent cache (~5 min)
bassnb train-diffusion --preset small --latents data/latents --out runs/ldm_ft \
              --init runs/round1/unet.safetensors --steps 32000 --cooldown 8000 &             # 8a. diffusion, 32k more steps
for kind in bass mix; do                                                                     # 8b. decoders, one after the other
  bassnb train-ae --preset small --kind $kind --data data/synth --out runs/ae_${kind}_ft --init runs/round1/${kind}_ae.safetensors \
                --freeze-encoder --lambda-mssd 0.2 --adv-start 0 --steps 3000
done
wait
# Round 3: the diffusion model trained on from round 2's (a fresh warm-up, 14k steps, cool-down over the last 7k).
bassnb train-diffusion --preset small --latents data/latents --out runs/ldm_r3 \
              --init runs/ldm_ft/model.safetensors --steps 14000 --cooldown 7000              # 9. ~1 h on one core
bassnb bundle --bass-ae runs/ae_bass_ft/model.safetensors --mix-ae runs/ae_mix_ft/model.safetensors \
              --unet runs/ldm_r3/model.safetensors --out $M --force                           # 10. ship (float16, 36 MB)
