from django import forms
from django.db.models import Q

from huzhou_care.accounts.forms import StyledFormMixin
from huzhou_care.orgs.models import OrgUnit, School

from . import choices as c
from .models import Child
from .risk import all_flags, flag_choices
from .services import EDITABLE_FIELDS

HEALTH_DISABLED_OR_ILL = "disabled_or_ill"  # the home page's card counts both
SORT_LABELS = {"recent": "最近登记", "name": "姓名", "grade": "学校/年级/班级", "birth": "出生日期"}


class ChildFilterForm(StyledFormMixin, forms.Form):
    """List filters. Choices are limited to the user's scope, so a posted id outside it is
    simply invalid (and ignored)."""

    q = forms.CharField(label="姓名或身份证号", required=False, max_length=30)
    status = forms.ChoiceField(
        label="状态",
        required=False,
        choices=[("active", "在册"), ("left", "已退出"), ("all", "全部")],
    )
    as_of = forms.DateField(
        label="截至日期",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="查看某一日期在册的儿童（如年度考评基准日）",
    )
    county = forms.ModelChoiceField(label="区县", required=False, queryset=OrgUnit.objects.none())
    township = forms.ModelChoiceField(
        label="乡镇(街道)", required=False, queryset=OrgUnit.objects.none()
    )
    school = forms.ModelChoiceField(label="学校", required=False, queryset=School.objects.none())
    grade = forms.TypedChoiceField(
        label="年级",
        required=False,
        coerce=int,
        empty_value=None,
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
    health = forms.ChoiceField(
        label="健康状况",
        required=False,
        choices=[("", "全部"), (HEALTH_DISABLED_OR_ILL, "残疾或患病"), *c.Health.choices],
    )
    flags = forms.MultipleChoiceField(
        label="风险标记",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        choices=flag_choices,
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

    def description(self) -> list[str]:
        """The filters that apply, as "label：value" lines in Chinese (for the export page):
        the status is always named, since the list without one shows the children on the
        registry."""
        data = self.filters() if self.is_bound else {}
        lines = []
        for name, field in self.fields.items():
            value = data.get(name)
            if name == "status" and not data.get("as_of"):
                value = value or "active"
            if value in (None, "", [], ()) or name == "sort":
                continue
            if name == "flags":
                flags = all_flags()
                text = "、".join(str(flags[v].label) for v in value)
            elif hasattr(field, "choices") and not isinstance(field, forms.ModelChoiceField):
                text = str(dict(field.choices).get(value, value))
            elif hasattr(value, "isoformat"):
                text = value.isoformat()
            else:
                text = str(value)
            lines.append(f"{field.label}：{text}")
        return lines


def _normalise_id(value: str) -> str:
    """Spaces out, full-width digits and a lower-case x mended (as a clerk types them)."""
    table = {ord("０") + i: ord("0") + i for i in range(10)} | {
        ord("ｘ"): ord("X"),
        ord("Ｘ"): ord("X"),
    }
    return "".join(value.translate(table).split()).upper()


class ChildForm(StyledFormMixin, forms.ModelForm):
    """Register or edit a child. School and township choices are limited to the user's scope,
    so a posted id of another school or district is refused as an invalid choice."""

    # Longer than 18 on input: spaces and full-width characters are mended in clean_id_number.
    id_number = forms.CharField(label="身份证号", max_length=40)

    class Meta:
        model = Child
        fields = [name for name in EDITABLE_FIELDS if name != "county"]
        widgets = {
            "birth_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "notes": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["school"].queryset = School.objects.visible_to(user).select_related("county")
        townships = OrgUnit.objects.filter(level=OrgUnit.Level.TOWNSHIP).select_related("parent")
        if not user.sees_whole_city:
            # A child transferred in from another county may still live there: her township
            # stays a valid choice on her edit form.
            own = Q(parent_id=user.district_id)
            if self.instance.township_id:
                own |= Q(pk=self.instance.township_id)
            townships = townships.filter(own)
        self.fields["township"].queryset = townships
        self.fields["township"].label_from_instance = lambda t: f"{t.parent.name} {t.name}"
        if user.school_id:
            self.fields["school"].required = True
            self.fields["school"].empty_label = None
        self.fields["birth_date"].required = False
        self.fields["gender"].required = False
        self.fields["birth_date"].help_text = "可不填，按身份证号自动生成"

    def clean_id_number(self):
        return _normalise_id(self.cleaned_data["id_number"])


class LeaveForm(StyledFormMixin, forms.Form):
    on = forms.DateField(label="退出日期", widget=forms.DateInput(attrs={"type": "date"}))
    reason = forms.ChoiceField(label="退出原因", choices=c.LeaveReason.choices)
    note = forms.CharField(label="说明", required=False, max_length=200)


class RestoreForm(StyledFormMixin, forms.Form):
    note = forms.CharField(label="恢复原因", max_length=200)


class TransferForm(StyledFormMixin, forms.Form):
    to_school = forms.ModelChoiceField(label="转入学校", queryset=School.objects.none())
    grade = forms.TypedChoiceField(
        label="年级",
        required=False,
        coerce=int,
        empty_value=None,
        choices=[("", "不变")] + list(c.GRADE_CHOICES),
    )
    class_name = forms.CharField(label="班级", required=False, max_length=20)
    note = forms.CharField(label="转学说明", max_length=200)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Any active school of the city may receive a child; the sending side decides.
        self.fields["to_school"].queryset = School.objects.filter(is_active=True).select_related(
            "county"
        )
        self.fields["to_school"].label_from_instance = lambda s: f"{s.county.name} · {s.name}"


class ExportForm(StyledFormMixin, forms.Form):
    LAYOUTS = [
        ("list", "当前名单（含全部字段）"),
        ("national", "全国农村留守儿童基本情况登记表格式"),
    ]

    layout = forms.ChoiceField(label="导出格式", choices=LAYOUTS, widget=forms.RadioSelect)
    full = forms.BooleanField(label="包含完整身份证号和电话（需说明用途）", required=False)
    reason = forms.CharField(
        label="用途说明",
        required=False,
        max_length=200,
        help_text="导出完整号码时必填，例如：报送省平安建设信息系统",
    )

    def __init__(self, *args, may_unmask: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["layout"].widget.attrs["class"] = "form-check-input"
        if not may_unmask:
            del self.fields["full"]
            del self.fields["reason"]

    def clean(self):
        data = super().clean()
        if data.get("full") and not (data.get("reason") or "").strip():
            self.add_error("reason", "导出完整身份证号和电话时，请说明用途。")
        return data


class RosterUploadForm(StyledFormMixin, forms.Form):
    school = forms.ModelChoiceField(label="学校", queryset=School.objects.none())
    file = forms.FileField(
        label="名册文件",
        help_text="支持 .xlsx、.xls、.ods、.csv，不超过 20 MB。建议使用本页提供的模板。",
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.xls,.ods,.csv"}),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        schools = School.objects.visible_to(user).filter(is_active=True).select_related("county")
        self.fields["school"].queryset = schools
        self.fields["school"].label_from_instance = lambda s: (
            f"{s.county.name} · {s.name}（{s.code}）"
        )
        if user.school_id:
            self.fields["school"].initial = user.school_id
            self.fields["school"].empty_label = None


class TransferRequestForm(StyledFormMixin, forms.Form):
    note = forms.CharField(label="申请说明", max_length=200, initial="该生已转入本校就读")


class TransferDecisionForm(StyledFormMixin, forms.Form):
    decision = forms.ChoiceField(
        label="处理", choices=[("approve", "同意转学"), ("decline", "不同意")]
    )
    note = forms.CharField(label="处理意见", max_length=200, required=False)
    # The stage the page showed: a decision made on a page gone stale is refused.
    stage = forms.CharField(required=False, max_length=10, widget=forms.HiddenInput)
