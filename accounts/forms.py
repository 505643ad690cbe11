"""Forms of the accounts pages: registration (with the LAO chosen by DLA code or name)."""

from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import AuthenticationForm, UserCreationForm
from django.contrib.auth.password_validation import password_validators_help_texts
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from layers.models import Province

from . import access
from .models import LAO_ROLES, PROVINCE_ROLES, REGISTRABLE_ROLES, Profile, ProfileStatus
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

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Django's own help texts have no Thai: ours, and the password rules' (accounts/passwords.py)
        self.fields["username"].help_text = _(
            "Up to 150 characters: English letters, digits and @ . + - _ only (no spaces, no Thai letters)."
        )
        self.fields["password1"].help_text = " ".join(password_validators_help_texts())
        self.fields["password2"].help_text = _("Type the same password again, to check it.")

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


class SignInForm(AuthenticationForm):
    """The sign-in form. The right password of an account still awaiting approval (or rejected)
    gets that reason and who decides, not "wrong password"; a wrong password learns nothing more."""

    undecided = False

    def clean(self):
        try:
            return super().clean()
        except ValidationError:
            profile = self._undecided_profile()
            if profile is None:
                raise
            self.undecided = True  # the page shows why, not "wrong password"
            raise ValidationError(self._status_message(profile), code=profile.status) from None

    def _undecided_profile(self):
        username, password = self.cleaned_data.get("username"), self.cleaned_data.get("password")
        if not username or not password:
            return None
        user = get_user_model()._default_manager.filter(**{get_user_model().USERNAME_FIELD: username}).first()
        if user is None or user.is_active or not user.check_password(password):
            return None
        profile = Profile.objects.filter(user=user).select_related("organization", "province").first()
        if profile is None or profile.status not in (ProfileStatus.PENDING, ProfileStatus.REJECTED):
            return None
        return profile

    @staticmethod
    def _status_message(profile):
        if profile.status == ProfileStatus.REJECTED:
            return _("Your registration was not approved. Ask your LAO's administrator or the provincial office.")
        unit = profile.organization.display_name if profile.organization_id else profile.province.name_th
        names = ", ".join(
            (p.user.get_full_name() or p.user.get_username()) + f" ({p.get_role_display()})"
            for p in access.approvers_of(profile)
        )
        return _(
            "Your account is waiting for approval by the administrator of %(unit)s%(names)s. You can sign in "
            "once it is approved."
        ) % {"unit": unit, "names": f": {names}" if names else ""}
