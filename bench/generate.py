"""Build the benchmark site: `python -m bench.generate --news 10000 --zones 50 --delegations 500`.

A command-line program with Django's management-command conventions (--help, CommandError),
kept out of the product's commands: it is for benchmarks only. Settings are those of manage.py
(DJANGO_SETTINGS_MODULE, default portal.settings.dev); bench/run passes its own. The site is
built by bench/sitedata.py.
"""

import argparse
import json
import os
import sys
import time
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

PROG = "python -m bench.generate"


class Command(BaseCommand):
    help = (
        "Build a large, deterministic site in four languages for benchmarks (pages written in bulk, with "
        "revisions, the public search index and translation status). Starts from an empty or freshly "
        "migrated database; see bench/sitedata.py."
    )

    def add_arguments(self, parser):
        parser.add_argument("--news", type=int, default=10_000, help="News pages (default 10000).")
        parser.add_argument("--zones", type=int, default=50, help="Zone pages, about a third of them branch parks.")
        parser.add_argument("--delegations", type=int, default=500, help="Delegation visit pages.")
        parser.add_argument("--images", type=int, default=20, help="Images made with Pillow, shared by the pages.")
        parser.add_argument("--seed", type=int, default=1, help="Same seed (and fixtures), same site.")
        parser.add_argument(
            "--replace",
            action="store_true",
            help="Delete the existing home page tree, topics and benchmark images first.",
        )
        parser.add_argument(
            "--skip-wagtail-index",
            action=argparse.BooleanOptionalAction,
            default=True,
            help="Leave Wagtail's own search index (the admin's page search) alone; it takes minutes at "
            "10,000 pages. --no-skip-wagtail-index runs update_index. The public search index is always built.",
        )
        parser.add_argument(
            "--verify",
            action=argparse.BooleanOptionalAction,
            default=True,
            help="Check the tree (Page.find_problems) and serve a sample of pages in every language.",
        )
        parser.add_argument("--verify-sample", type=int, default=3, help="Pages per page type to serve.")
        parser.add_argument(
            "--fixtures", default=str(settings.FIXTURE_DIRS[0]), help="Seed fixtures to sample text from."
        )
        parser.add_argument("--timings-json", help="Also write the phase timings and counts to this JSON file.")

    def handle(self, *args, **options):
        from bench import sitedata as benchdata

        sizes = benchdata.Sizes(
            news=options["news"],
            zones=options["zones"],
            delegations=options["delegations"],
            images=options["images"],
            seed=options["seed"],
        )
        started = time.perf_counter()
        try:
            report = benchdata.generate(
                sizes, replace=options["replace"], fixtures=Path(options["fixtures"]), log=self.stdout.write
            )
        except benchdata.BenchDataError as exc:
            raise CommandError(str(exc)) from exc
        generated = time.perf_counter() - started
        for label, count in sorted(report.counts.items()):
            self.stdout.write(f"{label}: {count}")
        self.stdout.write("Timings:")
        for phase, seconds in report.timings.items():
            self.stdout.write(f"  {phase:<20} {seconds:7.1f} s")
        self.stdout.write(f"  {'total':<20} {generated:7.1f} s")

        if not options["skip_wagtail_index"]:
            with report.timed("wagtail index"):
                call_command("update_index", verbosity=0)
            self.stdout.write(f"  {'wagtail index':<20} {report.timings['wagtail index']:7.1f} s")
        if options["verify"]:
            with report.timed("verify tree"):
                report.problems.extend(benchdata.tree_problems())
            with report.timed("verify pages"):
                pages = benchdata.sample_pages(options["verify_sample"])
                report.problems.extend(benchdata.serve_problems(pages, benchdata.verification_host()))
            self.stdout.write(f"  {'verify tree':<20} {report.timings['verify tree']:7.1f} s")
            self.stdout.write(
                f"  {'verify pages':<20} {report.timings['verify pages']:7.1f} s ({len(pages)} pages x 4 languages)"
            )
        if options["timings_json"]:
            Path(options["timings_json"]).write_text(
                json.dumps(
                    {
                        "generate": generated,
                        "timings": report.timings,
                        "counts": report.counts,
                        "problems": report.problems,
                    },
                    indent=2,
                )
                + "\n",
                encoding="utf-8",
            )
        if report.problems:
            raise CommandError("The generated site has problems:\n  " + "\n  ".join(report.problems))
        self.stdout.write(self.style.SUCCESS(f"Generated {sum(report.counts.values())} pages in {generated:.1f} s."))


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.dev")
    import django

    django.setup()
    # run_from_argv: argv[0] and argv[1] name the program in --help; errors exit 1 with their message.
    Command().run_from_argv([PROG.rsplit(" ", 1)[0], PROG.rsplit(" ", 1)[1], *(sys.argv[1:] if argv is None else argv)])


if __name__ == "__main__":
    main()
