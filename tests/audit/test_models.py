import pytest

from huzhou_care.audit.models import AccessLog, ChangeRecord
from huzhou_care.audit.services import ChangeSource, change_history, changes_record, field_diff


def test_the_access_log_refuses_updates_and_deletes(alice):
    log = AccessLog.objects.create(
        user=alice, role=alice.role, action="view", object_type="children.child", object_ids=[1]
    )
    log.row_count = 5
    with pytest.raises(PermissionError):
        log.save()
    with pytest.raises(PermissionError):
        log.delete()
    assert AccessLog.objects.get(pk=log.pk).row_count is None


def test_change_records_are_append_only_too(alice, wuxing_child):
    from children.models import Child

    changes_record(
        model=Child,
        entries=[(wuxing_child.pk, "update", {"name": ["a", "b"]})],
        source=ChangeSource(alice),
    )
    record = change_history(wuxing_child).get()
    with pytest.raises(PermissionError):
        record.delete()
    assert ChangeRecord.objects.count() == 1


def test_field_diff_keeps_only_real_changes_as_json_values(wuxing_school):
    import datetime as dt

    diff = field_diff(
        {"a": 1, "b": dt.date(2020, 1, 2), "c": "x", "school": wuxing_school.pk},
        {"a": 1, "b": dt.date(2020, 1, 3), "c": "x", "school": wuxing_school},
    )
    assert diff == {"b": ["2020-01-02", "2020-01-03"]}


def test_the_admin_shows_audit_tables_read_only(client, city_admin, alice):
    AccessLog.objects.create(
        user=alice, role=alice.role, action="view", object_type="children.child"
    )
    client.force_login(city_admin)
    assert client.get("/admin/audit/accesslog/").status_code == 200
    assert client.get("/admin/audit/accesslog/add/").status_code == 403
