# -*- coding: utf-8 -*-
# Copyright (c) 2026, element.replication contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Argument specs that carry their own constraints, merged per module; and the options that
name volume pairs, as every pair module takes them (one pair, or a pairs list).

Private module_utils: not a public API of the collection.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any, Dict, Iterable, List, Optional, Sequence, Tuple

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.element.replication.plugins.module_utils._element import ASYNC, MODES


@dataclass
class ArgumentSpec:
    """Options with the constraints between them, so that a module merges bundles instead of
    restating constraints."""
    argument_spec: Dict[str, Any] = field(default_factory=dict)
    mutually_exclusive: List[Sequence[str]] = field(default_factory=list)
    required_one_of: List[Sequence[str]] = field(default_factory=list)
    required_if: List[Sequence[Any]] = field(default_factory=list)

    def merge(self, other: "ArgumentSpec") -> "ArgumentSpec":
        spec = copy.deepcopy(self.argument_spec)
        spec.update(copy.deepcopy(other.argument_spec))
        return ArgumentSpec(spec, self.mutually_exclusive + other.mutually_exclusive,
                            self.required_one_of + other.required_one_of, self.required_if + other.required_if)

    def create_ansible_module(self, **kwargs: Any) -> AnsibleModule:
        return AnsibleModule(argument_spec=self.argument_spec, mutually_exclusive=self.mutually_exclusive,
                             required_one_of=self.required_one_of, required_if=self.required_if, **kwargs)


# The options that name one pair (single, or as items of pairs).
VOLUME_KEYS = ("volume", "volume_id", "peer_volume", "peer_volume_id")  # exclude the pairs list
ACCOUNT_KEYS = ("account", "peer_account")  # with a pairs list: every item's default
PAIR_KEYS = VOLUME_KEYS + ACCOUNT_KEYS

MODE_OPTION = dict(type="str", choices=list(MODES))


@dataclass(frozen=True)
class PairSpec:
    """One declared pair, with the task-level defaults already applied."""
    index: int
    volume: Optional[str] = None
    volume_id: Optional[int] = None
    peer_volume: Optional[str] = None
    peer_volume_id: Optional[int] = None
    account: Optional[str] = None
    peer_account: Optional[str] = None
    mode: str = ASYNC
    paused: bool = False
    state: str = "present"

    @property
    def label(self) -> str:
        for name, value in (("volume", self.volume), ("volume ID", self.volume_id), ("peer volume", self.peer_volume),
                            ("peer volume ID", self.peer_volume_id)):
            if value is not None:
                return "pair %d (%s %s)" % (self.index, name, value)
        return "pair %d" % self.index


def _pair_options(**extra: Any) -> Dict[str, Any]:
    spec: Dict[str, Any] = dict(volume=dict(type="str"), volume_id=dict(type="int"), peer_volume=dict(type="str"),
                                peer_volume_id=dict(type="int"), account=dict(type="str"),
                                peer_account=dict(type="str"))
    spec.update(extra)
    return spec


def pairs_option(item_options: Optional[Dict[str, Any]] = None, source_required: bool = True) -> Dict[str, Any]:
    """The pairs list option: items with the pair keys (and item_options)."""
    item: Dict[str, Any] = dict(type="list", elements="dict", options=_pair_options(**(item_options or {})),
                                mutually_exclusive=[("volume", "volume_id"), ("peer_volume", "peer_volume_id")])
    if source_required:
        item["required_one_of"] = [("volume", "volume_id")]
    return item


def pair_argument_spec(item_options: Optional[Dict[str, Any]] = None, source_required: bool = True) -> ArgumentSpec:
    """The single-pair options and the pairs list (with item_options besides the pair keys): one
    of them names the pairs; the single-pair options exclude the list (accounts excepted)."""
    spec = _pair_options(pairs=pairs_option(item_options, source_required))
    one_of: Tuple[str, ...] = ("volume", "volume_id", "pairs")
    if not source_required:
        one_of += ("peer_volume", "peer_volume_id")
    exclusive: List[Sequence[str]] = [("volume", "volume_id"), ("peer_volume", "peer_volume_id")]
    exclusive += [("pairs", key) for key in VOLUME_KEYS]
    return ArgumentSpec(spec, mutually_exclusive=exclusive, required_one_of=[one_of])


def pair_specs(params: Dict[str, Any], defaults: Iterable[str] = ()) -> List[PairSpec]:
    """Every declared pair: the pairs list, or the single pair of the task's options; the
    task-level accounts and the options named in defaults are each item's default values."""
    return [PairSpec(index=index, **values) for index, values in pair_items(params, defaults)]


def pair_items(params: Dict[str, Any], defaults: Iterable[str] = ()) -> List[Tuple[int, Dict[str, Any]]]:
    raw = params["pairs"] if params["pairs"] is not None else [{k: params[k] for k in VOLUME_KEYS}]
    items = []
    for index, item in enumerate(raw, start=1):
        values = {k: item.get(k) for k in VOLUME_KEYS}
        for key in ACCOUNT_KEYS + tuple(defaults):
            values[key] = item[key] if item.get(key) is not None else params[key]
        items.append((index, values))
    return items
