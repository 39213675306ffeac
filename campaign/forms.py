from django import forms

from huzhou_care.accounts.forms import StyledFormMixin

from .models import PILOT_SECTIONS, Nomination, ReportPart, Story


class ReportForm(StyledFormMixin, forms.Form):
    """The parts of one report template, built from its ReportPart rows."""

    def __init__(self, *args, report, **kwargs):
        super().__init__(*args, **kwargs)
        self.parts = list(report.template.parts.all())
        for part in self.parts:
            label = f"{part.label}{'（必填）' if part.required else ''}"
            if part.kind == ReportPart.Kind.TEXT:
                self.fields[f"text_{part.key}"] = forms.CharField(
                    label=label,
                    required=False,
                    widget=forms.Textarea(attrs={"rows": 4}),
                    initial=report.texts.get(part.key, ""),
                )
            elif part.kind == ReportPart.Kind.FIGURE:
                self.fields[f"figure_{part.key}"] = forms.DecimalField(
                    label=label, required=False, min_value=0, initial=report.figures.get(part.key)
                )
        self.file_parts = [p for p in self.parts if p.kind == ReportPart.Kind.FILE]
        if self.file_parts:
            self.fields["attach_part"] = forms.ChoiceField(
                label="附件对应内容项",
                required=False,
                choices=[("", "—")] + [(p.key, p.label) for p in self.file_parts],
            )
            self.fields["attachment"] = forms.FileField(
                label="上传附件（PDF、Word、Excel、ODT 或照片）", required=False
            )

    def texts(self):
        return {k[5:]: v or "" for k, v in self.cleaned_data.items() if k.startswith("text_")}

    def figures(self):
        return {
            k[7:]: ("" if v is None else str(v))
            for k, v in self.cleaned_data.items()
            if k.startswith("figure_")
        }


class ReviewForm(StyledFormMixin, forms.Form):
    decision = forms.ChoiceField(
        label="审核结果", choices=[("approve", "审核通过"), ("return", "退回修改")]
    )
    comment = forms.CharField(label="审核意见", required=False, max_length=500)


class PilotForm(StyledFormMixin, forms.Form):
    title = forms.CharField(label="试点项目名称", max_length=150)
    analysis = forms.CharField(label=PILOT_SECTIONS[0][1], required=False, widget=forms.Textarea)
    basics = forms.CharField(label=PILOT_SECTIONS[1][1], required=False, widget=forms.Textarea)
    plan = forms.CharField(label=PILOT_SECTIONS[2][1], required=False, widget=forms.Textarea)


class PilotDesignatedForm(PilotForm):
    unit = forms.ModelChoiceField(label="省级指定的单位", queryset=None)

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units


class AttachForm(StyledFormMixin, forms.Form):
    section = forms.ChoiceField(label="对应申报材料", choices=PILOT_SECTIONS)
    attachment = forms.FileField(label="附件（PDF、Word、Excel 或 ODT）")


class StoryForm(StyledFormMixin, forms.ModelForm):
    link = forms.URLField(label="视频链接", required=False, assume_scheme="https")

    class Meta:
        model = Story
        fields = [
            "kind",
            "title",
            "body",
            "link",
            "shows_children",
            "consent_recorded",
            "consent_note",
        ]


class PhotoForm(StyledFormMixin, forms.Form):
    photo = forms.FileField(label="照片（JPEG 或 PNG）")
    caption = forms.CharField(label="说明", required=False, max_length=200)
    shows_child = forms.BooleanField(label="照片中有儿童", required=False)
    consent = forms.BooleanField(label="已取得该儿童监护人的书面同意", required=False)


class NominationForm(StyledFormMixin, forms.ModelForm):
    class Meta:
        model = Nomination
        fields = ["category", "name", "summary"]
