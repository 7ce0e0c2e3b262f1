from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.password_validation import validate_password
from django.db.models import Q

from mash import limits
from mash.forms import GovukFormMixin
from mash.limits import text_field
from schools.models import School, SchoolStatus

from .models import Agency, User
from .roles import Role

SCHOOL_HELP = (
    "For a school key adult (designated safeguarding lead) only: the school whose Operation "
    "Encompass notices they see. Their agency must be an education agency."
)


class SignInForm(GovukFormMixin, AuthenticationForm):
    error_messages = {
        "invalid_login": "Enter a correct username and password. Both are case-sensitive.",
        "inactive": "This account is inactive. Contact your administrator.",
    }

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["username"].widget.attrs["autocomplete"] = "username"
        self.fields["username"].error_messages["required"] = "Enter your username"
        self.fields["password"].error_messages["required"] = "Enter your password"


class SecondFactorForm(GovukFormMixin, forms.Form):
    token = forms.RegexField(
        label="Security code",
        help_text="The 6-digit code from your authenticator app.",
        regex=r"^\d{6}$",
        error_messages={
            "required": "Enter the security code",
            "invalid": "Enter the 6-digit security code",
        },
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "spellcheck": "false"}
        ),
    )


class AgencyForm(GovukFormMixin, forms.ModelForm):
    class Meta:
        model = Agency
        fields = ["name", "code", "kind", "membership", "is_active"]
        labels = {"is_active": "Active"}


class UserCreateForm(GovukFormMixin, forms.Form):
    username = text_field(limits.USERNAME, label="Username")
    first_name = text_field(limits.USER_NAME, label="First name")
    last_name = text_field(limits.USER_NAME, label="Last name")
    email = text_field(limits.EMAIL, field_class=forms.EmailField, label="Email address")
    job_title = text_field(limits.JOB_TITLE, label="Job title", required=False)
    agency = forms.ModelChoiceField(queryset=Agency.objects.filter(is_active=True))
    role = forms.ChoiceField(choices=[("", "Choose a role")] + Role.choices)
    school = forms.ModelChoiceField(
        queryset=School.open_schools.order_by("name", "urn"),
        required=False,
        label="School (school key adults only)",
        empty_label="Not a school key adult",
        help_text=SCHOOL_HELP,
    )
    password = forms.CharField(
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text="At least 12 characters. Not a common password.",
    )

    def clean_password(self) -> str:
        # Checked here as well as in the service, so every problem is shown at once.
        password = self.cleaned_data["password"]
        validate_password(password)
        return password


class UserEditForm(GovukFormMixin, forms.ModelForm):
    class Meta:
        model = User
        fields = ["first_name", "last_name", "email", "job_title", "agency", "role", "school"]
        labels = {"school": "School (school key adults only)"}
        help_texts = {"school": SCHOOL_HELP}

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = Agency.objects.filter(is_active=True)
        self.fields["agency"].required = True
        self.fields["role"].required = True
        # The school is asked for a key adult only: one already, or one the form makes.
        role = self.data.get("role") if self.is_bound else self.instance.role
        if Role.SCHOOL_KEY_ADULT not in (role, self.instance.role):
            del self.fields["school"]
            return
        # Open schools are offered; a key adult's school that has since closed stays shown.
        self.fields["school"].queryset = School.objects.filter(
            Q(status=SchoolStatus.OPEN) | Q(pk=self.instance.school_id)
        ).order_by("name", "urn")
        self.fields["school"].empty_label = "Not a school key adult"


class DeactivateForm(GovukFormMixin, forms.Form):
    reason = text_field(
        limits.AUDIT_REASON,
        label="Why is this account being deactivated?",
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Say why this account is being deactivated"},
    )
