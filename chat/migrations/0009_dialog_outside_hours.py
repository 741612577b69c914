from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("chat", "0008_dialog_closed_automatically"),
    ]

    operations = [
        migrations.AddField(
            model_name="dialog",
            name="outside_hours",
            field=models.BooleanField(
                db_default=False, default=False, verbose_name="opened outside business hours"
            ),
        ),
    ]
