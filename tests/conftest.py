"Shared fixtures of the training tests (tests/test_distributed.py, tests/test_kill.py): tiny toy data; a tiny model folder for the CLI tests."
import pytest

@pytest.fixture(scope='session')
def toy_songs(tmp_path_factory):
    "Three 2-second toy songs (sine-tone stems, 8 kHz) in the synthetic layout."
    from bassnb.data import make_toy_songs
    d = tmp_path_factory.mktemp('songs') / 'songs'
    make_toy_songs(d, 'synth', n=3, seconds=2., sr=8000)
    return d

@pytest.fixture(scope='session')
def latents(tmp_path_factory, toy_songs):
    "A latent cache of the toy songs made with two untrained tiny autoencoders."
    import torch
    from bassnb.autoencoder import StftAutoencoder, ae_preset
    from bassnb.train_diffusion import build_latent_cache
    d = tmp_path_factory.mktemp('lat') / 'lat'
    torch.manual_seed(0)
    build_latent_cache(toy_songs, d, StftAutoencoder(ae_preset('tiny', 'bass')), StftAutoencoder(ae_preset('tiny', 'mix')),
                       n_mixes=2, progress=False)
    return d

def save_tiny_models(d, seed=0):
    "Untrained tiny `bass_ae`, `mix_ae` and `unet` (with the autoencoders' fingerprints) saved in folder `d`: a model folder."
    import torch
    from bassnb.autoencoder import StftAutoencoder, ae_preset
    from bassnb.unet import LatentUNet, unet_preset
    from bassnb.checkpoint import save_model
    from bassnb.base import fingerprint
    torch.manual_seed(seed)
    bae, mae, unet = StftAutoencoder(ae_preset('tiny', 'bass')), StftAutoencoder(ae_preset('tiny', 'mix')), LatentUNet(unet_preset('tiny'))
    save_model(d/'bass_ae', bae); save_model(d/'mix_ae', mae)
    save_model(d/'unet', unet, fingerprints=dict(bass=fingerprint(bae), mix=fingerprint(mae)))
    return bae, mae, unet
