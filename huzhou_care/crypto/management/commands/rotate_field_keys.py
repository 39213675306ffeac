"""Re-encrypt every encrypted field under the first key of DJANGO_FIELD_KEYS.

Put the new key first (keep the old ones after it), run this, then remove the old key.
Batches commit one by one; run it again after an interruption and it goes on with the rows
still under an old key. The blind-index key is not rotated here.
"""

import json

from django.core.management.base import BaseCommand

from huzhou_care.crypto.cipher import keyring
from huzhou_care.crypto.rotation import encrypted_models, remaining, rotate_model


class Command(BaseCommand):
    help = "用当前密钥（DJANGO_FIELD_KEYS 的第一个）重新加密所有加密字段；可中断后继续。"

    def add_arguments(self, parser):
        parser.add_argument("--batch", type=int, default=2000)
        parser.add_argument("--json", action="store_true", help="print a JSON summary")

    def handle(self, *args, batch, json: bool = False, **options):
        current = keyring().current_id
        summary = {"key_id": current, "models": {}}
        for model, fields in encrypted_models():
            label = model._meta.label
            total = remaining(model, fields)
            done = 0
            if not json:
                self.stdout.write(f"{label}：{total} 行待重新加密（密钥 {current}）")
            for done in rotate_model(model, fields, batch=batch):
                if not json:
                    self.stdout.write(f"  {label}：{done}/{total}")
            summary["models"][label] = done
        if json:
            self.stdout.write(_dumps(summary))
        else:
            self.stdout.write(self.style.SUCCESS(f"完成：全部加密值已使用密钥 {current}。"))


def _dumps(value) -> str:
    return json.dumps(value, ensure_ascii=False)
