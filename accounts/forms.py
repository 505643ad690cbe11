"""Forms of the accounts pages: registration (with the LAO chosen by DLA code or name)."""

from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import UserCreationForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from layers.models import Province

from .models import LAO_ROLES, PROVINCE_ROLES, REGISTRABLE_ROLES
from .registration import resolve_lao


class RegistrationForm(UserCreationForm):
    email = forms.EmailField(label=_("Email"))
    first_name = forms.CharField(label=_("First name"), max_length=150)
    last_name = forms.CharField(label=_("Last name"), max_length=150)
    role = forms.ChoiceField(label=_("role"), choices=[(r.value, r.label) for r in REGISTRABLE_ROLES])
    lao = forms.CharField(
        label=_("LAO (DLA code or name)"),
        required=False,
        max_length=250,
        help_text=_("Type the 7-digit DLA code or the name of your LAO and pick it from the list."),
        widget=forms.TextInput(attrs={"list": "lao-options", "autocomplete": "off", "data-lao-search": ""}),
    )
    province = forms.ModelChoiceField(
        label=_("province"),
        required=False,
        queryset=Province.objects.order_by("name_th"),
        to_field_name="code",
        help_text=_("For provincial office staff."),
    )

    class Meta(UserCreationForm.Meta):
        fields = ("username", "email", "first_name", "last_name")

    def clean_email(self):
        email = self.cleaned_data["email"]
        if get_user_model().objects.filter(email__iexact=email).exists():
            raise ValidationError(_("An account with this email already exists."), code="duplicate_email")
        return email

    def clean(self):
        cleaned = super().clean()
        role = cleaned.get("role")
        if role in LAO_ROLES:
            text = cleaned.get("lao")
            if not text:
                self.add_error("lao", _("Choose the LAO you work for."))
            else:
                try:
                    cleaned["organization"] = resolve_lao(text)
                except ValidationError as exc:
                    self.add_error("lao", exc)
            cleaned["province"] = None
        elif role in PROVINCE_ROLES:
            if not cleaned.get("province"):
                self.add_error("province", _("Choose the province of your office."))
            cleaned["organization"] = None
        elif role:
            self.add_error("role", _("This role cannot be asked for here."))
        return cleaned


class LaoSearchForm(forms.Form):
    """The registration page's LAO search (``?q=``): DLA code digits or part of a name."""

    q = forms.CharField(
        required=False,
        max_length=100,
        error_messages={
            "null_characters_not_allowed": _("The search text may not contain a NUL character."),
            "max_length": _("The search text may be at most %(limit_value)s characters long."),
        },
    )
