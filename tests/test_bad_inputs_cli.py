"""Bad inputs through the installed `bassnb` command, as a user would meet them (nbs/16_robustness runs the full matrix
in-process): each must end with exit status 2 and exactly one line `bassnb: error: ...` on stderr — no traceback, no
progress bar of a generation that should never have started — and must leave the user's files byte-identical."""
import os, sys, subprocess
from pathlib import Path
import numpy as np, soundfile as sf, pytest
from conftest import save_tiny_models

BASSNB = str(Path(sys.executable).parent / 'bassnb')
ENV = dict(os.environ, OMP_NUM_THREADS='1')

@pytest.fixture(scope='module')
def files(tmp_path_factory):
    "A folder of user files: a tiny untrained model folder and a few audio files, good and bad."
    d = tmp_path_factory.mktemp('user files')
    save_tiny_models(d/'model')
    t = np.arange(8000) / 8000
    tone = (.3 * np.sin(2 * np.pi * 110 * t)).astype('float32')[:, None]
    sf.write(d/'mix.wav', tone, 8000)
    sf.write(d/'six channels.wav', np.repeat(tone, 6, 1), 8000)
    (d/'lyrics.wav').write_text('not audio, just a text file with the wrong name\n')
    sf.write(d/'yesterday.wav', tone[:4000], 8000)
    (d/'a file').write_text('x')
    return d

def snapshot(d): return {p: p.read_bytes() for p in Path(d).rglob('*') if p.is_file()}

def generate(files, *args):
    "Run `bassnb generate` with the tiny model; returns the completed process and whether all user files are unchanged."
    before = snapshot(files)
    r = subprocess.run([BASSNB, 'generate', *map(str, args), '--model', str(files/'model'), '--steps', '2', '--device', 'cpu'],
                       capture_output=True, text=True, env=ENV, timeout=300)
    after = snapshot(files)
    return r, all(after.get(p) == b for p, b in before.items())

def user_error(r, *words):
    assert r.returncode == 2, (r.returncode, r.stderr[-3000:])
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith('bassnb: error: '), r.stderr[-3000:]
    for w in words: assert w in lines[0], (w, lines[0])

def test_missing_file(files):
    r, intact = generate(files, files/'missing.wav', '-o', files/'out.wav')
    user_error(r, 'missing.wav: no such file'); assert intact and not (files/'out.wav').exists()

def test_non_audio_file(files):
    r, intact = generate(files, files/'lyrics.wav', '-o', files/'out.wav')
    user_error(r, 'lyrics.wav: could not be decoded', 'not an audio file'); assert intact

def test_existing_output_is_left_alone(files):
    r, intact = generate(files, files/'mix.wav', '-o', files/'yesterday.wav')
    user_error(r, 'yesterday.wav: already exist', '--force'); assert intact

def test_six_channels_need_downmix(files):
    r, intact = generate(files, files/'six channels.wav', '-o', files/'out6.wav')
    user_error(r, 'has 6 channels', '--downmix'); assert intact and not (files/'out6.wav').exists()
    r, intact = generate(files, files/'six channels.wav', '-o', files/'out6.wav', '--downmix')
    assert r.returncode == 0, r.stderr[-3000:]
    info = sf.info(files/'out6.wav')
    assert intact and (info.channels, info.frames, info.samplerate) == (2, 8000, 8000)
    (files/'out6.wav').unlink()

def test_output_under_a_file(files):
    r, intact = generate(files, files/'mix.wav', '-o', files/'a file'/'bass.wav')   # root can't write there either
    user_error(r, 'a file: is a file, not a folder'); assert intact

def test_output_is_the_input_even_with_force(files):
    r, intact = generate(files, files/'mix.wav', '-o', files/'mix.wav', '--force')
    user_error(r, 'is also an input file'); assert intact
