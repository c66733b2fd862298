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
# Round 5 (issue 14, pitch; a round 4 of diffusion training was measured and not shipped): a 600-song corpus of many timbres (training SoundFonts, procedural synth basses, stem effects);
# the bass autoencoder's encoder learns to read instantaneous frequencies and its decoder writes phase from a fundamental,
# then the decoder alone trains on (encoder frozen); the mix autoencoder stays. The diffusion model starts from round 3's
# weights (a warm start: the bass latents are new) and reads the mix's chroma next to the mix latent.
bassnb synth --n 600 --out data/mt --seed 0 --soundfonts train --voices .4 --fx .6 --sr 22050 --jobs 2   # 11. (~4 min)
bassnb train-ae --kind bass --data data/mt --out runs/ae_eif --init $M/bass_ae.safetensors --phase f0 --enc-if \
              --adv-start 500 --steps 2000 --threads 1                                        # 12. frequencies in, phase f0
bassnb train-ae --kind bass --data data/mt --out runs/ae_eif_f5 --init runs/ae_eif/model.safetensors --phase f0 \
              --lambda-f0 5 --adv-start 100 --steps 3000 --threads 1                          # 13. pitch term x5
bassnb encode --data data/mt --bass-ae runs/ae_eif_f5/model.safetensors --mix-ae $M/mix_ae.safetensors --out data/lat_mt  # 14. (~3 min)
bassnb train-ae --kind bass --data data/mt --out runs/ae_dec --init runs/ae_eif_f5/model.safetensors --freeze-encoder \
              --phase f0 --lambda-f0 5 --adv-start 100 --steps 7500 --threads 1 &          # 15a. decoder only
bassnb train-diffusion --preset small --latents data/lat_mt --out runs/ldm_chroma --init $M/unet.safetensors --warm-start \
              --side chroma --steps 6000 --cooldown 2000 --threads 1                          # 15b. warm start, chroma side input
bassnb train-diffusion --preset small --latents data/lat_mt --out runs/ldm_chroma2 --init runs/ldm_chroma/model.safetensors \
              --steps 10000 --cooldown 4000 --threads 1                                   # 16. trained on
wait
bassnb bundle --bass-ae runs/ae_dec/model.safetensors --mix-ae $M/mix_ae.safetensors \
              --unet runs/ldm_chroma2/model.safetensors --out $M --force                     # 17. ship
bassnb train-judge --latents data/lat_mt --out runs/judge5 --threads 1                           # 18. the judge on the new latents
python -c "import torch; from bassnb.checkpoint import load_model, save_model; from bassnb.contrastive import MixBassModel
m, meta = load_model('runs/judge5/model', MixBassModel)
save_model('$M/contrastive', m, dtype=torch.float16, **{k: meta[k] for k in ('step', 'fingerprints', 'train_config')})"
# Round 6: the corpus grown to 1800 songs (the first 600 are round 5's); the autoencoders stay, so only the new songs are
# encoded and round 5's diffusion model trains on (~70 min on one core).
bassnb synth --n 1800 --out data/mt --seed 0 --soundfonts train --voices .4 --fx .6 --sr 22050 --jobs 2  # 19. (~9 min)
bassnb encode --data data/mt --bass-ae $M/bass_ae.safetensors --mix-ae $M/mix_ae.safetensors --out data/lat_mt --workers 1  # 20. (~5 min)
bassnb train-diffusion --preset small --latents data/lat_mt --out runs/ldm_r6 --init $M/unet.safetensors \
              --steps 22000 --cooldown 8000 --threads 1                                       # 21.
bassnb bundle --bass-ae $M/bass_ae.safetensors --mix-ae $M/mix_ae.safetensors --unet runs/ldm_r6/model.safetensors --out runs/round6 --force
cp runs/round6/unet.safetensors runs/round6/unet.json $M/                                     # 22. ship the U-Net
# Round 7: the corpus doubled to 3600 songs (the first 1800 are round 6's), only the new songs encoded (the autoencoders
# stay), and round 6's U-Net trained on (53 min on one core).
bassnb synth --n 3600 --out data/mt --seed 0 --soundfonts train --voices .4 --fx .6 --sr 22050 --jobs 2  # 23. (~17 min)
bassnb encode --data data/mt --bass-ae $M/bass_ae.safetensors --mix-ae $M/mix_ae.safetensors --out data/lat_mt --workers 1  # 24.
bassnb train-diffusion --preset small --latents data/lat_mt --out runs/ldm_r7 --init $M/unet.safetensors \
              --steps 17000 --cooldown 7000 --threads 1                                       # 25.
