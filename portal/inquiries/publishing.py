"""A public question and its answer become a draft Q&A page (admin: inquiries/<pk>/publish-question/).

Only an inquiry of kind "question" that the user may see (permissions.visible_inquiries) and that
has an answer: anything else is a 404, whatever the URL or POST says. The draft holds the question
and the latest answer in the inquirer's language, with the inquirer's own name, e-mail address,
phone and organisation (and any e-mail address) cut out; the moderator reads it, removes what else
tells who asked, and publishes or submits it through Wagtail's workflow. Nothing else about the
inquirer goes to the page.
"""

import re

from django.contrib import messages
from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.html import linebreaks
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from portal import i18n
from portal.inquiries.models import Inquiry, InquiryEvent, Kind
from portal.inquiries.pages import QuestionIndexPage, QuestionPage
from portal.inquiries.permissions import visible_inquiries
from portal.text import cut

TITLE_LENGTH = 120
REDACTED = "[…]"
EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+", re.UNICODE)


def personal_words(inquiry: Inquiry) -> list[str]:
    """What names the inquirer: their name (whole, and each part long enough to be a name rather
    than a word), organisation, e-mail address and phone, longest first."""
    words = set()
    for value in (inquiry.name, inquiry.organisation, inquiry.email, inquiry.phone):
        value = (value or "").strip()
        if value:
            words.add(value)
    for part in (inquiry.name or "").split():
        if len(part) >= (2 if i18n.has_han(part) else 3):
            words.add(part)
    return sorted(words, key=len, reverse=True)


def redact(text: str, inquiry: Inquiry) -> str:
    """`text` without the inquirer's personal data (personal_words) nor any e-mail address."""
    text = EMAIL.sub(REDACTED, text or "")
    for word in personal_words(inquiry):
        # A whole word, so that "Anna" leaves "Savannah" alone; Chinese is written without spaces.
        pattern = re.escape(word) if i18n.has_han(word) else rf"(?<!\w){re.escape(word)}(?!\w)"
        text = re.sub(pattern, REDACTED, text, flags=re.IGNORECASE)
    return text


def latest_answer(inquiry: Inquiry) -> InquiryEvent | None:
    return inquiry.events.filter(kind=InquiryEvent.Kind.ANSWER).order_by("-at", "-pk").first()


def question_index() -> QuestionIndexPage | None:
    return QuestionIndexPage.objects.order_by("path").first()


def draft_fields(inquiry: Inquiry, answer: InquiryEvent) -> dict:
    """The draft page's fields: question, title and answer in the inquirer's language. The default
    language's title and question are required and have no fallback, so an inquiry in another
    language fills them with the same words until a translator replaces them."""
    question = redact(inquiry.message, inquiry).strip()
    answer_html = linebreaks(redact(answer.note, inquiry).strip(), autoescape=True)
    title = cut(" ".join(question.split()), TITLE_LENGTH)
    codes = {i18n.default_language()}
    if inquiry.language in i18n.language_codes():
        codes.add(inquiry.language)
    fields = {}
    for code in codes:
        fields[i18n.localized("title", code)] = title
        fields[i18n.localized("question", code)] = question
        fields[i18n.localized("answer", code)] = answer_html
    return fields


def published_pages(inquiry: Inquiry) -> list[QuestionPage]:
    """The Q&A pages made from this inquiry before (its PUBLISHED events), those that still exist."""
    ids = [
        event.data.get("page")
        for event in inquiry.events.filter(kind=InquiryEvent.Kind.PUBLISHED)
        if isinstance(event.data, dict)
    ]
    return list(QuestionPage.objects.filter(pk__in=[pk for pk in ids if isinstance(pk, int)]).order_by("pk"))


@require_http_methods(["GET", "POST"])
def publish_question(request, pk: int):
    """GET: what the draft will hold, and a button; POST (CSRF-checked): make it, go to its editor."""
    inquiry = get_object_or_404(visible_inquiries(request.user).select_related("desk"), pk=pk)
    if inquiry.kind != Kind.QUESTION or inquiry.anonymised_at is not None:
        raise Http404  # a private inquiry is never published, whatever is posted
    answer = latest_answer(inquiry)
    index = question_index()
    problem = ""
    if answer is None or not answer.note.strip():
        problem = _("This question has no answer yet. Answer it first; the answer is published with it.")
    elif index is None:
        problem = _("There is no questions and answers page yet. Add one below the home page first.")
    elif not index.permissions_for_user(request.user).can_add_subpage():
        problem = _("You may not add pages to the questions and answers page. Ask an editor to publish it.")
    fields = draft_fields(inquiry, answer) if answer is not None else {}
    if request.method == "POST" and not problem:
        page = make_draft(request.user, inquiry, answer, index, fields)
        messages.success(
            request,
            _(
                "Draft made from question %(reference)s. Remove anything that tells who asked, add the "
                "other languages, then publish it or submit it for moderation."
            )
            % {"reference": inquiry.reference},
        )
        return redirect("wagtailadmin_pages:edit", page.pk)
    context = {
        "inquiry": inquiry,
        "problem": problem,
        "index": index,
        "question": fields.get(i18n.localized("question", inquiry.language), ""),
        "answer": fields.get(i18n.localized("answer", inquiry.language), ""),
        "language_name": i18n.language_name(inquiry.language),
        "earlier": published_pages(inquiry),
        "action": reverse("inquiries_publish_question", args=[inquiry.pk]),
        "header_title": _("Publish public question %(reference)s") % {"reference": inquiry.reference},
    }
    return TemplateResponse(
        request, "inquiries/admin/publish_question.html", context, status=409 if request.method == "POST" else 200
    )


def make_draft(user, inquiry: Inquiry, answer: InquiryEvent, index: QuestionIndexPage, fields: dict) -> QuestionPage:
    """The draft Q&A page (never live) and the PUBLISHED event that names it, in one transaction."""
    page = QuestionPage(
        **fields,
        zone=inquiry.desk,
        asked_date=timezone.localdate(inquiry.received_at),
        answered_date=timezone.localdate(answer.at),
        live=False,
        owner=user,
    )
    with transaction.atomic():
        index.add_child(instance=page)
        page.save_revision(user=user, log_action=True)
        InquiryEvent.objects.create(
            inquiry=inquiry, kind=InquiryEvent.Kind.PUBLISHED, actor=user, data={"page": page.pk}
        )
    return page
