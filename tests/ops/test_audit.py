"""`make audit`: pip-audit that never calls skipped packages safe."""

import os
import subprocess

from huzhou_care.ops.audit import judge

from .conftest import PYTHON, ROOT, free_port


def test_an_unreachable_advisory_service_fails_the_audit_and_says_so():
    # A proxy that nobody answers on: the advisory service is unreachable here whatever the
    # machine's network (this machine has none beyond the package registries anyway).
    dead_proxy = f"http://127.0.0.1:{free_port()}"
    env = {
        **os.environ,
        "HTTPS_PROXY": dead_proxy,
        "https_proxy": dead_proxy,
        "HTTP_PROXY": dead_proxy,
        "http_proxy": dead_proxy,
        "NO_PROXY": "",
        "no_proxy": "",
    }
    result = subprocess.run(
        [PYTHON, "-m", "huzhou_care.ops.audit", "--timeout", "3"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 1, output
    assert "could not be reached" in output and "NOT checked" in output
    assert "不可达" in output
    assert "no known vulnerabilities" not in output.lower()


def _report(*deps):
    return {"dependencies": list(deps), "fixes": []}


def test_an_audit_where_every_package_was_checked_and_clean_passes():
    code, lines = judge(
        _report({"name": "django", "version": "5.2.19", "vulns": []}), total=1, service="pypi"
    )
    assert code == 0 and "no known vulnerabilities" in lines[-1]


def test_a_single_skipped_package_fails_the_audit_even_when_the_rest_are_clean():
    code, lines = judge(
        _report(
            {"name": "django", "version": "5.2.19", "vulns": []},
            {"name": "celery", "skip_reason": "Dependency not found on PyPI"},
        ),
        total=2,
        service="pypi",
    )
    text = "\n".join(lines)
    assert code == 1 and "1 of 2 packages were NOT checked" in text and "celery" in text
    assert "no known vulnerabilities" not in text.lower()


def test_a_known_vulnerability_fails_the_audit_and_names_the_fix():
    vuln = {"id": "PYSEC-2099-1", "fix_versions": ["5.2.20"], "description": "x"}
    code, lines = judge(
        _report({"name": "django", "version": "5.2.19", "vulns": [vuln]}), total=1, service="osv"
    )
    assert code == 1
    assert lines == ["VULNERABLE django 5.2.19: PYSEC-2099-1 (fixed in 5.2.20)"]


def test_no_report_at_all_is_a_failure_not_a_pass():
    code, lines = judge(None, total=140, service="osv")
    assert code == 1 and "140 of 140" in lines[0]
