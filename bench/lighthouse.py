"""Lighthouse scores of the public site (run it as bench/lighthouse; `make test` and CI do not).

    bench/lighthouse [BASE_URL]           # a site that is already served
    bench/lighthouse --serve              # a fresh SQLite site under gunicorn, as `make serve` runs it

Five pages (home, news index, a news article, a zone page, a delegation page) in the
languages LIGHTHOUSE_LANGS names for each (default: all five in zh-hans and en, home and
article in de and ru too), each with Lighthouse's desktop and mobile presets, one run at a
time. Prints the four category scores and the ids of the weighted audits that scored below
1, and exits 1 when a bar of issue 13 is missed: 100 in every category on desktop,
performance >= 95 on mobile.

Lighthouse is not a project dependency: LIGHTHOUSE_BIN names it (e.g. a local
`npm install lighthouse`: /path/node_modules/.bin/lighthouse), else `lighthouse` on PATH.
CHROME_PATH defaults to /usr/bin/chromium. The pages are named by their zh-hans path
(LIGHTHOUSE_PAGES, "name=/zh-hans/path/ …"); the other languages' URLs are read from each
page's hreflang links. The JSON reports go to LIGHTHOUSE_OUT (default a new /tmp folder).
Each page is requested twice before it is measured, so a worker's first request (imports,
template compiling) does not count as the page's server time.

Scores vary with the machine's load (the "bench" column is Lighthouse's benchmarkIndex of the
CPU; below ~1000 Lighthouse warns that the CPU is slower than it expects, and the mobile preset
multiplies every main-thread task by 4): LIGHTHOUSE_RUNS=3 (or 5) runs each page and preset that
many times and reports the run with the median performance score, as Lighthouse's docs advise.
"""

import argparse
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from bench import report as report_module

ROOT = Path(__file__).resolve().parent.parent
VENV = ROOT / ".venv" / "bin"

# The fixtures' pages (fixtures/): the article and the delegation with the most parts.
PAGES = {
    "home": "/zh-hans/",
    "news": "/zh-hans/xinwen/",
    "article": "/zh-hans/xinwen/jimunai-zibo-linyi-laifang/",
    "zone": "/zh-hans/yuanqu/shanghe-shifanqu/",
    "delegation": "/zh-hans/fangwentuan/jimunai-zibo-linyi-kaocha/",
}
LANGS = {
    "home": "zh-hans en de ru",
    "news": "zh-hans en",
    "article": "zh-hans en de ru",
    "zone": "zh-hans en",
    "delegation": "zh-hans en",
}
CATEGORIES = ("performance", "accessibility", "best-practices", "seo")
SHORT = {"performance": "perf", "accessibility": "a11y", "best-practices": "bp", "seo": "seo"}
CHROME_FLAGS = "--headless=new --no-sandbox --disable-gpu --disable-dev-shm-usage"


def say(message: str) -> None:
    """Progress, on stderr."""
    sys.stderr.write(message + "\n")
    sys.stderr.flush()


def out(line: str = "") -> None:
    """The table, on stdout."""
    sys.stdout.write(line + "\n")


def lighthouse_command() -> list[str]:
    named = os.environ.get("LIGHTHOUSE_BIN", "")
    if named:
        return named.split()
    found = shutil.which("lighthouse")
    if found:
        return [found]
    raise SystemExit(
        "Lighthouse is missing: install it outside the repository "
        "(mkdir -p ~/lh && cd ~/lh && npm install lighthouse) and set LIGHTHOUSE_BIN=~/lh/node_modules/.bin/lighthouse"
    )


def fetch(url: str) -> str:
    with urllib.request.urlopen(url, timeout=60) as response:  # noqa: S310 (the URLs are the site's own)
        return response.read().decode("utf-8")


def alternates(url: str) -> dict[str, str]:
    """The page's URL per language, from its <link rel="alternate" hreflang> tags."""
    found = {}
    for tag in re.findall(r"<link\b[^>]*>", fetch(url)):
        lang = re.search(r'hreflang="([^"]+)"', tag)
        href = re.search(r'href="([^"]+)"', tag)
        if 'rel="alternate"' in tag and lang and href and lang.group(1) != "x-default":
            found[lang.group(1).lower()] = href.group(1)
    return found


def targets(base: str, pages: dict[str, str], langs: dict[str, list[str]]) -> list[tuple[str, str, str]]:
    """(page, language, URL) for every page in each of its languages."""
    found = []
    for name, path in pages.items():
        urls = alternates(base + path)
        for lang in langs.get(name, ["zh-hans", "en"]):
            if lang not in urls:
                raise SystemExit(f"{base + path} has no hreflang link for {lang} (it has {sorted(urls) or 'none'}).")
            # hreflang links name the site's own host; measure the server given.
            url = urls[lang]
            path_only = re.sub(r"^https?://[^/]+", "", url)
            found.append((name, lang, base + path_only))
    return found


