"""Rated dialogs for the demo account (after seed_demo): a few ended conversations on both
sites, rated with stars on the shop and thumbs on the blog, so the console's History,
dialog pages and visitor cards show ratings. Safe to run again: the demo sites' rating
settings are kept, and dialogs are only added while none of the account's is rated."""

from django.core.management.base import BaseCommand, CommandError

from chat.dialogs import lifecycle
from chat.messaging import posting
from chat.models import Site
from chat.visitors import sessions
from operators.models import Operator
from satisfaction import services
from satisfaction.models import Rating, RatingSettings, Scale

ACCOUNT = "Demo company"
SCALES = {"demo-shop-key": Scale.STARS, "demo-blog-key": Scale.THUMBS}
UA = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/120.0 Safari/537.36"
DIALOGS = [
    # site key, operator, visitor's line, operator's answer, score, comment
    ("demo-shop-key", "anna", "Do you deliver on Sunday?", "Yes, until 6 pm.", 5,
     "Quick and clear, thank you!"),
    ("demo-shop-key", "boris", "Can I return shoes bought on sale?", "Yes, within 14 days.", 4, ""),
    ("demo-shop-key", "anna", "My order has not arrived yet.", "I am checking it now.", 2,
     "I had to wait too long for an answer."),
    ("demo-shop-key", "boris", "Is this jacket waterproof?", "Yes, it is.", 5, ""),
    ("demo-blog-key", "anna", "Можно перепечатать вашу статью?", "Да, со ссылкой на блог.", 5,
     "Спасибо, всё понятно!"),
    ("demo-blog-key", "anna", "Почему не работает подписка?", "Проверим и напишем вам.", 1,
     "Так и не решили проблему."),
]  # fmt: skip


class Command(BaseCommand):
    help = "Give the demo sites their rating settings and add a few rated dialogs."

    def handle(self, *args, **options):
        sites = {
            site.widget_key: site
            for site in Site.objects.filter(account__name=ACCOUNT, widget_key__in=SCALES)
        }
        if len(sites) != len(SCALES):
            raise CommandError("Run seed_demo first.")
        for key, scale in SCALES.items():
            RatingSettings.objects.update_or_create(site=sites[key], defaults={"scale": scale})
        if Rating.objects.filter(dialog__account__name=ACCOUNT).exists():
            self.stdout.write("The demo account has rated dialogs already.")
            return
        operators = {
            op.user.username: op
            for op in Operator.objects.filter(account__name=ACCOUNT).select_related("user")
        }
        for key, username, asked, answered, score, comment in DIALOGS:
            operator = operators[username]
            session = sessions.start_visitor_session(
                site=sites[key], token=None, ip="203.0.113.10", user_agent=UA
            )
            message, _ = posting.post_visitor_message(
                visitor_id=session.visitor.id, visit_id=session.visit.id, client_id="seed-1",
                text=asked,
            )  # fmt: skip
            lifecycle.connect_operator(operator=operator, dialog_id=message.dialog_id)
            posting.post_operator_message(
                operator=operator, dialog_id=message.dialog_id, client_id="seed-2", text=answered
            )
            lifecycle.end_dialog(operator=operator, dialog_id=message.dialog_id)
            sessions.end_visitor_session(visitor_id=session.visitor.id, visit_id=session.visit.id)
            services.rate_dialog(
                visitor_id=session.visitor.id,
                dialog_id=message.dialog_id,
                score=score,
                comment=comment,
            )
        self.stdout.write(self.style.SUCCESS(f"{len(DIALOGS)} rated demo dialogs."))
