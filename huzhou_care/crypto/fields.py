"""``EncryptedField``: a text value stored SM4-GCM encrypted, with optional companions the
model declares beside it:

- ``blind_index="<name>_bidx"``: a CharField(64) holding HMAC-SM3 of the normalised value.
  ``filter(field=value)`` and ``filter(field__in=[...])`` compare that column (normalising the
  value first), so exact search and uniqueness work without decrypting; no other lookup runs.
  ``filter(field="")`` (empty or not) compares the column itself, index or none.
- ``masked="<name>_masked"``: a CharField holding the masked form (``138****5678``) that lists
  and masked exports read without decrypting.

Values load sealed and decrypt on first access only; an unchanged value is written back as it
was read. Assigning a value fills the companions. Bulk writers (COPY, ``update()``) take the
columns from ``field.columns(value)``. Empty values are stored empty.

    id_number = EncryptedField("身份证号", kind="id_number", blind_index="id_number_bidx",
                               masked="id_number_masked")
    id_number_bidx = models.CharField(max_length=64, unique=True, editable=False)
    id_number_masked = models.CharField(max_length=18, editable=False)
"""

from __future__ import annotations

from django import forms
from django.core import checks
from django.core.exceptions import EmptyResultSet, FieldError
from django.db import models
from django.db.models.expressions import Col
from django.db.models.query_utils import DeferredAttribute
from django.db.models.signals import post_init

from .cipher import key_id_of, keyring
from .kinds import KINDS

BLIND_INDEX_LENGTH = 64  # hex of an SM3 digest


class Sealed:
    """A stored value not yet decrypted (what ``values()`` returns for the column): read it
    with ``reveal()``, on purpose."""

    __slots__ = ("field", "token")

    def __init__(self, token: str, field=None):
        self.token, self.field = token, field

    def reveal(self) -> str:
        return self.field.open(self.token)

    def __repr__(self):
        return f"<Sealed {key_id_of(self.token)}>"

    def __eq__(self, other):
        return isinstance(other, Sealed) and other.token == self.token

    __hash__ = None


class Opened(str):
    """A decrypted value that remembers its token, so that saving it unchanged rewrites the
    same ciphertext."""

    __slots__ = ("token",)


class SealedAttribute(DeferredAttribute):
    def __get__(self, instance, cls=None):
        if instance is None:
            return self
        value = super().__get__(instance, cls)
        if isinstance(value, Sealed):
            value = self.field.open(value.token)
            instance.__dict__[self.field.attname] = value
        return value

    def __set__(self, instance, value):
        instance.__dict__[self.field.attname] = value
        if isinstance(value, str) and not isinstance(value, Opened):
            self.field.fill_companions(instance, value)


def _fill_on_init(sender, instance, **kwargs):
    """Model.__init__ sets fields in declaration order: companions declared after the field
    got their defaults after it was set. Fill them again from the plain value."""
    # getattr: a receiver is keyed by id(sender), and a migration's historical model class,
    # once collected, may leave its id to a class without encrypted fields.
    for field in getattr(sender._meta, "encrypted_fields", ()):
        value = instance.__dict__.get(field.attname)
        if isinstance(value, str) and not isinstance(value, Opened):
            field.fill_companions(instance, value)


class BlindExact(models.Lookup):
    lookup_name = "exact"
    prepare_rhs = False

    def _index_column(self, compiler):
        field = getattr(self.lhs, "target", None)
        if not isinstance(self.lhs, Col) or not getattr(field, "blind_index", None):
            raise FieldError(f"{field} is encrypted without a blind index: it cannot be matched")
        if hasattr(self.rhs, "resolve_expression"):
            raise FieldError("an encrypted field is matched against plain values only")
        index_field = field.model._meta.get_field(field.blind_index)
        sql, params = compiler.compile(Col(self.lhs.alias, index_field))
        return field, sql, list(params)

    def as_sql(self, compiler, connection):
        if self.rhs == "" and isinstance(self.lhs, Col):
            # Empty values are stored empty: "is it filled?" needs neither key nor index.
            sql, params = compiler.compile(self.lhs)
            return f"{sql} = %s", [*params, ""]
        field, sql, params = self._index_column(compiler)
        return f"{sql} = %s", [*params, field.blind(self.rhs)]


class BlindIn(BlindExact):
    lookup_name = "in"

    def as_sql(self, compiler, connection):
        field, sql, params = self._index_column(compiler)
        values = sorted({field.blind(v) for v in self.rhs if v is not None})
        if not values:
            raise EmptyResultSet
        return f"{sql} IN ({', '.join(['%s'] * len(values))})", [*params, *values]


