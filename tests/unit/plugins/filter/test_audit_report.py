# Copyright (c) 2026, element.replication contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The audit report: verdict, counts, Markdown and summary from the records."""

from __future__ import annotations

import json

from ansible_collections.element.replication.plugins.filter.audit_report import audit_report


def volume(drift=False, health="healthy", reasons=(), planned=(), **extra):
    entry = {"source_volume": "db01", "target_volume": "db01", "declared": True, "state": "present", "mode": "Async",
             "declared_mode": "Async", "paused": False, "health": health, "reasons": list(reasons),
             "planned_actions": list(planned), "drift": drift, "lag_seconds": None, "recovery_point": None,
             "rpo_seconds": None, "within_rpo": None}
    entry.update(extra)
    return entry


def record(index=0, key="dr <-> prod", source="prod", target="dr", volumes=(), cp_drift=False, errors=(),
           health="healthy", reasons=(), planned=(), rpo=None, worst=None):
    volumes = list(volumes)
    drift = sum(1 for v in volumes if v["drift"])
    return {"index": index, "key": key, "source": source, "target": target, "source_cluster": source,
            "target_cluster": target, "state": "present", "mode": "Async", "paused": False, "modes": ["Async"],
            "health": health, "reasons": list(reasons), "planned_actions": list(planned), "errors": list(errors),
            "cluster_pair_drift": cp_drift, "volume_drift_count": drift, "drift_count": int(cp_drift) + drift,
            "volume_pairs": volumes, "worst_lag_seconds": worst,
            "rpo": rpo or {"declared": 0, "within": 0, "breached": 0, "unknown": 0}}


def report(*records):
    return audit_report(list(records), "2026-12-03T07:00:00Z", "reports/audit")


def test_clean_when_nothing_drifted_and_nothing_failed():
    out = report(record(volumes=[volume()]))
    assert out["report"]["clean"] is True and out["report"]["drift_count"] == 0
    assert out["summary"][0] == "Replication audit of 1 cluster pair(s) and 1 volume pair(s): clean"
    assert "**Clean**" in out["markdown"]
    assert json.loads(out["json"]) == out["report"]


def test_drift_is_counted_once_per_cluster_pair_plus_each_volume():
    shared = dict(key="dr <-> prod", cp_drift=True, health="absent", reasons=["not paired"], planned=["pair"])
    out = report(record(0, volumes=[volume(drift=True, health="absent", reasons=["not paired"], planned=["pair db01"])],
                        **shared),
                 record(1, source="dr", target="prod", **shared))
    assert out["report"]["drift_count"] == 2  # one cluster pair, listed by two entries, and one volume
    assert out["summary"][0].endswith("DRIFT: 2 finding(s)")
    assert "prod -> dr: db01 -> db01 absent: not paired; planned: pair db01" in out["summary"]
    assert "prod -> dr: cluster pair absent: not paired; planned: pair" in out["summary"]


def test_errors_make_it_could_not_audit():
    out = report(record(errors=["prod -> dr: could not read the clusters: no route"], health="unknown"))
    assert out["report"]["clean"] is False
    assert out["summary"][0].endswith("COULD NOT AUDIT: 1 error(s)")
    assert "error: prod -> dr: could not read the clusters: no route" in out["summary"]
    assert "**Could not audit**" in out["markdown"]


def test_records_are_ordered_by_index():
    out = report(record(2, source="edge", target="dr", key="dr <-> edge"), record(0))
    assert [r["index"] for r in out["report"]["cluster_pairs"]] == [0, 2]


def test_table_cells_escape_pipes_and_newlines():
    out = report(record(volumes=[volume(drift=True, health="mismatched", reasons=["a|b\nc"])]))
    row = [line for line in out["markdown"].splitlines() if line.startswith("| db01")][0]
    assert "a\\|b c" in row and row.count(" | ") == 8


def test_rpo_and_worst_lag_are_summed_over_records():
    rpo = {"declared": 2, "within": 1, "breached": 1, "unknown": 0}
    out = report(record(0, rpo=rpo, worst=30.0), record(1, key="k2", source="edge", rpo=rpo, worst=700.0))
    assert out["report"]["rpo"] == {"declared": 4, "within": 2, "breached": 2, "unknown": 0}
    assert out["report"]["worst_lag_seconds"] == 700.0
    assert "RPO: 2 of 4 pairs within, 2 breached." in out["summary"]


def test_a_mode_other_than_declared_shows_both():
    out = report(record(volumes=[volume(drift=True, mode="Sync", declared_mode="Async")]))
    assert "Sync (declared Async)" in out["markdown"]


def test_the_mermaid_graph_marks_drifting_pairs():
    out = report(record(0, volumes=[volume()]), record(1, key="k", source="edge-1", cp_drift=True))
    assert 'c_edge_1["edge-1"]' in out["markdown"]
    assert "linkStyle 1 stroke:#d62728" in out["markdown"] and "linkStyle 0" not in out["markdown"]


def test_a_pair_over_its_rpo_is_not_called_healthy():
    behind = volume(drift=True, reasons=["db01 is 59m behind, over its RPO of 15m"],
                    findings=[{"code": "rpo_breached", "text": "db01 is 59m behind, over its RPO of 15m"}])
    paused = volume(drift=True, health="paused", reasons=["lost"], findings=[{"code": "lag_unknown", "text": "lost"}])
    summary = report(record(volumes=[behind, paused]))["summary"]
    assert "prod -> dr: db01 -> db01 RPO breached: db01 is 59m behind, over its RPO of 15m" in summary
    assert "prod -> dr: db01 -> db01 paused, lag unknown: lost" in summary
    assert not any("healthy" in line for line in summary)


def test_a_pair_waiting_for_its_first_snapshot_is_said_without_drift():
    text = "arch on prod is waiting for its first replicated snapshot (next run at 2026-12-03T08:00:00Z)"
    out = report(record(volumes=[volume(findings=[{"code": "first_snapshot_pending", "text": text}], reasons=[text])]))
    assert out["report"]["clean"] is True
    assert "prod -> dr: db01 -> db01 waiting: %s" % text in out["summary"]
