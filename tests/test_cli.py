"The installed `bassnb` command, run as a user would: help, errors, and real (small) jobs."
import soundfile as sf
import subprocess, sys, json
from pathlib import Path

BASSNB = str(Path(sys.executable).parent / 'bassnb')

def run(*args, cwd=None):
    return subprocess.run([BASSNB, *map(str, args)], capture_output=True, text=True, cwd=cwd, timeout=600)

def test_help_lists_every_command():
    r = run('--help')
    assert r.returncode == 0
    for cmd in ['synth', 'train-ae', 'demo']: assert cmd in r.stdout
    assert 'bassnb synth --n 500' in r.stdout

def test_user_error_is_one_line(tmp_path):
    r = run('train-ae', '--data', tmp_path / 'missing', '--out', tmp_path / 'run', '--preset', 'tiny')
    assert r.returncode == 2
    assert r.stderr.startswith('bassnb: error: ') and 'Traceback' not in r.stderr

def test_synth_renders_and_resumes(tmp_path):
    r = run('synth', '--n', 2, '--seconds', 4, '--out', tmp_path / 'songs', '--seed', 3)
    assert r.returncode == 0, r.stderr
    songs = sorted((tmp_path / 'songs').iterdir())
    assert len(songs) == 2
    meta = json.loads((songs[0] / 'meta.json').read_text())
    assert (songs[0] / 'bass.flac').exists() and meta['bass_notes']
    before = {p: p.stat().st_mtime_ns for p in songs[0].iterdir()}
    assert run('synth', '--n', 2, '--seconds', 4, '--out', tmp_path / 'songs', '--seed', 3).returncode == 0
    assert before == {p: p.stat().st_mtime_ns for p in songs[0].iterdir()}   # finished songs are not redone

def test_train_ae_tiny_then_resume(tmp_path):
    assert run('synth', '--n', 3, '--seconds', 4, '--out', tmp_path / 'songs', '--sr', 22050).returncode == 0
    args = ['train-ae', '--preset', 'tiny', '--data', tmp_path / 'songs', '--out', tmp_path / 'run']
    r = run(*args)
    assert r.returncode == 0, r.stderr[-3000:]
    assert (tmp_path / 'run' / 'model.safetensors').exists() and (tmp_path / 'run' / 'model.json').exists()
    r = run(*args, '--steps', 8)                                          # resume and extend
    assert r.returncode == 0, r.stderr[-3000:]
    log = [json.loads(l) for l in (tmp_path / 'run' / 'log.jsonl').read_text().splitlines()]
    assert [r['step'] for r in log if 'loss' in r] == list(range(1, 9))

def test_demo(tmp_path):
    r = run('demo', '--out', tmp_path / 'demo', '--seconds', 8)
    assert r.returncode == 0, r.stderr[-3000:]
    assert (tmp_path / 'demo' / 'demo_song.png').exists()
    assert (tmp_path / 'demo' / 'demo_song' / 'bass.flac').exists()
    d = tmp_path / 'demo'
    for f in ['generated_bass.flac', 'mix_with_generated_bass.flac', 'mix_without_bass.flac', 'generated_bass.png']:
        assert (d / f).exists(), f
    bass, mix = sf.info(d / 'generated_bass.flac'), sf.info(d / 'mix_without_bass.flac')
    assert (bass.frames, bass.samplerate, bass.channels) == (mix.frames, mix.samplerate, mix.channels)
    assert 'listen:' in r.stdout and str(d / 'mix_with_generated_bass.flac') in r.stdout
    assert run('demo', '--out', tmp_path / 'demo', '--seconds', 8).returncode == 2   # refuses to overwrite

