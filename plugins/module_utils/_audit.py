# -*- coding: utf-8 -*-
# Copyright (c) 2026, element.replication contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The drift audit's classification: what each topology entry's read and checks mean against the
topology, one record per entry (the audit_records filter and element_replication_audit). Pure:
it works on the reconciled view (element_replication_info's) and on the pairing checks' results.

Every input is keyed, never joined by position or by another role's loop variable: infos by the
entry's index, cluster checks by the cluster pair's key, volume checks by the entry's index, and
each checked volume carries the index of its declared volume in the entry (1, 2, ...).

Private module_utils: not a public API of the collection.
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional, Set, Tuple

from ansible_collections.element.replication.plugins.module_utils._element import Finding, finding
from ansible_collections.element.replication.plugins.module_utils._lag import Lag, rpo_findings


def _pair_mode(pair: Dict[str, Any]) -> Optional[str]:
    """A reconciled pair's mode: its source's, when both clusters list the pair (a one-sided or
    pending pair has no mode to measure)."""
    if pair["health"] not in ("healthy", "mismatched"):  # _reconcile's healths of a pair both list
        return None
    return pair.get("source_mode") or pair.get("target_mode")


def against_declaration(pair: Dict[str, Any], declared: Optional[Dict[str, Any]]) -> List[Dict[str, str]]:
    """The findings of one reconciled pair (_reconcile's record) measured against its declaration
    in the topology ({"paused": bool, "mode": ...}; None: not declared, the pair's own findings).
    A pause the topology declares is desired, not drift; a declared pause that is not there is
    (declared_paused), and so is a mode other than the declared one (mode_not_as_declared).
    The drift audit and the event source both measure a pair with it."""
    findings = list(pair["findings"])
    if declared is None:
        return findings
    if declared["paused"]:
        findings = [f for f in findings if f["code"] != Finding.PAUSED_BY_HAND]
        if pair["health"] == "healthy":
            findings.append(finding(Finding.DECLARED_PAUSED, "the topology declares this pair paused"))
    mode = _pair_mode(pair)
    if mode is not None and mode != declared["mode"]:
        findings.append(finding(Finding.MODE_NOT_AS_DECLARED, "mode is %s, the topology declares %s" % (
            mode, declared["mode"])))
    return findings


def _pair_index(pairs: List[Dict[str, Any]], cluster_key: str, volume_key: str) -> Dict[Tuple[Any, Any], int]:
    """(cluster, volume ID) -> position of the first reconciled pair with that side."""
    index: Dict[Tuple[Any, Any], int] = {}
    for position, pair in enumerate(pairs):
        index.setdefault((pair.get(cluster_key), pair.get(volume_key)), position)
    return index


def _declared_volume(entry: Dict[str, Any], checked: Dict[str, Any], source_name: str, target_name: str,
                     pairs: List[Dict[str, Any]], by_source: Dict[Tuple[Any, Any], int],
                     by_target: Dict[Tuple[Any, Any], int], matched: Set[Any]) -> Dict[str, Any]:
    """The record of one declared volume pair (the entry's volume checked["index"]), matched to the
    reconciled pairs by volume ID."""
    declared = entry["volumes"][checked["index"] - 1]
    state = declared.get("state", entry["state"])
    paused = declared["paused"] if "paused" in declared else entry["paused"]
    candidates = []
    if checked.get("source_volume_id") is not None:
        candidates.append(by_source.get((source_name, checked["source_volume_id"])))
    if checked.get("target_volume_id") is not None:
        candidates.append(by_target.get((target_name, checked["target_volume_id"])))
    positions = [p for p in candidates if p is not None]
    pair = pairs[min(positions)] if positions else None
    declared_mode = declared.get("mode", entry["mode"])
    health, findings = "absent", []
    if pair is not None:
        matched.add(pair.get("volume_pair_uuid"))
        health, findings = pair["health"], against_declaration(pair, {"paused": bool(paused), "mode": declared_mode})
        if paused and health == "mismatched" and all(f["code"] == Finding.MODE_NOT_AS_DECLARED for f in findings):
            health = "paused"  # mismatched only by the pause the topology declares
    elif state == "present":
        findings = [finding(Finding.NOT_PAIRED, "not paired")]
    if checked.get("failed"):
        findings.append(finding(Finding.CHECK_FAILED, checked.get("msg", "")))
    lag = Lag.from_facts(pair)
    rpo_seconds = entry["volume_rpos"][checked["index"] - 1] if "volume_rpos" in entry else None
    lag_findings = _lag_findings(pair, lag, rpo_seconds, state, bool(paused),
                                 checked.get("source_volume_name") or "the volume")
    findings += lag_findings + _waiting(pair, state)
    drift = bool(checked.get("changed") or checked.get("failed") or lag_findings
                 or health not in (("healthy", "paused") if state == "present" else ("absent",)))
    # The reconciled pair's record (_reconcile.pair_record), extended with what the topology makes of it.
    return dict(pair or {}, **{
        "source_volume": checked.get("source_volume_name") or declared.get("volume", "ID %s" % declared.get("volume_id")),
        "target_volume": checked.get("target_volume_name") or declared.get("peer_volume", checked.get("source_volume_name")),
        "declared": True, "state": state, "mode": checked.get("mode"), "declared_mode": declared_mode,
        "paused": checked.get("paused"), "health": health, "reasons": [f["text"] for f in findings],
        "findings": findings,
        "planned_actions": list(checked.get("repairs") or []) + list(checked.get("changes") or []), "drift": drift,
        "lag_seconds": lag.lag_seconds, "async_delay": lag.async_delay, "recovery_point": lag.recovery_point,
        "rpo_seconds": rpo_seconds,
        "within_rpo": None if rpo_seconds is None or lag.lag_seconds is None else lag.lag_seconds <= rpo_seconds,
    })


# What the pair's own lag findings say about its protection (the rest is measured against the RPO).
PROTECTION_CODES = (Finding.NO_REPLICATED_SNAPSHOT, Finding.NO_REPLICATED_SCHEDULE, Finding.SCHEDULE_FAILED,
                    Finding.SCHEDULE_LATE)


def _lag_findings(pair: Optional[Dict[str, Any]], lag: Lag, rpo_seconds: Optional[float], state: str,
                  declared_paused: bool, where: str) -> List[Dict[str, str]]:
    """What the pair's lag means for the topology: a SnapshotsOnly pair with nothing replicated
    protects nothing (drift, RPO or not, unless the topology declares it paused and gives no RPO:
    then nothing is meant to flow yet); a declared RPO is breached or cannot be checked."""
    if pair is None or state != "present" or "lag_seconds" not in pair:
        return []
    measured = [f for f in pair.get("lag_findings") or [] if f["code"] in PROTECTION_CODES
                and (rpo_seconds is not None or not declared_paused)]
    breach = [] if any(f["code"] == Finding.NO_REPLICATED_SNAPSHOT for f in measured) or _waiting(pair, state) \
        else rpo_findings(lag, rpo_seconds, where)
    return measured + breach


def _waiting(pair: Optional[Dict[str, Any]], state: str) -> List[Dict[str, str]]:
    """A SnapshotsOnly pair waiting for its first replicated snapshot while its schedule is not
    late: reported, not drift (nor an RPO to measure yet)."""
    if pair is None or state != "present":
        return []
    return [f for f in pair.get("lag_findings") or [] if f["code"] == Finding.FIRST_SNAPSHOT_PENDING]


def _undeclared_volume(pair: Dict[str, Any], planned_by_volume: Dict[Tuple[Any, Any], List[str]]) -> Dict[str, Any]:
    planned: List[str] = []
    for side in ("source", "target"):
        planned += planned_by_volume.get((pair.get("%s_cluster" % side), pair.get("%s_volume_id" % side)), [])
    drift = pair["health"] != "healthy" or bool(planned)
    findings = pair["findings"] or [finding(Finding.NOT_DECLARED, "not declared in the topology")]
    # The reconciled pair's record (its lag included), extended with what the topology makes of it.
    record = dict(Lag(None).facts(), **pair)
    record.update(source_volume=pair.get("source_volume_name"), target_volume=pair.get("target_volume_name"),
                  declared=False, state=None, mode=pair.get("source_mode"), declared_mode=None, paused=None,
                  reasons=[f["text"] for f in findings], findings=findings, planned_actions=planned, drift=drift,
                  rpo_seconds=None, within_rpo=None)
    return record


def _record(plan: Dict[str, Any], entry: Dict[str, Any], info: Dict[str, Any], cp: Optional[Dict[str, Any]],
            vp: Optional[Dict[str, Any]]) -> Dict[str, Any]:
    readable = "reconciled" in info and not info.get("failed", False)
    source_name = (info.get("cluster") or {}).get("name", entry["source"])
    target_name = (info.get("peer_cluster") or {}).get("name", entry["target"])
    pair_state = next(p["state"] for p in plan["cluster_pairs"] if p["key"] == entry["key"])
    health, findings, planned, errors = "unknown", [], [], []
    cp_drift, volume_drift, volume_pairs = False, 0, []
    if not readable:
        errors = ["%s: could not read the clusters: %s" % (entry["label"], info.get("msg", "no result"))]
    else:
        errors = ["%s: could not measure the lag: %s" % (entry["label"], error) for error in info.get("lag_errors") or []]
        reconciled = info["reconciled"]
        health, findings = reconciled["cluster_pair"]["health"], list(reconciled["cluster_pair"]["findings"])
        if health != ("healthy" if pair_state == "present" else "absent"):
            cp_drift = True
            if pair_state == "absent":
                findings.append(finding(Finding.DECLARED_ABSENT, "the topology declares these clusters unpaired"))
        # Only the host that works on a cluster pair checks it (see cluster_pairing's plan).
        if cp is not None and cp.get("failed"):
            cp_drift = True
            findings.append(finding(Finding.CHECK_FAILED, "the cluster pair check failed: %s" % cp.get("msg", "")))
        elif cp is not None and cp.get("changed"):
            cp_drift = True
            planned = list(cp.get("repairs") or []) + [a["reason"] for a in cp.get("actions") or []]
        if vp is not None and vp.get("failed") and "volume_pairs" not in vp:
            volume_drift += 1
            findings.append(finding(Finding.CHECK_FAILED, "the volume pair check failed: %s" % vp.get("msg", "")))
        pairs = reconciled["volume_pairs"]
        by_source = _pair_index(pairs, "source_cluster", "source_volume_id")
        by_target = _pair_index(pairs, "target_cluster", "target_volume_id")
        matched: Set[Any] = set()
        for checked in (vp or {}).get("volume_pairs") or []:
            record = _declared_volume(entry, checked, source_name, target_name,
                                      pairs, by_source, by_target, matched)
            volume_drift += record["drift"]
            volume_pairs.append(record)
        # Pairs between the two clusters that no entry declares: this entry's direction, and the
        # other direction too when no entry declares it.
        reverse_declared = any(e["source"] == entry["target"] and e["target"] == entry["source"]
                               for e in plan["entries"])
        planned_by_volume: Dict[Tuple[Any, Any], List[str]] = {}
        for action in (vp or {}).get("actions") or []:
            if "volumeID" in (action.get("params") or {}):
                planned_by_volume.setdefault((action["cluster"], action["params"]["volumeID"]), []).append(action["reason"])
        for pair in pairs:
            if pair.get("volume_pair_uuid") in matched or (pair.get("source_cluster") != source_name and reverse_declared):
                continue
            record = _undeclared_volume(pair, planned_by_volume)
            volume_drift += record["drift"]
            volume_pairs.append(record)
    return {
        "index": entry["index"], "key": entry["key"], "source": entry["source"], "target": entry["target"],
        "source_cluster": source_name, "target_cluster": target_name, "state": entry["state"],
        "mode": entry["mode"], "paused": entry["paused"],
        "modes": list(dict.fromkeys(v.get("mode", entry["mode"]) for v in entry["volumes"])),
        "health": health, "reasons": [f["text"] for f in findings], "findings": findings,
        "planned_actions": planned, "errors": errors,
        "cluster_pair_drift": cp_drift, "volume_drift_count": volume_drift,
        "drift_count": (1 if cp_drift else 0) + volume_drift, "volume_pairs": volume_pairs,
        "worst_lag_seconds": max((v["lag_seconds"] for v in volume_pairs if v["declared"]
                                  and v["lag_seconds"] is not None), default=None),
        "rpo": rpo_summary(volume_pairs),
    }


def rpo_summary(volume_pairs: List[Dict[str, Any]]) -> Dict[str, int]:
    """How the declared pairs with an RPO fare: within it, over it, or not measurable."""
    measured = [v for v in volume_pairs if v["declared"] and v["rpo_seconds"] is not None and v["state"] == "present"]
    return {"declared": len(measured), "within": sum(1 for v in measured if v["within_rpo"] is True),
            "breached": sum(1 for v in measured if v["within_rpo"] is False),
            "unknown": sum(1 for v in measured if v["within_rpo"] is None)}


def classify(plan: Dict[str, Any], infos: Dict[int, Dict[str, Any]], cluster_checks: Dict[str, Dict[str, Any]],
             volume_checks: Dict[int, Dict[str, Any]]) -> List[Dict[str, Any]]:
    """One record per topology entry: infos and volume_checks by entry index, cluster_checks by
    cluster pair key (absent: not checked)."""
    return [_record(plan, entry, infos.get(entry["index"]) or {}, cluster_checks.get(entry["key"]),
                    volume_checks.get(entry["index"]))
            for entry in plan["entries"]]
