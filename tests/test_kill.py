"""Kill a training run with SIGKILL (no chance to clean up) and start the same command again.

It must resume from its last checkpoint — step, data position, optimiser moments, EMA weights, random state — and
end with exactly the weights of a run that was never interrupted. Every checkpoint seen on disk at any moment must be
complete, and temporary files left by a save that was killed must never be taken for a checkpoint."""
import os, sys, json, time, random, signal, subprocess
from pathlib import Path
import torch

STEPS, TIMEOUT = 120, 600
ENV = dict(os.environ, OMP_NUM_THREADS='1')

def command(latents, out):
    return [sys.executable, '-m', 'bassnb.cli', 'train-diffusion', '--preset', 'tiny', '--latents', str(latents), '--out', str(out),
            '--steps', str(STEPS), '--threads', '1']

def ckpt_step(out):
    "Step of the checkpoint in `out` (None if there is none); reading it must always succeed: it is never half-written."
    from bassnb.checkpoint import load_tensors
    p = Path(out) / 'last.safetensors'
    if not p.exists(): return None
    return load_tensors(p)[1]['step']

def kill_after_checkpoint(cmd, out, after:int):
    "Start `cmd`, wait for a checkpoint newer than step `after`, SIGKILL the process a random moment later."
    p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, env=ENV, cwd=Path(out).parent)
    t0 = time.time()
    try:
        while (ckpt_step(out) or 0) <= after:
            assert p.poll() is None, f'the run ended before its first new checkpoint: {p.stderr.read()[-2000:]}'
            assert time.time() - t0 < TIMEOUT
            time.sleep(.02)
        time.sleep(random.uniform(0, .3))
        assert p.poll() is None, 'the run finished before it could be killed: make it longer'
        p.send_signal(signal.SIGKILL)
        p.wait(timeout=60)
    finally:
        if p.poll() is None: p.kill()
    assert p.returncode == -signal.SIGKILL
    return ckpt_step(out)

def test_sigkill_then_resume_equals_uninterrupted(tmp_path, latents):
    from bassnb.checkpoint import load_tensors
    ref = subprocess.run(command(latents, tmp_path / 'ref'), capture_output=True, text=True, env=ENV, timeout=TIMEOUT,
                         cwd=tmp_path)
    assert ref.returncode == 0, ref.stderr[-3000:]

    out, steps = tmp_path / 'killed', [0]
    for _ in range(2):                                   # killed twice, each time after at least one new checkpoint
        steps.append(kill_after_checkpoint(command(latents, out), out, after=steps[-1]))
    assert 0 < steps[1] < steps[2] < STEPS, steps
    print(f'killed with checkpoints at steps {steps[1:]}; leftover temp files: {[f.name for f in out.glob(".*tmp*")]}')
    junk = out / '.last.k1ll3d.tmp.safetensors'           # what a save killed half-way leaves behind
    junk.write_bytes(b'\x00' * 100)

    r = subprocess.run(command(latents, out), capture_output=True, text=True, env=ENV, timeout=TIMEOUT, cwd=tmp_path)
    assert r.returncode == 0, r.stderr[-3000:]
    assert f'done: {STEPS} steps' in r.stdout
    assert not junk.exists() and not list(out.glob('.*tmp*'))

    a, ma = load_tensors(tmp_path / 'ref' / 'last.safetensors')
    b, mb = load_tensors(out / 'last.safetensors')
    assert sorted(a) == sorted(b)
    assert any(k.startswith('module.ema.') for k in a) and any(k.startswith('opt.unet.') for k in a)
    diff = {k: float((a[k].double() - b[k].double()).abs().max()) for k in a}
    worst = max(diff, key=diff.get)
    print(f'resumed vs uninterrupted: largest difference {diff[worst]:.3g} ({worst})')
    assert diff[worst] == 0, worst                     # weights, EMA, Adam moments and RNG: the same run, bit for bit
    assert (ma['step'], ma['epoch'], ma['pos'], ma['rng']) == (mb['step'], mb['epoch'], mb['pos'], mb['rng'])
    log = [json.loads(l) for l in (out / 'log.jsonl').read_text().splitlines()]
    ref_log = [json.loads(l) for l in (tmp_path / 'ref' / 'log.jsonl').read_text().splitlines()]
    assert [r['step'] for r in log if 'loss' in r] == list(range(1, STEPS + 1))      # no step lost or logged twice
    assert [r['loss'] for r in log if 'loss' in r] == [r['loss'] for r in ref_log if 'loss' in r]

def test_killed_save_keeps_previous_checkpoint(tmp_path):
    "A save interrupted at the worst moment (the file is half-written) leaves the previous checkpoint whole."
    from bassnb import checkpoint
    from bassnb.checkpoint import save_state, load_tensors
    m = torch.nn.Linear(3, 2)
    save_state(tmp_path / 'last.safetensors', {'m': m}, {}, step=1)
    before = (tmp_path / 'last.safetensors').read_bytes()
    orig = checkpoint.save_file
    def half(tensors, path, metadata=None):
        orig(tensors, path, metadata=metadata)
        Path(path).write_bytes(Path(path).read_bytes()[:50])       # half-written...
        raise KeyboardInterrupt                                    # ...and the process stops
    checkpoint.save_file = half
    try: save_state(tmp_path / 'last.safetensors', {'m': m}, {}, step=2)
    except KeyboardInterrupt: pass
    finally: checkpoint.save_file = orig
    assert (tmp_path / 'last.safetensors').read_bytes() == before
    assert load_tensors(tmp_path / 'last.safetensors')[1]['step'] == 1
