"""Key settings without Django: parsed by settings.py at start-up, so that a bad or missing key
stops the process before it serves anything.

``DJANGO_FIELD_KEYS``: ``id:base64key,id:base64key`` (16-byte SM4 keys, the first encrypts,
the others only decrypt). ``DJANGO_BLIND_INDEX_KEY``: base64 of 32 bytes (HMAC-SM3).
Development (DEBUG) without them: keys are generated once into ``var/dev-field-keys.env``
(gitignored, mode 600), shared by ``make run``, the tests and their Celery worker.
"""

from __future__ import annotations

import base64
import binascii
import os
import re
import secrets
from pathlib import Path

KEY_ID = re.compile(r"^[A-Za-z0-9_-]{1,16}$")
SM4_KEY_BYTES = 16
BLIND_KEY_MIN_BYTES = 32


class KeyConfigError(ValueError):
    pass


def _b64(text: str, what: str) -> bytes:
    try:
        return base64.b64decode(text.strip(), validate=True)
    except (binascii.Error, ValueError):
        raise KeyConfigError(f"{what} is not valid base64") from None


def parse_field_keys(text: str) -> list[tuple[str, bytes]]:
    """``"k2:…,k1:…"`` -> [("k2", key), ("k1", key)]: the first is the current key."""
    keys: list[tuple[str, bytes]] = []
    for item in (part.strip() for part in (text or "").split(",")):
        if not item:
            continue
        key_id, sep, b64 = item.partition(":")
        if not sep or not KEY_ID.match(key_id):
            raise KeyConfigError("DJANGO_FIELD_KEYS: each item is id:base64key, id [A-Za-z0-9_-]")
        key = _b64(b64, f"DJANGO_FIELD_KEYS key {key_id}")
        if len(key) != SM4_KEY_BYTES:
            raise KeyConfigError(f"DJANGO_FIELD_KEYS key {key_id} must be 16 bytes (SM4)")
        if key_id in dict(keys):
            raise KeyConfigError(f"DJANGO_FIELD_KEYS names key {key_id} twice")
        keys.append((key_id, key))
    if not keys:
        raise KeyConfigError("DJANGO_FIELD_KEYS is empty")
    return keys


def parse_blind_index_key(text: str) -> bytes:
    key = _b64(text or "", "DJANGO_BLIND_INDEX_KEY")
    if len(key) < BLIND_KEY_MIN_BYTES:
        raise KeyConfigError("DJANGO_BLIND_INDEX_KEY must be at least 32 bytes")
    return key


def new_field_key(key_id: str) -> str:
    return f"{key_id}:{base64.b64encode(secrets.token_bytes(SM4_KEY_BYTES)).decode()}"


def new_blind_index_key() -> str:
    return base64.b64encode(secrets.token_bytes(BLIND_KEY_MIN_BYTES)).decode()


def development_keys(path: Path) -> dict[str, str]:
    """Read (or create once, atomically) the development key file; returns its variables."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        text = (
            "# Development keys, generated on first use. Never used in production.\n"
            f"DJANGO_FIELD_KEYS={new_field_key('dev1')}\n"
            f"DJANGO_BLIND_INDEX_KEY={new_blind_index_key()}\n"
        )
        tmp = path.with_name(f".{path.name}.{os.getpid()}")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(text)
        try:
            os.link(tmp, path)  # fails if another process created it first: keep theirs
        except FileExistsError:
            pass
        finally:
            tmp.unlink()
    values = {}
    for line in path.read_text().splitlines():
        name, sep, value = line.partition("=")
        if sep and not name.startswith("#"):
            values[name.strip()] = value.strip()
    return values


if __name__ == "__main__":  # `python -m huzhou_care.crypto.devkeys var/dev-field-keys.env`
    import sys

    target = Path(sys.argv[1] if len(sys.argv) > 1 else "var/dev-field-keys.env")
    development_keys(target)
    print(f"development field keys: {target}")
