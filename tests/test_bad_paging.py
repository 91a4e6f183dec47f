"""A negative offset was a 500 (issue 16 item 7), and so was one past the database's integers
(found by tests/test_schemathesis.py): both are a 422 naming the field, in Chinese."""

import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("who", "path", "message"),
    [
        ("demo-clerk", "/api/v1/cases?offset=-1", "数值过小。"),
        ("demo-head", "/api/v1/policies/gaoling-jintie/matches?offset=-1", "数值过小。"),
        ("demo-clerk", f"/api/v1/cases?offset={10**22}", "数值过大。"),
        ("demo-head", f"/api/v1/policies/gaoling-jintie/matches?offset={2**63}", "数值过大。"),
    ],
)
def test_a_bad_offset_is_refused_naming_the_field(api, who, path, message):
    r = api.call("GET", path, who=who)
    assert r.status_code == 422, r.content
    body = r.json()
    assert body["code"] == "validation_error"
    assert [e["field"] for e in body["errors"]] == ["offset"]
    assert body["errors"][0]["message"] == message
