"""`bassnb app` in a real browser: the command serves the widget with Voilà; Playwright + Chromium drive it at 1100 px.

Starts `bassnb app --no-browser` on a free port (the bundled small models), reads the address it prints, opens it, and as a
musician would: checks nothing is clipped and no empty image shows, starts a long run and stops it (the controls are locked
meanwhile), picks the demo mix and the "finger bass" style, generates 2 takes with 3 steps on 4 s, checks the ranked takes,
players and spectrogram, downloads a take's MIDI, regenerates 1-2 s of it, saves it; then Ctrl-C (SIGINT) stops the app
cleanly. The screenshot is written to tmp_path, and to $BASSNB_SCREENSHOT_DIR/app.png when that is set."""
import os, re, select, shutil, signal, subprocess, sys, time
from pathlib import Path
import pytest
from test_widget_browser import ARGS, BIN, ROOT, chromium, free_port, browser   # noqa: F401 (browser is a fixture)

def read_line(proc, timeout):
    "The next line `proc` prints on stdout, or None after `timeout` s."
    end = time.time() + timeout
    while time.time() < end:
        if select.select([proc.stdout], [], [], .5)[0]: return proc.stdout.readline()
        if proc.poll() is not None: return None
    return None

@pytest.fixture
def app(tmp_path):
    "`bassnb app` started in tmp_path; yields (process, URL); stops it with SIGINT at the end if the test has not."
    pytest.importorskip('voila', reason='voila is not installed (pip install voila)')
    env = dict(os.environ, PATH=f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}", OMP_NUM_THREADS='1', PYTHONPATH=str(ROOT),
               JUPYTER_RUNTIME_DIR=str(tmp_path / '.runtime'), PYTHONUNBUFFERED='1')
    port = free_port()
    proc = subprocess.Popen([str(BIN / 'bassnb'), 'app', '--port', str(port), '--no-browser'], cwd=tmp_path, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        line = read_line(proc, 120)
        assert line and f'http://127.0.0.1:{port}/' in line, f'bassnb app printed {line!r}: {proc.stdout.read() if proc.poll() is not None else ""}'
        yield proc, f'http://127.0.0.1:{port}/'
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGINT)
            try: proc.wait(60)
            except subprocess.TimeoutExpired: proc.kill(); proc.wait()
        # Voilà runs in its own session; if `bassnb app` was killed before it could stop it, stop it here (its command line
        # alone has `--port=N`), so that no server outlives the test
        if shutil.which('pkill'): subprocess.run(['pkill', '-9', '-f', f'voila.*--port={port}'], capture_output=True)

CLIPPED = """root => { const w = document.documentElement.clientWidth;
    return [...root.querySelectorAll('button, input, audio, img, .widget-slider, .widget-radio-box')]
        .filter(e => e.offsetParent !== null && e.getBoundingClientRect().right > w + 1)
        .map(e => (e.className || e.tagName) + ' ' + (e.textContent || '').slice(0, 30)); }"""

