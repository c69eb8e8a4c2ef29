"""Listing filters from GET parameters: plain links and forms, no JavaScript.

A value that names nothing (an unknown zone, a year that is not a number)
is dropped with a message for the visitor instead of an error.
"""

from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.utils.translation import gettext as _


@dataclass
class Filters:
    values: dict = field(default_factory=dict)  # name → cleaned value (object or int)
    raw: dict = field(default_factory=dict)  # name → string for URLs
    messages: list = field(default_factory=list)

    @property
    def query(self) -> str:
        """The active filters as a query string, for pagination links."""
        return urlencode(self.raw)

    def without(self, name: str) -> str:
        return urlencode({k: v for k, v in self.raw.items() if k != name})

    def __bool__(self):
        return bool(self.raw)


def parse_year(request, filters: Filters, name: str = "year") -> None:
    raw = request.GET.get(name, "").strip()
    if not raw:
        return
    if raw.isdigit() and 1900 <= int(raw) <= 2100:
        filters.values[name] = int(raw)
        filters.raw[name] = raw
    else:
        filters.messages.append(_("“%(value)s” is not a year; showing all years.") % {"value": raw[:20]})


def parse_choice(request, filters: Filters, name: str, options: dict, unknown_message: str) -> None:
    """`options` maps the URL value (string) to the object it selects."""
    raw = request.GET.get(name, "").strip()
    if not raw:
        return
    if raw in options:
        filters.values[name] = options[raw]
        filters.raw[name] = raw
    else:
        filters.messages.append(unknown_message)
