"""The S3-compatible photo store, against moto's in-process S3 (the local store is covered by the
request tests)."""
from __future__ import annotations

import boto3
import pytest
from moto import mock_aws

from tests.aftersales.helpers import ask, jpeg, picked_up, upload


@pytest.fixture
def s3(app, monkeypatch):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "test")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "test")
    with mock_aws():
        boto3.client("s3", region_name="us-east-1").create_bucket(Bucket="photos")
        monkeypatch.setitem(app.config, "AFTERSALE_STORAGE", "s3")
        monkeypatch.setitem(app.config, "AFTERSALE_S3_BUCKET", "photos")
        monkeypatch.setitem(app.config, "AFTERSALE_S3_REGION", "us-east-1")
        yield boto3.client("s3", region_name="us-east-1")


def test_photos_go_to_the_bucket_and_come_back_through_the_api(client, s3):
    s = picked_up(client)
    req = ask(client, s["buyer"], s["order"]).get_json()
    photo = upload(client, s["buyer"], "store", req["id"], jpeg()).get_json()
    keys = [o["Key"] for o in s3.list_objects_v2(Bucket="photos")["Contents"]]
    assert len(keys) == 1 and keys[0].startswith(f"aftersales/{req['id']}/")
    assert s3.head_object(Bucket="photos", Key=keys[0])["ContentType"] == "image/jpeg"
    got = client.get(f"/api/v1/store/after-sales/{req['id']}/photos/{photo['id']}", headers=s["buyer"].headers)
    assert got.status_code == 200 and got.data[:2] == b"\xff\xd8"
