"""The read-replica router (DATABASE_REPLICA_URL): dashboard reads go to the replica, every
write and every other read to the primary."""

import json
import os
import sqlite3
import subprocess

from django.db import router

from children.models import Child
from huzhou_care.replica import REPLICA, ReplicaRouter, replica_reads

from .conftest import PYTHON, ROOT

SCRIPT = """
import json
from children.models import Child
from huzhou_care.accounts.models import Role, User
from campaign.selectors import home_summary
from huzhou_care.replica import replica_reads

admin = User.objects.filter(role=Role.CITY_ADMIN).get()
with replica_reads():
    # A write inside a replica block still goes to the primary.
    User.objects.filter(pk=admin.pk).update(full_name="主库写入")
print(json.dumps({
    "dashboard_total": home_summary(admin)["children"]["total"],
    "primary_active": Child.objects.active().count(),
    "replica_active": Child.objects.using("replica").active().count(),
    "name_on_primary": User.objects.get(pk=admin.pk).full_name,
    "name_on_replica": User.objects.using("replica").get(pk=admin.pk).full_name,
}))
"""


def test_the_dashboard_reads_the_replica_while_writes_and_other_reads_use_the_primary(
    tmp_path,
):
    primary, replica = tmp_path / "primary.sqlite3", tmp_path / "replica.sqlite3"
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{primary}", "DJANGO_LOG_LEVEL": "WARNING"}
    env.pop("REDIS_URL", None)

    def manage(*args, extra=None):
        result = subprocess.run(
            [PYTHON, "manage.py", *args],
            cwd=ROOT,
            env={**env, **(extra or {})},
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert result.returncode == 0, result.stdout + result.stderr
        return result.stdout

    manage("migrate", "--no-input", "-v", "0")
    manage("seed_demo", "--children", "40", "--seed", "5")
    # The replica as it stood a moment ago: a copy of the primary (SQLite's backup API)...
    with sqlite3.connect(primary) as src, sqlite3.connect(replica) as dst:
        src.backup(dst)
    # ...which then moves on: 30 more children on the primary only.
    manage("seed_demo", "--children", "70", "--seed", "5")

    out = manage("shell", "-c", SCRIPT, extra={"DATABASE_REPLICA_URL": f"sqlite:///{replica}"})
    figures = json.loads(out.strip().splitlines()[-1])
    assert figures["replica_active"] < figures["primary_active"]
    assert figures["dashboard_total"] == figures["replica_active"]
    assert figures["name_on_primary"] == "主库写入"
    assert figures["name_on_replica"] != "主库写入"


def test_without_a_replica_the_dashboard_block_reads_the_primary(settings):
    assert REPLICA not in settings.DATABASES
    with replica_reads():
        assert router.db_for_read(Child) == "default"


def test_the_router_sends_only_the_blocks_reads_to_the_replica(settings, monkeypatch):
    # Only the router's view of the settings changes; no connection to a replica is opened.
    monkeypatch.setitem(settings.DATABASES, REPLICA, settings.DATABASES["default"])
    routes = ReplicaRouter()
    assert routes.db_for_read(Child) is None  # outside a block: the primary
    with replica_reads():
        assert routes.db_for_read(Child) == REPLICA
        assert routes.db_for_write(Child) == "default"

        @replica_reads()
        def nested():
            return routes.db_for_read(Child)

        assert nested() == REPLICA
        assert routes.db_for_read(Child) == REPLICA  # still inside the outer block
    assert routes.db_for_read(Child) is None
    assert routes.allow_migrate(REPLICA, "children") is False  # schema comes by replication
