"""Messages between an LAO, its provincial office and DLA (threads with a status and a category,
read marks for the unread counts, a question DLA may publish to the public FAQ) and the news board
(announcements of DLA — national — or of a provincial office — its province — with attachments)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from layers.models import Organization, Province


class Category(models.TextChoices):
    COORDINATES = "coordinates", _("Coordinates and maps")
    STAGES = "stages", _("Budget stages")
    ACCOUNTS = "accounts", _("Accounts and sign-in")
    IMPORTS = "imports", _("Imports and exports")
    OTHER = "other", _("Other")


class Status(models.TextChoices):
    OPEN = "open", _("Open")
    ANSWERED = "answered", _("Answered")
    CLOSED = "closed", _("Closed")


class Thread(models.Model):
    """A question of an LAO (``organization``) or of a provincial office (no LAO) to the provincial
    office and DLA; read by the LAO's staff, the province's office and DLA only."""

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, null=True, blank=True, related_name="+", verbose_name=_("LAO")
    )
    province = models.ForeignKey(Province, on_delete=models.CASCADE, related_name="+", verbose_name=_("province"))
    subject = models.CharField(_("subject"), max_length=200)
    category = models.CharField(_("category"), max_length=20, choices=Category.choices, default=Category.OTHER)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OPEN)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now_add=True, db_index=True)
    # The public FAQ (DLA publishes an answered question; the texts are DLA's, without names).
    faq_published = models.BooleanField(_("in the public FAQ"), default=False)
    faq_question = models.TextField(_("FAQ question"), blank=True)
    faq_answer = models.TextField(_("FAQ answer"), blank=True)

    class Meta:
        verbose_name = _("message thread")
        verbose_name_plural = _("message threads")
        ordering = ["-updated_at"]
        indexes = [models.Index(fields=["province", "updated_at"], name="thread_province_updated_idx")]

    def __str__(self):
        return self.subject


class Message(models.Model):
    thread = models.ForeignKey(Thread, on_delete=models.CASCADE, related_name="messages")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    body = models.TextField(_("message"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self):
        return self.body[:60]


class ThreadRead(models.Model):
    """When a user last read a thread (the unread count: threads changed since)."""

    thread = models.ForeignKey(Thread, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    read_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["thread", "user"], name="threadread_unique")]

    def __str__(self):
        return f"{self.user} {self.thread_id}"


class NewsItem(models.Model):
    """An announcement: DLA's to everyone (no province), or a provincial office's to its province."""

    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"))
    province = models.ForeignKey(
        Province,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("audience"),
        help_text=_("Empty: the whole country."),
    )
    pinned = models.BooleanField(_("pinned"), default=False)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    published_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("news item")
        verbose_name_plural = _("news")
        ordering = ["-pinned", "-published_at"]
        constraints = [
            models.CheckConstraint(condition=~Q(title=""), name="newsitem_has_title"),
        ]

    def __str__(self):
        return self.title


class NewsAttachment(models.Model):
    item = models.ForeignKey(NewsItem, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(_("attachment"), upload_to="news/%Y/%m/")
    name = models.CharField(max_length=200)

    def __str__(self):
        return self.name
