"""Personal identifiers encrypted at rest (SM4-GCM) with HMAC-SM3 blind indexes and stored
masked forms. Use ``huzhou_care.crypto.fields.EncryptedField``; see its docstring."""
