"""``{% latest_news %}``: what is new on the news board, for the home pages (a template's reference
to this app, not an import)."""

from django import template

from accounts import access
from messaging.models import NewsItem

register = template.Library()


@register.inclusion_tag("messaging/_latest_news.html", takes_context=True)
def latest_news(context, limit=5):
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"items": []}
    return {"items": list(access.visible_news(user, NewsItem.objects.all())[:limit])}
