from django import forms
from django.contrib.auth import forms as auth_forms
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.signals import user_login_failed

from huzhou_care.text import CleanTextFormMixin


class LoginForm(CleanTextFormMixin, AuthenticationForm):
    username = forms.CharField(
        label="用户名",
        max_length=150,
        widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "username"}),
    )
    password = forms.CharField(
        label="密码",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    error_messages = {
        "invalid_login": "用户名或密码不正确。多次输错后账号将被临时锁定。",
        "inactive": "该账号已停用，请联系上级管理员。",
    }


class StyledFormMixin(CleanTextFormMixin):
    """Gives every widget its Bootstrap class, so templates can render ``{{ field }}``, and
    cleans the submitted text of control, bidi and zero-width characters
    (:class:`~huzhou_care.text.CleanTextFormMixin`)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput):
                css = "form-check-input"
            elif isinstance(widget, forms.Select | forms.SelectMultiple):
                css = "form-select"
            else:
                css = "form-control"
            widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css}".strip()


class PasswordChangeForm(StyledFormMixin, auth_forms.PasswordChangeForm):
    """A wrong old password counts as a failed login of that user from that address
    (django-axes listens to ``user_login_failed``): guesses lock out like logins do."""

    def __init__(self, user, *args, request=None, **kwargs):
        self.request = request
        super().__init__(user, *args, **kwargs)

    def clean_old_password(self):
        try:
            return super().clean_old_password()
        except forms.ValidationError:
            user_login_failed.send(
                sender=__name__,
                credentials={"username": self.user.get_username()},
                request=self.request,
            )
            raise
