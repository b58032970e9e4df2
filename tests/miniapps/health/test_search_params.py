"""FHIR search parameter parsing: dates with prefixes and precision, tokens, limits, refusals."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from miniapps.health.errors import FhirSearchError, UnknownResourceType
from miniapps.health.fhir.search import TokenValue, parse_date, parse_search


def search(rtype: str, *items: tuple[str, str], max_count: int = 100):
    return parse_search(rtype, list(items), default_count=20, max_count=max_count)


class TestDates:
    def test_a_day_without_offset_is_a_hanoi_day(self):
        f = parse_date("2024-03-05")
        assert f.prefix == "eq"
        assert f.start == datetime(2024, 3, 4, 17, tzinfo=UTC)
        assert f.end == datetime(2024, 3, 5, 17, tzinfo=UTC)

    def test_year_and_month_precision(self):
        year = parse_date("ge2024")
        assert (year.prefix, year.start, year.end) == ("ge", datetime(2023, 12, 31, 17, tzinfo=UTC),
                                                      datetime(2024, 12, 31, 17, tzinfo=UTC))
        month = parse_date("le2024-02")
        assert month.end == datetime(2024, 2, 29, 17, tzinfo=UTC)

    def test_date_time_with_offset_and_a_plus_sent_as_space(self):
        f = parse_date("gt2024-03-05T10:30:00 07:00")
        assert f.start == datetime(2024, 3, 5, 3, 30, tzinfo=UTC)
        assert parse_date("lt2024-03-05T03:30:00Z").start == f.start

    @pytest.mark.parametrize("value", ["2024-13-01", "2024-02-30", "yesterday", "2024/03/05", "ge", "24-03-05"])
    def test_malformed_dates_are_refused(self, value):
        with pytest.raises(FhirSearchError) as err:
            parse_date(value)
        assert err.value.message_key == "error.health.invalid_date"

    def test_unsupported_prefix_is_refused(self):
        with pytest.raises(FhirSearchError) as err:
            parse_date("sa2024-01-01")
        assert err.value.message_key == "error.health.date_prefix_unsupported"


class TestParameters:
    def test_tokens_comma_is_or_and_repetition_is_and(self):
        q = search("Observation", ("code", "http://loinc.org|8867-4,29463-7"), ("code", "|x"), ("category", "vital-signs"))
        assert q.codes == [[TokenValue("http://loinc.org", "8867-4"), TokenValue(None, "29463-7")], [TokenValue("", "x")]]
        assert q.categories == [[TokenValue(None, "vital-signs")]]

    def test_patient_accepts_a_reference(self):
        assert search("Condition", ("patient", "Patient/p1,p2")).patients == ["p1", "p2"]

    def test_count_sort_and_defaults(self):
        q = search("Encounter")
        assert (q.count, q.descending) == (20, True)
        q = search("Encounter", ("_count", "0"), ("_sort", "date"))
        assert (q.count, q.descending) == (0, False)

    def test_unknown_parameter_is_not_supported(self):
        with pytest.raises(FhirSearchError) as err:
            search("Observation", ("value-quantity", "5"))
        assert err.value.issue_code == "not-supported"

    def test_parameter_that_the_type_lacks_is_refused(self):
        with pytest.raises(FhirSearchError):
            search("Immunization", ("category", "x"))
        with pytest.raises(FhirSearchError):
            search("Patient", ("date", "2024"))

    def test_count_beyond_the_cap_is_refused(self):
        with pytest.raises(FhirSearchError) as err:
            search("Observation", ("_count", "101"))
        assert err.value.message_key == "error.health.count_too_large"

    @pytest.mark.parametrize("value", ["-1", "ten", "", "1.5"])
    def test_count_must_be_a_whole_number(self, value):
        with pytest.raises(FhirSearchError):
            search("Observation", ("_count", value))

    def test_sort_other_than_date_is_refused(self):
        with pytest.raises(FhirSearchError):
            search("Observation", ("_sort", "code"))

    def test_repeated_single_parameter_is_refused(self):
        with pytest.raises(FhirSearchError):
            search("Observation", ("_count", "5"), ("_count", "6"))

    def test_unknown_resource_type(self):
        with pytest.raises(UnknownResourceType):
            search("Medication")

    def test_modifiers_are_refused(self):
        with pytest.raises(FhirSearchError):
            search("Observation", ("code:text", "glucose"))
