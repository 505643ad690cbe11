"""Fragments of the planning app shown on projects_geo's pages (a template's reference, not an
import): a project's place in its LAO's plan on the project page."""

from django import template

from ..models import ProjectPlanLink

register = template.Library()


@register.inclusion_tag("planning/_project_plan.html")
def project_plan(project):
    link = (
        ProjectPlanLink.objects.filter(project_id=project.pk).select_related("plan", "strategy").first()
        if project.pk
        else None
    )
    return {"project": project, "link": link}
