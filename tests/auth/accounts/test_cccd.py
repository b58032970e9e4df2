"""CCCD layout: 12 digits, province code, century/sex digit and year digits agreeing with the birth date."""

from __future__ import annotations

from datetime import date

import pytest

from auth.cccd import InvalidCccd, is_valid_cccd, parse_cccd, validate_cccd


class TestLayout:
    def test_fields_are_decoded(self):
        info = parse_cccd("001188004512")
        assert (info.province_code, info.province, info.sex, info.century_start, info.year_suffix) == (
            "001",
            "Hà Nội",
            "female",
            1900,
            88,
        )

    @pytest.mark.parametrize("number", ["00118800451", "0011880045123", "00118800451a", "", "001 188 004 512"])
    def test_not_twelve_digits(self, number):
        with pytest.raises(InvalidCccd) as caught:
            parse_cccd(number)
        assert caught.value.status == 422 and caught.value.code == "account.invalid_cccd"

    @pytest.mark.parametrize("number", ["000188004512", "003188004512", "097188004512", "999188004512"])
    def test_unknown_province(self, number):
        with pytest.raises(InvalidCccd):
            parse_cccd(number)


class TestBirthDateAgreement:
    @pytest.mark.parametrize(
        ("number", "born", "sex"),
        [
            ("001088004512", date(1988, 1, 1), "male"),
            ("001188004512", date(1988, 1, 1), "female"),
            ("001215004512", date(2015, 6, 2), "male"),
            ("079315004512", date(2015, 6, 2), "female"),
            ("001400004512", date(2100, 1, 1), "male"),
            ("001999004512", date(1899, 12, 31), "female"),
        ],
    )
    def test_consistent(self, number, born, sex):
        assert validate_cccd(number, born).sex == sex

    @pytest.mark.parametrize(
        ("number", "born"),
        [
            ("001088004512", date(2088, 1, 1)),  # 0 means the 1900s
            ("001215004512", date(1915, 1, 1)),  # 2 means the 2000s
            ("001188004512", date(1987, 1, 1)),  # year digits say 88
        ],
    )
    def test_inconsistent(self, number, born):
        with pytest.raises(InvalidCccd):
            validate_cccd(number, born)
        assert not is_valid_cccd(number, born)
