"""Who sees which inquiries: the one place that decides it.

- Users with the model permission "change inquiry" (the Editors group, superusers) see all of them,
  including those for the central desk (no zone).
- Zone desk staff — members of a group named by a ZoneDesk — see the inquiries routed to that
  zone and to the zones under it (branch parks), and nothing else: not in the list, the detail,
  the export, the report or any crafted URL or POST. Every admin view starts from
  `visible_inquiries(user)`.
"""

from django.db.models import Q

from portal.inquiries.models import Inquiry, ZoneDesk

ALL_PERMISSION = "inquiries.change_inquiry"


def sees_all(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active and user.has_perm(ALL_PERMISSION))


def desk_paths(user) -> list[str]:
    """The tree paths of the zones whose desk `user` staffs (memoised on the user for the request)."""
    if not (user and user.is_authenticated and user.is_active):
        return []
    cached = getattr(user, "_portal_desk_paths", None)
    if cached is None:
        cached = sorted(ZoneDesk.objects.filter(group__user=user).values_list("zone__path", flat=True).distinct())
        user._portal_desk_paths = cached
    return cached


def may_use_inbox(user) -> bool:
    return sees_all(user) or bool(desk_paths(user))


def visible_inquiries(user):
    """The inquiries `user` may read, as a queryset (none for anyone else)."""
    if sees_all(user):
        return Inquiry.objects.all()
    paths = desk_paths(user)
    if not paths:
        return Inquiry.objects.none()
    where = Q()
    for path in paths:
        where |= Q(desk__path__startswith=path)
    return Inquiry.objects.filter(where)


def visible_zones(user):
    """The zones whose inquiries `user` may read (for the inbox's filter and the report)."""
    from zones.models import ZonePage

    if sees_all(user):
        return ZonePage.objects.all()
    paths = desk_paths(user)
    if not paths:
        return ZonePage.objects.none()
    where = Q()
    for path in paths:
        where |= Q(path__startswith=path)
    return ZonePage.objects.filter(where)
