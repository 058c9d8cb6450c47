"""Where after-sale photos are kept: local files under the instance folder (the default), or an
S3-compatible bucket chosen by settings (AFTERSALE_STORAGE=s3). Keys are ours (random), never
the uploaded file name, and photos are served only through the API, which checks who asks."""
from __future__ import annotations

import secrets
from pathlib import Path
from typing import Protocol

from flask import current_app


class PhotoStorage(Protocol):
    def put(self, key: str, data: bytes, content_type: str) -> None: ...
    def get(self, key: str) -> bytes: ...


class LocalStorage:
    def __init__(self, root: Path):
        self.root = root

    def _path(self, key: str) -> Path:
        path = (self.root / key).resolve()
        if self.root.resolve() not in path.parents:
            raise ValueError("storage key escapes the photo folder")
        return path

    def put(self, key: str, data: bytes, content_type: str) -> None:
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".part")
        tmp.write_bytes(data)
        tmp.replace(path)  # never a half-written photo under the real name

    def get(self, key: str) -> bytes:
        return self._path(key).read_bytes()


class S3Storage:
    def __init__(self, bucket: str, endpoint_url: str | None, region: str | None):
        import boto3  # only needed when this backend is chosen

        self.bucket = bucket
        self.client = boto3.client("s3", endpoint_url=endpoint_url or None, region_name=region or None)

    def put(self, key: str, data: bytes, content_type: str) -> None:
        self.client.put_object(Bucket=self.bucket, Key=key, Body=data, ContentType=content_type)

    def get(self, key: str) -> bytes:
        return self.client.get_object(Bucket=self.bucket, Key=key)["Body"].read()


def storage() -> PhotoStorage:
    config = current_app.config
    if config["AFTERSALE_STORAGE"] == "s3":
        return S3Storage(config["AFTERSALE_S3_BUCKET"], config["AFTERSALE_S3_ENDPOINT_URL"],
                         config["AFTERSALE_S3_REGION"])
    return LocalStorage(Path(current_app.instance_path) / "aftersale-photos")


def new_key(request_id: int) -> str:
    return f"aftersales/{request_id}/{secrets.token_hex(16)}.jpg"
