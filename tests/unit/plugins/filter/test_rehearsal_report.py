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


def result(label="prod -> dr", clones=(), failed=False, msg=None, removed=(), skipped=False, pairs=None, kept=()):
    """A loop result of the role's task, which does not fail by itself: a failed run has a message."""
    entry = {"ansible_loop_var": "dr_rehearsal_run", "clones": list(clones), "failed": False, "changed": False,
             "dr_rehearsal_run": {"label": label, "source": "prod", "target": "dr",
                                  "pairs": len(clones) if pairs is None else pairs},
             "removed": list(removed), "kept": list(kept), "skipped": skipped}
    if failed:
        entry["msg"] = msg
    return entry


def report(results, state="present", **kwargs):
    return rehearsal_report(results, "q4", state, "2026-12-03T07:00:00Z", "reports/rehearsal-q4", **kwargs)


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
    assert out["summary"][0] == "Rehearsal q4 FAILED: 1 of 2 pairs cloned at the DR site; the oldest point in time " \
                                "cloned was 2m old"
    assert out["failures"] == ["prod -> dr: 1 of 2 pairs failed", "edge -> dr: refused"]
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


def test_a_refused_rehearsal_says_what_was_cloned_in_words():
    out = report([result(clones=[clone()]), result("edge -> dr", failed=True, msg="refused", pairs=3)])
    assert out["summary"][0] == ("Rehearsal q4 FAILED: 1 of 4 pairs cloned at the DR site; the oldest point in time "
                                 "cloned was 2m old")
    refused = report([result(failed=True, msg="rehearsal q4 refused", pairs=4)])
    assert refused["summary"][0] == "Rehearsal q4 FAILED: 0 of 4 pairs cloned at the DR site"
    assert "unknown old" not in refused["markdown"] and "**Failed**: 0 of 4 pairs" in refused["markdown"]


def test_unknown_ages_are_said_so_not_counted_as_fresh():
    out = report([result(clones=[clone("db01", 500, None, warnings=["the age of the point in time cloned is "
                                                                    "unknown: the source cluster prod did not answer"]),
                                 clone("db02", 501, 30.0)])])
    assert out["summary"][0] == ("Rehearsal q4: 2 of 2 pairs cloned at the DR site; the oldest point in time cloned "
                                 "was 30s old (1 of unknown age)")
    assert "prod -> dr, db01: the age of the point in time cloned is unknown: the source cluster prod did not " \
           "answer" in out["summary"]
    assert "| unknown |" in out["markdown"] and "## Attention" in out["markdown"]
    every = report([result(clones=[clone("db01", 500, None)])])
    assert every["summary"][0].endswith("the age of the points in time cloned is unknown")


def test_a_pair_behind_and_a_point_over_its_rpo_are_named_and_change_the_verdict():
    behind = clone("db01", 500, 1800.5, pair_state="PausedManualRemote", rpo_seconds=900.0, within_rpo=False,
                   warnings=["the pair was PausedManualRemote, not Active, when cloned: its target is behind the source",
                             "the point in time cloned was 30m old, over the pair's RPO of 15m: this rehearsal does "
                             "not prove the RPO"])
    out = report([result(clones=[behind, clone("db02", 501, 1.0)])])
    assert out["report"]["over_rpo"] == 1 and out["report"]["oldest_point_age_seconds"] == 1800.5
    assert "**Proven, over the RPO of 1 pair(s)**: 2 of 2 pairs cloned" in out["markdown"]
    assert "- prod -> dr, db01: the pair was PausedManualRemote, not Active" in out["markdown"]
    assert "| PausedManualRemote |" in out["markdown"]
    assert any("over the pair's RPO of 15m" in line for line in out["summary"])


def test_a_skipped_pair_is_counted_and_named():
    waiting = clone("db04", None, None, skipped="db04 (the target of db04) is waiting for its first replicated "
                                                "snapshot (next run at 2026-12-03T08:00:00Z)")
    out = report([result(clones=[clone("db01"), waiting])])
    assert out["report"]["ok"] and out["report"]["skipped"] == 1
    assert out["summary"][0] == ("Rehearsal q4: 1 of 2 pairs cloned at the DR site, 1 skipped; the oldest point in "
                                 "time cloned was 2m old")
    assert "prod -> dr, db04: skipped: db04 (the target of db04) is waiting for its first replicated snapshot " \
           "(next run at 2026-12-03T08:00:00Z)" in out["summary"]


def test_the_last_line_cleans_up_with_the_inventory_from_an_installed_collection():
    out = report([result(clones=[clone()])], inventory_sources=["/srv/inv/hosts.yml", "/srv/my inv"],
                 entries="prod-east:dr")
    assert out["markdown"].endswith(
        "Clean up with `ansible-playbook -i /srv/inv/hosts.yml -i '/srv/my inv' element.replication.dr_rehearsal_cleanup "
        "-e dr_rehearsal_name=q4 -e dr_rehearsal_entries=prod-east:dr`.\n")
    assert report([result(clones=[clone()])], inventory_sources=["/i"])["report"]["cleanup_command"] == (
        "ansible-playbook -i /i element.replication.dr_rehearsal_cleanup -e dr_rehearsal_name=q4")


def test_a_run_whose_report_goes_elsewhere_names_the_one_kept():
    out = report([result(failed=True, msg="refused", pairs=2)], kept_report="reports/rehearsal-q4")
    assert out["summary"][1:3] == ["Report: reports/rehearsal-q4.md and reports/rehearsal-q4.json",
                                   "The report of the rehearsal that is up stays in reports/rehearsal-q4.md"]


def test_cleanup_summary_names_what_is_kept():
    kept = "access group q4-hosts (it holds clones of pairs not cleaned up now)"
    out = report([result(removed=["clone q4-db01 (ID 500)"], kept=[kept])], state="absent")
    assert out["summary"] == ["Rehearsal q4 cleaned up: clone q4-db01 (ID 500)",
                              "Kept: access group q4-hosts (it holds clones of pairs not cleaned up now)"]


def test_under_check_the_planned_clones_are_counted_as_what_a_run_would_do():
    planned = clone("db01", None, 5.0, changed=True)
    out = report([result(clones=[planned, clone("db02", 501, 1.0, changed=False)])], check_mode=True)
    assert out["summary"][0] == ("Rehearsal q4: 2 of 2 pairs would be cloned at the DR site; the oldest point in time "
                                 "cloned was 5s old")
    assert "**Planned (check mode)**" in out["markdown"]
