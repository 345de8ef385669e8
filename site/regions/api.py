"""/api/regions/: places by name for the region picker, and the places inside one (public, read-only)."""

from __future__ import annotations

from django.http import Http404
from ninja import Router, Schema

from core.api_schemas import BAD_REQUEST, NOT_FOUND
from regions.codes import NATIONAL_CODE
from regions.index import MAX_QUERY_LENGTH
from regions.selectors import region_index

router = Router(tags=["regions"])

MAX_SUGGESTIONS = 20


class PlaceOut(Schema):
    code: str
    name: str
    label: str  # 上海市 › 徐汇区
    level: int  # 1 province, 2 city (or a municipality's district), 3 county
    chain: list[str]  # the codes from the province down to this place
    has_children: bool


class SuggestionsOut(Schema):
    results: list[PlaceOut]
    total: int  # how many places match in all; `results` holds the best of them


def _out(place, counties: bool = True) -> dict:
    index = region_index()
    return {
        "code": place.code,
        "name": place.name,
        "label": place.label,
        "level": place.level,
        "chain": [p.code for p in index.chain(place.code)],
        "has_children": any(counties or not index.get(c).is_county for c in place.children),
    }


@router.get("/", response={200: SuggestionsOut, **BAD_REQUEST}, url_name="suggest_regions")
def suggest_regions(request, q: str = "", limit: int = 10, counties: bool = True):
    """Places whose name, traditional name, pinyin or initials match `q`: exact name first, then name prefix, then
    pinyin, then initials; without counties and districts if `counties` is false (a staff jurisdiction). Answered
    from memory: no query per request."""
    limit = max(1, min(limit, MAX_SUGGESTIONS))
    index = region_index()
    found, total = index.search(q[: MAX_QUERY_LENGTH * 2], limit=limit if counties else None)
    if not counties:
        found = [place for place in found if not place.is_county]
        total = len(found)
        found = found[:limit]
    return {"results": [_out(place, counties) for place in found], "total": total}


@router.get("/{code}/children/", response={200: list[PlaceOut], **BAD_REQUEST, **NOT_FOUND}, url_name="region_children")
def region_children(request, code: str, counties: bool = True):
    """The places directly inside `code` (placeholders such as 市辖区 skipped); 000000 gives the provinces."""
    index = region_index()
    if code != NATIONAL_CODE and index.get(code) is None:
        raise Http404
    return [_out(place, counties) for place in index.children(code) if counties or not place.is_county]
