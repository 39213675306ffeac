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
    """Task arguments are ids (readthedocs style): the row may change or vanish meanwhile."""
    offenders = []
    for path in _python_files("tasks.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef) and any(
                isinstance(d, ast.Call) and getattr(d.func, "id", "") == "shared_task"
                for d in node.decorator_list
            ):
                for arg in node.args.args:
                    if not (arg.arg.endswith("_id") or arg.arg.endswith("_ids")):
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
                if path.parent.name == "campaign" and node.name == "home":
                    continue  # every signed-in role has a home page
                if not names & {"role_required", "login_not_required"}:
                    offenders.append(f"{path.relative_to(ROOT)}: {node.name}")
    assert offenders == []


# --- the arrows between the core and the apps -------------------------------------------------
# Each layer may import the core and the layers below it, never one above: the shared core
# (huzhou_care) imports no app, and what combines several apps lives in the app on top.
LAYERS = ["huzhou_care", "children", "volunteers", "pairing", "campaign"]
# The project's wiring names every app by design (INSTALLED_APPS, the root URLconf's
# include("children.urls")); those are strings, not imports, and the only exemption.
WIRING = {"huzhou_care/settings.py", "huzhou_care/urls.py"}


def _imported_modules(tree: ast.AST, package: str) -> list[tuple[int, str]]:
    """(line, absolute module name) of every import in the tree, function-level ones and
    relative ones included, and of import_module("...") calls with a literal name."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                name = ".".join(base + ([node.module] if node.module else []))
            else:
                name = node.module or ""
            found.append((node.lineno, name))
        elif (
            isinstance(node, ast.Call)
            and getattr(node.func, "id", getattr(node.func, "attr", "")) == "import_module"
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        ):
            found.append((node.lineno, node.args[0].value))
    return found


def layer_offences(root: Path) -> list[str]:
    offences = []
    for rank, layer in enumerate(LAYERS):
        for path in sorted((root / layer).rglob("*.py")):
            relative = path.relative_to(root).as_posix()
            if relative in WIRING:
                continue
            package = ".".join(path.relative_to(root).with_suffix("").parts[:-1])
            tree = ast.parse(path.read_text(encoding="utf-8"))
            for line, module in _imported_modules(tree, package):
                top = module.split(".")[0]
                if top in LAYERS and LAYERS.index(top) > rank:
                    offences.append(f"{relative}:{line}: {layer} imports {module}")
    return offences


def test_the_core_imports_no_app_and_apps_import_only_the_layers_below():
    """core <- children <- volunteers <- pairing <- campaign. Put what combines apps (home
    pages, dashboards, seed_demo's assembly) in the app on top; let the core discover app
    modules through the app registry (as the menu does) instead of naming them."""
    assert layer_offences(ROOT) == []


def test_the_layer_check_sees_plain_relative_lazy_and_dynamic_imports(tmp_path):
    files = {
        "huzhou_care/__init__.py": "",
        "huzhou_care/accounts/__init__.py": "",
        "huzhou_care/accounts/selectors.py": "from children.models import Child\n",
        "huzhou_care/accounts/menu.py": (
            "from importlib import import_module\n"
            "def entries():\n    return import_module('campaign.navigation')\n"
        ),
        "children/__init__.py": "",
        "children/views.py": "def f():\n    import pairing.models\n",
        "children/models.py": "from huzhou_care.orgs.models import School\nfrom . import choices\n",
        "pairing/__init__.py": "",
        "pairing/models.py": "from children.models import Child\nfrom volunteers import x\n",
        "campaign/__init__.py": "",
        "campaign/selectors.py": "from children.models import Child\nfrom pairing import y\n",
        "huzhou_care/settings.py": "INSTALLED_APPS = ['children']\nimport campaign\n",
    }
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text, encoding="utf-8")
    assert sorted(layer_offences(tmp_path)) == [
        "children/views.py:2: children imports pairing.models",
        "huzhou_care/accounts/menu.py:3: huzhou_care imports campaign.navigation",
        "huzhou_care/accounts/selectors.py:1: huzhou_care imports children.models",
    ]
