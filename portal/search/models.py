from django.contrib.postgres.search import SearchVectorField
from django.db import models


class SearchEntry(models.Model):
    """One page's text in one language, for the public search (portal/search/)."""

    page = models.ForeignKey("wagtailcore.Page", on_delete=models.CASCADE, related_name="+")
    language = models.CharField(max_length=8)
    content_type = models.ForeignKey("contenttypes.ContentType", on_delete=models.CASCADE, related_name="+")
    title = models.TextField()
    body = models.TextField(help_text="Plain text shown in excerpts.")
    search_text = models.TextField(help_text="Title, a line break, body; prepared by portal.search.search_text.")
    date = models.DateField(null=True)
    # Filled on PostgreSQL only; SQLite stores NULL in columns of these names. Each is searched
    # through one partial GIN index per language (`vector`: portal migration 0006;
    # `title_vector`: search migration 0002).
    vector = SearchVectorField(null=True)
    title_vector = SearchVectorField(null=True, help_text="The title alone: title matches are listed first.")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["page", "language"], name="search_entry_page_language")]
        # Newest first. On PostgreSQL search migration 0002 makes it (language, date DESC NULLS LAST,
        # id), the exact order of the results (portal.search.query.NEWEST); SQLite, whose DESC
        # already puts NULLs last, refuses NULLS LAST in an index.
        indexes = [models.Index(fields=["language", "-date"], name="search_entry_language_date")]

    def __str__(self):
        return f"{self.title} [{self.language}]"
