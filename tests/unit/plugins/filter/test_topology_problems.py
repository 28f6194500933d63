# -*- coding: utf-8 -*-
# Copyright (c) 2026, element.replication contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""What the roles refuse in a topology before any change: hosts, credentials, contradictions."""

from __future__ import annotations

import pytest

from ansible_collections.element.replication.plugins.filter.topology_problems import topology_problems

CREDENTIALS = {"element_hostname": "h", "element_username": "u", "element_password": "p"}
HOSTVARS = {"prod": CREDENTIALS, "edge": CREDENTIALS, "dr": CREDENTIALS, "bare": {}}
HOSTS = sorted(HOSTVARS)


def problems(topology, **options):
    return topology_problems(topology, HOSTVARS, HOSTS, **options)


def test_a_valid_topology_has_no_problem():
    assert problems([{"source": "prod", "target": "dr", "volumes": [{"volume": "a"}, {"volume": "b"}]},
                     {"source": "edge", "target": "dr", "volumes": [{"volume": "a", "peer_volume": "c"}]},
                     {"source": "dr", "target": "prod", "volumes": [{"volume": "d"}]}]) == []


def test_hosts_and_credentials():
    found = problems([{"source": "prod", "target": "nowhere"}, {"source": "bare", "target": "dr"}])
    assert found == [
        "element_replication_topology[0] (prod -> nowhere): target 'nowhere' is not a host of the inventory "
        "(hosts: bare, dr, edge, prod)",
        "element_replication_topology[1] (bare -> dr): inventory host 'bare' has no element_hostname, "
        "element_username, element_password"]


def test_split_site_hosts_outside_the_play_need_no_credentials_unless_both_are_driven():
    topology = [{"source": "bare", "target": "dr", "split_site": True}]
    assert problems(topology, play_hosts=["dr"]) == []
    assert "needs the credentials of both clusters" in problems(topology, play_hosts=["dr"], needs_both=True)[0]


def test_directions_and_split_site_agreement():
    found = problems([{"source": "prod", "target": "dr"}, {"source": "prod", "target": "dr"},
                      {"source": "dr", "target": "prod", "split_site": True}, {"source": "prod", "target": "prod"}],
                     name="t")
    assert found == ["t[1] (prod -> dr): repeats t[0]; declare each direction once",
                     "t[2] (dr -> prod): split_site differs from t[0], which shares its cluster pair",
                     "t[3] (prod -> prod): source and target are the same cluster"]


def test_split_site_entries_only_pair():
    found = problems([{"source": "prod", "target": "dr", "split_site": True, "exclusive": True,
                       "volumes": [{"volume": "a", "paused": True}]}], state="absent")
    assert found == ["element_replication_topology[0] (prod -> dr): split_site: true does not support paused, "
                     "exclusive, state absent (the split-site steps only pair, one cluster at a time); do that from "
                     "a controller that holds both clusters' credentials, with split_site: false"]


def test_one_volume_in_two_pairs_is_refused_across_entries():
    found = problems([
        {"source": "prod", "target": "dr", "volumes": [{"volume": "a"}, {"volume": "a", "peer_volume": "b"}]},
        {"source": "edge", "target": "dr", "peer_account": "t", "volumes": [{"volume": "x", "peer_volume": "c"}]},
        {"source": "dr", "target": "edge", "volumes": [{"volume": "b"}, {"volume_id": 7}, {"volume_id": 7}]}])
    assert found == [
        "volume a on prod is named by more than one pair, and a volume can be in one pair only: "
        "element_replication_topology[0] (prod -> dr) volumes[0] (as source); "
        "element_replication_topology[0] (prod -> dr) volumes[1] (as source)",
        "volume b on dr is named by more than one pair, and a volume can be in one pair only: "
        "element_replication_topology[0] (prod -> dr) volumes[1] (as target); "
        "element_replication_topology[2] (dr -> edge) volumes[0] (as source)",
        "volume ID 7 on dr is named by more than one pair, and a volume can be in one pair only: "
        "element_replication_topology[2] (dr -> edge) volumes[1] (as source); "
        "element_replication_topology[2] (dr -> edge) volumes[2] (as source)"]


