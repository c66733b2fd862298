"""Training on several processes, for real: two CPU processes joined by the Gloo backend, started the way torchrun
starts them (environment variables RANK, LOCAL_RANK, WORLD_SIZE, MASTER_ADDR, MASTER_PORT), and `torchrun` itself.

Checks: every process finishes; the weights are identical on every process; they match a single-process run with
the same global batch (where the step is deterministic); a multi-process run stopped and resumed ends exactly where
an uninterrupted one does (per-process random streams are saved); the `-m bassnb.cli train-*` entry points work."""
import os, sys, json, time, socket, subprocess
from functools import partial
from pathlib import Path
import pytest, torch
import torch.nn as nn, torch.nn.functional as F
import torch.multiprocessing as mp
from safetensors.torch import save_file, load_file

BIN = Path(sys.executable).parent
TIMEOUT = 600


def _free_port():
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0)); return s.getsockname()[1]

def _worker(rank, world, port, fn, out):
    "One process of a spawned group: join it through torchrun's environment variables, train, dump the weights."
    os.environ.update(MASTER_ADDR='127.0.0.1', MASTER_PORT=str(port), RANK=str(rank), LOCAL_RANK=str(rank),
                      WORLD_SIZE=str(world), OMP_NUM_THREADS='1')
    torch.set_num_threads(1)
    learn = fn()
    sd = {f'{n}.{k}': v.detach().cpu().clone().contiguous() for n, m in learn.modules.items() for k, v in m.state_dict().items()}
    save_file(sd, str(Path(out) / f'rank{rank}.safetensors'),
              metadata=dict(step=str(learn.step), world=str(learn.world), accum=str(learn.accum)))

def spawn(fn, out, world=2):
    "Run `fn()` in `world` fresh processes forming a Gloo group; returns each rank's weights."
    Path(out).mkdir(parents=True, exist_ok=True)
    ctx = mp.start_processes(_worker, args=(world, _free_port(), fn, str(out)), nprocs=world, join=False, start_method='spawn')
    t0 = time.time()
    try:
        while not ctx.join(timeout=5):
            if time.time() - t0 > TIMEOUT: raise TimeoutError(f'processes did not finish in {TIMEOUT} s')
    finally:
        for p in ctx.processes:
            if p.is_alive(): p.kill()
    return [load_file(str(Path(out) / f'rank{r}.safetensors')) for r in range(world)]

def weights(learn):
    return {f'{n}.{k}': v.detach().cpu() for n, m in learn.modules.items() for k, v in m.state_dict().items()}

def assert_same(a, b, keys=None, atol=0.):
    keys = keys or sorted(a)
    assert set(keys) <= set(b)
    worst = max((float((a[k].float() - b[k].float()).abs().max()) for k in keys), default=0.)
    assert worst <= atol, f'max difference {worst:.3g} > {atol}'
    return worst

def read_log(p): return [json.loads(l) for l in Path(p).read_text().splitlines() if l.strip()]

@pytest.fixture(autouse=True)
def _one_thread():
    n = torch.get_num_threads(); torch.set_num_threads(1)
    yield
    torch.set_num_threads(n)


# --- the learner itself: a deterministic regression, 2 processes x batch 2 x 2 accumulated = global batch 8 ---

class Regression(torch.utils.data.Dataset):
    def __init__(self, n=64): self.n, self.epoch = n, 0
    def set_epoch(self, e): self.epoch = e
    def __len__(self): return self.n
    def __getitem__(self, i):
        g = torch.Generator().manual_seed(self.epoch * 1000 + i)
        x = torch.rand(3, generator=g)
        return {'x': x, 'y': (x * torch.tensor([3., -1., .5])).sum(0, keepdim=True) + .01 * torch.randn(1, generator=g)}

def reg_step(learn, b):
    loss = F.mse_loss(learn.fwd('mlp')(b['x']), b['y'])
    learn.optimize('opt', loss)
    return {'loss': loss}

