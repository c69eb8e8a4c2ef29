"""bench/RESULTS.md from the runner's results.json (python -m bench.report results.json > RESULTS.md)."""

import importlib.metadata
import json
import os
import platform
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATABASE_NAMES = {"sqlite": "SQLite", "postgres": "PostgreSQL"}
TARGET_PAGES = ("news index", "news index ?page=500", "news page")
STATIC_SHARE = 0.095  # of the static file's req/s, uncached
CACHED_SHARE = 0.8  # of the static file's req/s, from the page cache
STARTER = "Wagtail starter page"
STATIC = "static file"
PING = "minimal view (/bench/ping)"
MEMORY_LIMIT_MB = 150
SEARCH_P95_LIMIT_MS = 100


# What the numbers mean; written from the last full run, kept here so bench/run regenerates it.
NOTES = """
## Notes

Written for the run of commit `29d58f3` (2026-12-01, issue 12's rebuild of the base); rerunning
bench/run keeps this text.

- **What changed since the run of `49c7e60`**: the remembered Page/Site/SiteSettings objects,
  heads and related lists are gone (only plain values are remembered: routes, privacy paths,
  filter options, year counts, ordered keys); rendered parts are kept instead (portal/fragments.py:
  cards keyed on what they show, page parts on the content generation); public pages send
  Cache-Control/ETag; GZip and ConditionalGet middleware; search counts at most 500 matches.
  Warm query counts rose (home 0 → 11, news page 0 → 14 with the fragment cache cold; fewer
  when the parts are in the cache) and still do not grow with the site.
- **Uncached req/s, SQLite (49c7e60 → now)**: home 106 → 90, news index 65 → 147, ?page=500
  71 → 156, news page 148 → 213, zone 120 → 160, delegation 165 → 221. PostgreSQL: home
  135 → 56, news index 64 → 126, deep page 86 → 136, news page 186 → 172, zone 105 → 123,
  delegation 163 → 119; the PostgreSQL pass ran slower across the board (the starter page
  itself fell from 438 to 262 req/s in it), so compare its pages with its own static and
  starter rows.
- **≥ 0.095 of the static file and ≥ 2× the starter page: missed** (news page 0.062 / 0.49×,
  news index 0.043 / 0.33× on SQLite). What is left per uncached request: routing and the page
  (site, home page, page: three queries), Wagtail's view-restriction check (two queries), the
  lists drawn from other pages where their part is not cached, and the fragment lookups. The home
  page's lists were still computed before its cached part was used in this run; they are lazy
  since commit ef32183 (not measured here).
- **Cached pages ≥ 0.8 of the static file: missed** (0.70 SQLite, 0.55 PostgreSQL). A hit now
  also passes ConditionalGetMiddleware (an MD5 of the body for the ETag) and the Cache-Control
  middleware.
- **Search p95 < 100 ms on PostgreSQL: missed** (240 ms Latin, 246 ms Chinese common words; 175 and
  140 ms for absent words). The search SQL itself fell (count 12–26 ms → 1.4 ms, page query
  24–39 ms → 0.5–1.4 ms, measured alone); the rest is the header every view renders (site, home
  page, menu, settings: four queries, no fragment cache outside pages) and queueing under 10
  connections on 2 workers.
- **Worker RSS < 150 MB: met** (147 MB SQLite, 140 MB PostgreSQL, was 187–192). A worker holds
  ~120 MB once Django is set up (Wagtail 8's apps import django-ninja/pydantic and Django REST
  framework for their APIs at start-up); the rest had been glibc keeping the blocks Pillow
  decoded images into for renditions (portal/wsgi.py now fixes the mmap threshold: −30 MB).
- **Generator**: 31.4 s on SQLite, 102.8 s on PostgreSQL for 10,000 news (now `python -m
  bench.generate`, building its rows with the product's own functions).
"""


def _output(args: list[str]) -> str:
    try:
        return subprocess.run(args, capture_output=True, text=True, check=True, cwd=ROOT).stdout.strip()  # noqa: S603
    except (OSError, subprocess.CalledProcessError):
        return "?"


def _wrk_version() -> str:
    # `wrk -v` prints its version and exits with 1
    result = subprocess.run(["wrk", "-v"], capture_output=True, text=True, check=False)  # noqa: S603, S607
    return (result.stdout or result.stderr).split("Copyright")[0].strip() or "wrk"