def test_rpos_are_checked_naming_the_entry_and_the_item():
    found = problems([{"source": "prod", "target": "dr", "rpo": "15m",
                       "volumes": [{"volume": "a", "rpo": "4h"}, {"volume": "b", "rpo": "-5m"}, {"volume": "c"}]},
                      {"source": "edge", "target": "dr", "rpo": "soon", "volumes": [{"volume": "d", "rpo": 0}]}])
    assert found == [
        "element_replication_topology[0] (prod -> dr) volumes[1]: rpo '-5m' is not a duration: give seconds, or a "
        "number with s, m, h or d (30s, 15m, 4h, 1d)",
        "element_replication_topology[1] (edge -> dr): rpo 'soon' is not a duration: give seconds, or a number with "
        "s, m, h or d (30s, 15m, 4h, 1d)",
        "element_replication_topology[1] (edge -> dr) volumes[0]: rpo 0 is not a positive duration"]


def test_typos_and_non_booleans_anywhere_are_named_before_anything_runs():
    found = problems([{"source": "prod", "target": "dr", "volumes": [{"volume": "vol-0001"}],
                       "snapshots": {"name": "typo", "volumes": ["vol-0001"], "every": "1h", "retian": "1d"}},
                      {"source": "edge", "target": "dr", "volumes": [{"volume": "a", "paused": "maybe"}],
                       "snapshots": [{"every": "1h", "replicate": "maybe"}, {"every": "1d", "group": "yes"}]},
                      {"source": "dr", "target": "edge", "exclusiv": True, "volumes": [{"volume": "b", "rop": "5m"}]}])
    assert found == [
        "element_replication_topology[0] (prod -> dr) snapshots: unknown key retian; a snapshots group takes name, "
        "every, weekdays, monthdays, at, retain, replicate, group, volumes",
        "element_replication_topology[1] (edge -> dr) volumes[0]: paused 'maybe' is not a boolean (true or false)",
        "element_replication_topology[1] (edge -> dr) snapshots[0]: replicate 'maybe' is not a boolean (true or false)",
        "element_replication_topology[2] (dr -> edge): unknown key exclusiv; an entry takes source, target, mode, "
        "paused, state, exclusive, create_target, peer_account, rpo, snapshots, split_site, volumes",
        "element_replication_topology[2] (dr -> edge) volumes[0]: unknown key rop; a volume takes volume, volume_id, "
        "peer_volume, peer_volume_id, account, peer_account, mode, paused, state, rpo"]


def test_a_mode_or_state_that_is_not_a_choice_is_named():
    found = problems([{"source": "prod", "target": "dr", "mode": "async", "volumes": [{"volume": "a", "mode": "Snc"}]},
                      {"source": "edge", "target": "dr", "state": "gone", "volumes": [{"volume": "b", "state": "absent"}]}])
    assert found == [
        "element_replication_topology[0] (prod -> dr): mode 'async' is not one of Async, Sync, SnapshotsOnly",
        "element_replication_topology[0] (prod -> dr) volumes[0]: mode 'Snc' is not one of Async, Sync, SnapshotsOnly",
        "element_replication_topology[1] (edge -> dr): state 'gone' is not one of present, absent"]


def _spec_type(option):
    return option.get("type", "str") + ("[%s]" % option["elements"] if "elements" in option else "")


def test_the_keys_and_types_the_filter_knows_are_the_role_specs():
    import os

    import yaml

    from ansible_collections.element.replication.plugins.module_utils._topology import (
        CHOICES, ENTRY_TYPES, SNAPSHOT_TYPES, VOLUME_TYPES)
    from ansible_collections.element.replication.plugins.modules.element_snapshot_schedule import OPTIONS
    spec_path = os.path.join(os.path.dirname(__file__), "..", "..", "..", "..", "roles", "volume_pairing", "meta",
                             "argument_specs.yml")
    with open(spec_path, encoding="utf-8") as handle:
        spec = yaml.safe_load(handle)["argument_specs"]["main"]["options"]["volume_pairing_topology"]["options"]
    assert {key: _spec_type(option) for key, option in spec.items()} == ENTRY_TYPES
    assert {key: _spec_type(option) for key, option in spec["volumes"]["options"].items()} == VOLUME_TYPES
    for options in (spec, spec["volumes"]["options"]):
        assert {key: tuple(option["choices"]) for key, option in options.items() if "choices" in option} == CHOICES
    # A snapshots group (raw in the spec) becomes element_snapshot_schedule parameters: the same types.
    schedule = {key: _spec_type(option) for key, option in OPTIONS.argument_spec.items()}
    assert {key: schedule[key] for key in SNAPSHOT_TYPES if key in schedule} == \
        {key: wanted for key, wanted in SNAPSHOT_TYPES.items() if key in schedule}
    assert set(SNAPSHOT_TYPES) - set(schedule) == {"group"}


