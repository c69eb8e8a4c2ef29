"""Benchmark settings (bench/run): production, plus only what the benchmark needs.

- ROOT_URLCONF adds /bench/ping, a minimal Django view (bench/urls.py);
- BENCH_STARTER_DIR (made by `python -m bench.starter templates DIR`) holds Wagtail's
  starter project templates and static files, so a plain Wagtail page can be served
  with Wagtail's own welcome page as a baseline.
"""

from pathlib import Path

from .base import env_str
from .production import *  # noqa: F403

ROOT_URLCONF = "bench.urls"

BENCH_STARTER_DIR = env_str("BENCH_STARTER_DIR", "")
if BENCH_STARTER_DIR:
    TEMPLATES = [{**TEMPLATES[0], "DIRS": [*TEMPLATES[0]["DIRS"], Path(BENCH_STARTER_DIR) / "templates"]}]
    STATICFILES_DIRS = [Path(BENCH_STARTER_DIR) / "static"]
