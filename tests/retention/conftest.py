from tests.object_storage import s3_bucket, s3_endpoint  # noqa: F401 (fixtures)
