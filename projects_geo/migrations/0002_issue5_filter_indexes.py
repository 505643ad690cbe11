"""Issue 5: indexes for filtering projects at national scale (pg_trgm name search, stage, budget,
unit semi-joins through ProjectTambon)."""

import django.contrib.postgres.indexes
import django.db.models.functions.text
from django.conf import settings
from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("layers", "0001_initial"),
        ("projects_geo", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        TrigramExtension(),
        # Django renders OpClass(Upper(...)) inside a GIN index with one pair of parentheses too
        # many, so the index is created in SQL and recorded in the state as declared in the model.
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.RunSQL(
                    'CREATE INDEX "project_name_upper_trgm" ON "projects_geo_project" '
                    'USING gin ((UPPER("name"::text)) gin_trgm_ops)',
                    reverse_sql='DROP INDEX IF EXISTS "project_name_upper_trgm"',
                ),
            ],
            state_operations=[
                migrations.AddIndex(
                    model_name="project",
                    index=django.contrib.postgres.indexes.GinIndex(
                        django.contrib.postgres.indexes.OpClass(
                            django.db.models.functions.text.Upper("name"), name="gin_trgm_ops"
                        ),
                        name="project_name_upper_trgm",
                    ),
                ),
            ],
        ),
        migrations.AddIndex(
            model_name="project",
            index=models.Index(fields=["current_stage"], name="project_current_stage_idx"),
        ),
        migrations.AddIndex(
            model_name="project",
            index=models.Index(fields=["budget"], name="project_budget_idx"),
        ),
        migrations.AddIndex(
            model_name="projecttambon",
            index=models.Index(fields=["tambon", "project"], name="projecttambon_tambon_proj_idx"),
        ),
    ]
