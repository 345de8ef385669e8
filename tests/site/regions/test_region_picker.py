"""The region picker: places by name (simplified, traditional, pinyin, initials), codes, and the select chain."""

from datetime import timedelta

import pytest
from django import forms
from django.utils import timezone, translation

from petitions import services as petition_services
from petitions.forms import SignatureForm
from petitions.models import Petition, PetitionStatus
from regions.forms import RegionField
from regions.selectors import forget_region_index

XUHUI = "310104"


@pytest.fixture
def places(db):
    """The whole country's row, Beijing, Hebei and Shanghai from the real GB/T 2260 file."""
    from regions.models import Region
    from regions.services import GB2260_CSV, load_regions, read_region_rows

    load_regions(row for row in read_region_rows(GB2260_CSV) if row.code[:2] in {"00", "11", "13", "31"})
    forget_region_index()
    yield Region.objects
    forget_region_index()


def suggest(client, q, **params):
    response = client.get("/api/regions/", {"q": q, **params})
    assert response.status_code == 200
    return response.json()


@pytest.mark.parametrize(
    "typed", ["徐汇", "徐匯", "xuhui", "XuHui", "xu hui", "xh", "徐汇区", "上海市徐汇区", "上海 徐汇"]
)
def test_the_suggestions_find_xuhui_by_what_people_type(client, places, typed):
    # when
    found = suggest(client, typed)
    # then
    codes = [place["code"] for place in found["results"]]
    assert XUHUI in codes
    xuhui = found["results"][codes.index(XUHUI)]
    assert xuhui["label"] == "上海市 › 徐汇区"
    assert xuhui["chain"] == ["310000", XUHUI]


def test_an_exact_name_comes_first_and_initials_rank_by_level(client, places):
    assert suggest(client, "徐汇")["results"][0]["code"] == XUHUI
    assert suggest(client, "xh")["results"][0]["code"] == XUHUI  # a district of Shanghai before Hebei's counties
    assert suggest(client, "北京")["results"][0]["label"] == "北京市"


def test_the_suggestions_say_how_many_match_and_never_offer_placeholders(client, places):
    # when
    found = suggest(client, "河北")
    # then: the best ten, and how many there are in all
    assert len(found["results"]) == 10
    assert found["total"] > 100
    assert found["results"][0]["label"] == "河北省"
    assert not any(place["name"] in {"市辖区", "县"} for place in suggest(client, "市辖")["results"])


def test_the_suggestions_are_answered_from_memory(client, places, django_assert_max_num_queries):
    suggest(client, "徐汇")  # given: the index is built
    with django_assert_max_num_queries(1):  # at most the periodic check that the table has not changed
        suggest(client, "baoding")


def test_a_staff_picker_is_offered_no_counties(client, places):
    found = suggest(client, "海淀", counties="false")
    assert found["results"] == [] and found["total"] == 0


def test_the_places_inside_a_municipality_skip_its_placeholder(client, places):
    # when
    inside = client.get("/api/regions/310000/children/").json()
    # then
    names = [place["name"] for place in inside]
    assert "徐汇区" in names and "市辖区" not in names
    assert client.get("/api/regions/999999/children/").status_code == 404


class PlaceForm(forms.Form):
    region = RegionField(label="Where")


def test_the_form_accepts_a_code_in_the_hidden_field(places):
    form = PlaceForm({"region": XUHUI})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["region"].code == XUHUI


def test_the_form_refuses_an_unknown_code_in_words(places):
    # when
    with translation.override("zh-hans"):
        form = PlaceForm({"region": "999999"})
        # then
        assert not form.is_valid()
        assert form.errors["region"][0] == "没有代码为 999999 的地区。请输入地名，或从列表中选择。"


def test_a_name_that_names_one_place_is_accepted_and_an_unknown_one_refused(places):
    assert PlaceForm({"region": "上海市徐汇区"}).is_valid()
    refused = PlaceForm({"region": "火星市"})
    assert not refused.is_valid()
    assert "火星市" in refused.errors["region"][0]


