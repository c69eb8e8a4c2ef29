"""bench/report.py's RESULTS.md sections: bench/lighthouse writes its own, bench/run keeps it."""

from bench import report

RUNNER = "# Benchmark results\n\nintro\n\n## SQLite\n\nnew numbers\n\n## Notes\n\nnotes\n"


def test_a_section_is_appended_then_replaced_in_place():
    once = report.with_section(RUNNER, "## Lighthouse", "## Lighthouse\n\n| a | 1 |")
    assert once.endswith("## Notes\n\nnotes\n\n## Lighthouse\n\n| a | 1 |\n")
    twice = report.with_section(once, "## Lighthouse", "## Lighthouse\n\n| a | 2 |")
    assert twice == once.replace("| a | 1 |", "| a | 2 |")
    assert report.with_section("", "## Lighthouse", "## Lighthouse\n\nx") == "## Lighthouse\n\nx\n"


def test_the_runner_keeps_the_lighthouse_section_and_nothing_else_old():
    previous = report.with_section(RUNNER.replace("new", "old"), "## Lighthouse", "## Lighthouse\n\nscores")
    kept = report.keep_sections(RUNNER, previous)
    assert "## Lighthouse\n\nscores\n" in kept
    assert "new numbers" in kept and "old numbers" not in kept
    assert report.keep_sections(RUNNER, "") == RUNNER
