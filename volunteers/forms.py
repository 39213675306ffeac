from decimal import Decimal

from django import forms

from huzhou_care.accounts.forms import StyledFormMixin

from .models import ServiceRecord, Team, VolunteerUpload


class UploadForm(StyledFormMixin, forms.Form):
    team = forms.ModelChoiceField(label="志愿服务队", queryset=Team.objects.none())
    kind = forms.ChoiceField(label="文件类型", choices=VolunteerUpload.Kind.choices)
    file = forms.FileField(
        label="文件",
        help_text="支持 .xlsx、.xls、.ods、.csv（UTF-8 或 GB18030），不超过 20 MB。"
        "先上传志愿者名册，再上传志愿汇导出的服务时长。",
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.xls,.ods,.csv"}),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        teams = Team.objects.visible_to(user).filter(is_active=True)
        self.fields["team"].queryset = teams
        self.fields["team"].label_from_instance = lambda t: f"{t.name}（{t.code}）"


class RecordFilterForm(StyledFormMixin, forms.Form):
    q = forms.CharField(label="姓名、账号或活动", required=False, max_length=50)
    state = forms.ChoiceField(
        label="状态",
        required=False,
        choices=[("", "全部"), *ServiceRecord.State.choices],
    )
    month = forms.DateField(
        label="月份",
        required=False,
        input_formats=["%Y-%m"],
        widget=forms.DateInput(attrs={"type": "month"}, format="%Y-%m"),
    )


class DecideForm(StyledFormMixin, forms.Form):
    decision = forms.ChoiceField(choices=[("approve", "通过"), ("decline", "不通过")])
    reason = forms.CharField(label="未通过原因", required=False, max_length=200)


class BulkDecideForm(DecideForm):
    """Either the ticked records (``ids``) or every pending record the filter matches
    (``all_matching``), in one POST."""

    ids = forms.TypedMultipleChoiceField(coerce=int, required=False, choices=())
    all_matching = forms.BooleanField(required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["ids"].valid_value = lambda value: str(value).isdigit()


class RecordEntryForm(StyledFormMixin, forms.Form):
    """A service entered by hand (no 志愿汇 record): it starts 待审核 like any other."""

    volunteer = forms.ModelChoiceField(label="志愿者", queryset=None)
    service_date = forms.DateField(label="服务日期", widget=forms.DateInput(attrs={"type": "date"}))
    signed_in = forms.TimeField(
        label="签到时间", required=False, widget=forms.TimeInput(attrs={"type": "time"})
    )
    signed_out = forms.TimeField(
        label="签退时间", required=False, widget=forms.TimeInput(attrs={"type": "time"})
    )
    hours = forms.DecimalField(
        label="服务时长（小时）", min_value=Decimal("0.25"), max_value=24, decimal_places=2
    )
    activity_name = forms.CharField(label="活动名称", max_length=100)

    def __init__(self, *args, team, **kwargs):
        super().__init__(*args, **kwargs)
        from .models import Volunteer

        self.fields["volunteer"].queryset = Volunteer.objects.filter(
            memberships__team=team, memberships__state="active"
        ).order_by("name")
        self.fields["volunteer"].label_from_instance = lambda v: f"{v.name}（{v.zyh_account}）"

    def clean(self):
        cleaned = super().clean()
        signed_in, signed_out = cleaned.get("signed_in"), cleaned.get("signed_out")
        if signed_out and not signed_in:
            self.add_error("signed_in", "填写签退时间时请同时填写签到时间。")
        if signed_in and signed_out and signed_out <= signed_in:
            self.add_error("signed_out", "签退时间应晚于签到时间。")
        return cleaned