def test_the_select_chain_gives_the_deepest_place_chosen(places):
    # a county
    form = PlaceForm({"region": "", "region_1": "130000", "region_2": "130600", "region_3": "130626"})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["region"].code == "130626"
    # a municipality's district, one level down
    form = PlaceForm({"region_1": "310000", "region_2": XUHUI, "region_3": ""})
    assert form.is_valid() and form.cleaned_data["region"].code == XUHUI
    # the province alone
    form = PlaceForm({"region_1": "130000", "region_2": "", "region_3": ""})
    assert form.is_valid() and form.cleaned_data["region"].code == "130000"


def test_without_script_a_person_narrows_the_lists_step_by_step(places):
    # given: a province is picked and "Show the places in it" pressed
    form = PlaceForm({"region_1": "310000", "region_narrow": "1"})
    # then: nothing is accepted yet; the form says what to do and lists Shanghai's districts
    assert not form.is_valid()
    assert "上海市" in form.errors["region"][0]
    html = str(form["region"])
    assert 'name="region_2"' in html and f"<option value={XUHUI}>徐汇区" in html
    assert "市辖区" not in html
    # when: a district is picked and the form sent
    form = PlaceForm({"region_1": "310000", "region_2": XUHUI})
    assert form.is_valid()


def test_enter_pressed_with_a_county_chosen_sends_the_form(places):
    # without script the "Show the places in it" button is the form's first: Enter in a text field presses it
    form = PlaceForm({"region_1": "130000", "region_2": "130600", "region_3": "130626", "region_narrow": "1"})
    assert form.is_valid() and form.cleaned_data["region"].code == "130626"


def test_a_lower_list_left_from_another_province_is_refused(places):
    form = PlaceForm({"region_1": "110000", "region_2": "130600"})
    assert not form.is_valid()
    assert "保定市" in form.errors["region"][0] and "北京市" in form.errors["region"][0]


def test_the_widget_renders_the_chosen_place_and_no_codes_to_type(places):
    html = str(PlaceForm(initial={"region": XUHUI})["region"])
    assert "上海市 › 徐汇区" in html
    assert f"<option value={XUHUI} selected>徐汇区" in html
    assert 'type="hidden" name="region"' in html
    assert "pattern=" not in html and "inputmode" not in html


def test_the_staff_jurisdiction_picks_the_country_a_province_or_a_city(places):
    class JurisdictionForm(forms.Form):
        region = RegionField(levels=2, include_country=True, required=False)

    assert JurisdictionForm({"region_1": "000000"}).is_valid()
    assert JurisdictionForm({"region_1": "130000", "region_2": "130600"}).is_valid()
    assert not JurisdictionForm({"region": "130626"}).is_valid()
    html = str(JurisdictionForm({"region_1": "110000", "region_narrow": "1"})["region"])
    assert 'name="region_3"' not in html and "海淀区" not in html  # Beijing's districts are counties
    assert "<option value=000000>全国" in html


def test_the_signature_form_takes_the_select_chain(places):
    form = SignatureForm({"name": "张三", "email": "zhang@example.cn", "region_1": "310000", "region_2": XUHUI})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["region"].code == XUHUI


def test_a_person_without_script_signs_with_the_lists(client, places, citizen):
    # given: an open petition
    petition = petition_services.create_petition(
        creator=citizen,
        title="增设无障碍公交站台",
        action="请在主要公交线路增设无障碍站台和盲道。",
        background="",
        region=places.get(code="310000"),
    )
    Petition.objects.filter(pk=petition.pk).update(
        status=PetitionStatus.OPEN, opened_at=timezone.now(), closes_at=timezone.now() + timedelta(days=30)
    )
    data = {"name": "李四", "email": "li@example.cn", "region_1": "310000"}
    # when: the person asks for the districts of Shanghai
    narrowed = client.post(f"/petitions/{petition.pk}/sign/", {**data, "region_narrow": "1"})
    # then: the page comes back with them, and nothing is signed
    assert narrowed.status_code == 400
    assert "徐汇区" in narrowed.content.decode()
    assert not petition.signatures.exists()
    # when: they pick Xuhui and sign
    signed = client.post(f"/petitions/{petition.pk}/sign/", {**data, "region_2": XUHUI})
    # then
    assert signed.status_code == 302
    assert petition.signatures.get().region_id == XUHUI
