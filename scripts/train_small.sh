#!/usr/bin/env bash
# Reproduce the bundled `small` models from scratch on a CPU (see README, "How the bundled models were made").
# Each stage resumes when rerun; kill it any time. Stages 2a/2b run side by side, one CPU core each.
set -euo pipefail
cd "$(dirname "$0")/.."
. .venv/bin/activate
bassnb synth --n 400 --out data/synth --seed 0 --jobs 2 --sr 22050                          # 1. corpus (~1 min)
bassnb train-ae --preset small --kind bass --data data/synth --out runs/ae_bass --steps 9000 & # 2a. bass autoencoder
bassnb train-ae --preset small --kind mix  --data data/synth --out runs/ae_mix  --steps 9000 & # 2b. mix autoencoder
wait
bassnb encode --data data/synth --bass-ae runs/ae_bass/model.safetensors \
              --mix-ae runs/ae_mix/model.safetensors --out data/latents                       # 3. latent cache
bassnb train-diffusion --preset small --latents data/latents --out runs/ldm                   # 4. diffusion model
bassnb bundle --bass-ae runs/ae_bass/model.safetensors --mix-ae runs/ae_mix/model.safetensors \
              --unet runs/ldm/model.safetensors --out bassnb/assets/models/small --force       # 5. ship (float16)
