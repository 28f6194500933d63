# -*- coding: utf-8 -*-
# Copyright (c) 2026, element.replication contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Durations users declare (RPOs) and clusters report (asyncDelay)."""

from __future__ import annotations

import pytest

from ansible_collections.element.replication.plugins.module_utils._durations import (
    DurationError, format_seconds, parse_delay, parse_rpo, parse_time)


@pytest.mark.parametrize("value, seconds", [
    ("30s", 30), ("15m", 900), ("4h", 14400), ("1d", 86400), ("90", 90), (90, 90), (1.5, 1.5),
    (" 10 m ", 600), ("0.5h", 1800),
])
def test_rpo_forms(value, seconds):
    assert parse_rpo(value) == seconds


@pytest.mark.parametrize("value", ["", " ", "soon", "-5m", "0", 0, -1, "5w", "1h30m", True, None, "m", "15M", "2H"])
def test_bad_rpos_are_refused_with_the_forms_that_work(value):
    with pytest.raises(DurationError) as error:
        parse_rpo(value)
    assert repr(value) in str(error.value)


@pytest.mark.parametrize("value, seconds", [
    ("PT0S", 0), ("PT5S", 5), ("PT5.25S", 5.25), ("PT1H2M3S", 3723), ("P1DT2H", 93600), ("P2D", 172800),
    ("PT10M", 600), ("00:00:05", 5), ("00:01:30.500000", 90.5), ("26:00:00", 93600), ("1 02:00:00", 93600),
    (None, None), (7, 7.0),
])
def test_delay_forms(value, seconds):
    assert parse_delay(value) == seconds


@pytest.mark.parametrize("value", ["P", "PT", "5 seconds", "PT5", "00:99", "P1W"])
def test_unreadable_delays_raise(value):
    with pytest.raises(DurationError):
        parse_delay(value)


def test_human_forms():
    forms = [format_seconds(s) for s in (0, 45, 725, 10920, 187200, None)]
    assert forms == ["0s", "45s", "12m 5s", "3h 2m", "2d 4h", "unknown"]


def test_api_times():
    assert parse_time("1970-01-01T00:01:00Z") == 60
    assert parse_time("1970-01-01T00:01:00.500000Z") == 60.5
    assert parse_time("") is None and parse_time("yesterday") is None


def test_unit_letters_are_lowercase_and_an_uppercase_one_says_how_to_write_it():
    with pytest.raises(DurationError, match="units are lowercase .s, m, h, d., so write 15m; M is never months"):
        parse_rpo("15M")
    with pytest.raises(DurationError, match="leave the key out for none"):
        parse_rpo("")
