"""An image the admin cannot decode is refused with a form error in both upload views; nothing is stored."""

import io
import random

from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import TestCase

from wagtail.images import get_image_model
from wagtail.models import Collection, UploadedFile

from PIL import Image as PILImage


def image_bytes(format_: str, frames: int = 1, size=(120, 90)) -> bytes:
    """A noisy image (so that it does not compress to nothing) in `format_`."""
    rng = random.Random(7)  # noqa: S311 (test data, not a secret)
    images = [PILImage.frombytes("RGB", size, rng.randbytes(size[0] * size[1] * 3)) for _ in range(frames)]
    buffer = io.BytesIO()
    if frames > 1:
        images[0].save(buffer, format_, save_all=True, append_images=images[1:])
    else:
        images[0].save(buffer, format_)
    return buffer.getvalue()


def truncated(content: bytes) -> bytes:
    return content[: len(content) * 2 // 3]


BROKEN = {
    "truncated.gif": truncated(image_bytes("GIF")),
    "truncated-animation.gif": truncated(image_bytes("GIF", frames=3)),
    "truncated.png": truncated(image_bytes("PNG")),
    "truncated.jpg": truncated(image_bytes("JPEG")),
    # A valid header followed by noise.
    "garbage.gif": image_bytes("GIF")[:40] + random.Random(3).randbytes(4000),  # noqa: S311
    "magic-only.gif": b"GIF89a" + random.Random(4).randbytes(4000),  # noqa: S311
    "magic-only.png": b"\x89PNG\r\n\x1a\n" + random.Random(5).randbytes(4000),  # noqa: S311
}


class BrokenImageUploadTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.editor = get_user_model().objects.create_superuser("editor", "editor@example.com", "pw")
        cls.collection = Collection.get_first_root_node()

    def setUp(self):
        self.client.force_login(self.editor)

    def assert_nothing_stored(self):
        self.assertEqual(get_image_model().objects.count(), 0)
        self.assertEqual(UploadedFile.objects.count(), 0)

    def test_the_add_view_gives_a_form_error(self):
        for name, content in BROKEN.items():
            with self.subTest(name):
                response = self.client.post(
                    "/admin/images/add/",
                    {"title": name, "collection": self.collection.pk, "file": SimpleUploadedFile(name, content)},
                )
                self.assertEqual(response.status_code, 200)
                self.assertEqual(list(response.context["form"].errors), ["file"])
                self.assert_nothing_stored()

    def test_the_multiple_upload_view_gives_a_form_error(self):
        for name, content in BROKEN.items():
            with self.subTest(name):
                response = self.client.post(
                    "/admin/images/multiple/add/",
                    {"collection": self.collection.pk, "files[]": SimpleUploadedFile(name, content)},
                    headers={"x-requested-with": "XMLHttpRequest"},
                )
                self.assertEqual(response.status_code, 200)
                data = response.json()
                self.assertIs(data["success"], False)
                self.assertTrue(data["error_message"])
                self.assert_nothing_stored()

    def test_whole_images_are_accepted(self):
        for name, content in {
            "photo.jpg": image_bytes("JPEG"),
            "chart.png": image_bytes("PNG"),
            "animation.gif": image_bytes("GIF", frames=3),
            "photo.webp": image_bytes("WEBP"),
        }.items():
            with self.subTest(name):
                response = self.client.post(
                    "/admin/images/add/",
                    {"title": name, "collection": self.collection.pk, "file": SimpleUploadedFile(name, content)},
                )
                self.assertEqual(response.status_code, 302)
        response = self.client.post(
            "/admin/images/multiple/add/",
            {"collection": self.collection.pk, "files[]": SimpleUploadedFile("more.gif", image_bytes("GIF", 2))},
        )
        self.assertIs(response.json()["success"], True)
        self.assertEqual(get_image_model().objects.count(), 5)

    def test_editing_an_image_keeps_its_file_and_checks_a_new_one(self):
        port = SimpleUploadedFile("port.png", image_bytes("PNG"))
        self.client.post("/admin/images/add/", {"title": "Port", "collection": self.collection.pk, "file": port})
        image = get_image_model().objects.get()
        edit_url = f"/admin/images/{image.pk}/"
        response = self.client.post(edit_url, {"title": "Harbour", "collection": self.collection.pk})
        self.assertEqual(response.status_code, 302)
        image.refresh_from_db()
        self.assertEqual(image.title, "Harbour")
        broken = SimpleUploadedFile("broken.gif", BROKEN["truncated.gif"])
        response = self.client.post(edit_url, {"title": "Harbour", "collection": self.collection.pk, "file": broken})
        self.assertEqual(response.status_code, 200)
        self.assertEqual(list(response.context["form"].errors), ["file"])
        image.refresh_from_db()
        self.assertTrue(image.file.name.endswith(".png"))
