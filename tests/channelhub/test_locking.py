"""``channelhub.locking``: named key spaces, a bounded wait, a 503 when a lock can't be had, and the
signing lock keyed per territory and product line (not one lock for every signing)."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from channelhub.locking import Busy, KeySpace, hold, hold_many
from partners.models import Agreement
from partners.services.agreements import SIGNING, signing_keys
from tests.partners.world import YEAR_2026, make_agreement, make_dealer, qualify

SPACE = KeySpace("test-locking")


def test_key_spaces_have_unique_names_and_keys_of_their_own():
    with pytest.raises(ValueError, match="defined twice"):
        KeySpace("test-locking")
    other = KeySpace("test-locking-other")
    assert SPACE.key(1) != other.key(1)
    assert SPACE.key(1) != SPACE.key(2)
    assert SPACE.key("2026-10") == SPACE.key("2026-10")
    assert SPACE.key("/SH/", 3) != SPACE.key("/SH/", 4)
    assert -(2**63) <= SPACE.key(1) < 2**63  # a PostgreSQL bigint


def test_busy_is_a_503_that_says_to_try_again():
    assert Busy().status_code == 503
    with translation.override("en"):
        assert "try again" in str(Busy())
    with translation.override("zh-hans"):
        assert "请稍后再试" in str(Busy())


@pytest.mark.django_db
def test_one_query_per_acquisition_on_postgresql_none_on_sqlite():
    with transaction.atomic(), CaptureQueriesContext(connection) as queries:
        hold(SPACE, 1)
        hold_many(SPACE, (key for key in (1, 2, 3)))
        hold_many(SPACE, [])
    if connection.vendor == "postgresql":
        assert len(queries) == 2
        assert queries[0]["sql"].startswith("SET LOCAL lock_timeout = ")
    else:
        assert len(queries) == 0


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_lock_held_elsewhere_gives_busy_after_the_time_out():
    held, release, outcome = threading.Event(), threading.Event(), []

    def holder():
        try:
            with transaction.atomic():
                hold(SPACE, "the key")
                held.set()
                release.wait(10)
        finally:
            connection.close()

    thread = threading.Thread(target=holder)
    thread.start()
    try:
        assert held.wait(10)
        with pytest.raises(Busy), transaction.atomic():
            hold(SPACE, "the key", timeout_ms=200)
        # another key of the space, and the same key of another space, are free
        with transaction.atomic():
            hold(SPACE, "another key", timeout_ms=200)
            hold(KeySpace("test-locking-free"), "the key", timeout_ms=200)
            outcome.append("free")
        # a shared lock waits for an exclusive one too
        with pytest.raises(Busy), transaction.atomic():
            hold(SPACE, "the key", shared=True, timeout_ms=200)
    finally:
        release.set()
        thread.join()
    assert outcome == ["free"]
    with transaction.atomic():  # released with the holder's transaction
        hold(SPACE, "the key", timeout_ms=200)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_lock_outside_a_transaction_is_a_programming_error():
    with pytest.raises(RuntimeError, match="inside one"):
        hold(SPACE, 1)


def test_the_time_out_comes_from_the_setting(settings):
    import channelhub.locking as locking

    settings.LOCK_TIMEOUT_MS = 1234
    assert locking._timeout_ms(None) == 1234
    assert locking._timeout_ms(50) == 50


@pytest.mark.django_db
def test_signings_that_could_clash_share_a_key_and_others_do_not(covered, lines, manager, finance, rep, rep_peer):
    city = qualify(make_dealer(manager, covered["SH-SH"], rep, "SH001"), manager, finance)
    district = qualify(make_dealer(manager, covered["SH-PD"], rep_peer, "SH002"), manager, finance)

    def keys(dealer, territory, line_names) -> set[int]:
        agreement = make_agreement(manager, dealer, territory, [lines[name] for name in line_names], *YEAR_2026)
        return {SIGNING.key(*key) for key in signing_keys(Agreement.objects.get(pk=agreement.pk))}

    city_kitchen = keys(city, covered["SH-SH"], ["kitchen"])
    district_kitchen = keys(district, covered["SH-PD"], ["kitchen"])
    other_names = [name for name in lines if name != "kitchen"]
    district_other = keys(district, covered["SH-PD"], other_names[:1])
    assert city_kitchen & district_kitchen  # the district lies inside the city: the same line clashes
    assert not city_kitchen & district_other  # another product line never clashes
