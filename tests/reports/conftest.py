import io

import pytest
from django.core.management import call_command

from accounts.roles import Role
from regions.models import Region
from reports import services
from tests.factories import UserFactory

ID_NUMBER = "11010519491231002X"  # the GB 11643 standard's own example


@pytest.fixture
def calendar(db):
    call_command("load_calendar", stdout=io.StringIO())


@pytest.fixture
def inspector_baoding(regions):
    return UserFactory(
        role=Role.INSPECTOR, jurisdiction_id="130600", display_name="王监察", organisation="保定市纪委监委"
    )


@pytest.fixture
def inspector_beijing(regions):
    return UserFactory(role=Role.INSPECTOR, jurisdiction_id="110000", display_name="李监察")


@pytest.fixture
def file_report(regions, calendar):
    def file(**overrides):
        fields = {
            "kind": "procurement",
            "subject_name": "张某",
            "subject_post": "办公室主任",
            "subject_unit": "定兴县住房和城乡建设局",
            "region": Region.objects.get(code="130626"),
            "occurred": "2026年3月",
            "description": "该单位在2026年3月的办公设备采购中，将合同拆分为多个低于公开招标限额的小额合同，全部交给同一家供应商。",
        }
        fields.update(overrides)
        return services.file_report(**fields)

    return file


@pytest.fixture
def real_name():
    return services.ReporterIdentity(
        name="赵举报", id_number=ID_NUMBER, phone="13800138000", email="reporter@example.cn"
    )