def make_reg(out, step_fn=reg_step):
    from bassnb.learner import Learner, LogCB, CheckpointCB
    def make(cfg):
        mlp = nn.Sequential(nn.Linear(3, 16), nn.SiLU(), nn.Linear(16, 1))
        return Learner({'mlp': mlp}, {'opt': torch.optim.Adam(mlp.parameters(), cfg.lr)}, step_fn, Regression(), cfg, out,
                       [LogCB(), CheckpointCB()], config={'model': {'mlp': 16}})
    return make

def reg_learner(out, steps=24, **kw):
    from bassnb.learner import TrainConfig, run_training
    return run_training(make_reg(out), TrainConfig(steps=steps, lr=1e-2, ckpt_every=8, log_every=4, **kw))

def test_learner_two_processes_match_one(tmp_path):
    ranks = spawn(partial(reg_learner, str(tmp_path / 'ddp'), batch_size=2, global_batch=8), tmp_path / 'w')
    assert_same(ranks[0], ranks[1])                                    # identical on both processes, bit for bit
    single = reg_learner(tmp_path / 'single', batch_size=8)            # one process, batch 8
    worst = assert_same(ranks[0], weights(single), atol=1e-5)
    print(f'2 processes x 2 x 2 accumulated vs 1 process x 8: max weight difference {worst:.2g}')
    ld, ls = read_log(tmp_path / 'ddp/log.jsonl'), read_log(tmp_path / 'single/log.jsonl')
    assert [r['step'] for r in ld] == [r['step'] for r in ls] == [4, 8, 12, 16, 20, 24]
    for a, b in zip(ld, ls): assert abs(a['loss'] - b['loss']) <= 1e-5 * abs(b['loss']) + 1e-7, (a, b)
    run = json.loads((tmp_path / 'ddp/run.json').read_text())
    assert (run['processes'], run['accum'], run['global_batch']) == (2, 2, 8)
    from bassnb.checkpoint import load_tensors
    _, meta = load_tensors(tmp_path / 'ddp/last.safetensors')
    assert meta['step'] == 24 and set(meta['rank_rng']) == {'1'}      # process 1's random state is saved too
    assert not list((tmp_path / 'ddp').glob('.*tmp*'))


def nan_on_rank1(learn, b):
    "From step 10 on, the loss is NaN on process 1 only."
    if learn.rank == 1 and learn.step >= 10: b = {**b, 'y': b['y'] * float('nan')}
    return reg_step(learn, b)

def reg_diverging(out):
    import torch.distributed as dist
    from bassnb.learner import TrainConfig, TrainingDiverged, init_distributed
    init_distributed()
    learn = make_reg(out, nan_on_rank1)(TrainConfig(steps=40, batch_size=2, lr=1e-2, ckpt_every=8, log_every=4, max_bad_steps=3))
    try: learn.fit()
    except TrainingDiverged as e: assert '3 non-finite steps in a row at step 10' in str(e), e
    else: raise AssertionError('the run did not stop')
    finally: dist.destroy_process_group()
    return learn

def test_nan_on_one_process_is_skipped_by_all(tmp_path):
    "A NaN on one process only: every process skips the same steps (no deadlock), then all stop; the checkpoint is good."
    ranks = spawn(partial(reg_diverging, str(tmp_path / 'run')), tmp_path / 'w')
    assert_same(ranks[0], ranks[1])
    from bassnb.checkpoint import load_tensors
    t, meta = load_tensors(tmp_path / 'run/last.safetensors')
    assert meta['step'] == 10 and all(torch.isfinite(v).all() for k, v in t.items() if k.startswith('module.'))
    assert_same({k: v for k, v in t.items() if k.startswith('module.')}, {f'module.{k}': v for k, v in ranks[0].items()})


# --- the autoencoder trainer: two optimisers (autoencoder + critics), 2 processes x batch 1 vs 1 process x batch 2 ---