def test_train_ae_fine_tune_decoder(tmp_path):
    "--init + --freeze-encoder: a new run starts from an exported model and keeps its latent space."
    assert run('synth', '--n', 3, '--seconds', 4, '--out', tmp_path / 'songs', '--sr', 22050).returncode == 0
    base = ['train-ae', '--preset', 'tiny', '--data', tmp_path / 'songs']
    assert run(*base, '--out', tmp_path / 'run').returncode == 0
    r = run(*base, '--out', tmp_path / 'ft', '--init', tmp_path / 'run' / 'model.safetensors', '--freeze-encoder',
            '--lambda-mssd', .5, '--adv-start', 0)
    assert r.returncode == 0, r.stderr[-3000:]
    cfg = json.loads((tmp_path / 'ft' / 'run.json').read_text())['train']
    assert (cfg['freeze_encoder'], cfg['lambda_mssd'], cfg['adv_start']) == (True, .5, 0)
    from bassnb.base import fingerprint
    from bassnb.checkpoint import load_ae
    assert fingerprint(load_ae(tmp_path / 'ft' / 'model.safetensors')) == fingerprint(load_ae(tmp_path / 'run' / 'model.safetensors'))
    r = run(*base, '--out', tmp_path / 'bad', '--freeze-encoder')
    assert r.returncode == 2 and 'give init=' in r.stderr and 'Traceback' not in r.stderr

def test_synth_variants_then_swap_training(tmp_path):
    "bassnb synth-variants renders the bass lines again; train-ae --lambda-swap trains the decoder on them (and says what it needs)."
    assert run('synth', '--n', 3, '--seconds', 4, '--out', tmp_path / 'songs', '--sr', 16000).returncode == 0
    r = run('synth-variants', '--data', tmp_path / 'songs', '--out', tmp_path / 'var', '--n', 2, '--soundfonts', 'train', '--voices', .5)
    assert r.returncode == 0, r.stderr[-3000:]
    assert len(list((tmp_path / 'var').glob('song_*/bass_1.flac'))) == 3 and 'bass variants of 3 songs' in r.stdout
    base = ['train-ae', '--preset', 'tiny', '--data', tmp_path / 'songs', '--lambda-swap', 1]
    r = run(*base, '--out', tmp_path / 'bad')
    assert r.returncode == 2 and 'synth-variants' in r.stderr and 'Traceback' not in r.stderr
    r = run(*base, '--swap-data', tmp_path / 'var', '--out', tmp_path / 'run')
    assert r.returncode == 0, r.stderr[-3000:]
    log = [json.loads(l) for l in (tmp_path / 'run' / 'log.jsonl').read_text().splitlines()]
    assert all('swap_rec' in r for r in log if 'loss' in r) and any('valid_swap_logmag_l1' in r for r in log)
    r = run('synth-variants', '--data', tmp_path / 'nothing', '--out', tmp_path / 'var2')
    assert r.returncode == 2 and 'no songs' in r.stderr

def _test_mix(path, seconds=8):
    "A few bars of a test song's mix (without its bass), written to `path`."
    from bassnb.synth import make_song, render_song
    from bassnb.evaluation import song_mix
    from bassnb.audio import save_audio
    s = make_song(3, seconds, song_id='t')
    st = render_song(s, 22050)
    return save_audio(path, song_mix((st, s.meta)), 22050)

