"""Messages (threads LAO ↔ provincial office ↔ DLA), the public FAQ and the news board."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts import access

from . import services
from .forms import FaqForm, NewsForm, ReplyForm, ThreadForm
from .models import NewsAttachment, NewsItem, Status


def _may_write(user) -> bool:
    level, _key = access.scope_of(user)
    return level != "none"


@login_required
def thread_list(request):
    if not _may_write(request.user):
        raise PermissionDenied(_("Messages are for LAO staff, the provincial offices and DLA."))
    form = ThreadForm()
    status = 200
    if request.method == "POST":
        form = ThreadForm(request.POST)
        if form.is_valid() and access.scope_of(request.user)[0] in ("lao", "province"):
            thread = services.start_thread(request.user, **form.cleaned_data)
            messages.success(request, _("Your message is sent to the provincial office and DLA."))
            return redirect("messaging:thread", pk=thread.pk)
        if form.is_valid():  # DLA answers threads; it does not start them
            raise PermissionDenied(_("DLA answers the threads of LAOs and provincial offices."))
        status = 400
    threads = services.threads_for(request.user)
    if request.GET.get("status") in Status.values:
        threads = threads.filter(status=request.GET["status"])
    return render(request, "messaging/threads.html", {"threads": threads[:300], "form": form}, status=status)


def _thread_for(user, pk):
    thread = services.threads_for(user).filter(pk=pk).first()
    if thread is None:
        raise Http404
    return thread


@login_required
def thread_detail(request, pk):
    thread = _thread_for(request.user, pk)
    form = ReplyForm()
    status = 200
    if request.method == "POST":
        action = request.POST.get("action", "reply")
        if action in (Status.CLOSED, Status.OPEN):
            services.set_status(thread, action)
            return redirect("messaging:thread", pk=thread.pk)
        form = ReplyForm(request.POST)
        if form.is_valid():
            services.reply(thread, request.user, form.cleaned_data["body"])
            return redirect("messaging:thread", pk=thread.pk)
        status = 400
    services.mark_read(thread, request.user)
    posts = thread.messages.select_related("author__profile")
    first, last = posts.first(), posts.last()
    faq_form = FaqForm(
        initial={"question": thread.faq_question or (first.body if first else ""), "answer": thread.faq_answer}
        | ({} if thread.faq_answer or last is None or last == first else {"answer": last.body})
    )
    return render(
        request,
        "messaging/thread.html",
        {
            "thread": thread,
            "posts": posts,
            "form": form,
            "faq_form": faq_form if access.can_publish_faq(request.user) else None,
        },
        status=status,
    )


@login_required
@require_POST
def publish_faq(request, pk):
    thread = _thread_for(request.user, pk)
    if not access.can_publish_faq(request.user):
        raise PermissionDenied(_("Only DLA publishes to the FAQ."))
    form = FaqForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the question and the answer for the FAQ."))
        return redirect("messaging:thread", pk=thread.pk)
    services.publish_faq(thread, form.cleaned_data["question"], form.cleaned_data["answer"])
    messages.success(request, _("Published to the FAQ."))
    return redirect("messaging:thread", pk=thread.pk)


@require_GET
def faq(request):
    return render(request, "messaging/faq.html", {"entries": services.faq()})


@login_required
def news_list(request):
    level, own = access.scope_of(request.user)
    national = level == "national"
    may_post = level in ("national", "province")
    form = NewsForm(national=national) if may_post else None
    status = 200
    if request.method == "POST":
        if not may_post:
            raise PermissionDenied(_("DLA and the provincial offices post news."))
        form = NewsForm(request.POST, request.FILES, national=national)
        if form.is_valid():
            item = form.save(commit=False)
            item.province_id = (
                (form.cleaned_data["province"].pk if form.cleaned_data["province"] else None) if (national) else own
            )
            if not access.can_post_news(request.user, item.province_id):
                raise PermissionDenied
            item.author = request.user
            item.save()
            f = form.cleaned_data.get("attachment")
            if f is not None:
                NewsAttachment.objects.create(item=item, file=f, name=f.name[:200])
            messages.success(request, _("The news is posted."))
            return redirect("messaging:news")
        status = 400
    items = access.visible_news(request.user, NewsItem.objects.all()).prefetch_related("attachments")
    return render(request, "messaging/news.html", {"items": items[:100], "form": form}, status=status)


@login_required
def attachment(request, pk):
    att = get_object_or_404(NewsAttachment.objects.select_related("item"), pk=pk)
    if not access.visible_news(request.user, NewsItem.objects.filter(pk=att.item_id)).exists():
        raise Http404
    return FileResponse(att.file.open("rb"), as_attachment=True, filename=att.name)
