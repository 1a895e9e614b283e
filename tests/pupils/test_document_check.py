"""A pupil's documents go through the shared upload gate (sencoweb.security.validate_upload),
with the upload form's own messages on the file field."""

import io
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from pupils import services
from pupils.models import PupilDocument
from tests.helpers import client_for


def _office(part: str) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr(part, "<x/>")
    return out.getvalue()


@pytest.mark.parametrize(
    ("name", "content", "content_type"),
    [
        ("EP report.pdf", b"%PDF-1.4\n%test", "application/pdf"),
        (
            "letter.DOCX",
            _office("word/document.xml"),
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ),
        ("scan.png", b"\x89PNG\r\n\x1a\n" + b"\0" * 8, "image/png"),
        ("scan.jpeg", b"\xff\xd8\xff\xe0" + b"\0" * 8, "image/jpeg"),
    ],
)
def test_accepted_types_and_their_content_type(name, content, content_type):
    upload = SimpleUploadedFile(name, content)
    assert services.document_check(upload) == content_type
    assert upload.tell() == 0  # ready to save


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("run.exe", b"MZ", "Upload a PDF, Word (.docx), PNG or JPEG file."),
        # xlsx passes the shared gate elsewhere, but not as a pupil document.
        (
            "tracker.xlsx",
            _office("xl/workbook.xml"),
            "Upload a PDF, Word (.docx), PNG or JPEG file.",
        ),
        ("empty.pdf", b"", "The file is empty."),
        ("report.pdf", b"MZ not a pdf", "This file is not really a .pdf file."),
        # The shared gate looks inside: a spreadsheet renamed .docx is refused.
        ("sheet.docx", _office("xl/workbook.xml"), "This file is not really a .docx file."),
    ],
)
def test_refusals_are_on_the_file_field(name, content, message):
    with pytest.raises(ValidationError) as err:
        services.document_check(SimpleUploadedFile(name, content))
    assert err.value.message_dict == {"file": [message]}


def test_size_limit_names_the_limit(settings):
    settings.UPLOAD_MAX_BYTES = 2 * 1024 * 1024
    big = SimpleUploadedFile("big.pdf", b"%PDF-" + b"x" * (2 * 1024 * 1024))
    with pytest.raises(ValidationError) as err:
        services.document_check(big)
    assert err.value.message_dict == {"file": ["The file is larger than the 2.0\xa0MB limit."]}


def test_the_form_shows_the_refusal_and_stores_nothing(senco, taught_pupil):
    fake = SimpleUploadedFile("sheet.docx", _office("xl/workbook.xml"))
    response = client_for(senco).post(
        reverse("pupils:document_upload", args=[taught_pupil.public_id]),
        {"title": "Letter", "kind": "letter", "file": fake},
    )
    assert response.status_code == 422
    assert "This file is not really a .docx file." in response.content.decode()
    assert not PupilDocument.objects.exists()
