"""Reverse a URL once per table instead of once per row (a reverse() is ~60 Python calls)."""

from django.urls import reverse

_PLACEHOLDER = "00000000-0000-0000-0000-00000000cafe"


def url_of(name: str):
    """`url_of("pupils:detail")(pupil.public_id)` == `reverse("pupils:detail", args=[id])` for a
    URL whose one argument is a UUID."""
    pattern = reverse(name, args=[_PLACEHOLDER])
    return lambda public_id: pattern.replace(_PLACEHOLDER, str(public_id))


def in_school(url: str, school) -> str:
    """`url` opened in `school`: the link switches a member of several schools to it first
    (middleware.CurrentSchoolMiddleware), for links that leave the school's own pages (emails,
    the all-schools deadlines)."""
    from .middleware import SCHOOL_PARAM

    return f"{url}{'&' if '?' in url else '?'}{SCHOOL_PARAM}={school.public_id}"