def test_workflow_analyse_rank_midi_keep(tmp_path):
    "17_workflow from the command line: analyse, ranked takes with MIDI, bars regenerated in place."
    import pretty_midi
    mix = _test_mix(tmp_path / 'mix.wav')
    r = run('analyse', mix, '-o', tmp_path / 'grid.json', '--plot', tmp_path / 'grid.png')
    assert r.returncode == 0, r.stderr[-3000:]
    g = json.loads((tmp_path / 'grid.json').read_text())
    assert g['time_signature'] in ('3/4', '4/4') and len(g['downbeats']) >= 2 and (tmp_path / 'grid.png').exists()
    r = run('generate', mix, '-o', tmp_path / 'bass.wav', '--n', 2, '--rank', '--steps', 4, '--midi-out', tmp_path / 'bass.mid')
    assert r.returncode == 0, r.stderr[-3000:]
    assert 'rank 1: bass_1.wav  fit' in r.stdout and 'rank 2: bass_2.wav' in r.stdout
    pm = pretty_midi.PrettyMIDI(str(tmp_path / 'bass_1.mid'))
    assert pm.time_signature_changes[0].numerator == int(g['time_signature'][0])
    r = run('generate', mix, '--keep', tmp_path / 'bass_1.wav', '--bars', '2-2', '-o', tmp_path / 'take2.wav', '--steps', 4)
    assert r.returncode == 0, r.stderr[-3000:]
    a, b = sf.read(tmp_path / 'bass_1.wav')[0], sf.read(tmp_path / 'take2.wav')[0]
    assert a.shape == b.shape and (a[:2000] == b[:2000]).all() and not (a == b).all()   # bar 1 kept, bar 2 new
    for args, msg in [(['--keep', tmp_path / 'bass_1.wav', '--bars', '40-44'], 'outside the song'),
                      (['--n', 1, '--rank'], '--n is 1'),
                      (['--midi-out', tmp_path / 'bass_1.mid'], 'already exist')]:
        r = run('generate', mix, '-o', tmp_path / 'x.wav', '--steps', 2, *args)
        assert r.returncode == 2 and msg in r.stderr and 'Traceback' not in r.stderr, r.stderr

def test_bundle_with_style_decoder(tmp_path):
    "bassnb bundle --style-bass-ae adds a style decoder (same encoder) that decodes the takes with --style, unless --no-style-decoder."
    import copy, numpy as np, torch
    from bassnb.autoencoder import StftAutoencoder, ae_preset
    from bassnb.checkpoint import save_model
    from bassnb.audio import save_audio
    from conftest import save_tiny_models
    r = tmp_path / 'runs'
    bae, _, _ = save_tiny_models(r)
    sae = copy.deepcopy(bae)
    with torch.no_grad(): [q.add_(torch.randn_like(q) * .1) for q in sae.decoder.parameters()]
    for name, m in [('style', sae), ('other', StftAutoencoder(ae_preset('tiny', 'bass')))]: save_model(r / name, m)
    base = ['bundle', '--bass-ae', r / 'bass_ae.safetensors', '--mix-ae', r / 'mix_ae.safetensors', '--unet', r / 'unet.safetensors']
    p = run(*base, '--style-bass-ae', r / 'other.safetensors', '--out', tmp_path / 'bad')
    assert p.returncode == 2 and 'decodes other latents' in p.stderr and not (tmp_path / 'bad').exists()
    p = run(*base, '--style-bass-ae', r / 'style.safetensors', '--out', tmp_path / 'm')
    assert p.returncode == 0, p.stderr[-3000:]
    assert (tmp_path / 'm' / 'bass_ae_style.safetensors').exists() and (tmp_path / 'm' / 'bass_ae_style.json').exists()
    sr, t = bae.cfg.sr, np.arange(bae.cfg.sr) / bae.cfg.sr
    save_audio(tmp_path / 'mix.wav', np.stack([np.sin(2 * np.pi * 220 * t)] * 2) * .3, sr)
    save_audio(tmp_path / 'style.wav', np.sin(2 * np.pi * 55 * t)[None] * .3, sr)
    g = ['generate', tmp_path / 'mix.wav', '--model', tmp_path / 'm', '--steps', 2, '--style', tmp_path / 'style.wav']
    outs = {}
    for name, extra in [('style', []), ('plain', ['--no-style-decoder'])]:
        p = run(*g, *extra, '-o', tmp_path / f'out_{name}.wav')
        assert p.returncode == 0, p.stderr[-3000:]
        outs[name] = sf.read(tmp_path / f'out_{name}.wav')[0]
    assert outs['style'].shape == outs['plain'].shape and not np.allclose(outs['style'], outs['plain'])   # same latent, two decoders


