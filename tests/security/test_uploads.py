"""validate_upload: extension AND content must agree; size limit; messages a person can act on."""

import io
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from sencoweb.security import validate_upload


def _office(kind: str) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml" if kind == "docx" else "xl/workbook.xml", "<x/>")
    return out.getvalue()


GOOD = {
    "report.pdf": b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\n%%EOF",
    "photo.png": b"\x89PNG\r\n\x1a\n" + b"\0" * 32,
    "scan.JPG": b"\xff\xd8\xff\xe0" + b"\0" * 32,
    "scan.jpeg": b"\xff\xd8\xff\xdb" + b"\0" * 32,
    "letter.docx": _office("docx"),
    "tracker.xlsx": _office("xlsx"),
}


@pytest.mark.parametrize("name", GOOD)
def test_real_files_of_each_type_pass(name):
    upload = SimpleUploadedFile(name, GOOD[name])
    validate_upload(upload)
    assert upload.tell() == 0  # ready to save


@pytest.mark.parametrize(
    "name, content, message",
    [
        ("virus.exe", b"MZ\x90\x00", "not a file type we accept"),
        ("page.html", b"<script>alert(1)</script>", "not a file type we accept"),
        ("noextension", b"%PDF-1.4", "not a file type we accept"),
        ("renamed.pdf", b"MZ\x90\x00 this is a program", "its contents are not"),
        ("fake.png", b"<svg onload=alert(1)>", "its contents are not"),
        ("word.xlsx", _office("docx"), "its contents are not"),
        ("sheet.docx", _office("xlsx"), "its contents are not"),
        ("broken.docx", b"PK\x03\x04 not really a zip", "its contents are not"),
        ("empty.pdf", b"", "empty"),
    ],
)
def test_wrong_or_disguised_files_are_refused(name, content, message):
    with pytest.raises(ValidationError) as err:
        validate_upload(SimpleUploadedFile(name, content))
    assert message in err.value.messages[0]


def test_size_limit_with_a_friendly_message(settings):
    settings.UPLOAD_MAX_BYTES = 1024
    with pytest.raises(ValidationError) as err:
        validate_upload(SimpleUploadedFile("big.pdf", b"%PDF-" + b"x" * 2000))
    assert "the most we accept is 1.0\xa0KB" in err.value.messages[0]


def test_types_can_be_narrowed():
    with pytest.raises(ValidationError) as err:
        validate_upload(SimpleUploadedFile("photo.png", GOOD["photo.png"]), allowed=("pdf",))
    assert "Upload a PDF." in err.value.messages[0]


@settings(max_examples=200, deadline=None)
@given(
    name=st.text(st.characters(exclude_characters="/\\\x00"), min_size=1, max_size=40),
    content=st.binary(max_size=300),
)
def test_arbitrary_input_is_accepted_or_refused_cleanly(name, content):
    """Never crashes: every input is either valid or a ValidationError."""
    name = name.strip() or "x"
    assume(name not in (".", ".."))  # Django itself refuses to make an upload of that name
    try:
        validate_upload(SimpleUploadedFile(name, content))
    except ValidationError as err:
        assert err.messages


def test_uploaded_files_are_not_served_from_a_public_url(client, db, settings):
    """Files under MEDIA_ROOT are only reachable through access-checked views."""
    from pathlib import Path

    settings.MEDIA_ROOT.mkdir(parents=True, exist_ok=True)
    (Path(settings.MEDIA_ROOT) / "secret.pdf").write_bytes(b"%PDF-1.4 secret")
    for path in ("/media/secret.pdf", "/static/../media/secret.pdf", "/secret.pdf"):
        assert client.get(path).status_code == 404
    static_roots = [Path(settings.STATIC_ROOT), *map(Path, settings.STATICFILES_DIRS)]
    assert not any(Path(settings.MEDIA_ROOT).is_relative_to(root) for root in static_roots)
