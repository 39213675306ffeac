from django import forms

from huzhou_care.accounts.forms import StyledFormMixin
from huzhou_care.orgs.models import OrgUnit, School

from . import choices as c
from .selectors import RISK_FLAGS, SORTS

SORT_LABELS = {"recent": "最近登记", "name": "姓名", "grade": "学校/年级/班级", "birth": "出生日期"}


class ChildFilterForm(StyledFormMixin, forms.Form):
    """List filters. Choices are limited to the user's scope, so a posted id outside it is
    simply invalid (and ignored)."""

    q = forms.CharField(label="姓名或身份证号", required=False, max_length=30)
    status = forms.ChoiceField(
        label="状态", required=False,
        choices=[("active", "在册"), ("left", "已退出"), ("all", "全部")],
    )
    county = forms.ModelChoiceField(label="区县", required=False, queryset=OrgUnit.objects.none())
    township = forms.ModelChoiceField(label="乡镇(街道)", required=False, queryset=OrgUnit.objects.none())
    school = forms.ModelChoiceField(label="学校", required=False, queryset=School.objects.none())
    grade = forms.TypedChoiceField(
        label="年级", required=False, coerce=int, empty_value=None,
        choices=[("", "全部")] + list(c.GRADE_CHOICES),
    )
    left_behind_type = forms.ChoiceField(
        label="留守类型", required=False, choices=[("", "全部")] + c.LeftBehindType.choices
    )
    guardianship_type = forms.ChoiceField(
        label="监护方式", required=False, choices=[("", "全部")] + c.GuardianshipType.choices
    )
    guardianship_assessment = forms.ChoiceField(
        label="监护情况", required=False, choices=[("", "全部")] + c.GuardianshipAssessment.choices
    )
    flags = forms.MultipleChoiceField(
        label="风险标记", required=False, widget=forms.CheckboxSelectMultiple,
        choices=[(k, v[0]) for k, v in RISK_FLAGS.items()],
    )
    sort = forms.ChoiceField(label="排序", required=False, choices=list(SORT_LABELS.items()))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        schools = School.objects.visible_to(user).select_related("county")
        counties = OrgUnit.objects.filter(level=OrgUnit.Level.COUNTY)
        townships = OrgUnit.objects.filter(level=OrgUnit.Level.TOWNSHIP)
        if not user.sees_whole_city:
            counties = counties.filter(pk=user.district_id)
            townships = townships.filter(parent_id=user.district_id)
        self.fields["county"].queryset = counties
        self.fields["township"].queryset = townships
        self.fields["school"].queryset = schools
        self.fields["flags"].widget.attrs["class"] = "form-check-input"
        if user.school_id:
            # A school's staff see one school: the place filters say nothing to them.
            for name in ("county", "township", "school"):
                del self.fields[name]
        elif not user.sees_whole_city:
            del self.fields["county"]

    def filters(self) -> dict:
        """The valid filters; an invalid one (e.g. a school outside the scope) is dropped."""
        self.is_valid()
        return self.cleaned_data
