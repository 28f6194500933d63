# Copyright (c) 2026, element.replication contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The pair options: one spec bundle, and every declared pair with the task's defaults applied."""

from __future__ import annotations

import pytest

from ansible_collections.element.replication.plugins.module_utils._argspec import (
    MODE_OPTION, PAIR_KEYS, VOLUME_KEYS, ArgumentSpec, PairSpec, pair_argument_spec, pair_specs)


def params(**given):
    base = {key: None for key in PAIR_KEYS}
    base.update(pairs=None, mode="Async", paused=False)
    base.update(given)
    return base


def test_a_single_pair_comes_from_the_task_options():
    specs = pair_specs(params(volume="db01", peer_volume="db01-dr", account="tenant"))
    assert specs == [PairSpec(index=1, volume="db01", peer_volume="db01-dr", account="tenant")]


def test_pairs_are_numbered_from_one_in_the_order_given():
    specs = pair_specs(params(pairs=[{"volume": "a"}, {"volume_id": 7}]))
    assert [(s.index, s.volume, s.volume_id) for s in specs] == [(1, "a", None), (2, None, 7)]


def test_task_level_accounts_are_every_item_s_default_and_an_item_s_own_wins():
    specs = pair_specs(params(account="t1", peer_account="t1-dr",
                              pairs=[{"volume": "a"}, {"volume": "b", "account": "t2"}]))
    assert [(s.account, s.peer_account) for s in specs] == [("t1", "t1-dr"), ("t2", "t1-dr")]


def test_named_defaults_flow_into_items_too():
    specs = pair_specs(params(mode="Sync", paused=True, pairs=[{"volume": "a"}, {"volume": "b", "mode": "Async"}]),
                       defaults=("mode", "paused"))
    assert [(s.mode, s.paused) for s in specs] == [("Sync", True), ("Async", True)]


def test_pair_spec_defaults():
    spec = PairSpec(index=3)
    assert (spec.mode, spec.paused, spec.state) == ("Async", False, "present")
    assert spec.label == "pair 3"


@pytest.mark.parametrize("fields, label", [
    (dict(volume="db01"), "pair 1 (volume db01)"), (dict(volume_id=7), "pair 1 (volume ID 7)"),
    (dict(peer_volume="x"), "pair 1 (peer volume x)"), (dict(peer_volume_id=9), "pair 1 (peer volume ID 9)"),
    (dict(volume="db01", peer_volume="x"), "pair 1 (volume db01)")])
def test_labels_name_the_pair_by_what_was_given(fields, label):
    assert PairSpec(index=1, **fields).label == label


def test_the_bundle_excludes_the_list_with_single_pair_options_but_not_accounts():
    bundle = pair_argument_spec()
    exclusive = {tuple(e) for e in bundle.mutually_exclusive}
    assert {("pairs", key) for key in VOLUME_KEYS} <= exclusive
    assert not any("pairs" in e and ("account" in e or "peer_account" in e) for e in exclusive)
    assert ("volume", "volume_id") in exclusive and ("peer_volume", "peer_volume_id") in exclusive
    assert bundle.required_one_of == [("volume", "volume_id", "pairs")]
    item = bundle.argument_spec["pairs"]
    assert item["type"] == "list" and item["elements"] == "dict"
    assert set(item["options"]) == set(PAIR_KEYS)
    assert item["required_one_of"] == [("volume", "volume_id")]


def test_without_a_required_source_the_peer_volume_may_name_the_pair():
    bundle = pair_argument_spec(source_required=False)
    assert bundle.required_one_of == [("volume", "volume_id", "pairs", "peer_volume", "peer_volume_id")]
    assert "required_one_of" not in bundle.argument_spec["pairs"]


def test_item_options_join_the_pair_keys():
    bundle = pair_argument_spec(item_options={"mode": MODE_OPTION})
    assert bundle.argument_spec["pairs"]["options"]["mode"]["choices"] == ["Async", "Sync", "SnapshotsOnly"]


def test_merge_adds_both_without_changing_either():
    one = ArgumentSpec({"a": {"type": "str"}}, mutually_exclusive=[("a", "b")])
    two = ArgumentSpec({"b": {"type": "int"}}, required_one_of=[("a", "b")], required_if=[("a", "x", ["b"])])
    merged = one.merge(two)
    assert set(merged.argument_spec) == {"a", "b"}
    assert merged.mutually_exclusive == [("a", "b")] and merged.required_one_of == [("a", "b")]
    assert merged.required_if == [("a", "x", ["b"])]
    merged.argument_spec["a"]["type"] = "int"
    assert one.argument_spec == {"a": {"type": "str"}} and set(two.argument_spec) == {"b"}
