"""Print a new VAPID key pair as the two environment lines Web Push needs, or write them as
files into a secrets directory (SECRETS_DIR, config/secrets.py) with --write DIR."""

from pathlib import Path

from cryptography.hazmat.primitives import serialization
from django.core.management.base import BaseCommand
from py_vapid import Vapid
from py_vapid.utils import b64urlencode


class Command(BaseCommand):
    help = "Generate a VAPID key pair for Web Push and print WEBPUSH_VAPID_* lines for .env."

    def add_arguments(self, parser):
        parser.add_argument(
            "--write",
            metavar="DIR",
            help="write WEBPUSH_VAPID_PUBLIC_KEY and WEBPUSH_VAPID_PRIVATE_KEY files into DIR",
        )

    def handle(self, *args, **options):
        vapid = Vapid()
        vapid.generate_keys()
        private = vapid.private_key.private_numbers().private_value.to_bytes(32, "big")
        public = vapid.public_key.public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
        )
        keys = {
            "WEBPUSH_VAPID_PUBLIC_KEY": b64urlencode(public),
            "WEBPUSH_VAPID_PRIVATE_KEY": b64urlencode(private),
        }
        if options["write"]:
            directory = Path(options["write"])
            directory.mkdir(parents=True, exist_ok=True)
            for name, value in keys.items():
                (directory / name).write_text(value)
                (directory / name).chmod(0o600)
                self.stdout.write(f"wrote {directory / name}")
            return
        for name, value in keys.items():
            self.stdout.write(f"{name}={value}")