def test_app_in_browser(browser, app, tmp_path):
    pw, exe = browser
    proc, url = app
    expect = pw.expect
    t0 = time.time()
    with pw.sync_playwright() as p:
        b = p.chromium.launch(executable_path=exe, args=ARGS)
        pg = b.new_page(viewport={'width': 1100, 'height': 900}, accept_downloads=True)
        try:
            pg.goto(url)
            gen = pg.locator('button.bassnb-generate')
            gen.wait_for(timeout=120_000)                                 # Voilà has run the app notebook
            root = pg.locator('.bassnb-app')
            expect(pg.locator('img.widget-image')).to_be_hidden()           # no empty image before the first take
            assert root.evaluate(CLIPPED) == []                              # nothing cut off at 1100 px
            expect(pg.get_by_text('Traceback')).to_have_count(0)
            follow = pg.locator('.widget-slider', has_text='follow the song')   # a musician's words; the symbol in the tooltip
            expect(follow.locator('label')).to_have_attribute('title', re.compile('guidance λ'))
            assert pg.locator('.jp-InputArea, .jp-CodeCell .CodeMirror, .cm-editor').count() == 0   # no code on the page

            seconds = pg.locator('.widget-text', has_text='first seconds').locator('input')
            steps = pg.locator('.widget-slider', has_text='quality (steps)')
            steps.locator('.noUi-handle').focus(); pg.keyboard.press('End')   # 200 steps: long enough to stop it
            expect(steps.locator('.widget-readout')).to_have_text('200')
            gen.click()
            stop = pg.locator('button.jupyter-button[title="Stop"]')
            expect(pg.get_by_text(re.compile(r'step \d+/200'))).to_be_visible(timeout=90_000)   # the whole song, 200 steps
            expect(stop).to_be_enabled(); expect(gen).to_be_disabled()      # locked while generating, Stop live
            expect(steps.locator('.noUi-target')).to_have_attribute('disabled', 'true')
            stop.click()
            expect(pg.locator('.bassnb-info')).to_contain_text('stopped at step', timeout=30_000)
            expect(gen).to_be_enabled(); expect(stop).to_be_disabled()

            seconds.fill('4'); seconds.press('Tab')
            pg.get_by_placeholder('path of an audio file').fill('demo mix')     # pick the demo song and a style by name
            style = pg.get_by_placeholder("'none', a name from the list, or the path of a bass clip")
            style.fill('finger bass'); style.press('Tab')
            steps.locator('.noUi-handle').focus(); pg.keyboard.press('Home')
            for _ in range(2): pg.keyboard.press('ArrowRight')
            expect(steps.locator('.widget-readout')).to_have_text('3')
            takes = pg.locator('.widget-slider', has_text='takes')
            takes.locator('.noUi-handle').focus(); pg.keyboard.press('ArrowRight')
            expect(takes.locator('.widget-readout')).to_have_text('2')
            gen.click()
            ok = pg.locator('.bassnb-status .bassnb-ok')
            expect(ok).to_contain_text('generated 2 take(s) of 4.0 s', timeout=120_000)
            expect(ok).to_contain_text('style g=1')
            radios = pg.locator('.widget-radio-box label')
            expect(radios).to_have_count(2)
            expect(radios.first).to_contain_text('#1 take')                  # ranked by fit
            expect(pg.locator('audio')).to_have_count(2)                      # the chosen take: bass, song + bass
            assert all(a.get_attribute('src') for a in pg.locator('audio').all())
            img = pg.locator('img.widget-image')
            expect(img).to_be_visible()
            assert img.evaluate('i => i.naturalWidth') > 100

            tstat = pg.locator('.bassnb-take-status')
            pg.locator('button.jupyter-button[title="Download MIDI"]').click()
            link = pg.locator('a.bassnb-midi')
            link.wait_for(timeout=60_000)
            with pg.expect_download() as dl: link.click()
            mid = tmp_path / dl.value.suggested_filename
            dl.value.save_as(mid)
            assert mid.suffix == '.mid' and mid.read_bytes()[:4] == b'MThd'

            pg.locator('.widget-toggle-buttons button', has_text='seconds').click()
            pg.get_by_placeholder('e.g. 3-4 (bars) or 2.5-5 (seconds)').fill('1-2')
            pg.locator('button.jupyter-button[title="Regenerate"]').click()
            expect(tstat.locator('.bassnb-ok')).to_contain_text('regenerated', timeout=60_000)
            expect(radios).to_have_count(3)
            expect(pg.locator('.widget-radio-box input:checked + *, .widget-radio-box label:has(input:checked)')).to_contain_text('1-2 s redone')

            pg.locator('button.jupyter-button[title="Save take"]').click()
            expect(tstat.locator('.bassnb-ok')).to_contain_text('saved', timeout=30_000)
            saved = sorted(p.name for p in (tmp_path / 'bassnb_out').iterdir())
            assert len(saved) == 2 and all('redone' not in s and s.endswith('.wav') for s in saved), saved   # one take, in the start folder
            assert root.evaluate(CLIPPED) == []                              # the takes fit too
        finally:
            shot = tmp_path / 'app.png'
            pg.set_viewport_size({'width': 1100, 'height': 1500})               # the whole app in the picture
            if pg.locator('.bassnb-app').count(): pg.locator('.bassnb-app').screenshot(path=str(shot))   # the app, cropped
            else: pg.screenshot(path=str(shot), full_page=True)
            if d := os.environ.get('BASSNB_SCREENSHOT_DIR'): shutil.copy(shot, Path(d) / 'app.png')
            b.close()
    print(f'app browser test: {time.time() - t0:.1f} s in the browser')
    proc.send_signal(signal.SIGINT)                                          # Ctrl-C: a clean stop
    out = proc.communicate(timeout=60)[0]                                    # (Voilà may take 20 s to stop on a busy machine)
    assert proc.returncode == 0 and 'bassnb app: stopped' in out, (proc.returncode, out)
