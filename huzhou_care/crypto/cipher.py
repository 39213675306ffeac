"""SM4-GCM encryption and HMAC-SM3 blind indexes (GB/T 32907, GB/T 32905) from the
``cryptography`` package. The only place in the portal that touches a cipher.

A stored value is ``<key id>:<base64(nonce 12 bytes | ciphertext | tag 16 bytes)>``: a fresh
random nonce per value, and the field's purpose (``app.model.field``) as associated data, so a
value copied into another column or table does not decrypt.
"""

from __future__ import annotations

import base64
import binascii
import functools
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes, hmac
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver

from .devkeys import parse_blind_index_key, parse_field_keys

NONCE_BYTES = 12
TAG_BYTES = 16
RECENT_INDEXES = 100_000


class DecryptionError(ValueError):
    """A stored value that cannot be read: unknown key id, or altered/misplaced ciphertext."""


class KeyRing:
    def __init__(self, field_keys: str, blind_index_key: str):
        keys = parse_field_keys(field_keys)
        self.current_id = keys[0][0]
        self.algorithms = {key_id: algorithms.SM4(key) for key_id, key in keys}
        self.blind_key = parse_blind_index_key(blind_index_key)
        # A keyed HMAC-SM3 context, copied per value (half the cost of keying it each time).
        self._mac = hmac.HMAC(self.blind_key, hashes.SM3())
        self._recent: dict[tuple[str, str], str] = {}

    def encrypt(self, plaintext: str, purpose: bytes) -> str:
        nonce = os.urandom(NONCE_BYTES)  # per call: no shared state that threads could reuse
        enc = Cipher(self.algorithms[self.current_id], modes.GCM(nonce)).encryptor()
        enc.authenticate_additional_data(purpose)
        body = enc.update(plaintext.encode()) + enc.finalize()
        return f"{self.current_id}:{base64.b64encode(nonce + body + enc.tag).decode('ascii')}"

    def decrypt(self, token: str, purpose: bytes) -> str:
        key_id, _, b64 = token.partition(":")
        algorithm = self.algorithms.get(key_id)
        if algorithm is None:
            raise DecryptionError(f"value encrypted under unknown key id {key_id!r}")
        try:
            raw = base64.b64decode(b64, validate=True)
        except (binascii.Error, ValueError):
            raise DecryptionError("stored value is not an encrypted token") from None
        nonce, body, tag = raw[:NONCE_BYTES], raw[NONCE_BYTES:-TAG_BYTES], raw[-TAG_BYTES:]
        if len(tag) != TAG_BYTES or len(nonce) != NONCE_BYTES:
            raise DecryptionError("stored value is truncated")
        dec = Cipher(algorithm, modes.GCM(nonce, tag)).decryptor()
        dec.authenticate_additional_data(purpose)
        try:
            return (dec.update(body) + dec.finalize()).decode()
        except InvalidTag:
            raise DecryptionError("stored value does not authenticate (altered or moved)") from None

    def blind_index(self, domain: str, normalised: str) -> str:
        """HMAC-SM3 hex of ``domain`` and the normalised value (domain: the value's kind).
        Remembered for the last values (an import computes each ID's index three times:
        matching, writing, reading the new ids back)."""
        key = (domain, normalised)
        found = self._recent.get(key)
        if found is None:
            mac = self._mac.copy()
            mac.update(domain.encode() + b"\x00" + normalised.encode())
            found = mac.finalize().hex()
            if len(self._recent) >= RECENT_INDEXES:
                self._recent.clear()
            self._recent[key] = found
        return found


@functools.cache
def keyring() -> KeyRing:
    return KeyRing(settings.FIELD_KEYS, settings.BLIND_INDEX_KEY)


@receiver(setting_changed)
def _keys_changed(*, setting, **kwargs):
    if setting in ("FIELD_KEYS", "BLIND_INDEX_KEY"):
        keyring.cache_clear()


def key_id_of(token: str) -> str:
    return token.partition(":")[0]