bassnb bundle --bass-ae $M/bass_ae.safetensors --mix-ae $M/mix_ae.safetensors --unet runs/ldm_r7/model.safetensors --out runs/round7 --force
cp runs/round7/unet.safetensors runs/round7/unet.json $M/                                     # 26. ship the U-Net
# Round 8: the bass decoder trained to take the instrument from the latent's time-average (timbre-swap loss, on the first
# 500 songs' lines by 2 other timbres) ships as the *style decoder*, bass_ae_style: it decodes only the takes grounded on a
# style clip, so plain takes keep round 5's decoder (bench/results/eval_generation_round8.md). The measured run read its
# ordinary reconstruction crops from data/mt holding its first 600 songs (the session had regenerated only those); after
# step 23 above they come from all 3600.
bassnb synth-variants --data data/mt --out data/mt_var --n 2 --limit 500 --soundfonts train --voices .4 --fx .6   # 27. (~7 min)
bassnb train-ae --kind bass --data data/mt --out runs/ae_swap --init $M/bass_ae.safetensors --freeze-encoder \
              --lambda-f0 5 --adv-start 100 --lambda-swap 1 --swap-data data/mt_var --lr 1e-4 --steps 5000 --threads 1  # 28. (~80 min)
bassnb bundle --bass-ae $M/bass_ae.safetensors --mix-ae $M/mix_ae.safetensors --unet $M/unet.safetensors \
              --style-bass-ae runs/ae_swap/model.safetensors --out runs/round8 --force
cp runs/round8/bass_ae_style.safetensors runs/round8/bass_ae_style.json $M/                 # 29. ship the style decoder
# Round 9: round 5's bass decoder trained on (encoder frozen, so the latents, the U-Net and the style decoder stay), pitch
# term x10, a snapshot every 250 steps, and the last 7 snapshots averaged (nbs/06_train_autoencoder.ipynb, "Round 9"). The
# measured run read its crops from the first 1526 songs of data/mt (the first 1714 after step 5000): the session was
# re-rendering the corpus; after step 23 above they come from all 3600.
bassnb train-ae --kind bass --data data/mt --out runs/ae_dec9 --init $M/bass_ae.safetensors --freeze-encoder --phase f0 \
              --lambda-f0 10 --adv-start 100 --steps 6500 --snapshot-every 250 --threads 1                 # 30. (~60 min)
bassnb average runs/ae_dec9/snapshots/step_00{5000,5250,5500,5750,6000,6250,6500}.safetensors --out runs/ae_dec9/swa --force
bassnb bundle --bass-ae runs/ae_dec9/swa.safetensors --mix-ae $M/mix_ae.safetensors --unet $M/unet.safetensors \
              --style-bass-ae $M/bass_ae_style.safetensors --out runs/round9 --force
cp runs/round9/bass_ae.safetensors runs/round9/bass_ae.json $M/                                   # 31. ship the bass decoder
# Round 11: harmony guidance (nbs/11a_harmony.ipynb). The corpus grown to 5400 songs (round 10's; the first 3600 are
# round 7's) and the new songs encoded; a pitch probe (which pitch class a bass latent plays, labels from the songs' MIDI)
# trained on the latent cache (~1 min of training on one core) and added to the model folder; every model stays.
bassnb synth --n 5400 --out data/mt --seed 0 --soundfonts train --voices .4 --fx .6 --sr 22050 --jobs 2  # 32. (~25 min)
bassnb encode --data data/mt --bass-ae $M/bass_ae.safetensors --mix-ae $M/mix_ae.safetensors --out data/lat_mt --workers 1  # 33.
bassnb train-probe --latents data/lat_mt --data data/mt --out runs/probe/model --force             # 34.
bassnb bundle --bass-ae $M/bass_ae.safetensors --mix-ae $M/mix_ae.safetensors --unet $M/unet.safetensors \
              --style-bass-ae $M/bass_ae_style.safetensors --probe runs/probe/model.safetensors --out runs/round11 --force
cp runs/round11/pitch_probe.safetensors runs/round11/pitch_probe.json $M/                      # 35. ship the probe
# Round 12: round 9's averaged bass decoder trained on once more (encoder frozen, so the latents, the U-Net, the style
# decoder and the probe stay) on all 5400 songs, a snapshot every 250 steps, the last 7 averaged (nbs/06_train_autoencoder.ipynb, "Round 12").
bassnb train-ae --kind bass --data data/mt --out runs/ae_dec12 --init $M/bass_ae.safetensors --freeze-encoder --phase f0 \
              --lambda-f0 10 --adv-start 100 --steps 6500 --snapshot-every 250 --threads 1               # 36. (~65 min)
bassnb average runs/ae_dec12/snapshots/step_00{5000,5250,5500,5750,6000,6250,6500}.safetensors --out runs/ae_dec12/swa --force
bassnb bundle --bass-ae runs/ae_dec12/swa.safetensors --mix-ae $M/mix_ae.safetensors --unet $M/unet.safetensors \
              --style-bass-ae $M/bass_ae_style.safetensors --probe $M/pitch_probe.safetensors --out runs/round12 --force
cp runs/round12/bass_ae.safetensors runs/round12/bass_ae.json $M/                                 # 37. ship the bass decoder
