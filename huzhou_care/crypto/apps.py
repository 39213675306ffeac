from django.apps import AppConfig


class CryptoConfig(AppConfig):
    name = "huzhou_care.crypto"
    label = "crypto"
    verbose_name = "字段加密"
