from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("chat", "0011_text_search_trigram_indexes"),
    ]

    operations = [
        migrations.AddField(
            model_name="message",
            name="line",
            field=models.JSONField(blank=True, null=True, verbose_name="system line"),
        ),
    ]
