"""The stored format is plain SM4-GCM as the ``cryptography`` package's public API reads and
writes it: the KeyRing's faster path (``_Validated``, which skips ``Cipher``'s per-object
checks) must stay interchangeable with it, and its checks must still refuse bad keys."""

import base64
import binascii
import os
import secrets

import pytest
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from huzhou_care.crypto.cipher import NONCE_BYTES, TAG_BYTES, DecryptionError, KeyRing
from huzhou_care.crypto.devkeys import KeyConfigError

PURPOSE = b"children.child.id_number"


def _ring(*key_ids):
    keys = {key_id: secrets.token_bytes(16) for key_id in key_ids}
    spec = ",".join(f"{key_id}:{base64.b64encode(key).decode()}" for key_id, key in keys.items())
    return KeyRing(spec, base64.b64encode(secrets.token_bytes(32)).decode()), keys


def test_a_sealed_value_is_read_by_the_public_cipher_api():
    ring, keys = _ring("k7")
    token = ring.encrypt("330502201501011234", PURPOSE)
    key_id, _, b64 = token.partition(":")
    raw = base64.b64decode(b64, validate=True)
    nonce, body, tag = raw[:NONCE_BYTES], raw[NONCE_BYTES:-TAG_BYTES], raw[-TAG_BYTES:]
    dec = Cipher(algorithms.SM4(keys["k7"]), modes.GCM(nonce, tag)).decryptor()
    dec.authenticate_additional_data(PURPOSE)
    assert key_id == "k7"
    assert (dec.update(body) + dec.finalize()).decode() == "330502201501011234"


def test_a_value_sealed_by_the_public_cipher_api_is_read_by_the_keyring():
    ring, keys = _ring("k1", "k0")
    nonce = os.urandom(NONCE_BYTES)
    enc = Cipher(algorithms.SM4(keys["k0"]), modes.GCM(nonce)).encryptor()
    enc.authenticate_additional_data(PURPOSE)
    body = enc.update("浙江省湖州市吴兴区织里镇1号".encode()) + enc.finalize()
    token = "k0:" + binascii.b2a_base64(nonce + body + enc.tag, newline=False).decode()
    assert ring.decrypt(token, PURPOSE) == "浙江省湖州市吴兴区织里镇1号"
    with pytest.raises(DecryptionError):
        ring.decrypt(token, b"children.child.guardian_phone")  # moved to another column
    forged = token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB")
    with pytest.raises(DecryptionError):
        ring.decrypt(forged, PURPOSE)


def test_every_value_gets_its_own_nonce():
    ring, _ = _ring("k1")
    tokens = [ring.encrypt("13812345678", PURPOSE) for _ in range(2000)]
    nonces = {base64.b64decode(t.partition(":")[2])[:NONCE_BYTES] for t in tokens}
    assert len(nonces) == len(tokens)


def test_a_key_of_the_wrong_size_is_still_refused():
    spec = f"k1:{base64.b64encode(secrets.token_bytes(24)).decode()}"
    with pytest.raises((KeyConfigError, ValueError)):
        KeyRing(spec, base64.b64encode(secrets.token_bytes(32)).decode())