class EncryptedField(models.TextField):
    descriptor_class = SealedAttribute
    LOOKUPS = {"exact": BlindExact, "in": BlindIn, "isnull": models.lookups.IsNull}

    def __init__(self, *args, kind: str, blind_index: str = "", masked: str = "", **kwargs):
        if kind not in KINDS:
            raise ValueError(f"unknown kind {kind!r}; one of {sorted(KINDS)}")
        self.kind, self.blind_index, self.masked = kind, blind_index, masked
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, _path, args, kwargs = super().deconstruct()
        kwargs["kind"] = self.kind
        if self.blind_index:
            kwargs["blind_index"] = self.blind_index
        if self.masked:
            kwargs["masked"] = self.masked
        return name, "huzhou_care.crypto.fields.EncryptedField", args, kwargs

    def contribute_to_class(self, cls, name, *args, **kwargs):
        super().contribute_to_class(cls, name, *args, **kwargs)
        self.purpose = f"{cls._meta.label_lower}.{name}".encode()
        if not hasattr(cls._meta, "encrypted_fields") or "encrypted_fields" not in vars(cls._meta):
            cls._meta.encrypted_fields = []
            if not cls._meta.abstract:
                post_init.connect(_fill_on_init, sender=cls, weak=False)
        cls._meta.encrypted_fields.append(self)

    def check(self, **kwargs):
        errors = super().check(**kwargs)
        for role, name in (("blind_index", self.blind_index), ("masked", self.masked)):
            if not name:
                continue
            try:
                companion = self.model._meta.get_field(name)
            except Exception:
                companion = None
            if not isinstance(companion, models.CharField):
                errors.append(
                    checks.Error(f"{role}={name!r}: declare a CharField of that name", obj=self)
                )
            elif role == "blind_index" and companion.max_length < BLIND_INDEX_LENGTH:
                errors.append(checks.Error(f"{name} needs max_length >= 64", obj=self))
        return errors

    # --- the value in Python and in the database
    def open(self, token: str) -> Opened:
        value = Opened(keyring().decrypt(token, self.purpose))
        value.token = token
        return value

    def seal(self, value: str) -> str:
        return keyring().encrypt(value, self.purpose) if value else ""

    def blind(self, value) -> str:
        normalised = KINDS[self.kind].normalise(str(value or ""))
        return keyring().blind_index(self.kind, normalised) if normalised else ""

    def mask(self, value: str) -> str:
        return KINDS[self.kind].mask(value or "")

    def fill_companions(self, instance, value: str) -> None:
        if self.blind_index:
            instance.__dict__[self.blind_index] = self.blind(value)
        if self.masked:
            instance.__dict__[self.masked] = self.mask(value)

    def columns(self, value: str) -> dict[str, str]:
        """Every column this value sets (attname -> stored value), for bulk writers."""
        out = {self.attname: self.seal(value)}
        if self.blind_index:
            out[self.blind_index] = self.blind(value)
        if self.masked:
            out[self.masked] = self.mask(value)
        return out

    def pre_save(self, model_instance, add):
        value = model_instance.__dict__.get(self.attname)
        return value if isinstance(value, Sealed) else getattr(model_instance, self.attname)

    def from_db_value(self, value, expression, connection):
        return Sealed(value, self) if value else value

    def to_python(self, value):
        if isinstance(value, Sealed):
            return self.open(value.token)
        return value if value is None or isinstance(value, str) else str(value)

    def get_prep_value(self, value):
        if value is None or value == "":
            return value
        if isinstance(value, Sealed | Opened):
            return value.token
        return self.seal(str(value))

    def value_to_string(self, obj):
        # Serialisers (dumpdata) get the ciphertext, never the clear value.
        value = obj.__dict__.get(self.attname)
        if isinstance(value, Sealed | Opened):
            return value.token
        return self.get_prep_value(value) or ""

    def get_lookup(self, lookup_name):
        return self.LOOKUPS.get(lookup_name)

    def get_transform(self, lookup_name):
        return None

    def formfield(self, **kwargs):
        return super().formfield(**{"widget": forms.TextInput, **kwargs})


def blind_lookup(queryset, name: str, values, *columns: str, chunk: int = 900) -> dict:
    """{value: row} for the rows of ``queryset`` whose encrypted field ``name`` equals one of
    ``values`` (through the blind index, in chunks under SQLite's parameter limit). A row is
    the one column asked for, or a tuple of several."""
    field = queryset.model._meta.get_field(name)
    index = {field.blind(value): value for value in values if value}
    keys, found = list(index), {}
    for start in range(0, len(keys), chunk):
        rows = queryset.filter(**{f"{field.blind_index}__in": keys[start : start + chunk]})
        for key, *rest in rows.values_list(field.blind_index, *columns):
            found[index[key]] = rest[0] if len(rest) == 1 else tuple(rest)
    return found
