"""The data each dashboard chart draws, passed to the page with json_script. Each chart also
has a table of the same numbers on the page, for screen readers and for following links."""

from .selectors import Dashboard

RAG_COLOURS = {"red": "#b3261e", "amber": "#c77700", "green": "#2e7d32"}
STATUS_COLOURS = ["#6c757d", "#0d6efd", "#6f42c1", "#2e7d32", "#20c997", "#adb5bd"]


def data(board: Dashboard) -> dict:
    return {
        "status_by_organisation": {
            "type": "bar",
            "stacked": True,
            "horizontal": True,
            "labels": [row["name"] for row in board.by_organisation],
            "datasets": [
                {
                    "label": label,
                    "data": [row["by_status"][value] for row in board.by_organisation],
                    "backgroundColor": STATUS_COLOURS[index % len(STATUS_COLOURS)],
                }
                for index, (value, label) in enumerate(board.statuses)
            ],
        },
        "timeline": {
            "type": "bar",
            "stacked": True,
            "labels": [row["label"] for row in board.timeline],
            "datasets": [
                {
                    "label": label,
                    "data": [row["counts"][value] for row in board.timeline],
                    "backgroundColor": RAG_COLOURS[value],
                }
                for value, label in board.rags
            ],
        },
        "ageing": {
            "type": "bar",
            "stacked": False,
            "labels": [row["label"] for row in board.ageing],
            "datasets": [
                {
                    "label": "Open items",
                    "data": [row["count"] for row in board.ageing],
                    "backgroundColor": "#0d6efd",
                }
            ],
        },
    }
