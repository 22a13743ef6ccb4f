"""The shared new-password pair (core.forms.NewPasswordPairForm) behind the password change and
the recovery code forms: the two copies must match, and each form keeps its own field first."""

from django.utils.translation import gettext

from etam.core.forms import NewPasswordPairForm, PasswordChangeForm, PasswordRecoveryCodeForm


def test_the_second_password_must_match_the_first():
    form = NewPasswordPairForm({"new_password1": "sungai-mahakam", "new_password2": "sungai-karang"})
    assert not form.is_valid()
    assert form.errors["new_password2"] == [gettext("New password again: the two passwords do not match.")]
    assert NewPasswordPairForm({"new_password1": "sungai-mahakam", "new_password2": "sungai-mahakam"}).is_valid()


def test_each_form_puts_its_own_field_before_the_pair():
    assert list(PasswordChangeForm().fields) == ["old_password", "new_password1", "new_password2"]
    assert list(PasswordRecoveryCodeForm().fields) == ["code", "new_password1", "new_password2"]
