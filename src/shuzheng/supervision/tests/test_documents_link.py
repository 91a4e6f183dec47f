"""A 公文 search for 秒享 finds the plan and shows the 督办任务 it belongs to (the documents
registry's provider, ``selectors.related_tasks``), for staff who may see the task only."""

import datetime as dt

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile

from shuzheng.documents.demo import SEEDS
from shuzheng.supervision.demo import seed_supervision

pytestmark = pytest.mark.django_db

TZ = dt.timezone(dt.timedelta(hours=8))
OFFICE = "demo-head"
ZSJ = "demo-dataofficer"


@pytest.fixture
def frozen():
    with time_machine.travel(dt.datetime(2022, 7, 1, 10, tzinfo=TZ), tick=False) as t:
        yield t


def upload(api, who, *files, **fields):
    headers = {"HTTP_AUTHORIZATION": f"Bearer {api.token(who)}"}
    return api.client.post("/api/v1/documents/import", {"files": list(files), **fields}, **headers)


def seeds():
    return [SimpleUploadedFile(p.name, p.read_bytes()) for p in sorted(SEEDS.glob("*.txt"))]


def test_search_shows_the_task_a_hit_belongs_to(api, frozen):

    upload(api, OFFICE, *seeds(), openness="主动公开")
    seed_supervision()
    hit = api.call("GET", "/api/v1/documents?q=秒享", who=ZSJ).json()["documents"][0]
    assert [i["title"] for i in hit["related_items"]] == ["五、(十九)完善一体化政务大数据体系"]
    # a citizen reads the public plan but sees no task
    hit = api.call("GET", "/api/v1/documents?q=秒享", who="demo-citizen").json()["documents"][0]
    assert hit["related_items"] == []
