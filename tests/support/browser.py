"""A real headless browser for tests of the HTML pages the package writes.

Uses Chromium's headless shell from Debian's packages (``apt-get install
chromium-headless-shell``, done by ``.ci/run``); a test that needs it is skipped with a reason
where it is absent. The browser gets no network (``--proxy-server`` to a closed port and every
host mapped away), so a page that needs one shows it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

CANDIDATES = ("chromium-headless-shell", "chromium", "chromium-browser", "google-chrome")
OFFLINE = ["--proxy-server=127.0.0.1:9", "--host-resolver-rules=MAP * ~NOTFOUND"]
COMMON = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-extensions", *OFFLINE]


def chromium() -> str | None:
    """Path of a headless Chromium, or None."""
    for name in CANDIDATES:
        path = shutil.which(name)
        if path:
            return path
    return None


def require_chromium() -> str:
    """Path of a headless Chromium; skip the calling test with a reason where there is none."""
    path = chromium()
    if path is None:
        pytest.skip("no headless Chromium here (CI installs chromium-headless-shell from Debian's packages)")
    return path


def _run(args: list[str], timeout: float) -> subprocess.CompletedProcess:
    env = {**os.environ, "HOME": os.environ.get("TMPDIR", "/tmp")}
    return subprocess.run(args, capture_output=True, text=True, timeout=timeout, env=env, check=False)


def dump_dom(page: str | os.PathLike, timeout: float = 60.0, budget_ms: int = 5000) -> str:
    """The page's DOM after its scripts ran (``--dump-dom``), loaded from a local file."""
    url = Path(page).resolve().as_uri()
    result = _run([require_chromium(), *COMMON, f"--virtual-time-budget={budget_ms}", "--dump-dom", url], timeout)
    if result.returncode != 0 or not result.stdout.strip():
        raise AssertionError(f"Chromium could not render {page}: exit {result.returncode}\n{result.stderr[-2000:]}")
    return result.stdout


def screenshot(page: str | os.PathLike, png: str | os.PathLike, width: int = 1200, height: int = 900,
               timeout: float = 60.0) -> Path:
    """A PNG screenshot of the page (for checks on what the page shows, e.g. its colours)."""
    url = Path(page).resolve().as_uri()
    png = Path(png).resolve()
    result = _run([require_chromium(), *COMMON, f"--window-size={width},{height}", f"--screenshot={png}", url],
                  timeout)
    if result.returncode != 0 or not png.exists() or png.stat().st_size == 0:
        raise AssertionError(f"Chromium could not screenshot {page}: exit {result.returncode}\n{result.stderr[-2000:]}")
    return png
