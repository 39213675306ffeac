"""House rules as checks (Zulip-style custom_check): each names its rule and what to do."""

import ast
import re
from pathlib import Path

from django.conf import settings

ROOT = Path(settings.BASE_DIR)
APPS = ["children", "volunteers", "pairing", "campaign", "huzhou_care"]


def _python_files(name):
    return [p for app in APPS for p in (ROOT / app).rglob(name) if "migrations" not in p.parts]


def test_views_never_write_to_the_database_directly():
    """Views validate and call one service: no .save(), .create(), .update(), .delete()."""
    offenders = []
    pattern = re.compile(
        r"\.(save|delete|bulk_create|bulk_update)\(|objects\.(create|update|get_or_create|update_or_create)\("
    )
    for path in _python_files("views.py"):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if pattern.search(line):
                offenders.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert offenders == []


def test_tasks_take_ids_not_model_instances():
    """Task arguments are ids (readthedocs style): the row may change or vanish meanwhile, and
    a message carries no personal data. An ISO date (``*_date``, a str) is allowed too."""
    offenders = []
    for path in _python_files("tasks.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef) and any(
                isinstance(d, ast.Call) and getattr(d.func, "id", "") == "shared_task"
                for d in node.decorator_list
            ):
                for arg in node.args.args:
                    if not arg.arg.endswith(("_id", "_ids", "_date")):
                        offenders.append(f"{path.relative_to(ROOT)}: {node.name}({arg.arg})")
    assert offenders == []


def test_no_naive_datetimes():
    offenders = []
    for path in _python_files("*.py"):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if re.search(r"datetime\.now\(\)|datetime\.utcnow\(\)", line):
                offenders.append(f"{path.relative_to(ROOT)}:{number}")
    assert offenders == []


def test_no_signals_as_domain_flow_and_no_utils_grab_bag():
    assert not [p for p in _python_files("signals.py")]
    assert not [p for p in _python_files("utils.py")]


def test_every_view_function_is_scoped_or_explicitly_public():
    """Each view in an app's views.py either carries role_required (so a role outside the
    page's work gets 404) or is marked login_not_required."""
    offenders = []
    for path in _python_files("views.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in tree.body:
            if isinstance(node, ast.FunctionDef) and not node.name.startswith("_"):
                names = {
                    getattr(d, "id", None) or getattr(getattr(d, "func", None), "id", None)
                    for d in node.decorator_list
                }
                if path.parent.name == "accounts" and node.name == "home":
                    continue  # every signed-in role has a home page
                if not names & {"role_required", "login_not_required"}:
                    offenders.append(f"{path.relative_to(ROOT)}: {node.name}")
    assert offenders == []
