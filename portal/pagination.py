from django.core.paginator import Page, Paginator

PAGE_SIZE = 10


def narrow(queryset, start: int, stop: int):
    """queryset[start:stop], with the rows chosen by a query that selects only their keys.

    Ordering and skipping rows that carry every field in four languages (bodies
    included) is what makes a deep page of a large listing slow; the database
    sorts the keys instead, and the outer query loads just the chosen rows.
    One query either way.
    """
    return _rows(queryset, queryset.values("pk")[start:stop])


def _rows(queryset, keys):
    return queryset.filter(pk__in=keys).order_by(*queryset.query.order_by)


class NarrowPaginator(Paginator):
    """A Paginator over the keys whose pages load their rows as narrow() does; `count` may be
    given when it is known, and `keys` (every key of `queryset`, in its order) when they are."""

    def __init__(self, queryset, per_page, count: int | None = None, keys: list | None = None):
        super().__init__(queryset.values("pk") if keys is None else keys, per_page)
        self.rows = queryset
        if count is not None:
            self.__dict__["count"] = count  # the cached_property's value

    def _get_page(self, keys, number, paginator):
        return Page(_rows(self.rows, keys), number, paginator)


def page_number(request) -> int:
    """?page= as a number: Paginator.get_page maps 'abc' to the first page and 999999 to the last;
    negative numbers are clamped to the first page here."""
    raw = request.GET.get("page", "1")
    try:
        return max(int(raw), 1)
    except (TypeError, ValueError):
        return 1


def paginate(request, queryset, per_page: int = PAGE_SIZE):
    """The requested page of `queryset`; a bad `?page=` gives the nearest valid page."""
    return Paginator(queryset, per_page).get_page(page_number(request))


def paginate_listing(request, queryset, per_page: int = PAGE_SIZE, count: int | None = None, keys=None):
    """paginate() for a large page listing: rows read with narrow(); pass `count` when the
    total is already known (from a cached archive) to save the COUNT query, or `keys`, the
    listing's keys in order (remembered), so a deep page loads its ten rows by key."""
    paginator = NarrowPaginator(queryset, per_page, count=count, keys=keys)
    return paginator.get_page(page_number(request))
