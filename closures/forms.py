from django import forms
from django.utils.translation import gettext_lazy as _

from common.plaintext import validate_one_line
from layers.forms import province_or_country_field

from .models import Closure


class ClosureForm(forms.ModelForm):
    starts_at = forms.DateTimeField(
        label=_("closed from"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    ends_at = forms.DateTimeField(label=_("closed until"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    province = province_or_country_field()

    class Meta:
        model = Closure
        fields = ["starts_at", "ends_at", "reason_th", "reason_en", "province", "announce_days"]

    def clean_reason_th(self):
        validate_one_line(self.cleaned_data["reason_th"])
        return self.cleaned_data["reason_th"]

    def clean_reason_en(self):
        validate_one_line(self.cleaned_data["reason_en"])
        return self.cleaned_data["reason_en"]

    def clean(self):
        data = super().clean()
        if data.get("starts_at") and data.get("ends_at") and data["ends_at"] <= data["starts_at"]:
            self.add_error("ends_at", _("A closure ends after it starts."))
        return data
