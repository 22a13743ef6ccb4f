"""Reads the views moved into ``eservices.selectors`` (issue 11): scoped by the user."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import Http404

from etam.eservices import selectors
from etam.eservices.models import UploadedFile

pytestmark = pytest.mark.django_db


@pytest.fixture
def upload(case_file):
    return case_file


def test_file_for_gives_the_file_to_the_applicant_and_the_opd_staff(province, submitted, upload):
    application = submitted.application
    assert selectors.file_for(province.citizen, application, upload.pk) == upload
    assert selectors.file_for(province.officer_dpmptsp, application, upload.pk) == upload


def test_file_for_refuses_the_wrong_user(province, submitted, upload):
    application = submitted.application
    wrong = (AnonymousUser(), province.other_citizen, province.officer_dpmptsp_smr, province.admin_diskominfo)
    for user in wrong:
        with pytest.raises(Http404):
            selectors.file_for(user, application, upload.pk)
    assert UploadedFile.objects.filter(pk=upload.pk, application=application).exists()  # nothing changed


def test_file_for_refuses_a_file_of_another_case(province, submitted, upload, info_service):
    from etam.eservices import services
    from tests.eservices.conftest import info_answers

    other = services.application_submit(actor=province.other_citizen, service=info_service, answers=info_answers())
    with pytest.raises(Http404):
        selectors.file_for(province.other_citizen, other.application, upload.pk)


def test_application_with_files_is_a_404_for_anyone_else(province, submitted):
    number = submitted.application.tracking_number
    assert selectors.application_with_files(province.citizen, number) == submitted.application
    for user in (AnonymousUser(), province.other_citizen, province.officer_dpmptsp_smr):
        with pytest.raises(Http404):
            selectors.application_with_files(user, number)
    with pytest.raises(Http404):
        selectors.application_with_files(province.citizen, "64-X-2026-999999")


def test_user_by_id_reads_only_a_plain_bounded_id(province):
    assert selectors.user_by_id(str(province.officer_dpmptsp.pk)) == province.officer_dpmptsp
    for raw in ("", "abc", "-1", "0", " 5", "9" * 30):
        assert selectors.user_by_id(raw) is None, raw


def test_manageable_agencies_are_the_managers_own(province):
    assert list(selectors.manageable_agencies(province.admin_diskominfo)) == [province.diskominfo]
    assert not selectors.manageable_agencies(province.citizen).exists()
