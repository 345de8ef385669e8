import io

import pytest
from django.core.management import call_command


@pytest.fixture
def calendar(db):
    call_command("load_calendar", stdout=io.StringIO())
