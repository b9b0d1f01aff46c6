"""A done report is an archived record: the database refuses changes to its content.

Only the marking as sent to the board (and the decision it was sent with) may change later.
PostgreSQL gets a trigger function; SQLite (the no-setup default) an equivalent trigger.
"""

from django.db import migrations

FROZEN_COLUMNS = [
    "municipality_id",
    "kind",
    "audience",
    "unit_id",
    "year",
    "audit_id",
    "parameters",
    "series_key",
    "version",
    "title",
    "status",
    "file",
    "sha256",
    "size",
    "data_as_of",
    "requested_by_id",
    "requested_at",
    "generated_at",
    "page_count",
    "pdf_variant",
]

MESSAGE = "En klar rapport är arkiverad och kan inte ändras."

POSTGRES_FORWARD = f"""
CREATE OR REPLACE FUNCTION reports_report_refuse_change() RETURNS trigger AS $$
BEGIN
    IF OLD.status = 'done' AND (
        {" OR ".join(f"NEW.{c} IS DISTINCT FROM OLD.{c}" for c in FROZEN_COLUMNS)}
    ) THEN
        RAISE EXCEPTION '{MESSAGE}' USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER reports_report_immutable BEFORE UPDATE ON reports_report
    FOR EACH ROW EXECUTE FUNCTION reports_report_refuse_change();
"""
POSTGRES_BACKWARD = """
DROP TRIGGER IF EXISTS reports_report_immutable ON reports_report;
DROP FUNCTION IF EXISTS reports_report_refuse_change();
"""
SQLITE_FORWARD = f"""
CREATE TRIGGER reports_report_immutable BEFORE UPDATE ON reports_report
FOR EACH ROW WHEN OLD.status = 'done' AND (
    {" OR ".join(f"NEW.{c} IS NOT OLD.{c}" for c in FROZEN_COLUMNS)}
)
BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END;
"""
SQLITE_BACKWARD = "DROP TRIGGER IF EXISTS reports_report_immutable;"


def forward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(POSTGRES_FORWARD)
    elif vendor == "sqlite":
        schema_editor.execute(SQLITE_FORWARD)


def backward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(POSTGRES_BACKWARD)
    elif vendor == "sqlite":
        schema_editor.execute(SQLITE_BACKWARD)


class Migration(migrations.Migration):
    dependencies = [("reports", "0002_archive_fields")]

    operations = [migrations.RunPython(forward, backward)]
