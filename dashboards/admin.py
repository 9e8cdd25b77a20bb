"""The dashboards' models are written by their services only: nothing here for the admin."""
