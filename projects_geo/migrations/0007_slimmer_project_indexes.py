"""Two of the project table's seventeen indexes did no work: organization_id alone (two indexes
start with it) and deleted_at over every row (queries look for the few deleted ones). Fewer
indexes to keep up on every insert (imports)."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("layers", "0002_issue3_tambonpart"),
        ("projects_geo", "0006_geom_3857"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterField(
            model_name="historicalproject",
            name="deleted_at",
            field=models.DateTimeField(blank=True, editable=False, null=True, verbose_name="deleted at"),
        ),
        migrations.AlterField(
            model_name="project",
            name="deleted_at",
            field=models.DateTimeField(blank=True, editable=False, null=True, verbose_name="deleted at"),
        ),
        # Django would drop and re-create the foreign key (checking every row again) to drop its
        # index; only the index goes.
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="project",
                    name="organization",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="projects",
                        to="layers.organization",
                        verbose_name="LAO",
                    ),
                ),
            ],
            database_operations=[
                migrations.RunSQL(
                    'DROP INDEX IF EXISTS "projects_geo_project_organization_id_c986d06d"',
                    'CREATE INDEX "projects_geo_project_organization_id_c986d06d" ON "projects_geo_project" ("organization_id")',
                ),
            ],
        ),
        migrations.AddIndex(
            model_name="project",
            index=models.Index(
                condition=models.Q(("deleted_at__isnull", False)), fields=["deleted_at"], name="project_deleted_idx"
            ),
        ),
    ]
