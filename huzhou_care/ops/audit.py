"""`make audit`: pip-audit over every pinned package of this environment, honestly.

pip-audit on its own prints "No known vulnerabilities found" and exits 0 even when it could
not look a single package up (no advisory service reachable: it then only notes each package
as skipped). Here a package that was not checked is a failure, said as such:

    exit 0  every package was checked and none has a known vulnerability
    exit 1  a known vulnerability, or packages that could not be checked (service unreachable)

Run: ``python -m huzhou_care.ops.audit [--service pypi|osv] [--timeout SECONDS]``.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

UNREACHABLE = (
    "无法审计：漏洞数据库（{service}）不可达或未作答，{n} 个依赖包未经检查。\n"
    "Audit FAILED: the advisory service ({service}) could not be reached; {n} of {total} "
    "packages were NOT checked, so nothing can be said about their vulnerabilities."
)


def pinned_requirements() -> list[str]:
    """Every installed distribution as name==version (the project itself, installed
    editable, is not on any index and is left out)."""
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "freeze",
            "--exclude-editable",
            "--disable-pip-version-check",
        ],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return [line for line in out.splitlines() if "==" in line and not line.startswith("-e")]


def run_pip_audit(
    requirements: list[str], *, service: str, timeout: int
) -> tuple[dict | None, str]:
    with tempfile.TemporaryDirectory() as tmp:
        req = Path(tmp) / "requirements.txt"
        req.write_text("\n".join(requirements) + "\n")
        proc = subprocess.run(
            [
                sys.executable,
                "-m",
                "pip_audit",
                "--requirement",
                str(req),
                "--no-deps",  # every package is pinned already: nothing to resolve
                "--disable-pip",
                "--vulnerability-service",
                service,
                "--timeout",
                str(timeout),
                "--progress-spinner",
                "off",
                "--format",
                "json",
            ],
            capture_output=True,
            text=True,
            env={**os.environ, "PIP_DISABLE_PIP_VERSION_CHECK": "1"},
        )
    try:
        return json.loads(proc.stdout), proc.stderr
    except json.JSONDecodeError:
        return None, proc.stderr


def judge(report: dict | None, *, total: int, service: str) -> tuple[int, list[str]]:
    """(exit code, lines to print) for a pip-audit JSON report."""
    if report is None:
        return 1, [UNREACHABLE.format(service=service, n=total, total=total)]
    deps = report.get("dependencies", [])
    skipped = [d for d in deps if d.get("skip_reason")]
    vulnerable = [d for d in deps if d.get("vulns")]
    lines = []
    for dep in vulnerable:
        for vuln in dep["vulns"]:
            fixes = ", ".join(vuln.get("fix_versions") or []) or "no fix yet"
            lines.append(
                f"VULNERABLE {dep['name']} {dep['version']}: {vuln['id']} (fixed in {fixes})"
            )
    if skipped:
        lines.append(UNREACHABLE.format(service=service, n=len(skipped), total=len(deps)))
        lines.extend(f"  not checked: {d['name']}: {d['skip_reason']}" for d in skipped[:10])
        if len(skipped) > 10:
            lines.append(f"  ... and {len(skipped) - 10} more")
    if vulnerable or skipped or not deps:
        if not deps:
            lines.append("Audit FAILED: pip-audit checked no package.")
        return 1, lines
    lines.append(
        f"All {len(deps)} pinned packages checked against {service}: no known vulnerabilities."
    )
    return 0, lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--service", choices=["pypi", "osv"], default="pypi")
    parser.add_argument("--timeout", type=int, default=15)
    args = parser.parse_args(argv)
    requirements = pinned_requirements()
    print(f"pip-audit: {len(requirements)} pinned packages, advisory service {args.service}")
    report, stderr = run_pip_audit(requirements, service=args.service, timeout=args.timeout)
    code, lines = judge(report, total=len(requirements), service=args.service)
    if report is None and stderr.strip():
        lines.append("pip-audit said: " + stderr.strip().splitlines()[-1])
    print("\n".join(lines), file=sys.stdout if code == 0 else sys.stderr)
    return code


if __name__ == "__main__":
    sys.exit(main())
