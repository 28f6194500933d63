# -*- coding: utf-8 -*-
# Copyright (c) 2026, element.replication contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
name: rehearsal_report
short_description: The report of a DR rehearsal, as data, JSON and Markdown
version_added: 1.1.0
author:
  - element.replication maintainers (@element-replication)
description:
  - Used by the P(element.replication.dr_rehearsal#role) role on the results of
    M(element.replication.element_replication_rehearsal), one per topology entry.
  - Lists per pair the clone, its IQN, the point in time it holds and how old that was when cloned
    (the recovery point the rehearsal proved), and its access group; per entry what failed.
positional: name, state, generated_at, report_path, play_name
options:
  _input:
    description: The registered loop results of M(element.replication.element_replication_rehearsal).
    type: list
    elements: dict
    required: true
  name:
    description: The rehearsal's name.
    type: str
    required: true
  state:
    description: V(present) (a rehearsal brought up) or V(absent) (cleaned up).
    type: str
    required: true
  generated_at:
    description: When the report was made (UTC, ISO 8601).
    type: str
    required: true
  report_path:
    description: Where the report goes, without extension (for the summary).
    type: str
    required: true
  play_name:
    description: The play that made it.
    type: str
    default: ansible-playbook
"""

EXAMPLES = r"""
- name: Build the rehearsal report
  ansible.builtin.set_fact:
    report: >-
      {{ results | element.replication.rehearsal_report('q4', 'present', now(utc=true, fmt='%Y-%m-%dT%H:%M:%SZ'),
                                                         '/srv/reports/rehearsal-q4') }}
"""

RETURN = r"""
_value:
  description: C(report) (the data), C(json), C(markdown) and C(summary) (a few lines for the play output).
  type: dict
"""

import json
from typing import Any, Dict, List

from ansible_collections.element.replication.plugins.module_utils._durations import format_seconds


def _entry(result: Dict[str, Any]) -> Dict[str, Any]:
    entry = result.get("dr_rehearsal_entry") or {}
    clones = result.get("clones") or []
    return {"label": entry.get("label", "?"), "source": entry.get("source"), "target": entry.get("target"),
            "failed": bool(result.get("failed")), "msg": result.get("msg") if result.get("failed") else None,
            "clones": [{key: clone.get(key) for key in (
                "source_volume_name", "target_volume_name", "target_state", "clone_name", "clone_volume_id",
                "clone_status", "iqn", "point", "snapshot", "point_in_time", "age_seconds", "access_group",
                "failed", "msg")} for clone in clones],
            "removed": result.get("removed") or []}


def build_report(results: List[Dict[str, Any]], name: str, state: str, generated_at: str) -> Dict[str, Any]:
    entries = [_entry(r) for r in results if not r.get("skipped")]
    clones = [c for e in entries for c in e["clones"]]
    ages = [c["age_seconds"] for c in clones if c["age_seconds"] is not None]
    return {"name": name, "state": state, "generated_at": generated_at,
            "ok": not any(e["failed"] for e in entries),
            "pairs": len(clones), "cloned": sum(1 for c in clones if c["clone_volume_id"] and not c["failed"]),
            "failed": sum(1 for c in clones if c["failed"]) + sum(1 for e in entries if e["failed"] and not e["clones"]),
            "oldest_point_age_seconds": max(ages) if ages else None, "entries": entries}


def _cell(value: Any) -> str:
    return str(value if value not in (None, "") else "-").replace("|", "\\|").replace("\n", " ")


def build_markdown(report: Dict[str, Any], play_name: str) -> str:
    lines = ["# DR rehearsal %s" % report["name"], "", "Generated %s by %s." % (report["generated_at"], play_name), ""]
    verdict = "**Proven**" if report["ok"] else "**Failed**"
    lines.append("%s: %d of %d pairs cloned at the DR site while they kept replicating; the oldest point in time "
                 "cloned was %s old." % (verdict, report["cloned"], report["pairs"],
                                         format_seconds(report["oldest_point_age_seconds"])))
    for entry in report["entries"]:
        lines += ["", "## %s" % entry["label"], ""]
        if entry["msg"]:
            lines += ["Failed: %s" % _cell(entry["msg"]), ""]
        lines += ["| Source volume | Target (replicating) | Clone | IQN | Point | Point in time | Age | Access group |",
                  "|---|---|---|---|---|---|---|---|"]
        for clone in entry["clones"]:
            point = clone["point"] + (" (%s)" % clone["snapshot"] if clone["snapshot"] else "")
            lines.append("| %s |" % " | ".join(_cell(v) for v in (
                clone["source_volume_name"], "%s (%s)" % (clone["target_volume_name"], clone["target_state"]),
                clone["clone_name"], clone["iqn"], point, clone["point_in_time"],
                format_seconds(clone["age_seconds"]) if clone["age_seconds"] is not None else None,
                clone["access_group"])))
    lines += ["", "Clean up with `ansible-playbook playbooks/dr_rehearsal_cleanup.yml -e dr_rehearsal_name=%s`."
              % report["name"]]
    return "\n".join(lines) + "\n"


def build_summary(report: Dict[str, Any], report_path: str) -> List[str]:
    if report["state"] == "absent":
        removed = [line for entry in report["entries"] for line in entry["removed"]]
        return ["Rehearsal %s cleaned up: %s" % (report["name"], "; ".join(removed) or "nothing was left")] + [
            "%s: %s" % (e["label"], e["msg"]) for e in report["entries"] if e["msg"]]
    lines = ["Rehearsal %s: %d of %d pairs cloned at the DR site (oldest point in time cloned: %s old)%s" % (
        report["name"], report["cloned"], report["pairs"], format_seconds(report["oldest_point_age_seconds"]),
        "" if report["ok"] else "; FAILED"), "Report: %s.md and %s.json" % (report_path, report_path)]
    for entry in report["entries"]:
        if entry["msg"]:
            lines.append("%s: %s" % (entry["label"], entry["msg"]))
        for clone in entry["clones"]:
            lines.append("%s: %s -> %s %s" % (entry["label"], clone["target_volume_name"], clone["clone_name"],
                                              clone["iqn"] or clone["clone_status"] or ""))
    return lines


def rehearsal_report(results: List[Dict[str, Any]], name: str, state: str, generated_at: str, report_path: str,
                     play_name: str = "ansible-playbook") -> Dict[str, Any]:
    report = build_report(results or [], name, state, generated_at)
    return {"report": report, "json": json.dumps(report, indent=4, separators=(",", ": ")) + "\n",
            "markdown": build_markdown(report, play_name), "summary": build_summary(report, report_path)}


class FilterModule(object):
    def filters(self) -> Dict[str, Any]:
        return {"rehearsal_report": rehearsal_report}
