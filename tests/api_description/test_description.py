"""The OpenAPI description: valid 3.1, naming exactly the app's JSON routes, committed as generated, served."""

from __future__ import annotations

import json
from pathlib import Path

from openapi_spec_validator import validate

from api_description.builder import NOT_DESCRIBED, build_description, described_routes, description_text
from documents import listing
from documents.api_models import ListParameters
from webhooks.api_models import EVENT_TYPES

COMMITTED = Path(__file__).resolve().parent.parent.parent / "docs" / "openapi.json"
PASSWORD_SESSION_ONLY = [("/api/tokens", "post"), ("/auth/password", "post"), ("/auth/me", "delete")]


def operations_in(description):
    return sorted((path, method) for path, methods in description["paths"].items() for method in methods)


def test_the_description_is_valid_openapi_3_1(app):
    description = build_description(app)

    validate(description)
    assert description["openapi"].startswith("3.1")


def test_every_json_route_is_in_the_description(app):
    missing = sorted(set(described_routes(app)) - set(operations_in(build_description(app))))

    assert missing == [], f"routes with no @documented(...): {missing}"


def test_the_description_names_no_route_the_app_lacks(app):
    committed = json.loads(COMMITTED.read_text())

    assert sorted(set(operations_in(committed)) - set(described_routes(app))) == []


def test_the_committed_description_is_the_generated_one(app):
    assert COMMITTED.read_text() == description_text(app), "docs/openapi.json is stale: run make openapi"


def test_the_inngest_endpoint_is_left_out_on_purpose(app):
    paths = build_description(app)["paths"]

    assert "inngest_api" in NOT_DESCRIBED
    assert "/api/inngest" not in paths


def test_html_pages_are_not_in_the_description(app):
    paths = build_description(app)["paths"]

    assert not {"/", "/documents", "/sign-in", "/tokens", "/trash", "/webhook"} & set(paths)


def test_password_session_routes_accept_only_the_cookie(app):
    paths = build_description(app)["paths"]

    for path, method in PASSWORD_SESSION_ONLY:
        assert paths[path][method]["security"] == [{"session": []}], (path, method)
        assert "403" in paths[path][method]["responses"]


def test_api_routes_accept_the_cookie_or_a_token(app):
    operation = build_description(app)["paths"]["/api/documents"]["get"]

    assert operation["security"] == [{"session": []}, {"token": []}]
    assert {"401", "429", "503"} <= set(operation["responses"])
    assert "Retry-After" in operation["responses"]["503"]["headers"]


def test_the_security_schemes_name_the_session_cookie_and_bearer_tokens(app):
    schemes = build_description(app)["components"]["securitySchemes"]

    assert schemes["session"] == {**schemes["session"], "type": "apiKey", "in": "cookie", "name": "session"}
    assert schemes["token"]["scheme"] == "bearer"


def test_stateful_flows_are_linked(app):
    paths = build_description(app)["paths"]

    token_links = paths["/api/tokens"]["post"]["responses"]["201"]["links"]
    route_links = paths["/api/route"]["post"]["responses"]["200"]["links"]
    delete_links = paths["/api/documents/{document_name}"]["delete"]["responses"]["200"]["links"]
    assert token_links["Revoke"]["operationId"] == "tokens.revoke"
    assert {link["operationId"] for link in route_links.values()} == {
        "documents.show_document",
        "documents.list_chunks",
    }
    assert delete_links["Restore"]["operationId"] == "documents.restore"


def test_every_webhook_event_type_is_described(app):
    webhooks = build_description(app)["webhooks"]

    assert sorted(webhooks) == sorted(EVENT_TYPES)
    assert {"document.trashed", "document.purged"} <= set(webhooks)
    headers = {parameter["name"] for parameter in webhooks["document.processed"]["post"]["parameters"]}
    assert headers == {"webhook-id", "webhook-timestamp", "webhook-signature"}


def test_the_description_is_served_to_anyone(client):
    response = client.get("/api/openapi.json")

    assert response.status_code == 200
    assert response.get_json()["openapi"] == "3.1.0"


def test_the_docs_page_loads_its_scripts_from_this_origin_only(client):
    response = client.get("/api/docs")

    policy = response.headers["Content-Security-Policy"]
    assert response.status_code == 200
    assert "script-src 'self';" in policy
    assert "unsafe-eval" not in policy
    assert "unsafe-inline" not in policy
    assert b"<script>" not in response.data


def test_the_docs_page_serves_swagger_ui_itself(client):
    with client.get("/api/docs/assets/swagger-ui-bundle.js") as response:
        assert response.status_code == 200
        assert b"SwaggerUIBundle" in response.data


def test_the_document_list_describes_exactly_the_parameters_it_takes():
    assert tuple(ListParameters.model_fields) == listing.PARAMETERS