def commit() -> str:
    return _output(["git", "rev-parse", "--short", "HEAD"])


def machine(pg_server: str) -> dict:
    cpu = next(
        (line.split(":", 1)[1].strip() for line in _output(["lscpu"]).splitlines() if line.startswith("Model name")),
        platform.processor(),
    )
    memory = next(
        (int(line.split()[1]) // 1024 for line in Path("/proc/meminfo").read_text().splitlines() if "MemTotal" in line),
        0,
    )
    os_name = next(
        (
            line.split("=", 1)[1].strip('"')
            for line in Path("/etc/os-release").read_text().splitlines()
            if line.startswith("PRETTY_NAME")
        ),
        platform.system(),
    )
    dirty = [line for line in _output(["git", "status", "--porcelain"]).splitlines() if line.strip()]
    versions = {name: importlib.metadata.version(name) for name in ("django", "wagtail", "gunicorn", "whitenoise")}
    return {
        "date": time.strftime("%Y-%m-%d %H:%M %Z"),
        "commit": commit(),
        "uncommitted_files": len(dirty),
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_mb": memory,
        "os": f"{os_name}, kernel {platform.release()}",
        "python": platform.python_version(),
        "versions": versions,
        "postgres": _output(["psql", pg_server + "/postgres", "-tAc", "SHOW server_version"]),
        "sqlite": sqlite3.sqlite_version,
        "wrk": _wrk_version(),
    }


def _num(value, digits=0) -> str:
    if value is None:
        return "n/a"
    return f"{value:,.{digits}f}"


def _percent(part, whole) -> str:
    if not part or not whole:
        return "n/a"
    share = 100 * part / whole
    return f"{share:.1f} %" if share < 10 else f"{share:.0f} %"


def url_table(record: dict, config: dict) -> list[str]:
    small, full = record["queries_small"], record["queries"]
    load = record["uncached"]
    cached = record.get("cached", {})
    static_rps = load[STATIC]["rps"]
    ping_rps = load[PING]["rps"]
    lines = [
        f"| URL | queries @{config['small_news']:,} news | queries @{config['news']:,} news | p50 ms | p95 ms "
        "| req/s | of static req/s | of minimal view req/s | errors | other processes' CPU | cached req/s |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for name, query in full.items():
        result = load[name]
        url = query["url"] if len(query["url"]) < 48 else query["url"][:45] + "…"
        host = f" (Host: {query['host']})" if query.get("host") else ""
        if result.get("connections") != config["connections"] or result.get("duration") != config["duration"]:
            host += f" — {result.get('connections')} connections, {result.get('duration')} s"
        lines.append(
            f"| {name} `{url}`{host} | {small[name]['queries']} | {query['queries']} | {_num(result['p50_ms'], 1)} "
            f"| {_num(result['p95_ms'], 1)} | {_num(result['rps'])} | {_percent(result['rps'], static_rps)} "
            f"| {_percent(result['rps'], ping_rps)} | {result['errors']} | {_num(result.get('other_cpu_pct'))} % "
            f"| {_num(cached[name]['rps']) if name in cached else 'n/a'} |"
        )
    return lines


def targets(results: dict) -> list[str]:
    databases = results["databases"]
    config = results["config"]
    header = "| target | " + " | ".join(DATABASE_NAMES.get(k, k) for k in databases) + " |"
    lines = [header, "| --- |" + " --- |" * len(databases)]

    def row(title: str, cell) -> None:
        lines.append(f"| {title} | " + " | ".join(cell(k, r) for k, r in databases.items()) + " |")

    def queries(_kind, record):
        grown = [
            f"{name} {record['queries_small'][name]['queries']}→{q['queries']}"
            for name, q in record["queries"].items()
            if q["queries"] > record["queries_small"][name]["queries"]
        ]
        return "**missed**: " + ", ".join(grown) if grown else "met: none grows"

    def faster(page):
        def cell(_kind, record):
            load = record["uncached"]
            ratio = load[page]["rps"] / load[STARTER]["rps"] if load[STARTER]["rps"] else 0
            verdict = "met" if ratio >= 2 else "**missed**"
            return f"{verdict}: {ratio:.2f}× ({load[page]['rps']:,.0f} vs {load[STARTER]['rps']:,.0f} req/s)"

        return cell

    def search(kind, record):
        p95 = {name: r["p95_ms"] for name, r in record["uncached"].items() if name.startswith("search (")}
        text = ", ".join(f"{name.split('(')[1].rstrip(')')} {value:.0f} ms" for name, value in p95.items())
        if kind != "postgres":
            return f"(not a target) {text}"
        verdict = "met" if max(p95.values()) < SEARCH_P95_LIMIT_MS else "**missed**"
        return f"{verdict}: {text}"

    def memory(_kind, record):
        load = record["uncached"]
        workers = load["_memory"]["workers_mb"]
        top = max(workers) if workers else 0
        verdict = "met" if top < MEMORY_LIMIT_MB else "**missed**"
        return f"{verdict}: {', '.join(f'{w:.0f}' for w in workers)} MB after the run"

    def share(page):
        def cell(_kind, record):
            load = record["uncached"]
            ratio = load[page]["rps"] / load[STATIC]["rps"] if load[STATIC]["rps"] else 0
            verdict = "met" if ratio >= STATIC_SHARE else "**missed**"
            return f"{verdict}: {ratio:.3f} ({load[page]['rps']:,.0f} vs {load[STATIC]['rps']:,.0f} req/s)"

        return cell

    def cached(_kind, record):
        load = record.get("cached")
        if not load:
            return "n/a (run with BENCH_CACHED=1)"
        pages = {name: r["rps"] for name, r in load.items() if not name.startswith("_") and name in TARGET_PAGES}
        static = load[STATIC]["rps"]
        lowest = min(pages.values()) / static if static and pages else 0
        verdict = "met" if lowest >= CACHED_SHARE else "**missed**"
        return f"{verdict}: lowest {lowest:.2f} ({min(pages.values()):,.0f} vs {static:,.0f} req/s)"

    row(f"no query count grows from {config['small_news']:,} to {config['news']:,} news", queries)
    for page in TARGET_PAGES:
        row(f"uncached {page} ≥ {STATIC_SHARE} of the static file's req/s", share(page))
    for page in TARGET_PAGES:
        row(f"uncached {page} ≥ 2× the req/s of Wagtail's starter page", faster(page))
    row(f"cached {', '.join(TARGET_PAGES)} ≥ {CACHED_SHARE} of the static file's req/s", cached)
    row(f"search p95 < {SEARCH_P95_LIMIT_MS} ms on PostgreSQL", search)
    row(f"gunicorn worker RSS < {MEMORY_LIMIT_MB} MB (after the run)", memory)
    return lines


def generator_table(results: dict) -> list[str]:
    databases = results["databases"]
    header = "| phase | " + " | ".join(DATABASE_NAMES.get(k, k) for k in databases) + " |"
    lines = [header, "| --- |" + " ---: |" * len(databases)]
    phases = []
    for record in databases.values():
        for phase in record["generate"]["timings"]:
            if phase not in phases:
                phases.append(phase)
    for phase in phases:
        cells = [_num(r["generate"]["timings"].get(phase), 1) + " s" for r in databases.values()]
        lines.append(f"| {phase} | " + " | ".join(cells) + " |")
    lines.append(
        "| **generate (total, in one transaction)** | "
        + " | ".join(f"**{r['generate']['generate']:.1f} s**" for r in databases.values())
        + " |"
    )
    lines.append(
        "| command wall time (with Django start-up and verification) | "
        + " | ".join(f"{r['generate']['wall']:.1f} s" for r in databases.values())
        + " |"
    )
    lines.append(
        "| migrate (fresh database, for comparison) | "
        + " | ".join(f"{r['migrate_s']:.1f} s" for r in databases.values())
        + " |"
    )
    return lines


def markdown(results: dict) -> str:
    m = results["machine"]
    config = results["config"]
    v = m["versions"]
    first = next(iter(results["databases"].values()))
    queries = first["queries"]
    out = [
        "# Benchmark results",
        "",
        f"Written by `bench/run` on {m['date']}, commit `{m['commit']}`"
        + (f" plus {m['uncommitted_files']} uncommitted files in the working tree." if m["uncommitted_files"] else "."),
        "",
        "| machine | |",
        "| --- | --- |",
        f"| CPU | {m['cpu']}, {m['cores']} cores (shared by wrk and gunicorn) |",
        f"| memory | {m['memory_mb']:,} MB |",
        f"| system | {m['os']} |",
        f"| software | Python {m['python']}, Django {v['django']}, Wagtail {v['wagtail']}, gunicorn {v['gunicorn']}, "
        f"whitenoise {v['whitenoise']}, PostgreSQL {m['postgres']}, SQLite {m['sqlite']}, {m['wrk']} |",
        "",
        "## How",
        "",
        f"- Site: `python -m bench.generate --news {config['news']} --zones {config['zones']} "
        f"--delegations {config['delegations']} --images {config['images']}` — every text in four languages; "
        f"query counts also at {config['small_news']} news.",
        f"- Server: gunicorn, {config['workers']} sync workers, bound to 127.0.0.1, as `make serve` starts it "
        "(`--access-logfile -`), with `portal.settings.bench` = production settings + `/bench/ping` + Wagtail's "
        "starter templates. No Redis (per-process memory cache), `SECURE_SSL_REDIRECT=0` (no TLS proxy in front).",
        f"- Load: wrk, {config['threads']} threads, {config['connections']} connections, {config['duration']} s per "
        f"URL after a {config['warmup']} s warm-up; latency as wrk measures it (includes queueing).",
        "- Queries: Django's test client + CaptureQueriesContext, second request of each URL (the first warms the "
        "per-process caches a worker also keeps).",
        "- Searches: "
        + "; ".join(
            f"{name.split('(')[1].rstrip(')')} `{q['query']}` ({q.get('matches', '?'):,} of "
            f"{sum(first['generate']['counts'].values()) - 1:,} pages match)"
            for name, q in queries.items()
            if "query" in q
        )
        + ". The generated text repeats a few hundred seed sentences, so a word of it is on nearly every "
        "page: the common word is the worst case for ranking, the absent one the best; real queries fall between.",
        "- Uncached: `PAGE_CACHE_SECONDS=0`. `cached req/s`: the same load again with "
        f"`{config['cached_env']}` (portal/pagecache.py, per-worker memory cache) when run with `BENCH_CACHED=1`, "
        "else n/a.",
        "",
        "## Targets",
        "",
        *targets(results),
        "",
    ]
    for kind, record in results["databases"].items():
        started = f"measured {record['started']}, commit `{record['commit']}`" if "commit" in record else ""
        out += [f"## {DATABASE_NAMES.get(kind, kind)}", "", started, "", *url_table(record, config), ""]
        out += [
            f"Worker RSS after the run: {record['uncached']['_memory']['workers_mb']} MB "
            f"(master {record['uncached']['_memory']['master_mb']} MB).",
            "",
        ]
    out += ["## bench.generate timings", "", *generator_table(results), ""]
    out += [NOTES.strip(), ""]
    return "\n".join(out)


if __name__ == "__main__":
    if len(sys.argv) != 2:
        raise SystemExit(__doc__)
    sys.stdout.write(markdown(json.loads(Path(sys.argv[1]).read_text())))


# Sections of RESULTS.md that other tools write (bench/lighthouse); bench/run keeps them.
KEPT_SECTIONS = ("## Lighthouse",)


def sections(text: str) -> dict[str, str]:
    """RESULTS.md's level-2 sections by heading line, each with its heading ("" holds the text before the first)."""
    found: dict[str, str] = {"": ""}
    heading = ""
    for line in text.splitlines(keepends=True):
        if line.startswith("## "):
            heading = line.rstrip("\n")
            found[heading] = ""
        found[heading] += line
    return found


def with_section(text: str, heading: str, body: str) -> str:
    """`text` with the section `heading` replaced by `body` (its own heading first), or appended."""
    parts = sections(text)
    parts[heading] = body
    # one blank line between sections
    return "".join(part.rstrip("\n") + "\n\n" for part in parts.values() if part).rstrip("\n") + "\n"


def keep_sections(new: str, previous: str) -> str:
    """The runner's `new` RESULTS.md with the KEPT_SECTIONS of the `previous` one."""
    for heading, body in sections(previous).items():
        if heading in KEPT_SECTIONS:
            new = with_section(new, heading, body)
    return new
