import datetime as dt

import pytest
import time_machine

TZ = dt.timezone(dt.timedelta(hours=8))
OPERATOR, LEAD = "demo-hotline", "demo-hotline-lead"
CG, SW, HB = "demo-handler-cg", "demo-handler-sw", "demo-handler-hb"
CG_CODE, SW_CODE, HB_CODE = "441200-CGJ", "441200-SWUJ", "441200-STHJJ"
NOISE = {
    "type": "投诉",
    "content": "端州区城东街道天宁北路12号楼下烧烤档每晚营业到凌晨两点，噪音很大，影响休息。",
    "category": "020202",  # 社会生活噪声与治安秩序
    "caller_phone": "13800000001",
    "caller_name": "李明",
}


def at(y, m, d, h=10, minute=0):
    return time_machine.travel(dt.datetime(y, m, d, h, minute, tzinfo=TZ), tick=False)


class Hotline:
    """The hotline API, called as the demo accounts."""

    def __init__(self, api):
        self.api = api
        self._when = None

    def _fresh(self):
        """Tokens live an hour; tests travel days: a new token when the frozen time moved."""
        import time

        now = time.time()
        if self._when is None or abs(now - self._when) > 600:
            self.api._tokens.clear()
            self._when = now

    def create(self, who=OPERATOR, **body):
        self._fresh()
        return self.api.call("POST", "/api/v1/hotline/tickets", who=who, json_body=body)

    def act(self, who, no, action, **params):
        self._fresh()
        return self.api.call(
            "POST",
            f"/api/v1/hotline/tickets/{no}/actions",
            who=who,
            json_body={"action": action, **params},
        )

    def get(self, who, no):
        self._fresh()
        return self.api.call("GET", f"/api/v1/hotline/tickets/{no}", who=who)

    def noise(self, **extra):
        r = self.create(**{**NOISE, **extra})
        assert r.status_code == 201, r.content
        return r.json()["ticket_no"]


@pytest.fixture
def hotline(api):
    return Hotline(api)
