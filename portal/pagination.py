from django.core.paginator import Page, Paginator

PAGE_SIZE = 10


def narrow(queryset, start: int, stop: int):
    """queryset[start:stop], with the rows chosen by a query that selects only their keys.

    Ordering and skipping rows that carry every field in four languages (bodies
    included) is what makes a deep page of a large listing slow; the database
    sorts the keys instead, and the outer query loads just the chosen rows.
    One query either way.
    """
    ordering = queryset.query.order_by
    return queryset.filter(pk__in=queryset.values("pk")[start:stop]).order_by(*ordering)


class NarrowPaginator(Paginator):
    """A Paginator whose pages are read with narrow(); `count` may be given when it is known."""

    def __init__(self, queryset, per_page, count: int | None = None):
        super().__init__(queryset, per_page)
        if count is not None:
            self.__dict__["count"] = count  # the cached_property's value

    def page(self, number):
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        return Page(narrow(self.object_list, bottom, top), number, self)


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


def paginate_listing(request, queryset, per_page: int = PAGE_SIZE, count: int | None = None):
    """paginate() for a large page listing: rows read with narrow(); pass `count` when the
    total is already known (from a cached archive) to save the COUNT query."""
    paginator = NarrowPaginator(queryset, per_page, count=count)
    return paginator.get_page(page_number(request))
