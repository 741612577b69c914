"""Trigram indexes for the History page's text search (PostgreSQL only; a no-op on SQLite).

History finds dialogs whose messages, or whose visitor's name, email or phone, contain the
searched text (chat/console/text_search.py). Each index is on the very expression that
search compares, `REPLACE(UPPER(column), 'Ё', 'Е')`, with pg_trgm's gin_trgm_ops, so a
`LIKE '%…%'` over a million messages reads the index instead of every row
(docs/performance.md, "Sixth round"). pg_trgm is a trusted extension (PostgreSQL 13+):
the database's owner may create it.
"""

from django.db import migrations

INDEXES = {
    "chat_message_text_trgm": ("chat_message", "text"),
    "chat_visitor_name_trgm": ("chat_visitor", "name"),
    "chat_visitor_email_trgm": ("chat_visitor", "email"),
    "chat_visitor_phone_trgm": ("chat_visitor", "phone"),
}


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, (table, column) in INDEXES.items():
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {name} ON {table} "
            f"USING gin ((REPLACE(UPPER({column}::text), 'Ё', 'Е')) gin_trgm_ops)"
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("chat", "0010_dialog_site_closed_at_index")]

    operations = [migrations.RunPython(create, drop, elidable=False)]
