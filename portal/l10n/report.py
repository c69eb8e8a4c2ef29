"""The "Translations" report: completeness per language and the state of every page."""

import csv
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from wagtail.admin import messages
from wagtail.models import Page

from portal import i18n
from portal.l10n import status
from portal.l10n.models import TranslationState, TranslationStatus
from portal.l10n.permissions import editable_pages, translator_languages
from portal.l10n.titles import admin_title_and_language
from portal.pagination import paginate
from portal.text import spreadsheet_safe


def page_types() -> dict[str, type]:
    """{?type= key: page model} of the report's type filter, from the page models (BasePage.type_key)."""
    from portal.models import page_models

    return {model.get_type_key(): model for model in page_models()}


@dataclass
class Row:
    page: Page
    cells: list  # one dict per language
    title: str = ""  # in the admin user's language (portal/l10n/titles.py)
    title_language: str = ""


def default_language_filter(user) -> str:
    """The language the report starts with: a translator's own (the first, for one of several
    languages), so that "Download XLIFF" has a language; "" (all) for editors."""
    own = sorted(translator_languages(user), key=i18n.language_codes().index)
    return own[0] if own else ""


def _filters(request):
    languages = i18n.language_codes()
    # "language" absent: the user's own; present and empty: all languages, as chosen
    language = request.GET.get("language", default_language_filter(request.user))
    state = request.GET.get("state", "")
    page_type = request.GET.get("type", "")
    section = request.GET.get("section", "")
    errors = []
    if language and language not in languages:
        errors.append(_("Unknown language “%(value)s”.") % {"value": language[:20]})
        language = ""
    if state and state not in TranslationState.values:
        errors.append(_("Unknown state “%(value)s”.") % {"value": state[:20]})
        state = ""
    if page_type and page_type not in page_types():
        errors.append(_("Unknown page type “%(value)s”.") % {"value": page_type[:30]})
        page_type = ""
    section_page = None
    if section:
        section_page = Page.objects.filter(pk=section).first() if section.isdigit() and len(section) < 12 else None
        if section_page is None:
            errors.append(_("Unknown section “%(value)s”.") % {"value": section[:20]})
    return language, state, page_type, section_page, errors


def _statuses(user, language, state, page_type, section_page):
    """The status rows the filters select, of the pages `user` may edit (titles and drafts are theirs to read)."""
    rows = TranslationStatus.objects.select_related("page", "page__content_type").filter(
        page__depth__gt=1, page__in=editable_pages(user).values("pk")
    )
    if section_page is not None:
        rows = rows.filter(page__path__startswith=section_page.path)
    if page_type:
        model = page_types()[page_type]
        rows = rows.filter(
            page__content_type__app_label=model._meta.app_label, page__content_type__model=model._meta.model_name
        )
    return rows


def summary(rows) -> list[dict]:
    """Per language: fields filled / fields that should be filled."""
    totals = {
        code: {"filled": 0, "expected": 0, "counts": dict.fromkeys(TranslationState.values, 0)}
        for code in i18n.language_codes()
    }
    for row in rows.values("language", "filled", "expected", "state"):
        total = totals.get(row["language"])
        if total is None:
            continue
        total["filled"] += row["filled"]
        total["expected"] += row["expected"]
        total["counts"][row["state"]] += 1
    result = []
    for code, total in totals.items():
        percent = round(100 * total["filled"] / total["expected"], 1) if total["expected"] else 100.0
        result.append({"code": code, "name": i18n.language_name(code), "percent": percent, **total})
    return result


def report(request):
    if not request.user.has_perm("wagtailadmin.access_admin"):
        raise PermissionDenied
    language, state, page_type, section_page, errors = _filters(request)
    rows = _statuses(request.user, language, state, page_type, section_page)
    if request.GET.get("format") == "csv":
        return csv_response(rows, language, state)

    # pages that match: any language (or the chosen one) in the chosen state
    matching = rows
    if language:
        matching = matching.filter(language=language)
    if state:
        matching = matching.filter(state=state)
    page_ids = matching.values_list("page_id", flat=True).distinct()
    pages = Page.objects.filter(pk__in=page_ids).order_by("path")
    page_obj = paginate(request, pages, per_page=50)
    shown = list(page_obj.object_list.specific())
    by_page = {}
    for row in rows.filter(page_id__in=[p.pk for p in shown]):
        by_page.setdefault(row.page_id, {})[row.language] = row
    languages = [language] if language else i18n.language_codes()
    table = []
    for page in shown:
        cells = []
        for code in languages:
            row = by_page.get(page.pk, {}).get(code)
            cells.append(
                {
                    "code": code,
                    "row": row,
                    "missing": [status.field_label(page, key) for key in (row.missing_fields if row else [])],
                    "outdated": [(key, status.field_label(page, key)) for key in (row.outdated_fields if row else [])],
                }
            )
        title, title_language = admin_title_and_language(page)
        table.append(Row(page=page, cells=cells, title=title, title_language=title_language))
    editable = editable_pages(request.user)
    query = request.GET.copy()
    query.pop("page", None)
    query.pop("format", None)
    if language and "language" not in query:
        query["language"] = language  # the translator's own: the downloads follow it
    return TemplateResponse(
        request,
        "portal/l10n/report.html",
        {
            "summary": summary(rows),
            "table": table,
            "page_obj": page_obj,
            "languages": [(code, i18n.language_name(code)) for code in languages],
            "all_languages": [(code, i18n.language_name(code)) for code in i18n.language_codes()],
            "states": TranslationState.choices,
            "page_types": [(key, key.replace("_", " ")) for key in page_types()],
            "sections": [
                {"pk": section.pk, "depth": section.depth, "title": admin_title_and_language(section)[0]}
                for section in Page.objects.filter(depth__in=[2, 3], pk__in=editable.values("pk")).order_by("path")
            ],
            "selected": {"language": language, "state": state, "type": page_type, "section": section_page},
            "errors": errors,
            "query": query.urlencode(),
            "translator_languages": [i18n.language_name(code) for code in sorted(translator_languages(request.user))],
        },
    )


