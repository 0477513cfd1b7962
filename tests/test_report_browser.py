"""output/report.html as a reader sees it: opened in headless Chromium, drawn, and printed.

Skips when no Chromium is installed (Debian's `chromium` package; `.ci/run`
installs it). Chromium parses the page (`--dump-dom`), draws it
(`--screenshot`) and prints it (`--print-to-pdf`), with the network switched
off, so a figure or table that only shows with a network, or a page that does
not draw, fails here.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
BROWSER = next((b for b in ("chromium", "chromium-browser", "google-chrome") if shutil.which(b)), None)
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--hide-scrollbars",
         # every request to a host fails: the report must need none
         "--host-resolver-rules=MAP * ~NOTFOUND"]

pytestmark = pytest.mark.skipif(BROWSER is None, reason="Chromium is not installed")


def browse(tmp: Path, url: str, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([BROWSER, *FLAGS, f"--user-data-dir={tmp / 'profile'}", *args, url],
                          capture_output=True, text=True, timeout=120)


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    from review.run import run_review

    root = tmp_path_factory.mktemp("browser")
    shutil.copy(REPO / "protocol.yaml", root / "protocol.yaml")
    shutil.copytree(REPO / "records", root / "records")
    run_review(root)
    return root, (root / "output" / "report.html")


@pytest.fixture(scope="module")
def dom(report, tmp_path_factory):
    _, page = report
    out = browse(tmp_path_factory.mktemp("dom"), page.as_uri(), "--dump-dom")
    assert out.returncode == 0, out.stderr[-2000:]
    return out.stdout


def test_chromium_reads_every_section_figure_and_table(report, dom):
    root, _ = report
    for sid in ("question", "searches", "prisma", "screening", "characteristics", "risk-of-bias", "pooled",
                "plots", "software"):
        assert re.search(rf'<(?:section|footer)[^>]*id="{sid}"', dom), sid
    # figures: PRISMA, two risk-of-bias plots, a forest plot per analysis and a funnel plot per
    # analysis with three or more studies (all five in the example's protocol.yaml)
    n_plots = len(list((root / "output").glob("forest_*.svg"))) + len(list((root / "output").glob("funnel_*.svg")))
    assert n_plots == 10
    assert len(re.findall(r"<svg\b", dom)) == 1 + 2 + n_plots
    # tables: searches, agreement, characteristics, pooled results (at least one each)
    for sid in ("searches", "screening", "characteristics", "pooled"):
        section = dom.split(f'id="{sid}"', 1)[1].split("</section>", 1)[0]
        assert "<table" in section and "<td" in section, sid


def test_the_page_draws_with_content(report, tmp_path):
    from matplotlib.image import imread

    _, page = report
    shot = tmp_path / "report.png"
    out = browse(tmp_path, page.as_uri(), f"--screenshot={shot}", "--window-size=1200,3000")
    assert out.returncode == 0 and shot.is_file(), out.stderr[-2000:]
    img = imread(str(shot))
    assert img.shape[:2] == (3000, 1200)
    ink = (img[:, :, :3].mean(axis=2) < 0.9).mean()  # share of pixels that are not (near) white
    assert ink > 0.02  # text, tables and the PRISMA diagram; a blank or failed page has none


def test_the_page_prints(report, tmp_path):
    _, page = report
    pdf = tmp_path / "report.pdf"
    out = browse(tmp_path, page.as_uri(), f"--print-to-pdf={pdf}", "--no-pdf-header-footer")
    assert out.returncode == 0 and pdf.is_file(), out.stderr[-2000:]
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF")
    pages = len(re.findall(rb"/Type\s*/Page\b", data))
    assert pages >= 4  # a results section with a PRISMA diagram, tables and ten plots is several pages
