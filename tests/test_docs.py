"""The docs site: `scripts/build_docs.py` builds it once for this module (every notebook executed), then the files are
checked (a page per notebook, `show_doc` entries, internal links, math delimiters, players and pictures) and a real
browser (Playwright + Chromium, as tests/test_widget_browser.py) reads it: typeset equations, a picture, a player, search.

Set BASSNB_DOCS_SITE=<a built site> to check an existing build instead (e.g. `_docs` after `bash scripts/docs.sh`), and
BASSNB_SCREENSHOTS=1 to refresh the README's picture nbs/images/docs_site.png."""
import json, os, re, shutil, sys, threading, time, functools, subprocess
from html.parser import HTMLParser
from http.server import ThreadingHTTPServer, SimpleHTTPRequestHandler
from pathlib import Path
from urllib.parse import urlsplit, unquote
import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / 'scripts'))
import build_docs as bd                                              # noqa: E402
NBS = bd.notebooks()
PAGE = {nb.stem: bd.page_name(nb) for nb in NBS}
SKIP_FLAGS = set(bd.cfg().get('tst_flags', '').split())

@pytest.fixture(scope='module')
def site(request, tmp_path_factory):
    "The built site's folder: built here once (the build log's slowest five go to the terminal), or BASSNB_DOCS_SITE."
    if d := os.environ.get('BASSNB_DOCS_SITE'): return Path(d).resolve()
    for m in ('mkdocs', 'mkdocs_jupyter', 'material', 'jupyter_server_mathjax'):
        pytest.importorskip(m, reason=f'{m} is not installed (bash scripts/setup.sh installs it)')
    d = tmp_path_factory.mktemp('docs')
    t0 = time.perf_counter()
    r = subprocess.run([sys.executable, str(ROOT / 'scripts' / 'build_docs.py'), '--out', str(d / 'site'),
                        '--stage', str(d / 'stage'), '--jobs', '2'], cwd=ROOT, capture_output=True, text=True)
    assert r.returncode == 0, r.stdout[-5000:] + r.stderr[-5000:]
    capman = request.config.pluginmanager.getplugin('capturemanager')
    with capman.global_and_fixture_disabled():                       # into the test log, also without -s
        for line in r.stdout.splitlines():
            if 'slowest five' in line: print(f'\n{line} (whole build {time.perf_counter() - t0:.0f} s)')
    return d / 'site'

def test_no_control_characters_in_markdown():
    "A TeX command saved through a non-raw string turns into a control character (\\f of \\frac, \\b of \\big...)."
    bad = [f'{nb.name} cell {c.get("id", i)}: {m[0]!r} in ...{"".join(c["source"])[max(0, m.start() - 30):m.end() + 10]!r}'
           for nb in sorted((ROOT / 'nbs').glob('*.ipynb')) for i, c in enumerate(json.loads(nb.read_text(encoding='utf-8'))['cells'])
           if c['cell_type'] == 'markdown' and (m := re.search(r'[\x00-\x09\x0b-\x1f\x7f]', ''.join(c['source'])))]
    assert not bad, bad

class Page(HTMLParser):
    "The ids, links, <audio>/<img> tags and visible text (no script, style, code) of an HTML page."
    HIDDEN = {'script', 'style', 'code', 'pre', 'svg', 'textarea'}
    def __init__(self, html):
        super().__init__(); self.ids, self.links, self.audio, self.imgs, self.text, self._skip = set(), [], [], [], [], 0
        self.feed(html)
    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if 'id' in a: self.ids.add(a['id'])
        if 'name' in a and tag == 'a': self.ids.add(a['name'])
        for k in ('href', 'src'):
            if a.get(k) and tag != 'script' or (tag == 'script' and k == 'src' and a.get(k)): self.links.append(a[k])
        if tag == 'audio': self.audio.append(a)
        if tag == 'source' and self.audio: self.audio[-1].setdefault('sources', []).append(a.get('src', ''))
        if tag == 'img': self.imgs.append(a)
        if tag in self.HIDDEN: self._skip += 1
    def handle_endtag(self, tag):
        if tag in self.HIDDEN: self._skip = max(0, self._skip - 1)
    def handle_data(self, data):
        if not self._skip: self.text.append(data)

@functools.cache
def page(site, name): return Page((site / f'{name}.html').read_text(encoding='utf-8'))

def cells(nb, kind='code'):
    """Sources of `nb`'s demonstration cells of `kind`: run by the docs build (not `#| eval: false`, not flagged slow or
    notest), shown (not `#| hide`), and not definitions (`#| export`)."""
    out = []
    for c in json.loads(nb.read_text(encoding='utf-8'))['cells']:
        s = ''.join(c['source'])
        flags = set(re.findall(r'^#\|\s*([\w-]+)', s, re.M))
        if c['cell_type'] == kind and not flags & (SKIP_FLAGS | {'hide', 'export', 'exports', 'exporti'}) and not re.search(r'^#\|\s*eval:\s*false', s, re.M):
            out.append(s)
    return out

