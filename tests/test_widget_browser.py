"""The widget in a real browser: JupyterLab (headless server) + Playwright + Chromium.

Opens a notebook that shows `bass_widget` with tiny untrained models, runs it, presses Generate (3 DDIM steps on 2 s
of the demo mix, with an uploaded style clip) and checks that the players and the spectrogram appear; also a bad
path (a message, no traceback) and Save take (writes the take, then refuses to overwrite it). Skips when Playwright or a Chromium is missing."""
import json, os, shutil, signal, socket, subprocess, sys, time, urllib.request
from pathlib import Path
import pytest

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
        '--disable-sync', '--no-first-run', '--disable-dev-shm-usage']

APP = [
    "import torch, torch.nn as nn\n"
    "from bassnb.pipeline import BassGenerator\n"
    "from bassnb.autoencoder import StftAutoencoder, ae_preset\n"
    "from bassnb.unet import LatentUNet, unet_preset\n"
    "from bassnb.widget import bass_widget\n"
    "torch.manual_seed(0)\n"
    "unet = LatentUNet(unet_preset('tiny')); nn.init.normal_(unet.out[-1].weight, std=.1)\n"
    "tiny = BassGenerator(StftAutoencoder(ae_preset('tiny', 'bass')), StftAutoencoder(ae_preset('tiny', 'mix')), unet, 'cpu')",
    "bass_widget(tiny, steps=3, seconds=2, folder='saved')",
]

# JupyterLab's own objects (exposed by --LabApp.expose_app_in_browser): more robust than clicking through menus
KERNEL_READY = """() => { const sc = window.jupyterapp?.shell?.currentWidget?.sessionContext;
    return !!sc && sc.isReady && sc.session?.kernel?.connectionStatus === 'connected' && sc.session.kernel.status === 'idle'; }"""
STARTED = """() => [...document.querySelectorAll('.jp-InputPrompt')].some(p => /\\[(\\*|\\d+)\\]/.test(p.textContent))"""

def chromium():
    "A Chromium executable: the system's (Debian `chromium`), else one that `playwright install` downloaded."
    for name in ('chromium', 'chromium-browser'):
        if p := shutil.which(name): return p
    try:
        from playwright.sync_api import sync_playwright
        with sync_playwright() as p: exe = p.chromium.executable_path
        return exe if Path(exe).exists() else None
    except Exception: return None

def free_port():
    with socket.socket() as s: s.bind(('127.0.0.1', 0)); return s.getsockname()[1]

def write_notebook(path):
    cells = [dict(cell_type='code', metadata={}, source=src, outputs=[], execution_count=None) for src in APP]
    nb = dict(cells=cells, nbformat=4, nbformat_minor=5,
              metadata=dict(kernelspec=dict(name='python3', display_name='Python 3', language='python')))
    path.write_text(json.dumps(nb))

@pytest.fixture
def lab(tmp_path):
    "A JupyterLab server serving `tmp_path` (with app.ipynb in it); yields its URL."
    if not (BIN / 'jupyter-lab').exists(): pytest.skip('jupyterlab is not installed')
    write_notebook(tmp_path / 'app.ipynb')
    settings = tmp_path / '.lab' / 'settings'
    (settings / '@jupyterlab' / 'apputils-extension').mkdir(parents=True)
    (settings / '@jupyterlab' / 'apputils-extension' / 'notification.jupyterlab-settings').write_text(
        json.dumps(dict(fetchNews='false', checkForUpdates=False)))     # no "Jupyter news?" pop-up over the page
    env = dict(os.environ, PATH=f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}", OMP_NUM_THREADS='1',
               JUPYTERLAB_SETTINGS_DIR=str(settings), JUPYTERLAB_WORKSPACES_DIR=str(tmp_path / '.lab' / 'ws'),
               JUPYTER_RUNTIME_DIR=str(tmp_path / '.lab' / 'runtime'), PYTHONPATH=str(ROOT))
    port = free_port()
    log = open(tmp_path / 'jupyterlab.log', 'w')
    proc = subprocess.Popen([str(BIN / 'jupyter-lab'), '--no-browser', '--ip=127.0.0.1', f'--port={port}',
                             '--ServerApp.token=', '--ServerApp.password=', '--allow-root', '--LabApp.expose_app_in_browser=True',
                             f'--ServerApp.root_dir={tmp_path}'], cwd=tmp_path, env=env, stdout=log,
                            stderr=subprocess.STDOUT, start_new_session=True)
    url = f'http://127.0.0.1:{port}'
    try:
        for _ in range(240):
            if proc.poll() is not None: pytest.fail(f'jupyter lab exited: {(tmp_path / "jupyterlab.log").read_text()[-3000:]}')
            try:
                if urllib.request.urlopen(f'{url}/api/status', timeout=2).status == 200: break
            except OSError: time.sleep(.5)
        else: pytest.fail('jupyter lab did not answer within 120 s')
        yield url
    finally:
        proc.terminate()                                            # the server shuts its kernel down
        try: proc.wait(20)
        except subprocess.TimeoutExpired: os.killpg(proc.pid, signal.SIGKILL); proc.wait()
        log.close()

