"""collectstatic for the deployment test: the production settings and storage, but with gzip
only. Brotli at its best quality takes 15 to 40 seconds of this 2-core machine for our 2.5 MB
of static files, gzip well under one; every file is still hashed into the manifest and
compressed. gunicorn itself runs rocu_tracker.settings unchanged."""

from whitenoise.storage import CompressedManifestStaticFilesStorage

from rocu_tracker.settings import *  # noqa: F403
from rocu_tracker.settings import STORAGES


class GzipManifestStaticFilesStorage(CompressedManifestStaticFilesStorage):
    def create_compressor(self, **kwargs):
        return super().create_compressor(use_brotli=False, **kwargs)


STORAGES["staticfiles"]["BACKEND"] = f"{__name__}.GzipManifestStaticFilesStorage"
