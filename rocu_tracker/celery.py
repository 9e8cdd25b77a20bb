import os
from pathlib import Path

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rocu_tracker.settings")

app = Celery("rocu_tracker")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.on_after_configure.connect
def make_local_folders(sender: Celery, **kwargs) -> None:
    """The embedded filesystem broker's folders and beat's schedule file live under var/,
    which a fresh checkout lacks: make them when the app first reads its configuration."""
    folders = []
    if sender.conf.broker_url and sender.conf.broker_url.startswith("filesystem://"):
        options = sender.conf.broker_transport_options or {}
        folders += [options.get(key) for key in ("data_folder_in", "data_folder_out")]
        folders.append(options.get("control_folder"))
    if sender.conf.beat_schedule_filename:
        folders.append(str(Path(sender.conf.beat_schedule_filename).parent))
    for folder in filter(None, folders):
        Path(folder).mkdir(parents=True, exist_ok=True)
