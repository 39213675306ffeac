from django.apps import AppConfig


class FilesConfig(AppConfig):
    name = "huzhou_care.files"
    label = "files"
    verbose_name = "附件与照片"
