"""Wagtail's own starter home page, served by the portal's stack as the benchmark's baseline.

    python -m bench.starter templates DIR   # run `wagtail start`, lay its home page out in DIR
    python -m bench.starter site            # add the page and a Site for the host starter.localhost

`wagtail start` makes a project whose home page is an empty Page subclass
rendered with home/home_page.html (base.html + home/welcome_page.html, with
their CSS and JS). portal.settings.bench adds DIR/templates and DIR/static
(BENCH_STARTER_DIR). The templates are copied unchanged except their paths,
prefixed with starter/ so they do not collide with the portal's base.html;
templates/wagtailcore/page.html, the template Wagtail picks for a plain Page,
extends the starter's home_page.html. The page itself is a plain Page: the
starter's HomePage would cost one more query (its own, empty, table row).
"""

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HOST = "starter.localhost"
TITLE = "Welcome to your new Wagtail site!"


def templates(directory: Path) -> None:
    directory = Path(directory)
    with tempfile.TemporaryDirectory() as tmp:
        wagtail = Path(sys.executable).with_name("wagtail")
        subprocess.run([str(wagtail), "start", "starter", tmp], check=True, capture_output=True)  # noqa: S603
        project = Path(tmp)
        shutil.rmtree(directory, ignore_errors=True)
        target = directory / "templates" / "starter"
        (target / "home").mkdir(parents=True)
        shutil.copy(project / "starter" / "templates" / "base.html", target / "base.html")
        shutil.copy(
            project / "home" / "templates" / "home" / "welcome_page.html", target / "home" / "welcome_page.html"
        )
        home = (project / "home" / "templates" / "home" / "home_page.html").read_text()
        home = home.replace('{% extends "base.html" %}', '{% extends "starter/base.html" %}')
        home = home.replace("{% include 'home/welcome_page.html' %}", "{% include 'starter/home/welcome_page.html' %}")
        if "starter/base.html" not in home or "starter/home/welcome_page.html" not in home:
            raise SystemExit("Wagtail's starter home_page.html has changed; update bench/starter.py.")
        (target / "home" / "home_page.html").write_text(home)
        (directory / "templates" / "wagtailcore").mkdir()
        (directory / "templates" / "wagtailcore" / "page.html").write_text(
            '{% extends "starter/home/home_page.html" %}\n'
        )
        static = directory / "static"
        shutil.copytree(project / "starter" / "static", static)
        shutil.copytree(project / "home" / "static", static, dirs_exist_ok=True)


def site() -> None:
    import django

    django.setup()
    from wagtail.models import Page, Site

    from portal import i18n

    Site.objects.filter(hostname=HOST).delete()
    Page.objects.filter(depth=2, slug="wagtail-starter").delete()
    page = Page(live=True)
    for code in i18n.language_codes():
        setattr(page, i18n.localized("title", code), TITLE)
        setattr(page, i18n.localized("slug", code), "wagtail-starter")
    Page.get_first_root_node().add_child(instance=page)
    Site.objects.create(hostname=HOST, port=80, root_page=page, is_default_site=False, site_name="Wagtail starter")


if __name__ == "__main__":
    if sys.argv[1:2] == ["templates"] and len(sys.argv) == 3:
        templates(Path(sys.argv[2]))
    elif sys.argv[1:] == ["site"]:
        site()
    else:
        raise SystemExit(__doc__)
