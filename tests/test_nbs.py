"Run every notebook's tests (nbdev_test skips `#| slow` and `#| notest` cells), one pytest test per notebook."
import subprocess, sys, shutil, filecmp, tempfile
from pathlib import Path
import pytest

ROOT = Path(__file__).resolve().parents[1]
NBS = sorted(p for p in (ROOT / 'nbs').glob('*.ipynb') if not p.name.startswith(('_', '.')))
BIN = Path(sys.executable).parent

@pytest.mark.parametrize('nb', NBS, ids=[p.stem for p in NBS])
def test_notebook(nb):
    r = subprocess.run([str(BIN / 'nbdev_test'), '--path', str(nb), '--n_workers', '0', '--do_print'],
                       cwd=ROOT, capture_output=True, text=True)
    assert r.returncode == 0, r.stdout[-6000:] + r.stderr[-6000:]

def test_library_matches_notebooks():
    "bassnb/*.py must be exactly what nbdev_export makes of nbs/ (notebooks are the source)."
    with tempfile.TemporaryDirectory() as d:
        d = Path(d)
        for f in ['settings.ini', 'setup.py', 'README.md']: shutil.copy(ROOT / f, d / f)
        shutil.copytree(ROOT / 'nbs', d / 'nbs')
        (d / 'bassnb').mkdir()
        r = subprocess.run([str(BIN / 'nbdev_export')], cwd=d, capture_output=True, text=True)
        assert r.returncode == 0, r.stderr
        made = sorted(p.name for p in (d / 'bassnb').glob('*.py'))
        have = sorted(p.name for p in (ROOT / 'bassnb').glob('*.py'))
        assert made == have, f'modules differ: exported {made}, committed {have}'
        stale = [m for m in made if not filecmp.cmp(d / 'bassnb' / m, ROOT / 'bassnb' / m, shallow=False)]
        assert not stale, f'run nbdev_export: these modules are out of date with their notebooks: {stale}'