def test_a_page_per_notebook_in_reading_order(site):
    for nb in NBS: assert (site / f'{PAGE[nb.stem]}.html').exists(), f'no page for {nb.name}'
    html = (site / 'spectral.html').read_text(encoding='utf-8')
    nav = html[html.index('md-nav--primary'):html.index('md-sidebar--secondary')]         # the sidebar's links
    order = [l for l in dict.fromkeys(re.findall(r'href="([\w.]+\.html)"', nav)) if l[:-5] in PAGE.values()]
    assert order == [f'{PAGE[nb.stem]}.html' for nb in NBS], order
    assert (site / 'search' / 'search_index.json').exists()

def test_show_doc_entries(site):
    "Every top-level name in nbdev's index has its entry (heading with its anchor, then its signature) on its page."
    sys.path.insert(0, str(ROOT))
    from bassnb._modidx import d
    missing = []
    for mod, syms in d['syms'].items():
        for sym, (url, _) in syms.items():
            name = sym[len(mod) + 1:]
            if '.' in name or name.startswith('_'): continue          # methods: with their class; private: none
            pg, anchor = url.split('#')
            html = (site / pg).read_text(encoding='utf-8')
            if not any(re.search(rf'\b{re.escape(name)}\s*\(', re.sub(r'<[^>]+>', '', html[m.end():m.end() + 3000]))
                       for m in re.finditer(rf'id="{re.escape(anchor)}"', html)):   # a section may share the id
                missing.append(sym)
    assert not missing, f'no show_doc entry (heading + signature) for {missing}'

def test_internal_links_resolve(site):
    bad = []
    for f in sorted(site.glob('*.html')):
        if f.name == '404.html': continue                  # links from the site root: a web server's page for missing ones
        for link in page(site, f.stem).links:
            u = urlsplit(link)
            if u.scheme or link.startswith(('//', 'mailto:')): continue   # external, data: URIs
            target = (f.parent / unquote(u.path)).resolve() if u.path else f
            if target.is_dir(): target = target / 'index.html'
            if not target.exists(): bad.append(f'{f.name}: {link}'); continue
            if u.fragment and target.suffix == '.html' and unquote(u.fragment) not in page(site, target.stem).ids:
                bad.append(f'{f.name}: {link} (no such anchor)')
    assert not bad, f'{len(bad)} broken internal links: {bad[:20]}'

def test_nothing_fetched_from_elsewhere(site):
    "Scripts, styles, fonts and pictures all come from the site itself (links to read elsewhere are fine)."
    ext = []
    for f in site.glob('*.html'):
        for tag in re.findall(r'<(?:script|img|audio|source|iframe)\b[^>]*\bsrc="(https?:[^"]+)"|<link\b[^>]*href="(https?:[^"]+)"[^>]*rel="stylesheet"',
                              f.read_text(encoding='utf-8')):
            ext += [f'{f.name}: {t}' for t in tag if t]
    assert not ext, ext[:10]
    assert (site / 'mathjax' / 'MathJax.js').exists() and (site / 'mathjax' / 'config' / 'local' / 'bassnb.js').exists()

TEX = re.compile(r'\\(frac|sum|mathcal|mathbf|hat|lVert|rVert|big|Big|epsilon|sigma|alpha|log|sqrt|cdot|left|right)\b')
MATH = re.compile(r'\$\$.+?\$\$|\$[^$\n]+?\$|\\\(.+?\\\)|\\\[.+?\\\]', re.S)

def test_math_is_delimited_for_the_renderer(site):
    "TeX appears only between the delimiters MathJax typesets ($, $$), and no markdown cell holds control characters."
    bad = []
    for nb in NBS:
        text = ''.join(page(site, PAGE[nb.stem]).text)
        outside = MATH.sub(' ', text)
        if m := TEX.search(outside): bad.append(f'{nb.stem}: raw TeX {outside[max(0, m.start() - 40):m.end() + 40]!r}')
        if '$$' in outside: bad.append(f'{nb.stem}: unmatched $$')
        if re.search(r'[\x00-\x08\x0b-\x1f\x7f]', text): bad.append(f'{nb.stem}: control character in the page')
    assert not bad, bad
    assert '\\frac{1}{|F_h||T_h|}' in ''.join(page(site, 'spectral').text)          # the repaired MSSD equation

