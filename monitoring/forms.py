from django import forms

from common.plaintext import validate_one_line
from layers.forms import province_or_country_field

from .models import CalendarItem


class CalendarItemForm(forms.ModelForm):
    """A calendar item; DLA may choose a province (empty: national), a provincial office adds its own."""

    province = province_or_country_field()

    class Meta:
        model = CalendarItem
        fields = [
            "key",
            "title_th",
            "title_en",
            "stage",
            "share",
            "project_year_offset",
            "start_month",
            "start_day",
            "start_offset",
            "due_month",
            "due_day",
            "due_offset",
            "province",
        ]

    def __init__(self, *args, national: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        if not national:
            del self.fields["province"]

    def clean_title_th(self):
        validate_one_line(self.cleaned_data["title_th"])
        return self.cleaned_data["title_th"]

    def clean_title_en(self):
        validate_one_line(self.cleaned_data["title_en"])
        return self.cleaned_data["title_en"]
