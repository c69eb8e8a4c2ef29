"""The admin's image form (settings.WAGTAILIMAGES_IMAGE_FORM_BASE): an upload must decode to the end.

Wagtail's image field reads an upload's header and first frame to check its
format, size and pixel count, and lets anything but a validation error escape:
a truncated PNG or JPEG was a 500 in both upload views, and a truncated GIF
passed and was stored for every page to fail on. Here whatever the field's own
checks raise is an error on the file field, and after them (the pixel limit
bounds the work) every frame is decoded once; the single and the multiple
upload views both show the error and store nothing.
"""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from wagtail.images.fields import WagtailImageField
from wagtail.images.forms import BaseImageForm

from PIL import Image as PILImage
from PIL import ImageSequence


class DecodedImageField(WagtailImageField):
    def to_python(self, data):
        try:
            image_file = super().to_python(data)
        except ValidationError:
            raise
        # Willow and Pillow raise almost anything on a damaged file (OSError, SyntaxError,
        # struct.error …); Wagtail catches all of them itself where it first opens the file.
        except Exception as error:  # noqa: BLE001
            raise ValidationError(DAMAGED, code="invalid_image") from error
        if image_file is not None and not decodes(image_file):
            raise ValidationError(DAMAGED, code="invalid_image")
        return image_file


DAMAGED = _("This image file is damaged or incomplete: it cannot be read to the end.")


class ImageForm(BaseImageForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Wagtail builds the file field itself (wagtail.images.forms.formfield_for_dbfield);
        # the same field, checked to the end.
        field = self.fields.get("file")
        if field is not None and not isinstance(field, DecodedImageField):
            self.fields["file"] = DecodedImageField(
                label=field.label,
                required=field.required,
                widget=field.widget,
                max_length=field.max_length,
                disabled=field.disabled,
            )


def decodes(image_file) -> bool:
    """Whether Pillow decodes every frame of an upload Wagtail's field accepted; SVG, which Pillow
    does not read, Wagtail's field has parsed."""
    if image_file.image.format_name == "svg":
        return True
    image_file.seek(0)
    try:
        with PILImage.open(image_file) as image:
            for frame in ImageSequence.Iterator(image):
                frame.load()
    except Exception:  # noqa: BLE001 (as above)
        return False
    finally:
        image_file.seek(0)
    return True
