"""``{% project_history project %}``: the project's change history, for any project page."""

from django import template

from ..history import project_history as build_history

register = template.Library()


@register.inclusion_tag("projects_geo/_history.html")
def project_history(project, limit=None):
    entries = build_history(project)
    if limit:
        entries = entries[: int(limit)]
    return {"entries": entries, "project": project}
