"""Listing filters from GET parameters: plain links and forms, no JavaScript.

A value that names nothing (an unknown zone, a year that is not a number)
is dropped with a message for the visitor instead of an error.
"""

from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.db.models import Count
from django.db.models.functions import ExtractYear
from django.utils.translation import gettext as _


@dataclass
class FilterField:
    """One <select> of the filter form (templates/includes/filter_form.html)."""

    name: str
    label: str
    empty_label: str
    options: list  # (value, label) pairs
    selected: str = ""


@dataclass
class Filters:
    values: dict = field(default_factory=dict)  # name → the selected key (a pk) or year
    labels: dict = field(default_factory=dict)  # name → what the visitor chose, as the options name it
    raw: dict = field(default_factory=dict)  # name → string for URLs
    messages: list = field(default_factory=list)
    fields: list = field(default_factory=list)

    @property
    def query(self) -> str:
        """The active filters as a query string, for pagination links."""
        return urlencode(self.raw)

    def __bool__(self):
        return bool(self.raw)

    def choice(self, request, name, label, empty_label, options: dict, unknown_message) -> None:
        """A filter over `options`: {URL value: (value for the lookup, label)}."""
        raw = request.GET.get(name, "").strip()
        if raw in options:
            self.values[name], self.labels[name] = options[raw]
            self.raw[name] = raw
        elif raw:
            self.messages.append(unknown_message)
        choices = [(value, option_label) for value, (_obj, option_label) in options.items()]
        self.fields.append(FilterField(name, label, empty_label, choices, self.raw.get(name, "")))

    def year(self, request, label, empty_label, archive: list, name: str = "year") -> None:
        """A filter by year; `archive` is year_archive()'s list."""
        raw = request.GET.get(name, "").strip()
        if raw.isdigit() and 1900 <= int(raw) <= 2100:
            self.values[name] = int(raw)
            self.raw[name] = raw
        elif raw:
            self.messages.append(_("“%(value)s” is not a year; showing all years.") % {"value": raw[:20]})
        choices = [(str(entry["year"]), f"{entry['year']} ({entry['count']})") for entry in archive]
        self.fields.append(FilterField(name, label, empty_label, choices, self.raw.get(name, "")))

    def known_count(self, archive: list) -> int | None:
        """How many items the filtered list has, when year_archive()'s counts tell (no zone or
        topic chosen), else None."""
        if set(self.values) - {"year"}:
            return None
        if "year" in self.values:
            return next((entry["count"] for entry in archive if entry["year"] == self.values["year"]), 0)
        return sum(entry["count"] for entry in archive)

    def apply(self, queryset, lookups: dict):
        """Filter `queryset` by the selected values: {filter name: ORM lookup}."""
        for name, lookup in lookups.items():
            if name in self.values:
                queryset = queryset.filter(**{lookup: self.values[name]})
        return queryset


def year_archive(queryset, date_field: str) -> list[dict]:
    """[{"year": 2023, "count": 4}, …], newest first."""
    return list(
        queryset.annotate(year=ExtractYear(date_field)).values("year").annotate(count=Count("pk")).order_by("-year")
    )
