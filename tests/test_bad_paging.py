"""A negative offset was a 500 (issue 16 item 7): it is a 422 naming the field, in Chinese."""

import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("who", "path"),
    [
        ("demo-clerk", "/api/v1/cases?offset=-1"),
        ("demo-head", "/api/v1/policies/gaoling-jintie/matches?offset=-1"),
    ],
)
def test_a_negative_offset_is_refused_naming_the_field(api, who, path):
    r = api.call("GET", path, who=who)
    assert r.status_code == 422, r.content
    body = r.json()
    assert body["code"] == "validation_error"
    assert [e["field"] for e in body["errors"]] == ["offset"]
    assert body["errors"][0]["message"] == "数值过小。"
