"""Field-level masking of personal identifiers (SECURITY.md): on screen and in exports the
ID number shows as ``3305**********1234`` and a phone as ``138****5678`` unless the user has
asked, with a reason where required, to see the full value."""

# Roles whose work needs the full identifiers of the children in their scope (calling a
# guardian, filling the national form). They still see masked values until they ask.
# The Role values, not the enum: the crypto field kinds import this module and
# accounts.models imports the crypto fields (a Role member equals and hashes as its value).
FULL_IDENTIFIER_ROLES = frozenset({"city_admin", "district_staff", "school_staff"})


def mask_id_number(value: str) -> str:
    if not value:
        return ""
    if len(value) <= 8:
        return "*" * len(value)
    return value[:4] + "*" * (len(value) - 8) + value[-4:]


def mask_phone(value: str) -> str:
    if not value:
        return ""
    digits = value.replace("-", "")
    if len(digits) == 11 and digits.startswith("1"):
        return digits[:3] + "****" + digits[-4:]
    if len(value) > 4:  # landline 0572-2399921 -> 0572-***9921
        head, _, tail = value.rpartition("-")
        if head:
            return head + "-" + "*" * max(len(tail) - 4, 0) + tail[-4:]
        return "*" * (len(value) - 4) + value[-4:]
    return "*" * len(value)


def may_unmask(user) -> bool:
    return user.role in FULL_IDENTIFIER_ROLES
