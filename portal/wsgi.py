import ctypes
import ctypes.util
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.production")

# glibc's malloc raises its mmap threshold each time it frees a large block, so the next large
# blocks (Pillow decodes an image for a rendition into blocks of up to 16 MB) come from the heap
# and are never given back: a worker that made renditions stayed about 30 MB larger for good.
# A fixed threshold (glibc's own default, 128 kB) keeps large blocks mapped, returned when freed.
M_MMAP_THRESHOLD = -3
MMAP_THRESHOLD_BYTES = 128 * 1024


def fix_mmap_threshold() -> bool:
    """Fix glibc's mmap threshold (no-op elsewhere, e.g. musl or macOS); True when set."""
    name = ctypes.util.find_library("c")
    try:
        libc = ctypes.CDLL(name) if name else None
        return bool(libc and libc.mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD_BYTES))
    except (OSError, AttributeError):
        return False


fix_mmap_threshold()

application = get_wsgi_application()

# Work a visitor would otherwise wait for on a worker's first page in that language.
from portal import text  # noqa: E402 (needs the settings that get_wsgi_application set up)

text.load_dictionaries()