def run_lighthouse(command: list[str], url: str, preset: str, path: Path) -> dict:
    args = [*command, url, "--output=json", f"--output-path={path}", "--quiet", f"--chrome-flags={CHROME_FLAGS}"]
    if preset == "desktop":
        args.append("--preset=desktop")
    env = {**os.environ}
    env.setdefault("CHROME_PATH", "/usr/bin/chromium")
    result = subprocess.run(args, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if result.returncode or not path.exists():
        raise SystemExit(f"Lighthouse failed on {url} ({preset}): {result.stderr.strip()[-2000:]}")
    return json.loads(path.read_text())


def summary(report: dict) -> tuple[dict[str, int], list[str]]:
    """The four scores (0–100) and the weighted audits below 1 ("id (category)")."""
    scores, failing = {}, []
    for key in CATEGORIES:
        category = report["categories"][key]
        scores[key] = round((category["score"] or 0) * 100)
        for ref in category["auditRefs"]:
            audit = report["audits"][ref["id"]]
            if ref.get("weight") and audit["score"] is not None and audit["score"] < 1:
                value = audit.get("displayValue") or ""
                failing.append(f"{ref['id']}{' ' + value if value else ''} ({SHORT[key]})")
    return scores, failing


def missed(preset: str, scores: dict[str, int]) -> bool:
    if preset == "desktop":
        return any(scores[key] < 100 for key in CATEGORIES)
    return scores["performance"] < 95


def serve(directory: Path) -> tuple[subprocess.Popen, str]:
    """A fresh SQLite site with the fixtures under gunicorn and the production settings (whitenoise)."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "portal.settings.production",
        "DATABASE_URL": f"sqlite:///{directory / 'lighthouse.sqlite3'}",
        "SECRET_KEY": "lighthouse-only-not-a-secret-" + "x" * 40,
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "EMAIL_HOST": "127.0.0.1",
        "DEFAULT_FROM_EMAIL": "lighthouse@localhost",
        # No TLS proxy in front: plain HTTP must not redirect.
        "SECURE_SSL_REDIRECT": "0",
        "SECURE_HSTS_SECONDS": "0",
        "MEDIA_ROOT": str(directory / "media"),
        "STATIC_ROOT": str(directory / "static"),
        "LOG_LEVEL": "WARNING",
    }
    log = (directory / "setup.log").open("a")
    for args in (["migrate", "--noinput"], ["load_initial_data"], ["collectstatic", "--noinput"]):
        say(f"manage.py {args[0]}")
        command = [str(VENV / "python"), "manage.py", *args]
        subprocess.run(command, cwd=ROOT, env=env, stdout=log, stderr=log, check=True)  # noqa: S603
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server_log = (directory / "gunicorn.log").open("a")
    process = subprocess.Popen(  # noqa: S603
        [str(VENV / "gunicorn"), "portal.wsgi:application", "--workers", "2", "--bind", f"127.0.0.1:{port}"],
        cwd=ROOT,
        env=env,
        stdout=server_log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"gunicorn stopped (exit {process.returncode}); see {directory / 'gunicorn.log'}")
        try:
            fetch(base + "/healthz")
            return process, base
        except OSError:
            time.sleep(0.3)
    process.terminate()
    raise SystemExit("gunicorn did not answer /healthz within 60 s.")


def main() -> int:
    parser = argparse.ArgumentParser(description="Lighthouse scores of the public site (bench/lighthouse.py).")
    parser.add_argument("base", nargs="?", default="http://127.0.0.1:8000", help="the served site (no trailing /)")
    parser.add_argument("--serve", action="store_true", help="set up and serve a fresh SQLite site for the run")
    parser.add_argument("--presets", default="desktop,mobile", help="desktop,mobile (default both)")
    parser.add_argument("--only", default="", help="page names to run, e.g. home,article (default all five)")
    parser.add_argument(
        "--results", help="write the table as the '## Lighthouse' section of this file (bench/RESULTS.md)"
    )
    parser.add_argument(
        "--reuse", action="store_true", help="read the JSON reports already in LIGHTHOUSE_OUT instead of running"
    )
    options = parser.parse_args()

    pages = dict(PAGES)
    if os.environ.get("LIGHTHOUSE_PAGES"):
        pages = dict(item.split("=", 1) for item in os.environ["LIGHTHOUSE_PAGES"].split())
    if options.only:
        pages = {name: path for name, path in pages.items() if name in options.only.split(",")}
    wanted = os.environ.get("LIGHTHOUSE_LANGS", "")
    langs = {name: (wanted or LANGS.get(name, "zh-hans en")).split() for name in pages}
    runs = int(os.environ.get("LIGHTHOUSE_RUNS") or 1)
    presets = [p for p in options.presets.split(",") if p]
    command = [] if options.reuse else lighthouse_command()
    folder = Path(os.environ.get("LIGHTHOUSE_OUT") or tempfile.mkdtemp(prefix="lighthouse-"))
    folder.mkdir(parents=True, exist_ok=True)

    server = None
    base = options.base.rstrip("/")
    load = [os.getloadavg()[0]]
    if options.serve:
        server, base = serve(folder)
    try:
        rows = []
        for name, lang, url in targets(base, pages, langs):
            fetch(url)
            fetch(url)
            for preset in presets:
                paths = [folder / f"{name}-{lang}-{preset}-{run}.json" for run in range(1, runs + 1)]
                if options.reuse:
                    reports = [json.loads(path.read_text()) for path in paths]
                else:
                    reports = [run_lighthouse(command, url, preset, path) for path in paths]
                reports.sort(key=lambda r: r["categories"]["performance"]["score"] or 0)
                report = reports[len(reports) // 2]
                scores, failing = summary(report)
                bench = round(report["environment"].get("benchmarkIndex") or 0)
                rows.append((name, lang, preset, scores, failing, bench))
                mark = "MISSED" if missed(preset, scores) else "ok"
                perfs = "/".join(str(round((r["categories"]["performance"]["score"] or 0) * 100)) for r in reports)
                say(
                    f"{name} {lang} {preset}: "
                    + " ".join(f"{SHORT[k]} {scores[k]}" for k in CATEGORIES)
                    + f" (perf of the runs: {perfs}; bench {bench}) {mark}"
                )
    finally:
        if server:
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=30)

    load.append(os.getloadavg()[0])
    misses = [row for row in rows if missed(row[2], row[3])]
    table = [
        "| page | lang | preset | perf | a11y | bp | seo | bench | below 1 (weighted audits) |",
        "|---|---|---|---:|---:|---:|---:|---:|---|",
    ]
    for name, lang, preset, scores, failing, bench in rows:
        cells = [name, lang, preset, *(str(scores[k]) for k in CATEGORIES), str(bench), ", ".join(failing) or "–"]
        table.append("| " + " | ".join(cells) + " |")
    verdict = (
        f"{len(misses)} of {len(rows)} runs miss the bars (desktop 100 in all four, mobile performance ≥ 95)."
        if misses
        else f"All {len(rows)} runs meet the bars (desktop 100 in all four, mobile performance ≥ 95)."
    )
    median = f"median of {runs} runs" if runs > 1 else "one run"
    browser = re.search(r"Chrome/([\d.]+)", report["environment"].get("hostUserAgent", ""))
    out(f"Lighthouse {report.get('lighthouseVersion', '?')} on {base}, {median} each; JSON reports in {folder}")
    out()
    for line in table:
        out(line)
    out()
    out(verdict)
    if options.results:
        served = (
            "a fresh SQLite site with the fixtures under gunicorn (2 workers, production settings, whitenoise)"
            if options.serve
            else f"{base}"
        )
        body = [
            "## Lighthouse",
            "",
            f"Written by `bench/lighthouse` from runs ending {report['fetchTime'][:16].replace('T', ' ')} UTC, commit "
            f"`{report_module.commit()}`: Lighthouse {report.get('lighthouseVersion', '?')}, Chromium "
            f"{browser.group(1) if browser else '?'} headless, {median} each (the run with the median performance "
            f"score), against {served}. Bars of issue 13: 100 in all four categories with the desktop preset, "
            "performance ≥ 95 with the mobile preset (simulated slow 4G, CPU × 4). `bench` is Lighthouse's "
            "benchmarkIndex of this machine's CPU during the run (below 1,000 Lighthouse warns that the CPU is "
            "slower than it expects)"
            + ("." if options.reuse else f"; load average {load[0]:.1f} at the start, {load[1]:.1f} at the end."),
            "",
            *table,
            "",
            verdict,
        ]
        path = Path(options.results)
        text = path.read_text(encoding="utf-8") if path.exists() else ""
        path.write_text(report_module.with_section(text, "## Lighthouse", "\n".join(body)), encoding="utf-8")
        say(f"Written: the Lighthouse section of {path}")
    return 1 if misses else 0


if __name__ == "__main__":
    signal.signal(signal.SIGTERM, lambda *_: sys.exit("bench/lighthouse stopped"))
    sys.exit(main())
