# ruff: noqa: F811  (fixtures imported from the petitions tests are used as arguments)
"""Expired petitions close, and the search index learns it."""

from datetime import timedelta

from django.utils import timezone

from petitions import services
from petitions.models import Petition, PetitionStatus
from search.backends import get_backend
from search.query import SearchQuery
from tests.petitions.test_petitions import _open, moderator, petition, small_limits  # noqa: F401


def _indexed_status(petition) -> list[str]:
    results = get_backend().search(SearchQuery(text="无障碍", doc_types=("petition",), filters={"status": "closed"}))
    return [hit.pk for hit in results.hits]


def test_a_closed_petition_is_closed_in_search_too(
    petition, moderator, small_limits, django_capture_on_commit_callbacks
):
    # given an open petition whose signing period has ended
    _open(petition, moderator, small_limits)
    Petition.objects.filter(pk=petition.pk).update(closes_at=timezone.now() - timedelta(minutes=1))
    assert _indexed_status(petition) == []

    # when the clock closes expired petitions
    with django_capture_on_commit_callbacks(execute=True):
        closed = services.close_expired_petitions()

    # then it is closed, and search finds it as closed
    assert closed == 1
    assert Petition.objects.get(pk=petition.pk).status == PetitionStatus.CLOSED
    assert _indexed_status(petition) == [petition.pk]
