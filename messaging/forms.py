from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from common.plaintext import validate_multiline, validate_one_line
from layers.models import Province

from .models import Category, NewsItem

MAX_ATTACHMENT_MB = 20


class ThreadForm(forms.Form):
    subject = forms.CharField(label=_("subject"), max_length=200, validators=[validate_one_line])
    category = forms.ChoiceField(label=_("category"), choices=Category.choices)
    body = forms.CharField(label=_("message"), max_length=5000, widget=forms.Textarea, validators=[validate_multiline])


class ReplyForm(forms.Form):
    body = forms.CharField(label=_("reply"), max_length=5000, widget=forms.Textarea, validators=[validate_multiline])


class FaqForm(forms.Form):
    question = forms.CharField(label=_("FAQ question"), max_length=2000, widget=forms.Textarea)
    answer = forms.CharField(label=_("FAQ answer"), max_length=5000, widget=forms.Textarea)


class NewsForm(forms.ModelForm):
    province = forms.ModelChoiceField(
        queryset=Province.objects.without_geom().order_by("name_th"),
        required=False,
        label=_("audience"),
        empty_label=_("the whole country"),
    )
    attachment = forms.FileField(label=_("attachment"), required=False)

    class Meta:
        model = NewsItem
        fields = ["title", "body", "province", "pinned"]

    def __init__(self, *args, national=True, **kwargs):
        super().__init__(*args, **kwargs)
        if not national:
            del self.fields["province"]

    def clean_title(self):
        validate_one_line(self.cleaned_data["title"])
        return self.cleaned_data["title"]

    def clean_attachment(self):
        f = self.cleaned_data.get("attachment")
        if f is not None and f.size > MAX_ATTACHMENT_MB * 1048576:
            raise ValidationError(_("An attachment is at most %(mb)s MB."), params={"mb": MAX_ATTACHMENT_MB})
        return f
