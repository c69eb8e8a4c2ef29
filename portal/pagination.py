from django.core.paginator import Paginator

PAGE_SIZE = 10


def paginate(request, queryset, per_page: int = PAGE_SIZE):
    """The requested page of `queryset`; a bad `?page=` gives the nearest valid page.

    Paginator.get_page maps 'abc' to the first page and 999999 to the last;
    negative numbers are clamped to the first page here.
    """
    raw = request.GET.get("page", "1")
    try:
        number = max(int(raw), 1)
    except (TypeError, ValueError):
        number = 1
    return Paginator(queryset, per_page).get_page(number)
