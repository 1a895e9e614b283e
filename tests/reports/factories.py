import factory
from factory.django import DjangoModelFactory

from reports.models import ReportRun
from tests.factories import SchoolFactory


class ReportRunFactory(DjangoModelFactory):
    class Meta:
        model = ReportRun

    school = factory.SubFactory(SchoolFactory)
    type = ReportRun.Type.GOVERNORS
    parameters = factory.LazyFunction(lambda: {"year": 2025})