def test_autoencoder_two_processes_match_one(tmp_path, toy_songs):
    from bassnb.train_autoencoder import train_ae
    # gain_db=0 makes the step deterministic (the random gain is 0 dB), so both runs can be compared number for number
    kw = dict(gain_db=0., threads=1)
    ranks = spawn(partial(train_ae, str(toy_songs), str(tmp_path / 'ddp'), 'tiny', 'bass', batch_size=1, **kw), tmp_path / 'w')
    keys = [k for k in ranks[0] if not k.endswith(('latent_mean', 'latent_std'))]   # stats are set by process 0's export
    assert_same(ranks[0], ranks[1], keys)                              # incl. the critics' spectral-norm buffers
    single = train_ae(toy_songs, tmp_path / 'single', 'tiny', 'bass', batch_size=2, **kw)
    ws = weights(single)
    worst = assert_same(ranks[0], ws, keys, atol=1e-5)
    params = [f'{n}.{k}' for n, m in single.modules.items() for k, _ in m.named_parameters()]
    assert {p.split('.')[0] for p in params} == {'ae', 'critics'} and set(params) <= set(keys)
    one = weights(train_ae(toy_songs, tmp_path / 'one', 'tiny', 'bass', steps=1, batch_size=2, **kw))
    moved = max(float((ws[k] - one[k]).abs().max()) for k in params)
    print(f'autoencoder: max weight difference 2x1 vs 1x2: {worst:.2g} (parameters moved {moved:.2g} from step 1 to 6)')
    assert worst < moved / 100
    ld, ls = read_log(tmp_path / 'ddp/log.jsonl'), read_log(tmp_path / 'single/log.jsonl')
    pairs = [(a, b) for a, b in zip(ld, ls) if 'loss' in a]
    assert len(pairs) == 6 and all('critic' in a for a, _ in pairs[3:])          # critics joined at step 3
    for a, b in pairs:
        for k in ('loss', 'rec', 'critic'):
            if k in b: assert abs(a[k] - b[k]) <= 1e-3 * abs(b[k]) + 1e-5, (k, a, b)
    assert (tmp_path / 'ddp/model.safetensors').exists()


def test_swap_autoencoder_two_processes_match_one_and_resume(tmp_path):
    "The timbre-swap loss (a second stream of examples, one forward pass): DDP matches one process; a stopped run resumes exactly."
    from bassnb.synth import synth_corpus, synth_variants
    from bassnb.train_autoencoder import train_ae
    synth_corpus(tmp_path / 'mt', n=3, seed=0, sr=8000, seconds=3., progress=False)
    synth_variants(tmp_path / 'mt', tmp_path / 'var', n=2, progress=False)
    kw = dict(gain_db=0., threads=1, lambda_swap=1., swap_data=str(tmp_path / 'var'), swap_style_frames=4)
    ranks = spawn(partial(train_ae, str(tmp_path / 'mt'), str(tmp_path / 'ddp'), 'tiny', 'bass', batch_size=1, **kw), tmp_path / 'w')
    keys = [k for k in ranks[0] if not k.endswith(('latent_mean', 'latent_std'))]
    assert_same(ranks[0], ranks[1], keys)
    single = weights(train_ae(tmp_path / 'mt', tmp_path / 'single', 'tiny', 'bass', batch_size=2, **kw))
    assert_same(ranks[0], single, keys, atol=1e-5)
    log = [r for r in read_log(tmp_path / 'ddp/log.jsonl') if 'loss' in r]
    assert len(log) == 6 and all(r['swap_rec'] > 0 for r in log)
    train_ae(tmp_path / 'mt', tmp_path / 'split', 'tiny', 'bass', steps=3, batch_size=2, **kw)      # stopped at a checkpoint
    assert_same(weights(train_ae(tmp_path / 'mt', tmp_path / 'split', 'tiny', 'bass', steps=6, batch_size=2, **kw)), single)

