"""Shared security checks. `validate_upload` is the one gate every file upload goes through.

Use it as a form field validator:

    from sencoweb.security import validate_upload
    file = forms.FileField(validators=[validate_upload])

or call `validate_upload(file, allowed=("pdf",))` to narrow the types. A file must have an
allowed extension AND start with the magic bytes of that type (a renamed .exe is refused), and
be at most settings.UPLOAD_MAX_BYTES. Stored files live under MEDIA_ROOT, outside the web root,
and are only served by access-checked views.
"""

import zipfile
from pathlib import PurePath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat

_ZIP = b"PK\x03\x04"


def _is_pdf(head: bytes, file) -> bool:
    return head.startswith(b"%PDF-")


def _is_png(head: bytes, file) -> bool:
    return head.startswith(b"\x89PNG\r\n\x1a\n")


def _is_jpeg(head: bytes, file) -> bool:
    return head.startswith(b"\xff\xd8\xff")


def _office_zip(marker: str):
    """DOCX/XLSX are zip files; the part names tell a Word file from a spreadsheet."""

    def check(head: bytes, file) -> bool:
        if not head.startswith(_ZIP):
            return False
        try:
            file.seek(0)
            with zipfile.ZipFile(file) as archive:
                names = set(archive.namelist())
        except (zipfile.BadZipFile, OSError, ValueError):
            return False
        finally:
            file.seek(0)
        return "[Content_Types].xml" in names and any(n.startswith(marker) for n in names)

    return check


# extension -> (what to call it, magic-byte check)
FILE_TYPES = {
    "pdf": ("PDF", _is_pdf),
    "docx": ("Word document (.docx)", _office_zip("word/")),
    "xlsx": ("Excel spreadsheet (.xlsx)", _office_zip("xl/")),
    "png": ("PNG image", _is_png),
    "jpg": ("JPEG image", _is_jpeg),
    "jpeg": ("JPEG image", _is_jpeg),
}
DEFAULT_ALLOWED = tuple(FILE_TYPES)


def _readable_list(extensions) -> str:
    names = sorted({FILE_TYPES[e][0] for e in extensions})
    return ", ".join(names[:-1]) + (" or " if len(names) > 1 else "") + names[-1]


def validate_upload(file, allowed: tuple[str, ...] = DEFAULT_ALLOWED) -> None:
    """Raise ValidationError with a message a teacher can act on if the file is not
    acceptable. Leaves the file position at the start."""
    name = getattr(file, "name", "") or ""
    extension = PurePath(name).suffix.lower().lstrip(".")
    if extension not in allowed or extension not in FILE_TYPES:
        raise ValidationError(
            "“%(name)s” is not a file type we accept. Upload a %(types)s.",
            code="file_type",
            params={"name": PurePath(name).name[:80], "types": _readable_list(allowed)},
        )
    size = getattr(file, "size", None)
    if size is None:
        file.seek(0, 2)
        size = file.tell()
    if size == 0:
        raise ValidationError("The file is empty.", code="empty")
    limit = settings.UPLOAD_MAX_BYTES
    if size > limit:
        raise ValidationError(
            "The file is %(size)s; the most we accept is %(limit)s. Try saving a smaller copy.",
            code="file_size",
            params={"size": filesizeformat(size), "limit": filesizeformat(limit)},
        )
    file.seek(0)
    head = file.read(16)
    file.seek(0)
    label, matches = FILE_TYPES[extension]
    if not matches(head, file):
        raise ValidationError(
            "“%(name)s” is named as a %(label)s but its contents are not. Save it again as a "
            "real %(label)s and upload that.",
            code="file_content",
            params={"name": PurePath(name).name[:80], "label": label},
        )
