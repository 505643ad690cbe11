"""Django's password rules with their help and error texts in the site's catalogue (Thai and
English): Django's own Thai catalogue has none of them, so the registration and password pages
showed them in English. The rules themselves are Django's (``AUTH_PASSWORD_VALIDATORS``)."""

from django.contrib.auth import password_validation as pv
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


def _reraise(exc, message, **params):
    raise ValidationError(message % params if params else message, code=exc.error_list[0].code) from None


class UserAttributeSimilarityValidator(pv.UserAttributeSimilarityValidator):
    def validate(self, password, user=None):
        try:
            super().validate(password, user)
        except ValidationError as exc:
            _reraise(exc, _("The password is too similar to your user name, name or email."))

    def get_help_text(self):
        return _("Your password can’t be too similar to your other personal information.")


class MinimumLengthValidator(pv.MinimumLengthValidator):
    def validate(self, password, user=None):
        try:
            super().validate(password, user)
        except ValidationError as exc:
            _reraise(exc, _("The password is too short: it needs at least %(min)s characters."), min=self.min_length)

    def get_help_text(self):
        return _("Your password must contain at least %(min)s characters.") % {"min": self.min_length}


class CommonPasswordValidator(pv.CommonPasswordValidator):
    def validate(self, password, user=None):
        try:
            super().validate(password, user)
        except ValidationError as exc:
            _reraise(exc, _("This password is too common: choose one that is harder to guess."))

    def get_help_text(self):
        return _("Your password can’t be a commonly used password.")


class NumericPasswordValidator(pv.NumericPasswordValidator):
    def validate(self, password, user=None):
        try:
            super().validate(password, user)
        except ValidationError as exc:
            _reraise(exc, _("The password is only digits: add letters or other characters."))

    def get_help_text(self):
        return _("Your password can’t be entirely numeric.")
