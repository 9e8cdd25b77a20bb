"""The dashboard's small tables, deadline cards and column headings are written in Python
(dashboard_page.links): the same markup, whitespace aside, as the template loops they
replaced, which are kept here as the reference."""

# ruff: noqa: E501 - the reference loops are kept as the template had them

import re

import pytest
from django.http import QueryDict
from django.template import Context, Template
from django.utils import timezone

from dashboards import dashboard_page
from dashboards.selectors import dashboard_for

from .helpers import make_items

pytestmark = pytest.mark.django_db

CARDS = """{% for row in rows %}
      <li class="col">
        <div class="card h-100{% if row.value == 'overdue' and row.count %} border-danger{% endif %}">
          <div class="card-body">
            {% if row.href %}
              <a class="stretched-link text-decoration-none" href="{{ row.href }}">
                <span class="d-block display-6 fw-bold">{{ row.count }}</span> <span>{{ row.label|lower }}</span>
              </a>
            {% else %}
              <span class="d-block display-6 fw-bold">0</span> <span>{{ row.label|lower }}</span>
            {% endif %}
          </div>
        </div>
      </li>
    {% endfor %}"""
ROWS = """{% for row in rows %}
          <tr><th scope="row" class="fw-normal">{{ row.label }}</th>
            <td class="text-end">{% if row.href %}<a href="{{ row.href }}">{{ row.count }}</a>{% else %}0{% endif %}</td></tr>
        {% endfor %}"""
RAG_ROWS = """{% for row in rows %}
          <tr><th scope="row" class="fw-normal"><span class="rag rag-{{ row.value }}" aria-hidden="true"></span>{{ row.label }}</th>
            <td class="text-end">{% if row.href %}<a href="{{ row.href }}">{{ row.count }}</a>{% else %}0{% endif %}</td></tr>
        {% endfor %}"""
HEADINGS = """{% for value, label in choices %}<th scope="col" class="text-end">{{ label }}</th>{% endfor %}"""


def _same(html: str) -> str:
    return re.sub(r">\s+<", "><", " ".join(str(html).split()))


def _rendered(template: str, **context) -> str:
    return _same(Template(template).render(Context(context)))


@pytest.mark.parametrize("query", ["", "state=open&due=30", "rag=red"])
def test_the_small_tables_are_what_the_template_wrote(query, board_member, organisations):
    today = timezone.localdate()
    make_items(40, organisation=organisations["devon-and-cornwall"], today=today)
    board = dashboard_for(user=board_member, today=today)
    get = QueryDict(query)
    page = dashboard_page.links(board, get)
    lists = dashboard_page.count_lists(board, dashboard_page._Linker(get))
    rows = [row for kind in lists.values() for row in kind]
    assert {bool(row["href"]) for row in rows} == {True, False}  # links and zeros both

    assert _same(page["due_cards"]) == _rendered(CARDS, rows=lists["due"])
    assert _same(page["by_status"]) == _rendered(ROWS, rows=lists["by_status"])
    assert _same(page["by_rag"]) == _rendered(RAG_ROWS, rows=lists["by_rag"])
    assert _same(page["ageing"]) == _rendered(ROWS, rows=lists["ageing"])
    assert _same(page["status_headings"]) == _rendered(HEADINGS, choices=board.statuses)
    assert _same(page["rag_headings"]) == _rendered(HEADINGS, choices=board.rags)