def test_values_of_the_wrong_type_are_named_with_the_key_and_what_was_expected():
    found = problems([{"source": "prod", "target": "dr", "volumes": "x"},
                      {"source": "edge", "target": "dr", "volumes": ["db01", {"volume": ["a"], "volume_id": "seven"}]},
                      "prod",
                      {"source": 5, "target": ["dr"], "peer_account": {"name": "t"}, "exclusive": "maybe"},
                      {"source": "dr", "target": "edge", "volumes": [{"volume": "b"}],
                       "snapshots": [{"every": "1h"}, "daily", {"every": ["1h"], "volumes": "b", "weekdays": "mon"}]}])
    assert found == [
        "element_replication_topology[0] (prod -> dr): volumes 'x' is not a list of dicts",
        "element_replication_topology[1] (edge -> dr) volumes[0]: must be a dict (a volume), not 'db01'",
        "element_replication_topology[1] (edge -> dr) volumes[1]: volume ['a'] is not a string",
        "element_replication_topology[1] (edge -> dr) volumes[1]: volume_id 'seven' is not an integer",
        "element_replication_topology[2]: must be a dict (an entry), not 'prod'",
        "element_replication_topology[3] (5 -> ['dr']): target ['dr'] is not a string",
        "element_replication_topology[3] (5 -> ['dr']): exclusive 'maybe' is not a boolean (true or false)",
        "element_replication_topology[3] (5 -> ['dr']): peer_account {'name': 't'} is not a string",
        "element_replication_topology[4] (dr -> edge) snapshots[1]: must be a dict (a snapshots group), not 'daily'",
        "element_replication_topology[4] (dr -> edge) snapshots[2]: every ['1h'] is not a string",
        "element_replication_topology[4] (dr -> edge) snapshots[2]: weekdays 'mon' is not a list of strings",
        "element_replication_topology[4] (dr -> edge) snapshots[2]: volumes 'b' is not a list of strings"]


def test_what_the_argument_spec_converts_is_accepted():
    # As the role specs take them: an ID as text, a number where a string is expected, yes/no booleans.
    assert problems([{"source": "prod", "target": "dr", "paused": "yes", "peer_account": 12,
                      "volumes": [{"volume_id": "7", "peer_volume_id": 8.0, "account": 3}],
                      "snapshots": [{"every": "1h", "retain": 86400}, {"name": "m", "monthdays": ["1", 15], "at": "01:00"}]}]) == []


def test_a_topology_that_is_not_a_list_is_named():
    for value, shown in (("prod", "'prod'"), ({"source": "prod"}, "{'source': 'prod'}"), (5, "5")):
        assert problems(value) == ["element_replication_topology must be a list of entries (dicts with source, "
                                   "target and volumes), not %s" % shown]
    assert problems(None) == []


@pytest.mark.parametrize("value", [None, "x", 5, True, [], ["x"], [None], {}, {"a": 1}, [{}], [[1]], [{"volume": []}]])
@pytest.mark.parametrize("key", ["source", "volumes", "snapshots", "rpo", "mode", "peer_account"])
def test_any_shape_gets_messages_not_a_traceback(key, value):
    entry = {"source": "prod", "target": "dr", "volumes": [{"volume": "a"}], key: value}
    topology = [entry, {"source": "edge", "target": "dr", "volumes": [dict(entry, volume=value)]}]
    assert all(isinstance(message, str) for message in problems(topology))


def test_messages_name_the_variable_the_user_set():
    topology = [{"source": "prod", "target": "dr"}, {"source": "prod", "target": "prod"}]
    internal = problems(topology, name="dr_failover_topology")
    assert internal[0].startswith("dr_failover_topology[1] (prod -> prod)")
    # The role's variable left at its default holds element_replication_topology: name that one.
    user_set = problems(topology, name="dr_failover_topology", user_topology=list(topology))
    assert user_set == ["element_replication_topology[1] (prod -> prod): source and target are the same cluster"]
    own = [{"source": "edge", "target": "edge"}]
    assert problems(own, name="dr_failover_topology", user_topology=topology)[0].startswith("dr_failover_topology[0]")


def test_an_empty_rpo_and_an_uppercase_unit_are_refused():
    found = problems([{"source": "prod", "target": "dr", "rpo": "", "volumes": [{"volume": "a", "rpo": "15M"}]}])
    assert found == [
        "element_replication_topology[0] (prod -> dr): rpo '' is not a duration: give seconds, or a number with s, m, "
        "h or d (30s, 15m, 4h, 1d); leave the key out for none",
        "element_replication_topology[0] (prod -> dr) volumes[0]: rpo '15M' is not a duration: units are lowercase "
        "(s, m, h, d), so write 15m; M is never months"]
