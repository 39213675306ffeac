import uuid

from django import forms
from django.db.models import Q
from django.utils import timezone

from children import choices as c
from children.models import Child
from huzhou_care.accounts.forms import StyledFormMixin
from huzhou_care.accounts.models import User
from huzhou_care.orgs.models import Organization, School

from . import selectors
from .models import Concern, PairingKind, VisitKind, campaign_year

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
PEOPLE_SHOWN = 200


def _person_label(user) -> str:
    where = user.school or user.organization or ""
    return (
        f"{user.full_name or user.username}（{user.username}{'，' + str(where) if where else ''}）"
    )


class VisitForm(StyledFormMixin, forms.Form):
    """Logging a visit from a phone: one column, the child picked from "my children"."""

    idempotency_key = forms.UUIDField(widget=forms.HiddenInput)
    child = forms.ModelChoiceField(
        label="儿童", queryset=Child.objects.none(), empty_label="请选择"
    )
    kind = forms.ChoiceField(
        label="方式", choices=VisitKind.choices, initial=VisitKind.HOME, widget=forms.RadioSelect
    )
    visited_on = forms.DateField(label="日期", widget=DATE)
    duration_minutes = forms.IntegerField(
        label="时长（分钟）",
        min_value=1,
        max_value=24 * 60,
        initial=60,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    concerns = forms.MultipleChoiceField(
        label="涉及方面",
        required=False,
        choices=Concern.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    notes = forms.CharField(
        label="情况记录", required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 4})
    )
    follow_up_needed = forms.BooleanField(label="需要跟进", required=False)
    follow_up_due = forms.DateField(label="跟进期限", required=False, widget=DATE)
    follow_up_urgent = forms.BooleanField(
        label="紧急（如找不到监护人、存在安全隐患），立即进入区县预警名单", required=False
    )
    follow_up_note = forms.CharField(label="跟进事项", required=False, max_length=200)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["child"].queryset = selectors.my_children(user)
        self.fields["child"].label_from_instance = lambda child: (
            f"{child.name}（{child.get_grade_display() or '—'}{child.class_name}）"
        )
        if not self.is_bound:
            self.initial.setdefault("idempotency_key", uuid.uuid4())
            self.initial.setdefault("visited_on", timezone.localdate())
        self.fields["kind"].widget.attrs["class"] = "form-check-input"
        self.fields["concerns"].widget.attrs["class"] = "form-check-input"

    def clean(self):
        data = super().clean()
        if data.get("follow_up_needed") and not data.get("follow_up_due"):
            self.add_error("follow_up_due", "需要跟进时请填写跟进期限。")
        return data


class PairFilterForm(StyledFormMixin, forms.Form):
    school = forms.ModelChoiceField(label="学校", required=False, queryset=School.objects.none())
    grade = forms.TypedChoiceField(
        label="年级",
        required=False,
        coerce=int,
        empty_value=None,
        choices=[("", "全部")] + list(c.GRADE_CHOICES),
    )
    class_name = forms.CharField(label="班级", required=False, max_length=20)
    q = forms.CharField(label="姓名", required=False, max_length=30)
    person_q = forms.CharField(label="查找结对人", required=False, max_length=30)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["school"].queryset = School.objects.visible_to(user)

    def filters(self) -> dict:
        return self.cleaned_data if self.is_valid() else {}


class PairForm(StyledFormMixin, forms.Form):
    kind = forms.ChoiceField(label="结对类型", choices=PairingKind.choices)
    person = forms.ModelChoiceField(label="结对人", queryset=None, empty_label="请选择")
    started_on = forms.DateField(label="开始日期", widget=DATE)
    children = forms.ModelMultipleChoiceField(
        label="儿童", queryset=Child.objects.none(), widget=forms.MultipleHiddenInput
    )

    def __init__(self, *args, user, person_q: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        # Either kind's candidates: the service refuses a person who does not fit the kind.
        allowed = User.objects.filter(
            Q(pk__in=selectors.pairable_people(user, PairingKind.VOLUNTEER).values("pk"))
            | Q(pk__in=selectors.pairable_people(user, PairingKind.STAFF).values("pk"))
        ).select_related("school", "organization")
        self.fields["person"].queryset = allowed
        self.fields["person"].label_from_instance = _person_label
        shown = allowed.order_by("full_name", "pk")
        if person_q:
            shown = shown.filter(full_name__startswith=person_q) | shown.filter(username=person_q)
        self.fields["person"].widget.choices = [("", "请选择")] + [
            (u.pk, _person_label(u)) for u in shown[:PEOPLE_SHOWN]
        ]
        self.fields["children"].queryset = Child.objects.visible_to(user).active()
        self.initial.setdefault("started_on", timezone.localdate())
        self.initial.setdefault("kind", PairingKind.VOLUNTEER)


class ClassPairForm(StyledFormMixin, forms.Form):
    school = forms.ModelChoiceField(label="学校", queryset=School.objects.none())
    teacher = forms.ModelChoiceField(label="结对教师", queryset=None, empty_label="请选择")
    grade = forms.TypedChoiceField(label="年级", coerce=int, choices=list(c.GRADE_CHOICES))
    class_name = forms.CharField(label="班级", max_length=20)
    started_on = forms.DateField(label="开始日期", widget=DATE)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        schools = School.objects.visible_to(user)
        self.fields["school"].queryset = schools
        if user.school_id:
            self.initial.setdefault("school", user.school_id)
        self.fields["teacher"].queryset = selectors.pairable_people(
            user, PairingKind.STAFF
        ).select_related("school")
        self.fields["teacher"].label_from_instance = _person_label
        self.initial.setdefault("started_on", timezone.localdate())

    def clean(self):
        data = super().clean()
        school, teacher = data.get("school"), data.get("teacher")
        if school and teacher and teacher.school_id != school.pk:
            self.add_error("teacher", "结对教师须是该校的教职工。")
        return data


class EndPairingForm(StyledFormMixin, forms.Form):
    ended_on = forms.DateField(label="结束日期", widget=DATE)
    reason = forms.CharField(label="结束原因", max_length=200)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.initial.setdefault("ended_on", timezone.localdate())


class OrgPairingForm(StyledFormMixin, forms.Form):
    organization = forms.ModelChoiceField(label="结对单位", queryset=Organization.objects.all())
    school = forms.ModelChoiceField(label="结对学校", queryset=School.objects.none())
    year = forms.IntegerField(label="活动年度", min_value=2020, max_value=2100)
    note = forms.CharField(label="备注", required=False, max_length=200)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["school"].queryset = School.objects.visible_to(user).filter(is_active=True)
        self.initial.setdefault("year", campaign_year())


class OrgVisitForm(StyledFormMixin, forms.Form):
    visited_on = forms.DateField(label="走访日期", widget=DATE)
    participants = forms.CharField(label="参加人员", max_length=200)
    activities = forms.CharField(
        label="开展内容", max_length=4000, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.initial.setdefault("visited_on", timezone.localdate())


class FeedbackForm(StyledFormMixin, forms.Form):
    body = forms.CharField(
        label="反馈内容", max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )
