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
    (the recovery point the rehearsal proved), the pair's state then, and its access group; per entry
    what failed. Pairs that were not C(Active), points older than the pair's RPO, ages that are unknown
    and pairs skipped are listed again under "Attention".
  - Ends with the command that cleans the rehearsal up, with the inventory and the entries of this run.
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
  inventory_sources:
    description: The inventory sources of the run (C(ansible_inventory_sources)), for the cleanup command.
    type: list
    elements: str
  entries:
    description: The topology entries selected (C(dr_rehearsal_entries)), for the cleanup command.
    type: raw
  check_mode:
    description: Whether the run was a check (C(ansible_check_mode)).
    type: bool
    default: false
  kept_report:
    description:
      - Where the report of the rehearsal that is up stays (without extension) when this run's goes elsewhere
        (a failed or check run), for the summary.
    type: str
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
  description:
    - C(report) (the data), C(json), C(markdown), C(summary) (a few lines for the play output) and C(failures)
      (one line per failed run).
  type: dict
"""

import json
import shlex
from typing import Any, Dict, List, Optional

from ansible_collections.element.replication.plugins.module_utils._durations import format_seconds

CLONE_KEYS = ("source_volume_name", "target_volume_name", "target_state", "clone_name", "clone_volume_id",
              "clone_status", "iqn", "point", "snapshot", "point_in_time", "age_seconds", "pair_state", "rpo_seconds",
              "within_rpo", "warnings", "skipped", "access_group", "changed", "failed", "msg")


def _entry(result: Dict[str, Any]) -> Dict[str, Any]:
    run = result.get(result.get("ansible_loop_var") or "dr_rehearsal_run") or {}
    clones = result.get("clones") or []
    # The role's task does not fail by itself (failed_when: false): a run failed when its result has a message.
    failed = bool(result.get("failed") or result.get("msg"))
    return {"label": run.get("label", "?"), "source": run.get("source"), "target": run.get("target"),
            "declared_pairs": max(len(clones), int(run.get("pairs") or 0)),
            "failed": failed, "msg": result.get("msg") if failed else None,
            "clones": [dict({key: clone.get(key) for key in CLONE_KEYS}, warnings=list(clone.get("warnings") or []))
                       for clone in clones],
            "removed": result.get("removed") or [], "kept": result.get("kept") or []}


def cleanup_command(name: str, inventory_sources: Optional[List[str]], entries: Any) -> str:
    """The command that cleans this rehearsal up, as it works from an installed collection."""
    words = ["ansible-playbook"]
    for source in inventory_sources or []:
        words += ["-i", shlex.quote(str(source))]
    words += ["element.replication.dr_rehearsal_cleanup", "-e", shlex.quote("dr_rehearsal_name=%s" % name)]
    selected = entries.split(",") if isinstance(entries, str) else [str(e) for e in entries or []]
    selected = [e.strip() for e in selected if e.strip()]
    if selected:
        words += ["-e", shlex.quote("dr_rehearsal_entries=%s" % ",".join(selected))]
    return " ".join(words)


def build_report(results: List[Dict[str, Any]], name: str, state: str, generated_at: str,
                 inventory_sources: Optional[List[str]] = None, entries: Any = None,
                 check_mode: bool = False) -> Dict[str, Any]:
    runs = [_entry(r) for r in results if not r.get("skipped")]
    clones = [c for e in runs for c in e["clones"]]
    # Under --check, the clones a real run would make count as made.
    made = [c for c in clones if (c["clone_volume_id"] or check_mode and c["changed"]) and not c["failed"]]
    ages = [c["age_seconds"] for c in made if c["age_seconds"] is not None]
    return {"name": name, "state": state, "generated_at": generated_at, "check_mode": bool(check_mode),
            "ok": not any(e["failed"] for e in runs),
            "pairs": sum(e["declared_pairs"] for e in runs), "cloned": len(made),
            "skipped": sum(1 for c in clones if c["skipped"]),
            "failed": sum(1 for c in clones if c["failed"]) + sum(1 for e in runs if e["failed"] and not e["clones"]),
            "oldest_point_age_seconds": max(ages) if ages else None,
            "unknown_ages": len(made) - len(ages),
            "over_rpo": sum(1 for c in made if c["within_rpo"] is False),
            "cleanup_command": cleanup_command(name, inventory_sources, entries), "entries": runs}


def _cell(value: Any) -> str:
    return str(value if value not in (None, "") else "-").replace("|", "\\|").replace("\n", " ")


def _counts(report: Dict[str, Any], where: str = "at the DR site") -> str:
    """N of M pairs cloned at the DR site, K skipped; how old the oldest point in time cloned was."""
    text = "%d of %d pairs %s %s" % (report["cloned"], report["pairs"],
                                     "would be cloned" if report["check_mode"] else "cloned", where)
    if report["skipped"]:
        text += ", %d skipped" % report["skipped"]
    if not report["cloned"]:
        return text
    if report["oldest_point_age_seconds"] is None:
        return text + "; the age of the points in time cloned is unknown"
    text += "; the oldest point in time cloned was %s old" % format_seconds(report["oldest_point_age_seconds"])
    if report["unknown_ages"]:
        text += " (%d of unknown age)" % report["unknown_ages"]
    return text


def _verdict(report: Dict[str, Any]) -> str:
    if not report["ok"]:
        return "Failed"
    if report["check_mode"]:
        return "Planned (check mode)"
    return "Proven, over the RPO of %d pair(s)" % report["over_rpo"] if report["over_rpo"] else "Proven"


def attention(report: Dict[str, Any]) -> List[str]:
    """What a DR user must read: pairs behind or over their RPO, ages unknown, pairs skipped."""
    lines = []
    for entry in report["entries"]:
        for clone in entry["clones"]:
            where = "%s, %s" % (entry["label"], clone["target_volume_name"] or clone["source_volume_name"])
            lines += ["%s: %s" % (where, warning) for warning in clone["warnings"]]
            if clone["skipped"]:
                lines.append("%s: skipped: %s" % (where, clone["skipped"]))
    return lines


def build_markdown(report: Dict[str, Any], play_name: str) -> str:
    lines = ["# DR rehearsal %s" % report["name"], "", "Generated %s by %s." % (report["generated_at"], play_name), ""]
    lines.append("**%s**: %s." % (_verdict(report), _counts(report, "at the DR site while they kept replicating")))
    notes = attention(report)
    if notes:
        lines += ["", "## Attention", ""] + ["- %s" % _cell(note) for note in notes]
    for entry in report["entries"]:
        lines += ["", "## %s" % entry["label"], ""]
        if entry["msg"]:
            lines += ["Failed: %s" % _cell(entry["msg"]), ""]
        lines += ["| Source volume | Target (replicating) | Clone | IQN | Point | Point in time | Age | Pair when cloned "
                  "| Access group |", "|---|---|---|---|---|---|---|---|---|"]
        for clone in entry["clones"]:
            point = (clone["point"] or "-") + (" (%s)" % clone["snapshot"] if clone["snapshot"] else "")
            age = format_seconds(clone["age_seconds"]) if clone["age_seconds"] is not None else (
                "unknown" if clone["clone_volume_id"] else None)
            lines.append("| %s |" % " | ".join(_cell(v) for v in (
                clone["source_volume_name"], "%s (%s)" % (clone["target_volume_name"], clone["target_state"]),
                clone["clone_name"] if not clone["skipped"] else "skipped", clone["iqn"], point,
                clone["point_in_time"], age, clone["pair_state"], clone["access_group"])))
    lines += ["", "Clean up with `%s`." % report["cleanup_command"]]
    return "\n".join(lines) + "\n"


def build_summary(report: Dict[str, Any], report_path: str, kept_report: Optional[str] = None) -> List[str]:
    failures = ["%s: %s" % (e["label"], e["msg"]) for e in report["entries"] if e["msg"]]
    if report["state"] == "absent":
        removed = [line for entry in report["entries"] for line in entry["removed"]]
        kept = [line for entry in report["entries"] for line in entry["kept"]]
        return ["Rehearsal %s cleaned up%s: %s" % (report["name"], "" if report["ok"] else " (FAILED)",
                                                   "; ".join(removed) or "nothing was left")] + [
            "Kept: %s" % line for line in kept] + failures
    if report["ok"]:
        head = "Rehearsal %s: %s" % (report["name"], _counts(report))
    else:
        head = "Rehearsal %s FAILED: %s" % (report["name"], _counts(report))
    lines = [head, "Report: %s.md and %s.json" % (report_path, report_path)]
    if kept_report:
        lines.append("The report of the rehearsal that is up stays in %s.md" % kept_report)
    lines += failures + attention(report)
    for entry in report["entries"]:
        for clone in entry["clones"]:
            if not clone["skipped"]:
                lines.append("%s: %s -> %s %s" % (entry["label"], clone["target_volume_name"], clone["clone_name"],
                                                  clone["iqn"] or clone["clone_status"] or ""))
    return lines


def rehearsal_report(results: List[Dict[str, Any]], name: str, state: str, generated_at: str, report_path: str,
                     play_name: str = "ansible-playbook", inventory_sources: Optional[List[str]] = None,
                     entries: Any = None, check_mode: bool = False, kept_report: Optional[str] = None) -> Dict[str, Any]:
    report = build_report(results or [], name, state, generated_at, inventory_sources, entries, check_mode)
    return {"report": report, "json": json.dumps(report, indent=4, separators=(",", ": ")) + "\n",
            "markdown": build_markdown(report, play_name),
            "summary": build_summary(report, report_path, kept_report),
            "failures": ["%s: %s" % (e["label"], e["msg"]) for e in report["entries"] if e["msg"]]}


class FilterModule(object):
    def filters(self) -> Dict[str, Any]:
        return {"rehearsal_report": rehearsal_report}
