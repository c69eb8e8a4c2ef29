"""A worker gives back the memory of the images it decoded (portal/wsgi.py fixes glibc's mmap
threshold): the renditions made for one page used to keep a gunicorn worker ~30 MB larger."""

import subprocess
import sys
import textwrap

from django.test import SimpleTestCase

from portal.wsgi import fix_mmap_threshold

SCRIPT = textwrap.dedent(
    """
    import sys
    from PIL import Image

    if sys.argv[1] == "fixed":
        from portal.wsgi import fix_mmap_threshold
        assert fix_mmap_threshold()

    def rss():
        return int(open("/proc/self/status").read().split("VmRSS:")[1].split()[0]) // 1024

    before = rss()
    for size in (1200, 2400, 1200, 3000, 1200):  # renditions of originals of several sizes
        image = Image.new("RGB", (size, size * 2 // 3), "white")
        image.resize((size // 2, size // 3)).convert("RGB").tobytes()
        del image
    print(rss() - before)
    """
)


class MmapThresholdTests(SimpleTestCase):
    def grown(self, mode: str) -> int:
        result = subprocess.run(
            [sys.executable, "-c", SCRIPT, mode], capture_output=True, text=True, timeout=120, check=True
        )
        return int(result.stdout.strip())

    def test_the_threshold_is_fixed_on_glibc(self):
        self.assertTrue(fix_mmap_threshold())

    def test_decoded_images_are_given_back(self):
        self.assertGreater(self.grown("default"), 20, "glibc kept the freed image blocks (the old behaviour)")
        self.assertLess(self.grown("fixed"), 10)
