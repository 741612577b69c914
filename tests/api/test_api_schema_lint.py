"""The schema is linted: drf-spectacular builds it with no warning (no unnamed or untyped
field, no enum collision) and it validates as OpenAPI 3."""

from django.core.management import call_command


def test_the_schema_builds_without_a_warning_and_validates(tmp_path):
    target = tmp_path / "schema.yaml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(target))
    text = target.read_text()
    assert "openapi: 3" in text and "/api/v1/dialogs/{id}/messages/" in text


def test_the_served_schema_and_docs_page(client):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert schema.status_code == 200
    assert "bearerToken" in schema.content.decode()
    docs = client.get("/api/docs/")
    assert docs.status_code == 200
    assert b"swagger-ui" in docs.content
    assert b"cdn" not in docs.content.lower()
