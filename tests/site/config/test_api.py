def test_openapi_schema_is_served_and_lists_the_endpoints(client, db):
    response = client.get("/api/openapi.json")

    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    assert {"/api/health", "/api/me"} <= set(schema["paths"])


def test_browsable_docs(client, db):
    response = client.get("/api/docs")

    assert response.status_code == 200
    assert "/api/openapi.json" in response.content.decode()


def test_me_requires_a_session(client, db):
    assert client.get("/api/me").status_code == 401


def test_me_returns_roles_and_jurisdiction(client, inspector):
    client.force_login(inspector)

    body = client.get("/api/me").json()

    assert body == {"email": inspector.email, "roles": ["纪检监察人员"], "jurisdiction": "130600"}


def test_a_body_that_is_not_json_is_a_400_with_errors(client, db):
    from monitoring.models import Domain
    from monitoring.services import create_source

    _, token = create_source(name="国土", domain=Domain.LAND)

    response = client.post(
        "/api/monitoring/land", data="{not json", content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {token}"
    )

    assert response.status_code == 400
    assert response.json() == {"errors": {"__all__": ["Cannot parse request body"]}}
