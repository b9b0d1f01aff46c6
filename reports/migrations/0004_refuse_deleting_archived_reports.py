"""A done report is an archived record: the database also refuses to delete it (PostgreSQL).

Only on PostgreSQL, the production database: a row-level trigger there leaves TRUNCATE (the test
runner's flush, a restore with --clean) alone. SQLite, the no-setup development default, flushes
test databases with DELETE, which such a trigger would break; there the admin and the app, which
offer no deletion of a done report, are the guard.
"""

from django.db import migrations

MESSAGE = "En klar rapport är arkiverad och kan inte tas bort."

FORWARD = f"""
CREATE OR REPLACE FUNCTION reports_report_refuse_delete() RETURNS trigger AS $$
BEGIN
    IF OLD.status = 'done' THEN
        RAISE EXCEPTION '{MESSAGE}' USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    RETURN OLD;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER reports_report_undeletable BEFORE DELETE ON reports_report
    FOR EACH ROW EXECUTE FUNCTION reports_report_refuse_delete();
"""
BACKWARD = """
DROP TRIGGER IF EXISTS reports_report_undeletable ON reports_report;
DROP FUNCTION IF EXISTS reports_report_refuse_delete();
"""


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARD)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKWARD)


class Migration(migrations.Migration):
    dependencies = [("reports", "0003_immutable_trigger")]

    operations = [migrations.RunPython(forward, backward)]
