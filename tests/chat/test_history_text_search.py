"""History's text search in Russian and English: case, Ё/Е, literal wildcards, the
PostgreSQL trigram indexes it reads, and a query count that does not grow with rows."""

import pytest
from django.db import connection

from chat.console.text_search import contains
from chat.models import Message, Visitor
from tests.chat.test_history import FILTERED_PAGE_QUERIES, PAGE_QUERIES, URL, listed, make_dialog

pytestmark = pytest.mark.django_db

postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the trigram indexes are PostgreSQL's"
)


def test_russian_words_are_found_whatever_the_case_and_with_e_for_yo(alice_client, site):
    tree = make_dialog(site, texts=["Хочу ёлку к Новому году", "Где мой ЗАКАЗ №10234-7?"])
    other = make_dialog(site, texts=["Доставка в Казань возможна?"])

    for query in ("ёлку", "Ёлку", "ЕЛКУ", "елку", "заказ", "Заказ №10234", "10234-7"):
        assert listed(alice_client.get(URL, {"q": query})) == [tree.id], query
    # A part of a word finds its every form.
    assert listed(alice_client.get(URL, {"q": "ДОСТАВ"})) == [other.id]
    assert listed(alice_client.get(URL, {"q": "казан"})) == [other.id]
    assert listed(alice_client.get(URL, {"q": "ёлка"})) == []  # not a form the text has


def test_english_words_and_mixed_texts_are_found(alice_client, site):
    english = make_dialog(site, texts=["My DELIVERY is late, order #A-77"])
    mixed = make_dialog(site, texts=["Order заказ 55 shipped?"])

    assert listed(alice_client.get(URL, {"q": "delivery"})) == [english.id]
    assert listed(alice_client.get(URL, {"q": "a-77"})) == [english.id]
    assert listed(alice_client.get(URL, {"q": "#a"})) == [english.id]  # too short for a trigram
    assert sorted(listed(alice_client.get(URL, {"q": "ORDER"}))) == sorted([english.id, mixed.id])
    assert listed(alice_client.get(URL, {"q": "Order Заказ"})) == [mixed.id]


def test_visitor_names_in_cyrillic_are_found(alice_client, site):
    visitor = Visitor.objects.create(site=site, animal="owl", name="Пётр Ёжиков")
    dialog = make_dialog(site, visitor=visitor)
    make_dialog(site)
    assert listed(alice_client.get(URL, {"q": "петр ежиков"})) == [dialog.id]
    assert listed(alice_client.get(URL, {"q": "ПЁТР"})) == [dialog.id]


@pytest.mark.parametrize(
    ("query", "found"),
    [
        ("100%", "price 100%"),
        ("a_b", "code a_b"),
        ("c:\\temp", "path c:\\temp"),
        ("(.*)", "smile (.*)"),
        ("[её]", "set [её]"),
    ],
)
def test_wildcards_and_regex_characters_match_literally(alice_client, site, query, found):
    wanted = make_dialog(site, texts=[found])
    # What the query would find were it a LIKE pattern or a regex.
    make_dialog(site, texts=["price 1000 and more", "code aXb", "path c:temp", "smile x", "e"])
    assert listed(alice_client.get(URL, {"q": query})) == [wanted.id]


def test_search_query_count_does_not_grow_with_rows(
    alice_client, site, alice, django_assert_num_queries
):
    for n in range(3):
        make_dialog(site, texts=[f"заказ {n}", "Refund"], operators=[alice])
    with django_assert_num_queries(PAGE_QUERIES):
        assert len(listed(alice_client.get(URL, {"q": "ЗАКАЗ"}))) == 3
    for n in range(60):
        make_dialog(site, texts=[f"заказ {n}"], operators=[alice])
    with django_assert_num_queries(PAGE_QUERIES):
        assert len(listed(alice_client.get(URL, {"q": "заказ"}))) == 50
    with django_assert_num_queries(FILTERED_PAGE_QUERIES - 1):  # the site looked up
        assert len(listed(alice_client.get(URL, {"q": "refund", "site": site.id}))) == 3


@postgres_only
def test_trigram_indexes_exist_on_postgresql():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE indexname LIKE %s", ["%_trgm"]
        )
        found = dict(cursor.fetchall())
    assert set(found) >= {
        "chat_message_text_trgm",
        "chat_visitor_name_trgm",
        "chat_visitor_email_trgm",
        "chat_visitor_phone_trgm",
    }
    assert "gin_trgm_ops" in found["chat_message_text_trgm"]


@postgres_only
@pytest.mark.parametrize(
    ("model", "field", "index"),
    [(Message, "text", "chat_message_text_trgm"), (Visitor, "email", "chat_visitor_email_trgm")],
)
def test_the_search_expression_is_the_indexed_one(model, field, index):
    """Were the two expressions apart by a cast or a letter, PostgreSQL could not read the
    index, and a search would read every message again."""
    rows = model.objects.filter(contains(field, "Заказ 100%")).order_by()  # as in History
    sql, params = rows.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("EXPLAIN " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert index in plan, plan


def test_dialogs_of_other_accounts_are_not_found(alice_client, site, make_site):
    stranger_site = make_site(name="other.example")
    make_dialog(stranger_site, texts=["секретный заказ"])
    assert listed(alice_client.get(URL, {"q": "секретный"})) == []
