# -*- coding: utf-8 -*-
# Copyright (c) 2026, element.replication contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The drift audit's report: the JSON for machines, the Markdown for people and the summary lines,
from the records of _audit. Pure.

Private module_utils: not a public API of the collection.
"""

from __future__ import annotations

import json
import re
from typing import Any, Dict, List

from ansible_collections.element.replication.plugins.module_utils._durations import format_seconds
from ansible_collections.element.replication.plugins.module_utils._element import Finding


def build_report(records: List[Dict[str, Any]], generated_at: str) -> Dict[str, Any]:
    records = sorted(records, key=lambda r: r["index"])
    drifted_pairs = {r["key"] for r in records if r["cluster_pair_drift"]}
    drift_count = len(drifted_pairs) + sum(r["volume_drift_count"] for r in records)
    errors = [e for r in records for e in r["errors"]]
    rpo_keys = ("declared", "within", "breached", "unknown")
    rpo = {key: sum(r.get("rpo", {}).get(key, 0) for r in records) for key in rpo_keys}
    lags = [r["worst_lag_seconds"] for r in records if r.get("worst_lag_seconds") is not None]
    return {"generated_at": generated_at, "clean": drift_count == 0 and not errors, "drift_count": drift_count,
            "errors": errors, "rpo": rpo, "worst_lag_seconds": max(lags) if lags else None, "cluster_pairs": records}


def _lag_cell(volume: Dict[str, Any]) -> str:
    lag = volume.get("lag_seconds")
    text = format_seconds(lag) if lag is not None else "-"
    point = volume.get("recovery_point")
    if point:
        text += " (snapshot %s)" % point["name"]
    if volume.get("rpo_seconds") is not None:
        verdict = {True: "within", False: "**breached**", None: "unknown"}[volume.get("within_rpo")]
        text += ", RPO %s: %s" % (format_seconds(volume["rpo_seconds"]), verdict)
    return _cell(text)


def _rpo_line(rpo: Dict[str, int]) -> str:
    line = "RPO: %d of %d pairs within" % (rpo["within"], rpo["declared"])
    if rpo["breached"]:
        line += ", %d breached" % rpo["breached"]
    if rpo["unknown"]:
        line += ", %d not measurable" % rpo["unknown"]
    return line + "."


def _cell(value: Any) -> str:
    if isinstance(value, (list, tuple)):
        value = "; ".join(str(v) for v in value)
    return str(value if value not in (None, "") else "").replace("|", "\\|").replace("\n", " ")


def _node(host: str) -> str:
    return "c_" + re.sub("[^A-Za-z0-9_]", "_", host)


def _verdict_lines(report: Dict[str, Any]) -> List[str]:
    if report["errors"]:
        drift = " and %d drift finding(s)" % report["drift_count"] if report["drift_count"] else ""
        return ["**Could not audit** (%d error(s))%s:" % (len(report["errors"]), drift), ""] + [
            "- %s" % e for e in report["errors"]]
    if report["clean"]:
        return ["**Clean**: the clusters match the topology."]
    return ["**Drift**: %d finding(s). A run of `dr_setup.yml` makes the planned actions below." % report["drift_count"]]


def _pair_health(pair: Dict[str, Any]) -> str:
    if pair["errors"]:
        return "could not read"
    return "drift: %d" % pair["drift_count"] if pair["drift_count"] else pair["health"]


def _volume_row(volume: Dict[str, Any]) -> str:
    mode = volume["mode"] or "-"
    if volume["declared"] and volume["mode"] and volume["declared_mode"] != volume["mode"]:
        mode += " (declared %s)" % volume["declared_mode"]
    cells = [_cell(volume["source_volume"]), _cell(volume["target_volume"]),
             volume["state"] if volume["declared"] else "no", mode, volume["health"], _lag_cell(volume),
             "yes" if volume["drift"] else "", _cell(volume["reasons"]), _cell(volume["planned_actions"])]
    return "| %s |" % " | ".join(cells)


def build_markdown(report: Dict[str, Any], play_name: str) -> str:
    pairs = report["cluster_pairs"]
    lines = ["# Replication audit", "", "Generated %s by %s." % (report["generated_at"], play_name), ""]
    lines += _verdict_lines(report)
    if report["rpo"]["declared"]:
        lines += ["", _rpo_line(report["rpo"]) + " Worst lag: %s." % format_seconds(report["worst_lag_seconds"])]
    lines += ["", "```mermaid", "graph LR"]
    hosts = list(dict.fromkeys([p["source"] for p in pairs] + [p["target"] for p in pairs]))
    lines += ['  %s["%s"]' % (_node(host), host) for host in hosts]
    lines += ['  %s -->|"%s, %s"| %s' % (_node(p["source"]), "/".join(p["modes"]), _pair_health(p), _node(p["target"]))
              for p in pairs]
    lines += ["  linkStyle %d stroke:#d62728,stroke-width:3px" % i for i, p in enumerate(pairs)
              if p["drift_count"] or p["errors"]]
    lines.append("```")
    for pair in pairs:
        lines += ["", "## %s → %s" % (pair["source"], pair["target"]), "",
                  "Clusters %s → %s, declared %s, mode %s%s." % (pair["source_cluster"], pair["target_cluster"],
                                                                 pair["state"], pair["mode"],
                                                                 ", paused" if pair["paused"] else ""),
                  "Cluster pair: **%s**%s." % (pair["health"], " (drift)" if pair["cluster_pair_drift"] else "")]
        for label, key in (("Reasons", "reasons"), ("Planned", "planned_actions"), ("Errors", "errors")):
            if pair[key]:
                lines.append("%s: %s." % (label, _cell(pair[key])))
        if pair.get("worst_lag_seconds") is not None or pair.get("rpo", {}).get("declared"):
            lines.append("Worst lag: %s.%s" % (format_seconds(pair.get("worst_lag_seconds")), (
                " " + _rpo_line(pair["rpo"])) if pair.get("rpo", {}).get("declared") else ""))
        if pair["volume_pairs"]:
            lines += ["", "| Source volume | Target volume | Declared | Mode | Health | Lag | Drift | Reasons | "
                      "Planned actions |", "|---|---|---|---|---|---|---|---|---|"]
            lines += [_volume_row(volume) for volume in pair["volume_pairs"]]
    return "\n".join(lines) + "\n"


# What a drifting pair whose replication itself is healthy (or paused as declared) suffers from, by finding code.
_DRIFT_LABELS = ((Finding.RPO_BREACHED, "RPO breached"), (Finding.NO_REPLICATED_SNAPSHOT, "unprotected"),
                 (Finding.NO_REPLICATED_SCHEDULE, "unprotected"), (Finding.SCHEDULE_FAILED, "unprotected"),
                 (Finding.SCHEDULE_LATE, "unprotected"), (Finding.LAG_UNKNOWN, "lag unknown"),
                 (Finding.MODE_NOT_AS_DECLARED, "mode not as declared"), (Finding.CHECK_FAILED, "check failed"))


def _drift_label(volume: Dict[str, Any]) -> str:
    """How the summary names a drifting volume pair: its health, unless that is healthy or paused
    (then what drifts: a healthy pair over its RPO is not "healthy")."""
    if volume["health"] not in ("healthy", "paused"):
        return volume["health"]
    codes = {f.get("code") for f in volume.get("findings") or []}
    label = next((text for code, text in _DRIFT_LABELS if code in codes), "drift")
    return "paused, %s" % label if volume["health"] == "paused" else label


def _with_planned(text: str, planned: List[str]) -> str:
    return text + ("; planned: " + "; ".join(planned) if planned else "")


def build_summary(report: Dict[str, Any], report_path: str) -> List[str]:
    pairs = report["cluster_pairs"]
    volume_count = sum(len(p["volume_pairs"]) for p in pairs)
    if report["errors"]:
        verdict = "COULD NOT AUDIT: %d error(s)" % len(report["errors"])
    elif report["clean"]:
        verdict = "clean"
    else:
        verdict = "DRIFT: %d finding(s)" % report["drift_count"]
    lines = ["Replication audit of %d cluster pair(s) and %d volume pair(s): %s" % (len(pairs), volume_count, verdict),
             "Report: %s.md and %s.json" % (report_path, report_path)]
    if report["rpo"]["declared"]:
        lines.append(_rpo_line(report["rpo"]))
    lines += ["error: %s" % e for e in report["errors"]]
    for pair in pairs:
        where = "%s -> %s" % (pair["source"], pair["target"])
        if pair["cluster_pair_drift"]:
            lines.append(_with_planned("%s: cluster pair %s: %s" % (where, pair["health"], "; ".join(pair["reasons"])),
                                       pair["planned_actions"]))
        for volume in pair["volume_pairs"]:
            if volume["drift"]:
                lines.append(_with_planned("%s: %s -> %s %s: %s" % (
                    where, volume["source_volume"], volume["target_volume"], _drift_label(volume),
                    "; ".join(str(r) for r in volume["reasons"])), volume["planned_actions"]))
            else:
                waiting = [f["text"] for f in volume.get("findings") or [] if f.get("code") == Finding.FIRST_SNAPSHOT_PENDING]
                lines += ["%s: %s -> %s waiting: %s" % (where, volume["source_volume"], volume["target_volume"], text)
                          for text in waiting]
    return lines


def render(records: List[Dict[str, Any]], generated_at: str, report_path: str,
           play_name: str = "ansible-playbook") -> Dict[str, Any]:
    """{report, json, markdown, summary} of the records."""
    report = build_report(records, generated_at)
    # Serialized here: templating a large report through to_nice_json costs far more than json.dumps.
    return {"report": report, "json": json.dumps(report, indent=4, separators=(",", ": ")) + "\n",
            "markdown": build_markdown(report, play_name), "summary": build_summary(report, report_path)}
