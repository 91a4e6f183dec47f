"""The FTS5 term index of the 公文 library (SQLite only; documents/termindex.py)."""

from django.db import migrations


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "sqlite":
        return
    from shuzheng.documents import termindex

    for sql in termindex.CREATE:
        schema_editor.execute(sql)
    Document = apps.get_model("documents", "Document")
    rows = list(Document.objects.values_list("pk", "search_text"))
    with schema_editor.connection.cursor() as c:
        c.executemany(
            f"INSERT INTO {termindex.TABLE} (rowid, grams) VALUES (%s, %s)",
            [(pk, termindex.grams(text)) for pk, text in rows],
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "sqlite":
        return
    from shuzheng.documents import termindex

    for sql in termindex.DROP:
        schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("documents", "0001_initial")]

    operations = [migrations.RunPython(create, drop)]
