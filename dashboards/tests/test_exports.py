"""The one formula-safe CSV writer (rocu_tracker.spreadsheets) that every export uses."""

import csv
import datetime
import io

from dashboards import exports
from rocu_tracker import spreadsheets


def test_it_writes_every_formula_start_inert_and_leaves_other_values_alone():
    row = ["=1+1", "+SUM(A1)", "-2+3", "@cmd", "\tx", "\rx", "plain", 7, datetime.date(2021, 2, 10)]
    [written] = list(csv.reader(io.StringIO(spreadsheets.csv_line(row))))
    assert written == [
        "'=1+1",
        "'+SUM(A1)",
        "'-2+3",
        "'@cmd",
        "'\tx",
        "'\rx",
        "plain",
        "7",
        "2021-02-10",
    ]
    assert spreadsheets.neutralise(None) is None
    assert spreadsheets.neutralise("'=already inert") == "'=already inert"


def test_it_neutralises_through_the_writer_whatever_the_caller_passes():
    buffer = io.StringIO()
    spreadsheets.csv_writer(buffer).writerows([["=a", "b"], ["c", "@d"]])
    assert buffer.getvalue() == "'=a,b\r\nc,'@d\r\n"


def test_it_has_one_home_for_the_rule():
    assert exports.neutralise is spreadsheets.neutralise
    assert not hasattr(exports, "FORMULA_STARTS")
