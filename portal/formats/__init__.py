"""Date formats where the portal departs from Django's (settings.FORMAT_MODULE_PATH): one form per language,
the same in every list, page and date range (portal.text)."""
