"""``audit.insert_audited`` as the upload and the rating use it: a UUID primary key, an
explicit ``object_id``, the unique rating per case (here because it needs the files and
ratings models, above audit in the layers)."""

import pytest
from django.db import connection, transaction

from shuzheng.audit import facade
from shuzheng.audit.models import AuditRecord

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("chain", ["inline", "deferred"])
def test_insert_audited_any_primary_key_and_an_explicit_object_id(settings, chain):
    """A UUID primary key comes back as the field gives it; ``object_id`` names what the
    record is about when it is not the new row (a rating: its case). On PostgreSQL with
    deferred chaining each is one statement; a unique violation writes neither row."""
    import uuid

    from django.db import IntegrityError

    from shuzheng.core import rawsql
    from shuzheng.files.models import StoredFile
    from shuzheng.ratings.models import Rating

    settings.AUDIT_CHAIN = chain
    fid = uuid.uuid4()
    row = StoredFile(
        id=fid, owner="user:t", name="a.pdf", content_type="application/pdf", size=1,
        sha256="0" * 64, path="uploads/a.pdf",
    )  # fmt: skip
    pk = facade.insert_audited(
        StoredFile, rawsql.new_values(row), actor="user:t", action="t.upload", object_type="t"
    )
    assert pk == fid and StoredFile.objects.filter(pk=fid).exists()
    assert AuditRecord.objects.get(action="t.upload").object_id == str(fid)

    rating = Rating(case_no="BJT-1", item_code="x", item_name="x", department_code="d",
                    channel="online", level=1, rater="user:t")  # fmt: skip
    values = rawsql.new_values(rating)
    pk = facade.insert_audited(
        Rating, values, actor="user:t", action="t.rate", object_type="t", object_id="BJT-1"
    )
    assert isinstance(pk, int) and Rating.objects.get(pk=pk).case_no == "BJT-1"
    assert AuditRecord.objects.get(action="t.rate").object_id == "BJT-1"
    with pytest.raises(IntegrityError), transaction.atomic():  # one rating per case
        facade.insert_audited(
            Rating, values, actor="user:t", action="t.rate2", object_type="t", object_id="BJT-1"
        )
    assert not AuditRecord.objects.filter(action="t.rate2").exists()
    assert facade.one_statement() is (connection.vendor == "postgresql" and chain == "deferred")
