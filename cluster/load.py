"""A bounded load: signed-in people reading their pages, writing progress updates on their
own item (every fourth with a PDF of evidence) and downloading evidence back, until a time
or a number of rounds runs out. Each acknowledged write (the 302 after the POST) is kept, so
that the database can be asked for every one of them afterwards."""

import dataclasses
import threading
import time

from .client import Browser, csrf_fields

PDF_HEADER = b"%PDF-1.4\n"


@dataclasses.dataclass
class Ack:
    user: str
    token: str
    item: int
    evidence: bytes | None  # the PDF uploaded with it, if any


@dataclasses.dataclass
class Person:
    browser: Browser
    item: int | None = None  # None: a reader
    acks: list[Ack] = dataclasses.field(default_factory=list)
    refused: int = 0  # 4xx answers (a stale save, say): not errors of the cluster
    rounds: int = 0


def one_round(person: Person, round_number: int, *, pause: float) -> None:
    browser = person.browser
    if person.item is None:
        browser.get("/dashboards/")
        browser.get("/dashboards/items/")
        time.sleep(pause)
        return
    page = browser.get(f"/items/{person.item}/")
    if page is None or page.status != 200:
        time.sleep(pause)
        return
    form = csrf_fields(page.text, f"/items/{person.item}/progress/")
    token = f"cluster-{browser.name}-{round_number}"
    fields = {
        **form["fields"],
        "status": form["options"]["status"][0],
        "narrative": f"Progress {token}.",
        "percent_complete": "",
    }
    evidence = None
    files = None
    if round_number % 4 == 0:
        evidence = PDF_HEADER + f"% evidence {token}\n".encode() + b"%%EOF\n"
        files = {"evidence": (f"{token}.pdf", evidence, "application/pdf")}
    response = browser.post(f"/items/{person.item}/progress/", fields, files)
    if response is not None and response.status == 302:
        person.acks.append(Ack(browser.name, token, person.item, evidence))
    elif response is not None and response.status < 500:
        person.refused += 1
    time.sleep(pause)


def run(people: list[Person], *, seconds: float, max_rounds: int, pause: float) -> None:
    """Every person in a thread of their own, for `seconds` or `max_rounds`, whichever ends
    first; returns when all have stopped."""
    deadline = time.monotonic() + seconds

    def loop(person: Person):
        for number in range(max_rounds):
            if time.monotonic() >= deadline:
                break
            one_round(person, number, pause=pause)
            person.rounds += 1

    threads = [threading.Thread(target=loop, args=(p,), daemon=True) for p in people]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=seconds + 120)
