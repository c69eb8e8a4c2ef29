"""{% fragment %} and {% cards %}: parts of the public templates kept as rendered HTML (portal/fragments.py)."""

from django import template
from django.template.loader import get_template
from django.utils.safestring import mark_safe

from portal import fragments

register = template.Library()


class FragmentNode(template.Node):
    def __init__(self, nodelist, name, vary, unless, absolute, views, keep=None):
        self.nodelist, self.name, self.vary, self.unless, self.keep = nodelist, name, vary, unless, keep
        self.absolute, self.views = absolute, views

    def render(self, context):
        key = None
        if self.unless is None or not self.unless.resolve(context):
            try:
                vary = [value.resolve(context) for value in self.vary]
                key = fragments.page_key(context, self.name, vary, absolute=self.absolute, views=self.views)
            except Exception:  # keys come from the cache (the generation): render as without it
                fragments.logger.debug("fragment key failed", exc_info=True)
        if key is None:
            return self.nodelist.render(context)
        html = fragments.get_many([key]).get(key)
        if html is None:
            html = self.nodelist.render(context)
            if self.keep is None or self.keep.resolve(context):
                fragments.set_many({key: html})
        return html


@register.tag
def fragment(parser, token):
    """{% fragment "name" value … [absolute] [views] [unless=condition] [keep=condition] %}…{% endfragment %}

    The enclosed output, kept per site, language and content generation, and per the values given
    (the page, a selected filter …); with `absolute` (URLs made from the request's address, as the
    head's canonical link) per address too; with `views` on views that are not pages too (the
    search), per view. Rendered afresh when `condition` holds (e.g. messages
    quoting the visitor's input), in previews, for private pages and when the cache fails; with
    `keep`, a part rendered afresh is kept only when `condition` holds then (asked after rendering:
    e.g. a per-client budget of new entries for parts keyed on the visitor's input). Nothing
    the enclosed part sets ({% … as name %}) is seen after it.
    """
    bits = token.split_contents()
    if len(bits) < 2:
        raise template.TemplateSyntaxError("{% fragment %} needs a name.")
    name = bits[1].strip("\"'")
    vary, unless, keep, absolute, views = [], None, None, False, False
    for bit in bits[2:]:
        if bit == "absolute":
            absolute = True
        elif bit == "views":
            views = True
        elif bit.startswith("keep="):
            keep = parser.compile_filter(bit.removeprefix("keep="))
        elif bit.startswith("unless="):
            unless = parser.compile_filter(bit.removeprefix("unless="))
        else:
            vary.append(parser.compile_filter(bit))
    nodelist = parser.parse(("endfragment",))
    parser.delete_first_token()
    return FragmentNode(nodelist, name, vary, unless, absolute, views, keep)


@register.simple_tag(takes_context=True)
def cards(context, items, template_name):
    """{% cards items "includes/news_card.html" %}: each item through the template (as
    {% for item in items %}{% include … %}{% endfor %} would), each card kept under a key made of
    what it shows (fragments.render_cards)."""
    return mark_safe(fragments.render_cards(context, items, get_template(template_name).template))  # noqa: S308 (rendered by the template)
