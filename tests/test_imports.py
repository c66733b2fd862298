"""The module layers point down: no import cycle among bassnb's modules (every import, function-local ones included),
and inference (`pipeline`, `sampling`, `harmony`, `widget`, `workflow`, `contrastive`) loads neither training code nor the command line."""
import ast, json, subprocess, sys
from pathlib import Path
import bassnb

PKG = Path(bassnb.__file__).parent
TRAINING = {'learner', 'train_autoencoder', 'train_diffusion', 'train_contrastive', 'train_probe', 'critics', 'data', 'cli'}
# Imports an inference module may make of training code, inside a function only (so not at import time), with the reason:
ALLOWED_LAZY = {}

def imports_of(name):
    "{imported bassnb module: whether at module level} for module `name` (relative and absolute `bassnb.` imports)."
    tree, out = ast.parse((PKG / f'{name}.py').read_text()), {}
    top = {id(n) for n in tree.body}
    for n in ast.walk(tree):
        if isinstance(n, ast.ImportFrom):
            mod = n.module or ''
            if n.level == 1: m = mod.split('.')[0]
            elif mod.startswith('bassnb.'): m = mod.split('.')[1]
            elif mod == 'bassnb': m = None                     # `from bassnb import __version__`
            else: continue
        elif isinstance(n, ast.Import):
            ms = [a.name.split('.')[1] for a in n.names if a.name.startswith('bassnb.')]
            if not ms: continue
            m = ms[0]
        else: continue
        if m and m != name and (PKG / f'{m}.py').exists(): out[m] = out.get(m, False) or id(n) in top
    return out

MODULES = sorted(p.stem for p in PKG.glob('*.py') if not p.stem.startswith('_'))
GRAPH = {m: imports_of(m) for m in MODULES}

def test_graph_is_read():
    assert 'base' in GRAPH['pipeline'] and 'sampling' in GRAPH['pipeline'] and 'pipeline' in GRAPH['widget']

def test_no_import_cycle():
    state, stack = {}, []
    def visit(m):
        state[m] = 'open'; stack.append(m)
        for d in GRAPH[m]:
            if state.get(d) == 'open': raise AssertionError(f"import cycle: {' -> '.join(stack[stack.index(d):] + [d])}")
            if d not in state: visit(d)
        state[m] = 'done'; stack.pop()
    for m in MODULES:
        if m not in state: visit(m)

def reach(m, lazy_ok=()):
    "Modules reachable from `m` through imports, skipping the allowed function-local ones."
    seen, todo = set(), [m]
    while todo:
        for d, top in GRAPH[todo.pop()].items():
            if d not in seen and not (not top and any(d == b for (a, b) in lazy_ok)): seen.add(d); todo.append(d)
    return seen

def test_inference_never_reaches_training_or_cli():
    for m in ('sampling', 'harmony', 'pipeline', 'widget', 'workflow', 'contrastive'):
        bad = reach(m, ALLOWED_LAZY) & TRAINING
        assert not bad, f"{m} imports {sorted(bad)} (directly or through other modules)"

def test_import_pipeline_loads_inference_only():
    code = ("import sys, json, bassnb.{m}; "
            "print(json.dumps(sorted(k.split('.')[1] for k in sys.modules if k.startswith('bassnb.'))))")
    for m in ('pipeline', 'widget', 'workflow', 'contrastive'):
        r = subprocess.run([sys.executable, '-c', code.format(m=m)], capture_output=True, text=True, check=True)
        loaded = set(json.loads(r.stdout.strip().splitlines()[-1]))
        assert m in loaded and not loaded & TRAINING, (m, sorted(loaded & TRAINING))
        if m == 'pipeline':
            assert loaded <= {'imports', 'base', 'audio', 'spectral', 'autoencoder', 'attention', 'unet', 'diffusion', 'sampling',
                              'harmony', 'tone', 'checkpoint', 'pipeline'}, sorted(loaded)
