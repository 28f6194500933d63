# Copyright (c) 2026, element.replication contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The rehearsal report: what was cloned, from which point in time, and what failed."""

from __future__ import annotations

import json

from ansible_collections.element.replication.plugins.filter.rehearsal_report import FilterModule, rehearsal_report


def clone(name="db01", volume_id=500, age=120.0, failed=False, msg=None, **extra):
    entry = {"source_volume_name": name, "target_volume_name": name, "target_state": "Active",
             "clone_name": "q4-%s" % name, "clone_volume_id": volume_id, "clone_status": "active",
             "iqn": "iqn.x:q4-%s" % name, "point": "latest", "snapshot": None, "point_in_time": "2026-12-03T06:58:00Z",
             "age_seconds": age, "access_group": "testers", "failed": failed, "msg": msg, "unexpected": "dropped"}
    entry.update(extra)
    return entry


def result(label="prod -> dr", clones=(), failed=False, msg=None, removed=(), skipped=False):
    return {"dr_rehearsal_entry": {"label": label, "source": "prod", "target": "dr"}, "clones": list(clones),
            "failed": failed, "msg": msg, "removed": list(removed), "skipped": skipped}


def report(results, state="present"):
    return rehearsal_report(results, "q4", state, "2026-12-03T07:00:00Z", "reports/rehearsal-q4")


def test_a_proven_rehearsal_counts_clones_and_the_oldest_point():
    out = report([result(clones=[clone("db01", 500, 120.0), clone("db02", 501, 600.0)])])
    data = out["report"]
    assert (data["ok"], data["pairs"], data["cloned"], data["failed"]) == (True, 2, 2, 0)
    assert data["oldest_point_age_seconds"] == 600.0
    assert "unexpected" not in data["entries"][0]["clones"][0]
    assert out["markdown"].count("| q4-db0") == 2 and "**Proven**: 2 of 2 pairs cloned" in out["markdown"]
    assert out["summary"][1] == "Report: reports/rehearsal-q4.md and reports/rehearsal-q4.json"
    assert "prod -> dr: db01 -> q4-db01 iqn.x:q4-db01" in out["summary"]
    assert json.loads(out["json"]) == data


def test_a_failed_clone_and_a_failed_entry_without_clones_both_count():
    out = report([result(clones=[clone("db01"), clone("db02", None, None, failed=True, msg="xCloneFailed")],
                         failed=True, msg="1 of 2 pairs failed"),
                  result("edge -> dr", failed=True, msg="refused")])
    data = out["report"]
    assert (data["ok"], data["cloned"], data["failed"]) == (False, 1, 2)
    assert out["summary"][0].endswith("; FAILED")
    assert "edge -> dr: refused" in out["summary"]
    assert "**Failed**" in out["markdown"]


def test_skipped_entries_are_left_out():
    out = report([result(clones=[clone()]), result("skip", skipped=True)])
    assert [e["label"] for e in out["report"]["entries"]] == ["prod -> dr"]


def test_a_snapshot_point_is_named_in_the_table():
    out = report([result(clones=[clone(point="snapshot", snapshot="hourly-7")])])
    assert "| snapshot (hourly-7) |" in out["markdown"]


def test_cleanup_summary_lists_what_was_removed():
    out = report([result(removed=["clone q4-db01 (ID 500)", "access group testers"])], state="absent")
    assert out["summary"] == ["Rehearsal q4 cleaned up: clone q4-db01 (ID 500); access group testers"]
    assert report([result()], state="absent")["summary"] == ["Rehearsal q4 cleaned up: nothing was left"]


def test_the_filter_is_registered():
    assert FilterModule().filters()["rehearsal_report"] is rehearsal_report
