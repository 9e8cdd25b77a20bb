"""The schema and the docs page: OpenAPI 3 for anyone; Swagger UI from our own static files,
with no inline script or style for the CSP to refuse."""

import re

import yaml


def test_it_publishes_an_openapi_3_schema_with_the_bearer_token(client, db):
    schema = yaml.safe_load(client.get("/api/v1/schema/").content)
    assert schema["openapi"].startswith("3.")
    assert schema["components"]["securitySchemes"]["bearerToken"]["scheme"] == "bearer"
    assert "/api/v1/items/" in schema["paths"]


def test_the_docs_page_loads_only_our_own_scripts_and_styles(client, db):
    response = client.get("/api/v1/docs/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]
    assert "<style" not in html
    sources = re.findall(r"<script([^>]*)>", html)
    assert sources and all("src=" in attributes for attributes in sources)
    assert "//" not in "".join(re.findall(r'(?:src|href)="([^"]*)"', html)).replace("http", "")
    start = client.get("/api/v1/docs/?script=")
    assert start.status_code == 200 and "SwaggerUIBundle" in start.content.decode()


def test_an_unknown_api_address_is_a_json_404(client, db):
    response = client.get("/api/v1/nothing-here/")
    assert response.status_code == 404 and "detail" in response.json()