def test_average(tmp_path):
    "bassnb average writes the mean of a run's snapshots; a snapshot of another model is refused and nothing is written."
    import torch
    from bassnb.autoencoder import StftAutoencoder, ae_preset
    from bassnb.checkpoint import save_model, load_ae
    from bassnb.base import fingerprint
    from conftest import save_tiny_models
    bae, _, _ = save_tiny_models(tmp_path)
    snaps = []
    for i in range(3):
        with torch.no_grad(): [q.add_(.01) for q in bae.decoder.parameters()]   # decoder moves, encoder frozen
        snaps.append(save_model(tmp_path / f'step_{i}', bae, step=i))
    p = run('average', *snaps, '--out', tmp_path / 'swa')
    assert p.returncode == 0, p.stderr[-3000:]
    avg, mid = load_ae(tmp_path / 'swa.safetensors'), load_ae(snaps[1])
    for k, v in mid.state_dict().items(): assert torch.allclose(avg.state_dict()[k], v, atol=1e-6), k
    assert fingerprint(avg) == fingerprint(mid)                                  # same latent space
    save_model(tmp_path / 'other', StftAutoencoder(ae_preset('tiny', 'mix')))
    p = run('average', snaps[0], tmp_path / 'other.safetensors', '--out', tmp_path / 'bad')
    assert p.returncode == 2 and 'another model' in p.stderr and not (tmp_path / 'bad.safetensors').exists()
    p = run('average', *snaps, '--out', tmp_path / 'swa')
    assert p.returncode != 0 and '--force' in p.stderr

def test_train_probe_bundle_and_harmony(tmp_path):
    "bassnb train-probe on a latent cache of rendered songs, bundle --probe, then generate with harmony guidance on and off."
    from conftest import save_tiny_models
    r = tmp_path / 'runs'
    save_tiny_models(r)
    assert run('synth', '--n', 5, '--seconds', 4, '--out', tmp_path / 'songs', '--sr', 22050).returncode == 0
    p = run('encode', '--data', tmp_path / 'songs', '--bass-ae', r / 'bass_ae.safetensors', '--mix-ae', r / 'mix_ae.safetensors',
            '--out', tmp_path / 'lat')
    assert p.returncode == 0, p.stderr[-3000:]
    probe = ['train-probe', '--latents', tmp_path / 'lat', '--data', tmp_path / 'songs', '--out', r / 'probe', '--steps', 20]
    p = run(*probe)
    assert p.returncode == 0, p.stderr[-3000:]
    assert 'wrote' in p.stdout and (r / 'probe.safetensors').exists() and (r / 'probe.json').exists()
    meta = json.loads((r / 'probe.json').read_text())
    assert meta['cls'] == 'PitchProbe' and meta['steps'] == 20 and meta['fingerprints']['bass']
    p = run(*probe)                                                        # never overwritten unless asked
    assert p.returncode == 2 and 'already exists' in p.stderr
    p = run('train-probe', '--latents', tmp_path / 'lat', '--data', tmp_path / 'nowhere', '--out', r / 'p2')
    assert p.returncode == 2 and 'meta.json: missing' in p.stderr and '--data' in p.stderr
    p = run('bundle', '--bass-ae', r / 'bass_ae.safetensors', '--mix-ae', r / 'mix_ae.safetensors', '--unet', r / 'unet.safetensors',
            '--probe', r / 'probe.safetensors', '--out', tmp_path / 'm')
    assert p.returncode == 0, p.stderr[-3000:]
    assert (tmp_path / 'm' / 'pitch_probe.safetensors').exists()
    mix = sorted((tmp_path / 'songs').iterdir())[0] / 'drums.flac'
    outs = {}
    for h in ('0', '5'):
        p = run('generate', mix, '--model', tmp_path / 'm', '--steps', 3, '--harmony', h, '-o', tmp_path / f'bass_{h}.wav')
        assert p.returncode == 0, p.stderr[-3000:]
        outs[h] = sf.read(tmp_path / f'bass_{h}.wav')[0]
    assert outs['0'].shape == outs['5'].shape and not (outs['0'] == outs['5']).all()   # the probe steered the take