@pytest.fixture
def browser():
    "Playwright's sync API and a Chromium executable, or skip (checked before the server starts)."
    pw = pytest.importorskip('playwright.sync_api', reason='playwright is not installed (pip install playwright)')
    exe = chromium()
    if exe is None: pytest.skip('no Chromium (apt-get install chromium, or playwright install chromium)')
    return pw, exe

def test_widget_generates_in_browser(browser, lab, tmp_path):
    pw, exe = browser
    expect = pw.expect
    with pw.sync_playwright() as p:
        b = p.chromium.launch(executable_path=exe, args=ARGS)
        pg = b.new_page(viewport={'width': 1400, 'height': 1000})
        try:
            pg.goto(f'{lab}/lab/tree/app.ipynb?reset')
            pg.wait_for_function(KERNEL_READY, timeout=90_000)
            gen = pg.locator('button.bassnb-generate')
            for attempt in range(3):                      # run-all right after the kernel connects is sometimes lost
                pg.evaluate("window.jupyterapp.commands.execute('notebook:run-all-cells')")
                try: pg.wait_for_function(STARTED, timeout=15_000); break
                except pw.TimeoutError: pass
            gen.wait_for(timeout=90_000)

            mix = pg.get_by_placeholder('path of an audio file')        # a bad path: a message, not a traceback
            mix.fill(str(tmp_path / 'missing.wav'))
            gen.click()
            expect(pg.locator('.bassnb-error')).to_contain_text('missing.wav: no such file', timeout=60_000)
            assert pg.locator('audio').count() == 0
            expect(pg.get_by_text('Traceback')).to_have_count(0)

            with pg.expect_file_chooser() as chooser:                      # upload a style clip
                pg.locator('button.jupyter-button', has_text='upload style').click()
            chooser.value.set_files(str(ROOT / 'data_samples' / 'style_synth.ogg'))
            expect(pg.locator('.bassnb-info')).to_contain_text('uploaded style_synth.ogg', timeout=30_000)
            test_style = pg.get_by_placeholder("'none', a name from the list, or the path of a bass clip")
            assert test_style.input_value() == 'uploaded: style_synth.ogg'      # by name: no internal temp path

            mix.fill(str(ROOT / 'data_samples' / 'demo_mix.ogg'))        # the demo mix, 2 s of it, 3 steps
            gen.click()
            ok = pg.locator('.bassnb-status .bassnb-ok')
            expect(ok).to_contain_text('generated 1 take(s) of 2.0 s', timeout=60_000)
            expect(ok).to_contain_text('style g=1.0, seed=0')                # the uploaded style was used
            expect(pg.locator('audio')).to_have_count(2)                  # bass, and mix + bass
            expect(pg.get_by_text('step 3/3')).to_be_visible()
            assert all(a.get_attribute('src') for a in pg.locator('audio').all())
            img = pg.locator('img.widget-image')
            expect(img).to_be_visible()
            assert img.evaluate('i => i.naturalWidth') > 100              # the spectrogram PNG decoded

            save = pg.locator('button.jupyter-button[title="Save take"]')
            tstat = pg.locator('.bassnb-take-status')
            save.click()
            expect(tstat.locator('.bassnb-ok')).to_contain_text('bass_take1.wav, bass_take1_with_song.wav', timeout=30_000)
            saved = tmp_path / 'saved' / 'bass_take1.wav'
            assert saved.stat().st_size > 1000
            before = saved.read_bytes()
            save.click()                                                    # again: refused, in the widget's words
            expect(tstat.locator('.bassnb-error')).to_contain_text("tick 'overwrite'", timeout=30_000)
            assert saved.read_bytes() == before

            mix.fill(str(tmp_path / 'gone.wav'))                          # an error after takes: nothing stale stays
            gen.click()
            expect(pg.locator('.bassnb-status .bassnb-error')).to_contain_text('gone.wav: no such file', timeout=60_000)
            expect(pg.locator('audio')).to_have_count(0)
            expect(pg.locator('img.widget-image')).to_be_hidden()
            expect(pg.get_by_text('step 3/3')).to_have_count(0)
        finally:
            pg.screenshot(path=str(tmp_path / 'widget.png'), full_page=True)
            b.close()