def csv_response(rows, language, state):
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="translations.csv"'
    response.write("\ufeff")  # spreadsheet programs read UTF-8 with a BOM
    writer = csv.writer(response)
    writer.writerow(
        ["page_id", "title", "type", "path", "language", "state", "filled", "expected", "missing", "outdated", "live"]
    )
    # every cell, not just the title: any text here may come from a page
    if language:
        rows = rows.filter(language=language)
    if state:
        rows = rows.filter(state=state)
    for row in rows.order_by("page__path", "language"):
        cells = [
            row.page_id,
            row.page.draft_title,
            row.page.content_type.model,
            row.page.url_path,
            row.language,
            row.state,
            row.filled,
            row.expected,
            " ".join(row.missing_fields),
            " ".join(row.outdated_fields),
            1 if row.page.live else 0,
        ]
        writer.writerow([spreadsheet_safe(cell) for cell in cells])
    return response


def confirm(request, page_id: int, language: str):
    """POST: the translator says the outdated fields in `language` are still correct."""
    if request.method != "POST":
        return redirect("portal_translations")
    page = get_object_or_404(Page, pk=page_id)
    if language not in status.target_languages():
        messages.error(request, _("Unknown language “%(value)s”.") % {"value": language[:20]})
        return redirect("portal_translations")
    allowed = translator_languages(request.user)
    if not page.permissions_for_user(request.user).can_edit() or (allowed and language not in allowed):
        raise PermissionDenied
    keys = request.POST.getlist("field") or None
    count = status.confirm(page, language, keys, user=request.user)
    messages.success(
        request,
        _("%(count)d field(s) of “%(title)s” confirmed as still correct in %(language)s.")
        % {"count": count, "title": admin_title_and_language(page)[0], "language": i18n.language_name(language)},
    )
    return redirect(safe_next(request) or "portal_translations")


def safe_next(request) -> str | None:
    """The posted `next` address when it stays on this site, else None (no open redirect)."""
    target = request.POST.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return None


MAX_XLIFF_UPLOAD = 10 * 1024 * 1024


def xliff_export(request):
    """The report's filters as an XLIFF file for an outside agency."""
    from portal.l10n.xliff import XliffError, export_xliff

    language, state, page_type, section_page, errors = _filters(request)
    allowed = translator_languages(request.user)
    if not language or language not in status.target_languages():
        messages.error(request, _("Choose the language to export (not the source language)."))
        return redirect("portal_translations")
    if allowed and language not in allowed:
        raise PermissionDenied
    page_ids = list(
        _statuses(request.user, language, state, page_type, section_page).values_list("page_id", flat=True).distinct()
    )
    try:
        data = export_xliff(language, state or "all", page_ids, user=request.user)
    except XliffError as exc:
        messages.error(request, str(exc))
        return redirect("portal_translations")
    response = HttpResponse(data, content_type="application/x-xliff+xml; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="translations-{language}-{state or "all"}.xlf"'
    return response


def xliff_import(request):
    """An agency's XLIFF file back in: one draft revision per page (or published)."""
    from portal.l10n.xliff import import_xliff

    if request.method != "POST":
        return redirect("portal_translations")
    upload = request.FILES.get("file")
    if upload is None:
        messages.error(request, _("Choose an XLIFF file to import."))
        return redirect("portal_translations")
    if upload.size > MAX_XLIFF_UPLOAD:
        messages.error(request, _("The file is too large (at most 10 MB)."))
        return redirect("portal_translations")
    allowed = translator_languages(request.user)
    publish = bool(request.POST.get("publish")) and not allowed
    # the file's language is checked against the translator's before anything is written; then each page
    # against the user's rights on it (edit, and publish when publishing) and its lock
    result = import_xliff(upload.read(), publish=publish, user=request.user, allowed_languages=allowed or None)
    if result.file_error:
        messages.error(request, _("The file was not imported: %(error)s") % {"error": result.file_error})
        return redirect("portal_translations")
    messages.success(
        request,
        _("%(fields)d field(s) imported into %(pages)d page(s); %(rejected)d unit(s) rejected, %(skipped)d skipped.")
        % {
            "fields": result.changed_count,
            "pages": len([p for p in result.pages if p.changed]),
            "rejected": len(result.rejected),
            "skipped": len(result.skipped),
        },
    )
    for problem in result.rejected[:20]:
        messages.warning(request, f"{problem.unit_id}: {problem.message}")
    return redirect("portal_translations")
