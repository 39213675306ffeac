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
