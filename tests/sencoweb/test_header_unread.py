"""On a tablet the menu is folded away and the header shows only the unread count: it says
'2 new', not a bare number in a yellow box that could mean anything."""

import re

import pytest
from django.urls import reverse

from sencoweb.models import Notification
from tests.helpers import client_for

pytestmark = pytest.mark.django_db


def _short_link(member):
    html = client_for(member).get(reverse("home")).content.decode()
    found = re.search(r'<a [^>]*id="notifications-short"[^>]*>(.*?)</a>', html, re.S)
    return found and found.group(1)


def test_unread_count_says_new(teacher):
    assert _short_link(teacher) is None
    Notification.objects.create(school=teacher.school, user=teacher.user, title="Plan issued")
    assert _short_link(teacher) == ('1 new<span class="visually-hidden"> notification</span>')
    Notification.objects.create(school=teacher.school, user=teacher.user, title="Concern seen")
    assert _short_link(teacher).startswith('2 new<span class="visually-hidden"> notifications')
