"""Threads and news: starting a thread, replying (status and the e-mail to the others in the
thread), reading marks and unread counts, publishing to the FAQ. Domain code: takes users, never
requests; who may see what comes from ``accounts.access``."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts import access

from .models import Message, Status, Thread, ThreadRead


def threads_for(user):
    return access.visible_threads(user, Thread.objects.all()).select_related("organization", "province")


@transaction.atomic
def start_thread(user, *, subject: str, category: str, body: str, organization=None, province=None) -> Thread:
    """A new thread by ``user``: about their own LAO (LAO staff), or a provincial office's to DLA."""
    own = access.organization_of(user)
    if own is not None:
        organization, province = own, own.province
    elif province is None:
        province = access.province_of(user)
    thread = Thread.objects.create(
        organization=organization, province=province, subject=subject, category=category, created_by=user
    )
    Message.objects.create(thread=thread, author=user, body=body)
    mark_read(thread, user)
    return thread


def _is_lao_side(user, thread) -> bool:
    own = access.organization_of(user)
    if thread.organization_id is not None:
        return own is not None and own.pk == thread.organization_id
    return thread.created_by_id == getattr(user, "pk", None)  # a provincial office's own question


@transaction.atomic
def reply(thread: Thread, user, body: str) -> Message:
    """Add ``body``; an answer from the office or DLA marks the thread answered, the asker's reply
    opens it again. The others who wrote in the thread get an e-mail."""
    message = Message.objects.create(thread=thread, author=user, body=body)
    thread.status = Status.OPEN if _is_lao_side(user, thread) else Status.ANSWERED
    thread.updated_at = timezone.now()
    thread.save(update_fields=["status", "updated_at"])
    mark_read(thread, user)
    transaction.on_commit(lambda: notify_reply(thread, message))
    return message


def notify_reply(thread: Thread, message: Message) -> int:
    """E-mail everyone else who wrote in the thread (and may still read it) about the reply."""
    authors = {m.author for m in thread.messages.select_related("author__profile") if m.author_id}
    if thread.created_by_id:
        authors.add(thread.created_by)
    to = [
        u.email
        for u in authors
        if u is not None
        and u.pk != message.author_id
        and u.email
        and access.visible_threads(u, Thread.objects.filter(pk=thread.pk)).exists()
    ]
    if not to:
        return 0
    with translation.override("th"):
        subject = _("gisplan: a reply to “%(subject)s”") % {"subject": thread.subject}
        body = render_to_string(
            "messaging/reply_email.txt",
            {"thread": thread, "message": message, "path": reverse("messaging:thread", args=[thread.pk])},
        )
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, sorted(set(to)))
    return len(set(to))


def set_status(thread: Thread, status: str) -> None:
    thread.status = status
    thread.save(update_fields=["status"])


def mark_read(thread: Thread, user) -> None:
    ThreadRead.objects.update_or_create(thread=thread, user=user, defaults={"read_at": timezone.now()})


def unread_count(user) -> int:
    """Threads the user may read that changed since they last read them (never read: unread)."""
    read = ThreadRead.objects.filter(thread=OuterRef("pk"), user=user, read_at__gte=OuterRef("updated_at"))
    return access.visible_threads(user, Thread.objects.all()).filter(~Exists(read)).count()


def publish_faq(thread: Thread, question: str, answer: str) -> None:
    thread.faq_published = True
    thread.faq_question = question
    thread.faq_answer = answer
    thread.save(update_fields=["faq_published", "faq_question", "faq_answer"])


def faq():
    return Thread.objects.filter(faq_published=True).exclude(Q(faq_question="") | Q(faq_answer="")).order_by("category")
