"""JUnit XML for CI dashboards: one test case per page; it fails when the page has a finding at or
above the failing severity, and lesser findings go to the case's system-out."""
from __future__ import annotations

from itertools import groupby

from .report import Report


def render(report: Report) -> str:
    import xml.etree.ElementTree as ET  # here: every `vaultc check` lists the renderers, few render JUnit

    by_path = {path: list(group) for path, group in groupby(report.findings, key=lambda f: f.path)}
    names = sorted(set(report.paths) | set(by_path))
    suite = ET.Element("testsuite", name="vaultc check", timestamp=report.today.isoformat())
    failures = 0
    for path in names:
        case = ET.SubElement(suite, "testcase", classname="vaultc", name=report.display_path(path))
        found = by_path.get(path, [])
        failing = [f for f in found if f.severity >= report.fail_on]
        if failing:
            failures += 1
            failure = ET.SubElement(case, "failure", type=failing[0].rule,
                                    message=f"{len(failing)} finding{'s' if len(failing) > 1 else ''}")
            failure.text = "\n".join(f"{f.line}:{f.column} {f.rule} {f.message}" for f in failing)
        rest = [f for f in found if f.severity < report.fail_on]
        if rest:
            ET.SubElement(case, "system-out").text = "\n".join(
                f"{f.line}:{f.column} {f.severity.label} {f.rule} {f.message}" for f in rest)
    suite.set("tests", str(len(names)))
    suite.set("failures", str(failures))
    suite.set("errors", "0")
    root = ET.Element("testsuites", name="vaultc", tests=str(len(names)), failures=str(failures))
    root.append(suite)
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
