import pytest

from shuzheng.licenses import demo, services
from shuzheng.licenses.models import License


@pytest.fixture
def types(db):
    return services.license_types_load(actor="test")


@pytest.fixture
def demo_licenses(db):
    """The demo licences (seed_licenses): 李明, 陈桂英, 王芳 and 王芳's enterprise."""
    demo.seed_licenses()

    def get(holder_id: str, type_name: str) -> License:
        return License.objects.get(holder_id=holder_id, license_type__name=type_name)

    return get


CITIZEN = demo.CITIZEN_ID
ELDER = demo.ELDER_ID
AGENT = demo.AGENT_ID
ENTERPRISE = demo.ENTERPRISE_USCC