def test_players_and_pictures(site):
    "A notebook whose (run) code plays audio has an <audio> with data; one that plots has an <img> with a PNG."
    for nb in NBS:
        code = '\n'.join(cells(nb))
        p = page(site, PAGE[nb.stem])
        if re.search(r'\bplay\(|\bAudio\(', code):
            assert any(a.get('src', '').startswith('data:audio') or any(s.startswith('data:audio') for s in a.get('sources', []))
                       for a in p.audio), f'{nb.stem}: no audio player'
        if re.search(r'\bplt\.|show_spec\(|\bplot_\w+\(', code):
            assert any(i.get('src', '').startswith('data:image/png') for i in p.imgs), f'{nb.stem}: no plot'
    assert page(site, 'data').imgs and page(site, 'data').audio      # the page the browser test reads

# ---------------------------------------------------------------- in a real browser
@pytest.fixture(scope='module')
def served(site):
    "The site on a local HTTP server (search needs http: its index is fetched); yields the base URL."
    handler = functools.partial(type('Quiet', (SimpleHTTPRequestHandler,), {'log_message': lambda *a: None}), directory=str(site))
    srv = ThreadingHTTPServer(('127.0.0.1', 0), handler)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    yield f'http://127.0.0.1:{srv.server_address[1]}'
    srv.shutdown(); srv.server_close()

TYPESET = "() => window.MathJax && MathJax.Hub && MathJax.Hub.queue.pending === 0 && MathJax.Hub.queue.running === 0"

def test_site_in_browser(site, served, tmp_path):
    pw = pytest.importorskip('playwright.sync_api', reason='playwright is not installed (pip install playwright)')
    from test_widget_browser import chromium, ARGS
    if (exe := chromium()) is None: pytest.skip('no Chromium (apt-get install chromium)')
    expect, outside = pw.expect, []
    with pw.sync_playwright() as p:
        b = p.chromium.launch(executable_path=exe, args=ARGS)
        pg = b.new_page(viewport={'width': 1280, 'height': 900})
        pg.on('request', lambda r: r.url.startswith((served, 'data:', 'blob:', 'about:')) or outside.append(r.url))
        try:
            pg.goto(f'{served}/index.html')
            expect(pg.locator('nav.md-nav--primary a[href="spectral.html"]').first).to_be_attached()
            if (site / 'javascripts' / 'mermaid.min.js').exists():           # the index's diagram, drawn by the site's Mermaid
                expect(pg.locator('pre.bassnb-mermaid svg').first).to_be_visible(timeout=30_000)

            pg.goto(f'{served}/data.html')                             # equations, a picture, a player
            pg.wait_for_function(TYPESET, timeout=60_000)
            assert pg.locator('.MathJax, .MathJax_Display, .MathJax_SVG').count() > 0, 'no typeset equation'
            assert pg.locator('.MathJax_Error, .merror').count() == 0, 'MathJax reported an error'
            text = pg.locator('article').inner_text()
            assert '$$' not in text and not TEX.search(text), 'TeX source visible after typesetting'
            img = pg.locator('.jp-OutputArea-output img').first
            img.scroll_into_view_if_needed()
            assert img.evaluate('i => i.complete && i.naturalWidth') > 100, 'a plot did not load'
            assert pg.locator('audio').first.evaluate('a => (a.currentSrc || a.src || a.querySelector("source")?.src || "")').startswith('data:audio')
            pg.locator('h1').first.scroll_into_view_if_needed()

            pg.goto(f'{served}/spectral.html')                          # the repaired equation typesets
            pg.wait_for_function(TYPESET, timeout=60_000)
            text = pg.locator('article').inner_text()
            assert '$$' not in text and not TEX.search(text) and pg.locator('.MathJax_Error, .merror').count() == 0
            pg.locator('.MathJax_Display').last.scroll_into_view_if_needed()
            pg.evaluate('window.scrollBy(0, -120)')
            pg.screenshot(path=str(shot := tmp_path / 'docs_site.png'))        # the README's picture
            if os.environ.get('BASSNB_SCREENSHOTS'): shutil.copy(shot, ROOT / 'nbs' / 'images' / 'docs_site.png')

            pg.goto(f'{served}/index.html')                               # search
            pg.locator('label.md-search__icon, .md-search__input').first.click()
            pg.locator('input.md-search__input').focus()
            pg.keyboard.type('grounding', delay=20)                   # typed: search answers key strokes
            hits = pg.locator('.md-search-result__item a')
            expect(hits.first).to_be_visible(timeout=30_000)
            hrefs = [h.get_attribute('href') or '' for h in hits.all()]
            assert any('sampling.html' in h for h in hrefs), hrefs
            pg.screenshot(path=str(tmp_path / 'docs_search.png'))
        finally: b.close()
    assert not outside, f'the pages fetched from elsewhere: {outside[:5]}'
