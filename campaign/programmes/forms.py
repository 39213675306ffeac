from django import forms

from children.choices import GuardianshipAssessment
from huzhou_care.accounts.forms import StyledFormMixin
from huzhou_care.orgs.models import OrgUnit
from volunteers.models import Programme, Team, Volunteer

from .models import (
    ActivityKind,
    AidRecord,
    Facility,
    FollowUp,
    OnlinePlatform,
    Venue,
    VenueKind,
    WishClaim,
)

DATE = forms.DateInput(attrs={"type": "date"})


class VenueForm(StyledFormMixin, forms.Form):
    name = forms.CharField(label="阵地名称", max_length=100)
    kind = forms.ChoiceField(label="阵地类型", choices=VenueKind.choices)
    township = forms.ModelChoiceField(label="乡镇(街道)", queryset=OrgUnit.objects.none())
    address = forms.CharField(label="地址", max_length=200)
    managed_by = forms.CharField(label="管理单位", max_length=100)
    opening_hours = forms.CharField(label="开放时间", max_length=100, required=False)
    facilities = forms.MultipleChoiceField(
        label="设施",
        choices=Facility.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        towns = OrgUnit.objects.filter(level="township").select_related("parent")
        if user.district_id:
            towns = towns.filter(parent_id=user.district_id)
        self.fields["township"].queryset = towns.order_by("parent__name", "name")
        self.fields["township"].label_from_instance = lambda t: f"{t.parent.name} · {t.name}"


class PhotoForm(StyledFormMixin, forms.Form):
    photo = forms.FileField(label="照片（JPEG 或 PNG）")
    caption = forms.CharField(label="说明", max_length=200, required=False)
    shows_child = forms.BooleanField(label="照片中有儿童", required=False)
    consent = forms.BooleanField(label="已取得监护人同意（可用于公开展示）", required=False)


class ActivityForm(StyledFormMixin, forms.Form):
    programme = forms.ChoiceField(label="项目", choices=Programme.choices)
    kind = forms.ChoiceField(label="活动类型", choices=ActivityKind.choices)
    title = forms.CharField(label="活动名称", max_length=80)
    team = forms.ModelChoiceField(label="组织队伍", queryset=Team.objects.none(), required=False)
    venue = forms.ModelChoiceField(label="活动阵地", queryset=Venue.objects.none(), required=False)
    online = forms.ChoiceField(
        label="或线上平台", choices=[("", "—")] + OnlinePlatform.choices, required=False
    )
    starts_at = forms.DateTimeField(
        label="开始时间", widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    hours = forms.DecimalField(label="时长（小时）", min_value=0.5, max_value=24, decimal_places=1)
    volunteers = forms.ModelMultipleChoiceField(
        label="参与服务的志愿者（各生成一条待审核服务时长）",
        queryset=Volunteer.objects.none(),
        required=False,
    )
    id_numbers = forms.CharField(
        label="服务的儿童（身份证号，每行一个；须为本单位在册儿童）",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    anonymous_count = forms.IntegerField(label="其他参与儿童（仅人数）", min_value=0, initial=0)
    summary = forms.CharField(
        label="活动小结", required=False, widget=forms.Textarea(attrs={"rows": 4})
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = Team.objects.visible_to(user).filter(is_active=True)
        self.fields["venue"].queryset = Venue.objects.visible_to(user).filter(is_active=True)
        self.fields["volunteers"].queryset = Volunteer.objects.visible_to(user).filter(
            is_active=True
        )

    def id_number_list(self) -> list[str]:
        text = self.cleaned_data.get("id_numbers") or ""
        return [line.strip().upper() for line in text.splitlines() if line.strip()]


class ChildLookupForm(StyledFormMixin, forms.Form):
    id_number = forms.CharField(label="儿童身份证号", max_length=18)


class WishForm(StyledFormMixin, forms.Form):
    item = forms.CharField(label="心愿物品", max_length=60)
    estimated_value = forms.DecimalField(label="估价（元）", min_value=0, max_digits=8)
    story = forms.CharField(
        label="心愿故事（将公开展示，请勿写入姓名、电话等）",
        max_length=300,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class ClaimForm(StyledFormMixin, forms.Form):
    kind = forms.ChoiceField(label="认领人类型", choices=WishClaim.Kind.choices)
    name = forms.CharField(label="姓名或单位名称", max_length=60)
    phone = forms.CharField(label="手机号码", max_length=20)


class FulfilForm(StyledFormMixin, forms.Form):
    evidence = forms.FileField(label="圆梦照片（JPEG 或 PNG）")
    fulfilled_on = forms.DateField(label="圆梦日期", widget=DATE)
    consent = forms.BooleanField(label="照片已取得监护人同意", required=False)


class AidForm(StyledFormMixin, forms.Form):
    kind = forms.ChoiceField(label="资助项目", choices=AidRecord.Kind.choices)
    amount = forms.DecimalField(label="金额（元）", min_value=0, max_digits=9, required=False)
    items = forms.CharField(label="物品", max_length=200, required=False)
    given_on = forms.DateField(label="发放日期", widget=DATE)
    source = forms.ChoiceField(label="资金来源", choices=AidRecord.Source.choices)
    note = forms.CharField(label="备注", max_length=200, required=False)


class PlanForm(StyledFormMixin, forms.Form):
    education = forms.CharField(label="教育支持", widget=forms.Textarea(attrs={"rows": 2}))
    home_teaching = forms.CharField(
        label="送教上门", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    rehabilitation = forms.CharField(
        label="康复服务", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    starts_on = forms.DateField(label="开始日期", widget=DATE)
    next_review_on = forms.DateField(label="下次评估日期", widget=DATE)


class PlanReviewForm(StyledFormMixin, forms.Form):
    reviewed_on = forms.DateField(label="评估日期", widget=DATE)
    progress = forms.CharField(label="实施情况与调整", widget=forms.Textarea(attrs={"rows": 2}))
    next_review_on = forms.DateField(label="下次评估日期", widget=DATE, required=False)
    close = forms.BooleanField(label="结案", required=False)


class GuardianshipForm(StyledFormMixin, forms.Form):
    assessed_on = forms.DateField(label="评估日期", widget=DATE)
    social_worker = forms.CharField(label="社工姓名", max_length=50)
    situation = forms.CharField(label="监护情况", widget=forms.Textarea(attrs={"rows": 2}))
    capacity = forms.CharField(label="监护能力", widget=forms.Textarea(attrs={"rows": 2}))
    result = forms.ChoiceField(label="评估结论", choices=GuardianshipAssessment.choices)
    document = forms.FileField(label="评估表（PDF、Word 或照片，可选）", required=False)


class FollowUpForm(StyledFormMixin, forms.Form):
    kind = forms.ChoiceField(label="类型", choices=FollowUp.Kind.choices)
    on = forms.DateField(label="日期", widget=DATE)
    summary = forms.CharField(label="情况与措施", widget=forms.Textarea(attrs={"rows": 2}))
