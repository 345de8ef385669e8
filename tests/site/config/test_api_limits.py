"""Path and query integers are bounded (400, never a 500), and the schema states the limits and the errors."""

import pytest

from consultations.services import COMMENT_MAX_LENGTH
from monitoring.models import LandTransfer

DRAFT_ID_MAX = 2**31 - 1


@pytest.mark.parametrize(
    "url",
    [
        "/api/consultations/drafts/99999999999999999999",
        f"/api/consultations/drafts/{DRAFT_ID_MAX + 1}",
        "/api/consultations/drafts/0",
        "/api/consultations/drafts/99999999999999999999/structure",
        "/api/consultations/drafts/1/structure?version=99999999999999999999",
        "/api/consultations/drafts/99999999999999999999/comments",
        "/api/consultations/drafts/1/comments?provision=99999999999999999999",
        "/api/consultations/drafts/1/comments?page=99999999999999999999",
        "/api/consultations/drafts/1/comments?page_size=0",
        "/api/consultations/drafts/1/comments?page_size=201",
    ],
)
def test_an_integer_out_of_range_is_a_400_naming_the_parameter(client, db, url):
    response = client.get(url)

    assert response.status_code == 400
    assert set(response.json()["errors"]) <= {"draft_id", "version", "provision", "page", "page_size"}


def test_a_draft_id_in_range_that_names_no_draft_is_a_404(client, db):
    response = client.get(f"/api/consultations/drafts/{DRAFT_ID_MAX}")

    assert response.status_code == 404 and response.json() == {"detail": "Not Found"}


def test_a_comment_with_a_nul_character_is_a_400(client, citizen):
    # PostgreSQL stores no NUL character in text: refused before any query
    client.force_login(citizen)

    response = client.post(
        "/api/consultations/drafts/1/comments",
        {"text": "我支持这一条\x00。", "stance": "support"},
        content_type="application/json",
    )

    assert response.status_code == 400 and "text" in response.json()["errors"]


@pytest.fixture
def schema(client, db):
    return client.get("/api/openapi.json").json()


def test_every_operation_documents_its_errors(schema):
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            codes = set(operation["responses"])
            if operation.get("parameters") or "requestBody" in operation:
                assert "400" in codes, (method, path)
            if operation.get("security"):
                assert "401" in codes, (method, path)
            if "{" in path:
                assert "404" in codes, (method, path)
    assert schema["components"]["schemas"]["Errors"]["properties"]["errors"]["type"] == "object"


def test_the_request_schemas_state_the_limits_the_server_enforces(schema):
    draft = schema["paths"]["/api/consultations/drafts/{draft_id}"]["get"]["parameters"][0]["schema"]
    comment = schema["components"]["schemas"]["CommentIn"]["properties"]
    land = schema["paths"]["/api/monitoring/land"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    record = land["oneOf"][0]["properties"]

    assert (draft["minimum"], draft["maximum"]) == (1, DRAFT_ID_MAX)
    assert comment["text"]["maxLength"] == COMMENT_MAX_LENGTH and comment["stance"]["enum"]
    assert record["district"]["maxLength"] == LandTransfer._meta.get_field("district").max_length
    assert record["duration"]["anyOf"][0]["maximum"] == 32767
    assert land["oneOf"][1]["maxItems"] == 1000
