"""portal.text in templates: cut text, marked search words, dates and date ranges, soft hyphens.

{{ item.summary|cut_text:220 }}                     cut at a word boundary, with "…"
{% field_text item "summary" cut=220 %}             a translated field as shown, cut and hyphenated
{{ result.excerpt|highlight:search_query }}         the visitor's words in <mark>, the rest escaped
{{ result.excerpt|highlight:search_query|hyphenate }}  … and soft hyphens in the text, not in the marks' tags
{{ page.date|local_date }}                          9 March 2021 · 9. März 2021 · 2021年3月9日
{{ start|date_range:end }}                          9–10 March 2021 (text)
{% time_range start end %}                          the same in <time datetime> elements
{{ value|hyphenate }}                               soft hyphens in German and Russian text
"""

from django import template
from django.utils import translation
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeData, mark_safe

from portal import i18n, text

register = template.Library()


@register.filter(is_safe=False)
def cut_text(value, length):
    """Plain text cut to `length` characters at a word boundary (portal.text.cut)."""
    return text.cut(str(value) if value is not None else "", int(length))


@register.filter(needs_autoescape=True)
def hyphenate(value, code=None, autoescape=True):
    """Soft hyphens in long words of text in language `code` (the active language by default):
    markup marked safe has them in its text only, plain text is escaped first."""
    code = code or translation.get_language()
    if isinstance(value, SafeData):
        return text.hyphenate_html(str(value), code)
    escaped = conditional_escape(value) if autoescape else str(value)
    return mark_safe(text.hyphenate(str(escaped), code))  # noqa: S308 (escaped above)


@register.simple_tag
def field_text(instance, field_name: str, cut: int | None = None):
    """Translated field `field_name` of `instance` as the active language shows it (its own value or
    the fallback's), cut to `cut` characters if given, escaped, with soft hyphens by the dictionary
    of the language the value is in (a German page's English fallback text is not hyphenated as
    German). The element around it says that language (portal_tags.lang_attr)."""
    value = getattr(instance, field_name, "") or ""
    value = text.cut(str(value), int(cut)) if cut else str(value)
    code = i18n.field_language(instance, field_name) or translation.get_language()
    return mark_safe(text.hyphenate(str(conditional_escape(value)), code))  # noqa: S308 (escaped)


@register.filter
def highlight(value, query):
    """Plain text `value` escaped, the words of the visitor's `query` in <mark> (portal.text.highlight)."""
    return text.highlight(str(value) if value is not None else "", text.visitor_words(str(query or "")))


@register.filter
def local_date(value):
    """A date as the active language writes one (9 March 2021, 9. März 2021, 9 марта 2021 г., 2021年3月9日)."""
    return text.format_date(value)


@register.filter
def date_range(start, end=None):
    """Start and end dates as one range in the active language (portal.text.date_range)."""
    return text.date_range(start, end, translation.get_language())


@register.simple_tag
def time_range(start, end=None):
    """A date range in <time datetime> elements: one for a single day, else one per date, the
    shared month and year written once ("<time …>9</time>–<time …>10 March 2021</time>")."""
    first, between, last = text.date_range_parts(start, end, translation.get_language())
    if not first:
        return ""
    if not between:
        return format_html('<time datetime="{}">{}</time>', (start or end).isoformat(), first)
    return format_html(
        '<time datetime="{}">{}</time>{}<time datetime="{}">{}</time>',
        start.isoformat(),
        first,
        between,
        end.isoformat(),
        last,
    )
