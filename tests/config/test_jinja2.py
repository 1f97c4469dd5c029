"""The Jinja2 filters reader pages use give what Django's own template filters gave."""

import datetime

from django.template import defaultfilters
from django.test import override_settings
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from config.jinja2 import date, iso

MOMENTS = st.datetimes(
    min_value=datetime.datetime(1, 1, 2), max_value=datetime.datetime(9999, 12, 30),
    timezones=st.just(datetime.UTC),
)  # fmt: skip


@given(MOMENTS, st.sampled_from(["UTC", "Europe/Paris", "America/St_Johns", "Asia/Kolkata"]))
def test_iso_is_djangos_machine_readable_date(moment, zone):
    with override_settings(TIME_ZONE=zone), timezone.override(zone):
        django = defaultfilters.date(timezone.localtime(moment), "Y-m-d\\TH:i:sO")
        assert iso(moment) == django


@given(MOMENTS)
def test_date_formats_in_the_sites_time_zone(moment):
    with timezone.override("Asia/Kolkata"):
        local = timezone.localtime(moment)
        assert date(moment, "DATETIME_FORMAT") == defaultfilters.date(local, "DATETIME_FORMAT")
        assert date(None) == ""
