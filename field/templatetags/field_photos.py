"""``{% project_photos project %}``: the photos of a project on its page and in its history (a
template's reference to the field app: projects_geo does not import it)."""

from django import template

from accounts import access

from ..models import Photo

register = template.Library()


@register.inclusion_tag("field/_project_photos.html", takes_context=True)
def project_photos(context, project):
    request = context.get("request")
    user = getattr(request, "user", None)
    if project is None or project.pk is None or user is None or not access.can_view_history(user, project):
        return {"photos": [], "project": project}
    photos = Photo.objects.filter(project=project).select_related("stage", "uploaded_by").order_by("uploaded_at", "pk")
    return {"photos": list(photos), "project": project, "can_add": access.can_add_photo(user, project)}