# --- the diffusion trainer: EMA, per-process noise; exact resume of a multi-process run ---

def test_diffusion_two_processes_and_exact_resume(tmp_path, latents):
    from bassnb.train_diffusion import train_ldm
    run = lambda out, steps: spawn(partial(train_ldm, str(latents), str(out), 'tiny', steps=steps, threads=1), tmp_path / out.name)
    full = run(tmp_path / 'full', 6)
    assert_same(full[0], full[1])                                      # U-Net and EMA identical on both processes
    assert any((full[0][k] != 0).any() for k in full[0] if k.startswith('unet.'))
    log = read_log(tmp_path / 'full/log.jsonl')
    assert [r['step'] for r in log if 'loss' in r] == list(range(1, 7))
    # the same run, stopped after step 3 (a checkpoint) and started again: it must end exactly where `full` did
    run(tmp_path / 'split', 3)
    split = run(tmp_path / 'split', 6)
    assert_same(split[0], full[0])
    assert_same(split[1], full[1])
    assert [r['step'] for r in read_log(tmp_path / 'split/log.jsonl') if 'loss' in r] == list(range(1, 7))


# --- the entry points, launched by torchrun ---

def torchrun(*args, cwd):
    "Start `bassnb <args>` as torchrun does it: `torchrun ... -m bassnb.cli <args>` (the README's recipe)."
    env = dict(os.environ, OMP_NUM_THREADS='1')
    return subprocess.run([str(BIN / 'torchrun'), '--standalone', '--nproc_per_node', '2', '-m', 'bassnb.cli', *map(str, args)],
                          capture_output=True, text=True, cwd=cwd, env=env, timeout=TIMEOUT)

def test_torchrun_train_autoencoder(tmp_path, toy_songs):
    r = torchrun('train-ae', '--preset', 'tiny', '--data', toy_songs, '--out', 'run', '--batch-size', 1,
                 '--global-batch', 4, '--threads', 1, cwd=tmp_path)      # 2 processes x 1 x 2 accumulated
    assert r.returncode == 0, r.stdout[-3000:] + r.stderr[-3000:]
    assert r.stdout.count('done: 6 steps') == 1, r.stdout                 # process 0 reports, once
    run = json.loads((tmp_path / 'run/run.json').read_text())
    assert (run['processes'], run['accum'], run['global_batch']) == (2, 2, 4)
    log = read_log(tmp_path / 'run/log.jsonl')
    assert [r['step'] for r in log if 'loss' in r] == list(range(1, 7)) and any('critic' in r for r in log)
    assert (tmp_path / 'run/model.safetensors').exists()

def test_torchrun_train_diffusion(tmp_path, latents):
    r = torchrun('train-diffusion', '--preset', 'tiny', '--latents', latents, '--out', 'ldm', '--accum', 2,
                 '--threads', 1, cwd=tmp_path)
    assert r.returncode == 0, r.stdout[-3000:] + r.stderr[-3000:]
    assert r.stdout.count('done: 6 steps') == 1, r.stdout
    run = json.loads((tmp_path / 'ldm/run.json').read_text())
    assert (run['processes'], run['accum'], run['global_batch']) == (2, 2, 8)
    from bassnb.checkpoint import load_model
    from bassnb.unet import LatentUNet
    _, meta = load_model(tmp_path / 'ldm/model', LatentUNet)
    assert meta['step'] == 6

def test_torchrun_user_error_is_one_line(tmp_path):
    env = dict(os.environ, OMP_NUM_THREADS='1')
    r = subprocess.run([sys.executable, '-m', 'bassnb.cli', 'train-diffusion', '--latents', tmp_path / 'nope', '--out', tmp_path / 'o'],
                       capture_output=True, text=True, env=env, timeout=TIMEOUT, cwd=tmp_path)
    assert r.returncode == 2 and r.stderr.startswith('bassnb: error: ') and 'Traceback' not in r.stderr, r.stderr
