import pytest
from django.db.models import Count

from etam.quality import demo, selectors
from etam.quality.models import Complaint, FollowUpPlan, SurveyInvitation, SurveyResponse

pytestmark = pytest.mark.django_db


def test_demo_loader_gives_a_period_for_three_services_and_is_idempotent(settings):
    from etam.core import demo as core_demo
    from etam.eservices import demo as eservices_demo

    settings.DEMO_MODE = True
    lines: list[str] = []
    core_demo.load(lines.append)
    eservices_demo.load(lines.append)
    demo.load(lines.append)
    per_service = dict(SurveyResponse.objects.values_list("service_id").annotate(n=Count("pk")))
    assert sum(1 for n in per_service.values() if n >= 10) >= 3
    assert any(n < 10 for n in per_service.values())  # one with too few: the warning is shown
    assert FollowUpPlan.objects.count() >= 1
    rows = selectors.public_results(str(SurveyResponse.objects.latest("answered_on").answered_on.year))
    assert sum(1 for r in rows if r.result) >= 3
    assert set(Complaint.objects.values_list("state", flat=True)) == set(Complaint.State.values)
    # the finished demo cases got their invitations through the hook
    assert SurveyInvitation.objects.exists()
    count = SurveyResponse.objects.count()
    demo.load(lines.append)
    assert SurveyResponse.objects.count() == count
